import { Adapter } from "@ferry/core"
import { detectIspmanager4 } from "./Detect.ts"
import { readIspmanager4 } from "./Ispmanager4Reader.ts"

/** ispmanager 4 `pbackup` archives (tar, tar.gz, tar.bz2, zip). */
export const ispmanager4Adapter = Adapter.make({
  id: "ispmanager4",
  displayName: "ispmanager 4",
  detect: detectIspmanager4,
  read: readIspmanager4,
})
