import { makeIsptarAdapter } from "@ferry/adapter-ispmanager"
import type { Adapter } from "@ferry/core"

/** ispmanager 6 (Lite, Pro, Host) ISPtar backups. */
export const ispmanager6Adapter: Adapter.Adapter = makeIsptarAdapter("ispmanager6", "6")

/**
 * ispmanager business 6: the same ISPtar format as far as is documented, kept a separate source
 * kind so Lite and Business backups are never mixed (ispmanager.md §8 #7).
 */
export const ispmanagerBusiness6Adapter: Adapter.Adapter = makeIsptarAdapter("ispmanager-business6", "business6")
