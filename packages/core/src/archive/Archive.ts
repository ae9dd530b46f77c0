import * as fs from "node:fs/promises"
import { Effect } from "effect"
import type { EntryVisitor, ScanStats } from "./ArchiveEntry.ts"
import { ArchiveError, NotReadable, UnsupportedFormat } from "./ArchiveError.ts"
import { type ArchiveLimits, withLimits } from "./ArchiveLimits.ts"
import { darRefusal, isDarSlice } from "./Dar.ts"
import { scanDirectory } from "./DirectoryScanner.ts"
import { EntryGuard } from "./EntryGuard.ts"
import { gzipHoldsMime, scanMime } from "./MimeScanner.ts"
import { type Container, sniff } from "./Sniff.ts"
import { type ScanContext, scanTarStream } from "./TarScanner.ts"
import { type FileSource, fileSource, openFileStream } from "./Volumes.ts"
import { scanZip, zipNotSeekable } from "./ZipScanner.ts"

export interface ScanOptions {
  readonly limits?: Partial<ArchiveLimits>
  /** Called with bytes read from the source so far (throttle on the caller's side). */
  readonly onProgress?: (sourceBytes: number) => void
  /** Checked after each entry: true ends the scan early (used by detection). */
  readonly shouldStop?: () => boolean
  /** Secrets for encrypted backups (`backup-password` for ispmanager `.aes` files); never logged. */
  readonly secrets?: Readonly<Record<string, string>>
}

/**
 * A backup on disk — a tar (plain, gzip, zstd or bzip2; one file, split into volumes, or
 * OpenSSL-encrypted), a ZIP, or an extracted directory — ready to be scanned.
 */
export interface ArchiveHandle {
  readonly path: string
  readonly container: Container
  /** Size of the file, or the sum of file sizes for a directory (known after a scan). */
  readonly bytes: number
  /** The volumes of a split backup (`x.tgz.part1` … `partN`), read in this order as one stream. */
  readonly volumes?: ReadonlyArray<string>
  /** The bytes are OpenSSL-encrypted (`.aes`): scans need `secrets["backup-password"]`. */
  readonly encrypted?: boolean
  readonly scan: <E, R>(visitor: EntryVisitor<E, R>, options?: ScanOptions) => Effect.Effect<ScanStats, ArchiveError | E, R>
}

const notReadable = (path: string, e: unknown) =>
  new ArchiveError({ archive: path, entry: "", reason: new NotReadable({ detail: e instanceof Error ? e.message : String(e) }) })

const containerOf = (source: FileSource): Container => {
  if (source.encryption !== "none") return "aes"
  if (isDarSlice(source.head)) return "dar"
  const sniffed = sniff(source.head)
  if (sniffed === "gzip" && gzipHoldsMime(source.head)) return "mime.gz"
  return sniffed === "gzip" ? "tar.gz" : sniffed === "zstd" ? "tar.zst" : sniffed === "bzip2" ? "tar.bz2" : sniffed
}

/**
 * Open a backup. Nothing is trusted from the name: the container is sniffed from the bytes.
 * Every scan streams the archive once, start to end, with flat memory.
 */
export const open = Effect.fn("Archive.open")(function* (path: string) {
  const stat = yield* Effect.tryPromise({ try: () => fs.stat(path), catch: (e) => notReadable(path, e) })
  let container: Container
  let source: FileSource | undefined
  if (stat.isDirectory()) {
    container = "directory"
  } else {
    // A volume of a split backup opens the whole set; the container is sniffed from the bytes.
    source = yield* fileSource(path)
    container = containerOf(source)
  }
  const handle: ArchiveHandle = {
    path,
    container,
    bytes: source?.bytes ?? 0,
    ...(source !== undefined && source.parts.length > 1 ? { volumes: source.parts } : {}),
    ...(source?.encryption !== undefined && source.encryption !== "none" ? { encrypted: true } : {}),
    scan: (visitor, options = {}) => scan(path, container, source, visitor, options),
  }
  return handle
})

const scan = <E, R>(
  path: string,
  container: Container,
  source: FileSource | undefined,
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
    } else if (source === undefined) {
      return yield* Effect.fail(notReadable(path, "no file to read"))
    } else if (container === "zip") {
      if (source.parts.length > 1) return yield* Effect.fail(zipNotSeekable(ctx, "split into volumes"))
      yield* scanZip(ctx, path, visitor, options.onProgress)
    } else if (container === "mime" || container === "mime.gz") {
      if (source.parts.length > 1) return yield* Effect.fail(notReadable(path, "a MIME dump split into volumes is not supported"))
      yield* scanMime(ctx, path, container === "mime.gz", visitor, options.onProgress)
    } else if (container === "dar") {
      return yield* Effect.fail(
        new ArchiveError({ archive: path, entry: "", reason: new UnsupportedFormat({ format: "dar", detail: darRefusal }) }),
      )
    } else {
      const input = yield* openFileStream(ctx, source, options.secrets, (bytes) => {
        ctx.counters.sourceBytes += bytes
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
