import { Adapter } from "@ferry/core"
import { editionNames, type IsptarEdition } from "./Evidence.ts"
import { detectIsptar } from "./IsptarDetect.ts"
import { readIsptar } from "./IsptarReader.ts"

/** An adapter for one ISPtar edition: ispmanager 5, 6 or business 6 (§8 #7: kept apart). */
export const makeIsptarAdapter = (id: string, edition: IsptarEdition): Adapter.Adapter =>
  Adapter.make({ id, displayName: editionNames[edition], detect: detectIsptar(id, edition), read: readIsptar(id, edition) })
