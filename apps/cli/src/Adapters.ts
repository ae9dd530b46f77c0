import { cpanelAdapter } from "@ferry/adapter-cpanel"
import type { Adapter } from "@ferry/core"

/** The panels this build of `ferry` reads. Registered here, explicitly; nothing is discovered. */
export const adapters: ReadonlyArray<Adapter.Adapter> = [cpanelAdapter]
