import * as fs from "node:fs/promises"
import * as nodePath from "node:path"
import type { ArchiveLimits } from "@ferry/core"
import type { HostileCase, Neutralised, RefusalReason, Refused } from "./HostileCorpus.ts"
import * as RawTar from "./RawTar.ts"

/** Write bytes to `dir/name` and return the path. */
export const writeBytes = async (dir: string, name: string, bytes: Uint8Array): Promise<string> => {
  await fs.mkdir(dir, { recursive: true })
  const path = nodePath.join(dir, name)
  await fs.writeFile(path, bytes)
  return path
}

export type Wrapping = "tar" | "tar.gz" | "tar.zst"

const wrap = (bytes: Buffer, wrapping: Wrapping): Buffer =>
  wrapping === "tar.gz" ? RawTar.gzip(bytes) : wrapping === "tar.zst" ? RawTar.zstd(bytes) : bytes

/** A case whose archive is a raw tar made of `parts` (plus the end marker), optionally compressed. */
export const tarCase = (options: {
  readonly id: string
  readonly item: number
  readonly description: string
  readonly parts: () => ReadonlyArray<Uint8Array>
  readonly expect: Refused | Neutralised
  readonly wrapping?: Wrapping
  readonly limits?: Partial<ArchiveLimits>
}): HostileCase => {
  const wrapping = options.wrapping ?? "tar"
  return {
    id: options.id,
    item: options.item,
    description: options.description,
    build: (dir) => writeBytes(dir, `${options.id}.${wrapping}`, wrap(RawTar.tar(...options.parts()), wrapping)),
    expect: options.expect,
    ...(options.limits !== undefined ? { limits: options.limits } : {}),
  }
}

export const refused = (reason: RefusalReason, rule: string | undefined, entry: string | undefined): Refused => ({
  kind: "refused",
  reason,
  ...(rule !== undefined ? { rule } : {}),
  ...(entry !== undefined ? { entry } : {}),
})

/** A benign first entry, so refusals are shown to happen mid-archive, not only on the first header. */
export const benign = (): Buffer => RawTar.file("readme.txt", "a harmless first entry\n")
