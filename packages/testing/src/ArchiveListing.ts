import { createHash } from "node:crypto"
import type { Readable } from "node:stream"
import { Archive, type ArchiveEntry, ArchiveError, type EntryType, type EntryVisitor, type ScanOptions, type ScanStats } from "@ferry/core"
import { Effect } from "effect"
import { nestedMount } from "./HostileCorpus.ts"

/** What a test sees of one entry: everything but the body, plus the body's size and digest. */
export interface ListedEntry {
  readonly path: string
  readonly rawPath: string
  readonly type: EntryType
  readonly size: number
  readonly mode: number
  readonly linkTarget: string | undefined
  readonly nestedIn: string | undefined
  /** Bytes actually read from the body, and their SHA-256 (files only). */
  readonly bodyBytes: number
  readonly sha256: string | undefined
  /** Property names the entry exposes (to show that owner fields never reach visitors). */
  readonly keys: ReadonlyArray<string>
}

export interface Listing {
  readonly entries: ReadonlyArray<ListedEntry>
  readonly stats: ScanStats
}

const digest = (stream: Readable): Promise<{ bytes: number; sha256: string }> =>
  new Promise((resolve, reject) => {
    const hash = createHash("sha256")
    let bytes = 0
    stream.on("data", (chunk: Buffer) => {
      bytes += chunk.length
      hash.update(chunk)
    })
    stream.on("end", () => resolve({ bytes, sha256: hash.digest("hex") }))
    stream.on("error", reject)
  })

export interface ReadingOptions {
  /** Open `x.tar`, `x.tar.gz`, `x.tgz`, `x.tar.zst` as nested archives mounted at `x` (default true). */
  readonly nested?: boolean
  /** Read bodies through `entry.stream()` (default) or `entry.readBytes()`. */
  readonly bodies?: "stream" | "readBytes"
}

const readBody = (entry: ArchiveEntry, bodies: "stream" | "readBytes"): Effect.Effect<{ bytes: number; sha256: string }, ArchiveError> => {
  if (bodies === "readBytes") {
    return Effect.map(entry.readBytes(Number.MAX_SAFE_INTEGER), (bytes) => ({
      bytes: bytes.length,
      sha256: createHash("sha256").update(bytes).digest("hex"),
    }))
  }
  return Effect.flatMap(
    Effect.promise(() =>
      digest(entry.stream()).then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      ),
    ),
    (outcome) => {
      if (outcome.ok) return Effect.succeed(outcome.value)
      if (outcome.error instanceof ArchiveError) return Effect.fail(outcome.error)
      const detail = outcome.error instanceof Error ? outcome.error.message : String(outcome.error)
      return Effect.die(
        new Error(`entry.stream() of ${JSON.stringify(entry.path)} failed with a plain error instead of an ArchiveError: ${detail}`),
      )
    },
  )
}

/**
 * A visitor that reads every body to its end (hashing it) and opens nested archives instead of
 * reading them. A body that fails with anything but an `ArchiveError` is a defect: readers must
 * report every problem as an `ArchiveError`.
 */
export const readingVisitor = (into: Array<ListedEntry>, options: ReadingOptions = {}): EntryVisitor<ArchiveError> => {
  const visit: EntryVisitor<ArchiveError> = (entry: ArchiveEntry) =>
    Effect.gen(function* () {
      const mount = options.nested === false ? undefined : entry.type === "file" ? nestedMount(entry.path) : undefined
      const base = {
        path: entry.path,
        rawPath: entry.rawPath,
        type: entry.type,
        size: entry.size,
        mode: entry.mode,
        linkTarget: entry.linkTarget,
        nestedIn: entry.nestedIn,
        keys: Object.keys(entry).sort(),
      }
      if (mount !== undefined) {
        into.push({ ...base, bodyBytes: 0, sha256: undefined })
        return yield* entry.scanNested(mount, visit)
      }
      if (entry.type !== "file") {
        into.push({ ...base, bodyBytes: 0, sha256: undefined })
        return
      }
      const body = yield* readBody(entry, options.bodies ?? "stream")
      into.push({ ...base, bodyBytes: body.bytes, sha256: body.sha256 })
    })
  return visit
}

/** Open and scan a backup, reading every body; fails with the reader's `ArchiveError`. */
export const listArchive = (path: string, options: ScanOptions & ReadingOptions = {}): Effect.Effect<Listing, ArchiveError> =>
  Effect.gen(function* () {
    const handle = yield* Archive.open(path)
    const entries: Array<ListedEntry> = []
    const { nested, bodies, ...scanOptions } = options
    const reading: ReadingOptions = { ...(nested !== undefined ? { nested } : {}), ...(bodies !== undefined ? { bodies } : {}) }
    const stats = yield* handle.scan(readingVisitor(entries, reading), scanOptions)
    return { entries, stats }
  })
