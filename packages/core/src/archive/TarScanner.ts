import { PassThrough, Readable } from "node:stream"
import { pipeline } from "node:stream/promises"
import { Effect } from "effect"
import tar from "tar-stream"
import type { ArchiveEntry, EntryVisitor, SkippedEntry } from "./ArchiveEntry.ts"
import { ArchiveError, type ArchiveErrorReason, CorruptArchive, LimitExceeded, UnsafePath, UnsupportedFormat } from "./ArchiveError.ts"
import type { ArchiveLimits } from "./ArchiveLimits.ts"
import { type EntryGuard, guardCheck, type RawEntry } from "./EntryGuard.ts"
import { sanitiseMode } from "./EntryName.ts"
import { decompressor, sniff } from "./Sniff.ts"

/** State shared by one scan of an archive and all archives nested in it. */
export interface ScanContext {
  readonly archive: string
  readonly guard: EntryGuard
  readonly limits: ArchiveLimits
  readonly skipped: Array<SkippedEntry>
  readonly counters: { sourceBytes: number; inflatedBytes: number; contentBytes: number }
  readonly shouldStop: () => boolean
  stopped: boolean
}

type TarEntryStream = Readable & { header: tar.Header & { pax?: Record<string, string> | null } }

const fail = (ctx: ScanContext, entry: string, reason: ArchiveErrorReason) => new ArchiveError({ archive: ctx.archive, entry, reason })

const corrupt = (ctx: ScanContext, cause: unknown, entry = "") =>
  cause instanceof ArchiveError
    ? cause
    : fail(ctx, entry, new CorruptArchive({ detail: cause instanceof Error ? cause.message : String(cause) }))

const rawKind = (header: TarEntryStream["header"]): RawEntry["kind"] => {
  const pax = header.pax ?? {}
  if (Object.keys(pax).some((key) => key.startsWith("GNU.sparse."))) return "sparse"
  switch (header.type) {
    case "file":
    case "contiguous-file":
      // Pre-POSIX (v7) tars mark directories only by a trailing slash.
      return header.name.endsWith("/") && !header.size ? "directory" : "file"
    case "directory":
      return "directory"
    case "symlink":
      return "symlink"
    case "link":
      return "hardlink"
    case "character-device":
    case "block-device":
    case "fifo":
      return "special"
    default:
      // tar-stream reports GNU sparse ("S") and every unknown type flag alike as null.
      return "unknown"
  }
}

/** Resolve when a body has been read to its end (draining it if nobody is reading). */
const drain = (stream: Readable, ended: () => boolean): Promise<void> =>
  new Promise((resolve, reject) => {
    if (ended()) return resolve()
    stream.on("end", () => resolve())
    stream.on("error", reject)
    stream.resume()
  })

/** Peek at the first bytes of a stream without losing them. */
export const peek = async (input: Readable, bytes: number): Promise<{ head: Uint8Array; stream: Readable }> => {
  const iterator = input[Symbol.asyncIterator]()
  const chunks: Array<Buffer> = []
  let length = 0
  let done = false
  while (length < bytes) {
    const next = await iterator.next()
    if (next.done) {
      done = true
      break
    }
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value as Uint8Array)
    chunks.push(chunk)
    length += chunk.length
  }
  const head = Buffer.concat(chunks)
  const rest = async function* () {
    if (head.length > 0) yield head
    if (done) return
    while (true) {
      const next = await iterator.next()
      if (next.done) return
      yield next.value as Buffer
    }
  }
  return { head, stream: Readable.from(rest(), { objectMode: false }) }
}

/**
 * Scan a (possibly compressed) tar byte stream. `raw` is counted as source bytes only for the
 * outermost archive; ratio limits compare inflated to source bytes.
 */
