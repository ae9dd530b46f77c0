import { Adapter } from "@ferry/core"
import { readCpanel } from "./CpanelReader.ts"
import { detectCpanel } from "./Detect.ts"

/** cPanel account backups (pkgacct / cpmove, archive versions 3 and 4). */
export const cpanelAdapter = Adapter.make({ id: "cpanel", displayName: "cPanel", detect: detectCpanel, read: readCpanel })
