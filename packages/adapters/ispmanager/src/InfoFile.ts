import * as fs from "node:fs/promises"
import * as nodePath from "node:path"
import { SafeParseError } from "@ferry/core"
import { keyValuesOf } from "./Evidence.ts"
import { baseName, infoNameFor, parseStorageName } from "./StorageNames.ts"

/*
 * The `.info` file beside a data file (§4.1–4.2): never encrypted, holds `key_hash` (a hash of
 * the backup password); its other keys and its syntax are not documented. Ferry reads it as XML
 * (ispmanager's usual `<doc>`) or as `key=value` / `key: value` lines, and uses only the panel
 * version, the user and the backup type. It is read from inside the archive (storage layouts) or
 * from beside the file the user opened.
 */

export const infoCap = 256 * 1024

export interface BackupInfo {
  readonly path: string
  readonly values: ReadonlyMap<string, string>
}

export const parseInfo = (path: string, text: string): BackupInfo | string => {
  try {
    return { path, values: new Map(keyValuesOf(text)) }
  } catch (e) {
    if (e instanceof SafeParseError) return e.message
    throw e
  }
}

/** The `.info` beside a data file (or volume) the user opened, if there is one. */
export const readSidecarInfo = async (archivePath: string): Promise<{ readonly path: string; readonly text: string } | undefined> => {
  const name = parseStorageName(baseName(archivePath))
  if (name === undefined || name.kind !== "data") return undefined
  const path = nodePath.join(nodePath.dirname(archivePath), infoNameFor(name))
  const stat = await fs.lstat(path).catch(() => undefined)
  if (stat === undefined || !stat.isFile() || stat.size > infoCap) return undefined
  return { path, text: await fs.readFile(path, "utf8") }
}