export const scanTarStream = <E, R>(
  ctx: ScanContext,
  raw: Readable,
  mount: string,
  visitor: EntryVisitor<E, R>,
  nesting: number,
  where: string,
): Effect.Effect<void, ArchiveError | E, R> =>
  Effect.gen(function* () {
    const { head, stream } = yield* Effect.tryPromise({ try: () => peek(raw, 512), catch: (e) => corrupt(ctx, e, where) })
    const kind = sniff(head)
    if (head.length === 0) return yield* Effect.fail(fail(ctx, where, new CorruptArchive({ detail: "the archive is empty" })))
    if (kind !== "tar" && kind !== "gzip" && kind !== "zstd" && kind !== "bzip2") {
      const detail =
        kind === "unknown"
          ? "not a tar archive (nor gzip/zstd/bzip2-compressed tar)"
          : `${kind} archives are not supported here; expected tar, tar.gz, tar.bz2 or tar.zst`
      return yield* Effect.fail(fail(ctx, where, new UnsupportedFormat({ format: kind, detail })))
    }
    const compressed = kind !== "tar"
    const source: Readable = compressed ? (stream.pipe(decompressor(kind)) as unknown as Readable) : stream
    if (compressed) {
      stream.on("error", (e) => source.destroy(e))
      source.on("data", (chunk: Buffer) => {
        ctx.counters.inflatedBytes += chunk.length
        const { maxCompressionRatio, ratioFloorBytes } = ctx.limits
        if (
          ctx.counters.inflatedBytes > ratioFloorBytes &&
          ctx.counters.inflatedBytes > maxCompressionRatio * Math.max(1, ctx.counters.sourceBytes)
        ) {
          source.destroy(
            fail(
              ctx,
              where,
              new LimitExceeded({
                limit: "compression-ratio",
                value: Math.round(ctx.counters.inflatedBytes / Math.max(1, ctx.counters.sourceBytes)),
                max: maxCompressionRatio,
                detail: "the archive inflates far more than real backups do (decompression bomb?)",
              }),
            ),
          )
        }
      })
    }
    const extract = tar.extract({ allowUnknownFormat: true } as Parameters<typeof tar.extract>[0])
    const feeding = pipeline(source, extract).catch((e: unknown) => {
      throw e
    })
    feeding.catch(() => undefined) // observed below; avoid an unhandled rejection in the meantime
    const iterator = (extract as unknown as AsyncIterable<TarEntryStream>)[Symbol.asyncIterator]()

    const loop = Effect.gen(function* () {
      while (!ctx.stopped) {
        const next = yield* Effect.tryPromise({ try: () => iterator.next(), catch: (e) => corrupt(ctx, e, where) })
        if (next.done) break
        const body = next.value
        const header = body.header
        const rawEntry: RawEntry = {
          name: header.name,
          kind: rawKind(header),
          specialKind: header.type ?? "unknown (GNU sparse or an unknown type flag)",
          size: header.size ?? 0,
          ...(header.linkname != null ? { linkTarget: header.linkname } : {}),
        }
        let ended = false
        body.on("end", () => {
          ended = true
        })
        // tar-stream keeps a global PAX header to itself and applies it only to entries with a
        // PAX header of their own, while GNU tar applies it to every entry: refuse name, link or
        // size overrides there rather than read names other tools read differently.
        const global = (extract as unknown as { _paxGlobal?: Record<string, string> | null })._paxGlobal
        if (global && ("path" in global || "linkpath" in global || "size" in global)) {
          return yield* Effect.fail(
            fail(
              ctx,
              header.name,
              new UnsafePath({
                rule: "traversal",
                detail: `a global PAX header overrides entry names, links or sizes (${JSON.stringify(global.path ?? global.linkpath ?? global.size)})`,
              }),
            ),
          )
        }
        const verdict = guardCheck(ctx.guard, rawEntry, mount)
        if (verdict._tag === "refuse") return yield* Effect.fail(fail(ctx, header.name, verdict.reason))
        if (verdict._tag === "skip") {
          if (verdict.skipped !== undefined) ctx.skipped.push(verdict.skipped)
          yield* Effect.tryPromise({ try: () => drain(body, () => ended), catch: (e) => corrupt(ctx, e, header.name) })
          continue
        }
        const type = rawEntry.kind as ArchiveEntry["type"]
        if (type === "file") ctx.counters.contentBytes += rawEntry.size
        let taken = false
        let piped: PassThrough | undefined
        const take = (): Readable => {
          if (taken) throw new Error(`the body of ${verdict.path} was already read`)
          taken = true
          // Consumers see ArchiveErrors only, whichever layer (file, inflate, tar) failed.
          const out = new PassThrough({ highWaterMark: 1 << 20 })
          piped = out
          body.on("error", (e) => out.destroy(corrupt(ctx, e, header.name)))
          body.pipe(out)
          return out
        }
        const entry: ArchiveEntry = {
          path: verdict.path,
          rawPath: header.name,
          type,
          size: type === "file" ? rawEntry.size : 0,
          mode: sanitiseMode(header.mode ?? 0o644, type === "directory" ? "directory" : "file"),
          mtime: header.mtime ? Math.floor(header.mtime.getTime() / 1000) : undefined,
          linkTarget: verdict.linkTarget,
          nestedIn: nesting > 0 ? where : undefined,
          readBytes: (maxBytes) => readAll(ctx, verdict.path, rawEntry.size, maxBytes, take),
          readText: (maxBytes) =>
            Effect.map(readAll(ctx, verdict.path, rawEntry.size, maxBytes, take), (b) => Buffer.from(b).toString("utf8")),
          stream: take,
          scanNested: (nestedMount, nestedVisitor) =>
            nesting + 1 > ctx.limits.maxNesting
              ? Effect.fail(
                  fail(
                    ctx,
                    header.name,
                    new LimitExceeded({
                      limit: "nesting",
                      value: nesting + 1,
                      max: ctx.limits.maxNesting,
                      detail: "archives nested too deeply",
                    }),
                  ),
                )
              : Effect.suspend(() => scanTarStream(ctx, take(), nestedMount, nestedVisitor, nesting + 1, verdict.path)),
        }
        yield* visitor(entry)
        // A body the visitor took but did not read to the end is discarded here.
        if (piped !== undefined && !piped.readableEnded) piped.resume()
        yield* Effect.tryPromise({ try: () => drain(body, () => ended), catch: (e) => corrupt(ctx, e, header.name) })
        if (ctx.shouldStop()) ctx.stopped = true
      }
    })

    yield* loop.pipe(
      Effect.onExit(() =>
        Effect.sync(() => {
          if (ctx.stopped) {
            source.destroy()
            raw.destroy()
          }
        }),
      ),
      Effect.onError(() =>
        Effect.sync(() => {
          extract.destroy()
          source.destroy()
          raw.destroy()
        }),
      ),
    )
    if (!ctx.stopped) {
      yield* Effect.tryPromise({ try: () => feeding, catch: (e) => corrupt(ctx, e, where) })
    }
  })

/**
 * A whole body into memory, refused before reading when its declared size is over `maxBytes`.
 * Shared by the container scanners; `toError` maps their stream failures to ArchiveErrors.
 */
export const readAll = (
  ctx: ScanContext,
  path: string,
  size: number,
  maxBytes: number,
  take: () => Readable,
  toError: (ctx: ScanContext, cause: unknown, entry: string) => ArchiveError = corrupt,
): Effect.Effect<Uint8Array, ArchiveError> => {
  if (size > maxBytes) {
    return Effect.fail(
      fail(
        ctx,
        path,
        new LimitExceeded({
          limit: "metadata-bytes",
          value: size,
          max: maxBytes,
          detail: "a metadata file is larger than Ferry reads into memory",
        }),
      ),
    )
  }
  return Effect.tryPromise({
    try: async () => {
      const chunks: Array<Buffer> = []
      for await (const chunk of take()) chunks.push(chunk as Buffer)
      return Buffer.concat(chunks)
    },
    catch: (e) => toError(ctx, e, path),
  })
}
