import { cpanelAdapter } from "@ferry/adapter-cpanel"
import { ispmanager4Adapter } from "@ferry/adapter-ispmanager4"
import { ispmanager5Adapter } from "@ferry/adapter-ispmanager5"
import { ispmanager6Adapter, ispmanagerBusiness6Adapter } from "@ferry/adapter-ispmanager6"
import { pleskAdapter } from "@ferry/adapter-plesk"
import type { Adapter } from "@ferry/core"

/** The panels this build of `ferry` reads. Registered here, explicitly; nothing is discovered. */
export const adapters: ReadonlyArray<Adapter.Adapter> = [
  cpanelAdapter,
  pleskAdapter,
  ispmanager4Adapter,
  ispmanager5Adapter,
  ispmanager6Adapter,
  ispmanagerBusiness6Adapter,
]
