import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import type { InspectOptions, InspectResult } from "@ferry/core"
import { inspectWith, type PleskGeneration, type PleskSpec, type PleskWriteOptions, writePleskBackup } from "@ferry/testing"
import { Result } from "effect"
import { pleskAdapter } from "../src/index.ts"

let tempRoot: string | undefined
export const tempDir = async (): Promise<string> => {
  tempRoot ??= await fs.mkdtemp(path.join(os.tmpdir(), "ferry-plesk-"))
  return fs.mkdtemp(path.join(tempRoot, "t-"))
}

/** The file (or directory) name a generation is written to. */
export const backupName = (generation: PleskGeneration): string =>
  generation === "repository-directory" ? "backup" : generation.startsWith("plesk8") ? "psa.dump" : "backup.tar"

export const writeBackup = async (spec: PleskSpec, generation: PleskGeneration, options: PleskWriteOptions = {}) =>
  writePleskBackup(spec, path.join(await tempDir(), backupName(generation)), generation, options)

export const inspect = async (archive: string, options: InspectOptions = {}): Promise<InspectResult> => {
  const result = await inspectWith([pleskAdapter], archive, options)
  if (Result.isFailure(result)) throw new Error(`inspect failed: ${String(result.failure)}`)
  return result.success
}

export const inspectFailure = async (archive: string, options: InspectOptions = {}): Promise<unknown> => {
  const result = await inspectWith([pleskAdapter], archive, options)
  if (Result.isSuccess(result)) throw new Error(`inspect succeeded with ${result.success.snapshot.entities.length} entities`)
  return result.failure
}
