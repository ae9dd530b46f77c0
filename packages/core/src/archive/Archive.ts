import { createReadStream } from "node:fs"
import * as fs from "node:fs/promises"
import { Effect } from "effect"
import type { EntryVisitor, ScanStats } from "./ArchiveEntry.ts"
import { ArchiveError, NotReadable } from "./ArchiveError.ts"
import { type ArchiveLimits, withLimits } from "./ArchiveLimits.ts"
import { scanDirectory } from "./DirectoryScanner.ts"
import { EntryGuard } from "./EntryGuard.ts"
import { type Container, sniff } from "./Sniff.ts"
import { type ScanContext, scanTarStream } from "./TarScanner.ts"

export interface ScanOptions {
  readonly limits?: Partial<ArchiveLimits>
  /** Called with bytes read from the source so far (throttle on the caller's side). */
  readonly onProgress?: (sourceBytes: number) => void
  /** Checked after each entry: true ends the scan early (used by detection). */
  readonly shouldStop?: () => boolean
}

/** A backup on disk — a tar, tar.gz, tar.zst or an extracted directory — ready to be scanned. */
export interface ArchiveHandle {
  readonly path: string
  readonly container: Container
  /** Size of the file, or the sum of file sizes for a directory (known after a scan). */
  readonly bytes: number
  readonly scan: <E, R>(visitor: EntryVisitor<E, R>, options?: ScanOptions) => Effect.Effect<ScanStats, ArchiveError | E, R>
}

const notReadable = (path: string, e: unknown) =>
  new ArchiveError({ archive: path, entry: "", reason: new NotReadable({ detail: e instanceof Error ? e.message : String(e) }) })

const readHead = async (path: string): Promise<Uint8Array> => {
  const handle = await fs.open(path, "r")
  try {
    const buffer = Buffer.alloc(512)
    const { bytesRead } = await handle.read(buffer, 0, 512, 0)
    return buffer.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
}

/**
 * Open a backup. Nothing is trusted from the name: the container is sniffed from the bytes.
 * Every scan streams the archive once, start to end, with flat memory.
 */
export const open = Effect.fn("Archive.open")(function* (path: string) {
  const stat = yield* Effect.tryPromise({ try: () => fs.stat(path), catch: (e) => notReadable(path, e) })
  let container: Container
  if (stat.isDirectory()) {
    container = "directory"
  } else {
    const head = yield* Effect.tryPromise({ try: () => readHead(path), catch: (e) => notReadable(path, e) })
    const sniffed = sniff(head)
    container = sniffed === "gzip" ? "tar.gz" : sniffed === "zstd" ? "tar.zst" : sniffed
  }
  const handle: ArchiveHandle = {
    path,
    container,
    bytes: stat.isDirectory() ? 0 : stat.size,
    scan: (visitor, options = {}) => scan(path, container, visitor, options),
  }
  return handle
})

const scan = <E, R>(
  path: string,
  container: Container,
  visitor: EntryVisitor<E, R>,
  options: ScanOptions,
): Effect.Effect<ScanStats, ArchiveError | E, R> =>
  Effect.gen(function* () {
    const limits = withLimits(options.limits)
    const ctx: ScanContext = {
      archive: path,
      guard: new EntryGuard(limits),
      limits,
      skipped: [],
      counters: { sourceBytes: 0, inflatedBytes: 0, contentBytes: 0 },
      shouldStop: options.shouldStop ?? (() => false),
      stopped: false,
    }
    if (container === "directory") {
      const { onProgress } = options
      yield* scanDirectory(
        ctx,
        path,
        onProgress
          ? (entry) => {
              onProgress(ctx.counters.sourceBytes)
              return visitor(entry)
            }
          : visitor,
      )
    } else {
      const input = createReadStream(path, { highWaterMark: 1 << 20 })
      input.on("data", (chunk) => {
        ctx.counters.sourceBytes += chunk.length
        options.onProgress?.(ctx.counters.sourceBytes)
      })
      yield* scanTarStream(ctx, input, "", visitor, 0, "")
    }
    return {
      entries: ctx.guard.entries,
      sourceBytes: ctx.counters.sourceBytes,
      contentBytes: ctx.counters.contentBytes,
      skipped: ctx.skipped,
      stoppedEarly: ctx.stopped,
    } satisfies ScanStats
  })
