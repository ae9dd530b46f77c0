import { makeIsptarAdapter } from "@ferry/adapter-ispmanager"
import type { Adapter } from "@ferry/core"

/**
 * ispmanager 5 (Lite and Business, 5.52 and later) "backup2" ISPtar backups. Older DAR backups
 * are refused with the `backup2_conv` hint (by the archive layer for a DAR file, by detection
 * for a folder of DAR slices).
 */
export const ispmanager5Adapter: Adapter.Adapter = makeIsptarAdapter("ispmanager5", "5")
