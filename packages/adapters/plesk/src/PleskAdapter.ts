import { Adapter } from "@ferry/core"
import { adapterId } from "./Context.ts"
import { detectPlesk } from "./Detect.ts"
import { readPlesk } from "./PleskReader.ts"

/** Plesk backups of every generation: Plesk 7/8 MIME dumps, Plesk 9–11 migration dumps, Plesk 10–18 repositories. */
export const pleskAdapter = Adapter.make({ id: adapterId, displayName: "Plesk", detect: detectPlesk, read: readPlesk })
