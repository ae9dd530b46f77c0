import { createReadStream } from "node:fs"
import { Readable } from "node:stream"
import * as zlib from "node:zlib"
import { Effect } from "effect"
import type { ArchiveEntry, EntryVisitor } from "./ArchiveEntry.ts"
import { ArchiveError, type ArchiveErrorReason, CorruptArchive, LimitExceeded, UnsupportedFormat } from "./ArchiveError.ts"
import type { ArchiveLimits } from "./ArchiveLimits.ts"
import { guardCheck } from "./EntryGuard.ts"
import {
  type BodyReader,
  ByteSource,
  CR,
  corrupt,
  type LeafPart,
  LF,
  leafParts,
  looksLikeMimeDump,
  MimeFormatError,
  maxMultipartDepth,
} from "./MimeParser.ts"
import { decompressor } from "./Sniff.ts"
import { readAll, type ScanContext, scanTarStream } from "./TarScanner.ts"

/*
 * Single-file MIME dumps (Plesk 7/8, plain or gzip) scanned as archive entries: one entry per
 * leaf part, named from its Content-Disposition filename, type name or Content-ID and checked by
 * the same `EntryGuard` as tar entries. A part does not declare its size, so a second reader
 * runs one part ahead of the first and measures each body before it is visited: sizes are exact,
 * memory stays flat, and a scan that stops early (detection) reads little more than it visits.
 */

/** Does a gzip stream that starts with `head` hold a MIME dump? Inflates only what `head` holds. */
export const gzipHoldsMime = (head: Uint8Array): boolean => {
  // Highly compressible data inflates past the output cap: retry with less input (the headers
  // come first, so a few dozen compressed bytes are enough).
  for (const length of [head.length, 256, 64]) {
    try {
      const inflated = zlib.gunzipSync(head.subarray(0, length), { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: 1 << 20 })
      return looksLikeMimeDump(inflated)
    } catch (e) {
      if (!(e instanceof RangeError)) return false
    }
  }
  return false
}

const base64Alphabet = /[^A-Za-z0-9+/=]/

/** Decoded chunks of a body in the given transfer encoding. */
const decodedChunks = (body: BodyReader, encoding: string): (() => Promise<Buffer | undefined>) => {
  if (encoding === "binary" || encoding === "8bit" || encoding === "7bit" || encoding === "") return () => body.next()
  if (encoding === "base64") {
    let carry = ""
    let padded = false
    return async () => {
      while (true) {
        const chunk = await body.next()
        if (chunk === undefined) {
          if (carry.length > 0) throw corrupt("a base64 part ends with an incomplete group")
          return undefined
        }
        const text = carry + chunk.toString("latin1").replace(/[\r\n\t ]+/g, "")
        if (base64Alphabet.test(text)) throw corrupt("a base64 part holds characters outside base64")
        if (padded && text.length > 0) throw corrupt("a base64 part continues after its padding")
        const whole = text.length - (text.length % 4)
        carry = text.slice(whole)
        const groups = text.slice(0, whole)
        const pad = groups.indexOf("=")
        if (pad >= 0 && pad < groups.length - 2) throw corrupt("misplaced base64 padding")
        if (pad >= 0) padded = true
        if (groups.length > 0) return Buffer.from(groups, "base64")
      }
    }
  }
  if (encoding === "quoted-printable") {
    let carry = Buffer.alloc(0)
    return async () => {
      while (true) {
        const chunk = await body.next()
        const input = chunk === undefined ? carry : Buffer.concat([carry, chunk])
        const out = Buffer.alloc(input.length)
        let o = 0
        let i = 0
        for (; i < input.length; i++) {
          const byte = input[i] as number
          if (byte !== 0x3d) {
            out[o++] = byte
            continue
          }
          if (chunk !== undefined && i + 2 >= input.length) break // maybe split escape: keep for the next chunk
          if (input[i + 1] === LF) {
            i += 1
          } else if (input[i + 1] === CR && input[i + 2] === LF) {
            i += 2
          } else {
            const hex = input.toString("latin1", i + 1, i + 3)
            if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw corrupt("a quoted-printable part holds a bad escape")
            out[o++] = Number.parseInt(hex, 16)
            i += 2
          }
        }
        carry = Buffer.from(input.subarray(i))
        if (chunk === undefined) return o > 0 ? out.subarray(0, o) : undefined
        if (o > 0) return out.subarray(0, o)
      }
    }
  }
  throw new MimeFormatError("unsupported", `Content-Transfer-Encoding ${JSON.stringify(encoding.slice(0, 40))} is not supported`)
}

const fail = (ctx: ScanContext, entry: string, reason: ArchiveErrorReason) => new ArchiveError({ archive: ctx.archive, entry, reason })

const toArchiveError = (ctx: ScanContext, cause: unknown, entry: string): ArchiveError => {
  if (cause instanceof ArchiveError) return cause
  if (cause instanceof MimeFormatError) {
    const detail = cause.message
    if (cause.kind === "unsupported") return fail(ctx, entry, new UnsupportedFormat({ format: "mime", detail }))
    if (cause.kind === "too-deep")
      return fail(ctx, entry, new LimitExceeded({ limit: "nesting", value: maxMultipartDepth + 1, max: maxMultipartDepth, detail }))
    return fail(ctx, entry, new CorruptArchive({ detail: `MIME dump: ${detail}` }))
  }
  return fail(ctx, entry, new CorruptArchive({ detail: cause instanceof Error ? cause.message : String(cause) }))
}

interface OpenedSource {
  readonly bytes: ByteSource
  readonly close: () => void
}

/**
 * The file's (decompressed) bytes. `counters` receives source and inflated byte counts; a gzip
 * body that inflates beyond the ratio limit fails with `LimitExceeded`.
 */
const openSource = (
  ctx: ScanContext,
  path: string,
  compressed: boolean,
  counters: { sourceBytes: number; inflatedBytes: number },
  onSource: (bytes: number) => void,
): OpenedSource => {
  const file = createReadStream(path, { highWaterMark: 1 << 20 })
  const countSource = (bytes: number) => {
    counters.sourceBytes += bytes
    onSource(counters.sourceBytes)
  }
  const stream: Readable = compressed ? (file.pipe(decompressor("gzip")) as unknown as Readable) : file
  if (compressed) {
    // The pipe already makes the file flow; a "data" listener on an iterated stream would lose data.
    file.on("data", (chunk) => countSource(chunk.length))
    file.on("error", (e) => stream.destroy(e))
  }
  const inner = stream[Symbol.asyncIterator]()
  const { maxCompressionRatio, ratioFloorBytes } = ctx.limits
  const iterator: AsyncIterator<Uint8Array> = {
    next: async () => {
      const next = (await inner.next()) as IteratorResult<Buffer>
      if (!next.done && !compressed) countSource(next.value.length)
      if (!next.done && compressed) {
        counters.inflatedBytes += next.value.length
        if (counters.inflatedBytes > ratioFloorBytes && counters.inflatedBytes > maxCompressionRatio * Math.max(1, counters.sourceBytes)) {
          throw fail(
            ctx,
            "",
            new LimitExceeded({
              limit: "compression-ratio",
              value: Math.round(counters.inflatedBytes / Math.max(1, counters.sourceBytes)),
              max: maxCompressionRatio,
              detail: "the dump inflates far more than real backups do (decompression bomb?)",
            }),
          )
        }
      }
      return next
    },
  }
  return {
    bytes: new ByteSource(iterator),
    close: () => {
      file.destroy()
      stream.destroy()
    },
  }
}

interface SizedPart {
  readonly index: number
  readonly name: string
  readonly size: number
}

/** Decoded size of every leaf part; stops counting a part once it breaks a size limit. */
async function* partSizes(source: ByteSource, limits: ArchiveLimits): AsyncGenerator<SizedPart, void, void> {
  let total = 0
  for await (const part of leafParts(source)) {
    const read = decodedChunks(part.body, part.encoding)
    let size = 0
    for (let chunk = await read(); chunk !== undefined; chunk = await read()) {
      size += chunk.length
      if (size > limits.maxEntryBytes || total + size > limits.maxTotalBytes) break // the guard refuses it
    }
    total += size
    yield { index: part.index, name: part.name, size }
  }
}

/**
 * A part's decoded body as a Node stream. Reads never overlap, so after the visitor the parser
 * can skip what was left once `settle` resolves.
 */
const bodyStream = (ctx: ScanContext, part: LeafPart, path: string, size: number) => {
  const read = decodedChunks(part.body, part.encoding)
  let inflight: Promise<void> = Promise.resolve()
  let delivered = 0
  const stream = new Readable({
    highWaterMark: 1 << 20,
    read() {
      inflight = read().then(
        (chunk) => {
          if (chunk === undefined) {
            if (delivered !== size) {
              stream.destroy(fail(ctx, path, new CorruptArchive({ detail: "the MIME dump changed while it was read" })))
              return
            }
            stream.push(null)
            return
          }
          delivered += chunk.length
          stream.push(chunk)
        },
        (e: unknown) => {
          stream.destroy(toArchiveError(ctx, e, path))
        },
      )
    },
  })
  return { stream, settle: () => inflight.catch(() => undefined) }
}

/** Scan a MIME dump at `path` (gzip-compressed when `compressed`), one entry per leaf part. */
export const scanMime = <E, R>(
  ctx: ScanContext,
  path: string,
  compressed: boolean,
  visitor: EntryVisitor<E, R>,
  onProgress?: (sourceBytes: number) => void,
): Effect.Effect<void, ArchiveError | E, R> =>
  Effect.gen(function* () {
    const main = openSource(ctx, path, compressed, ctx.counters, (bytes) => onProgress?.(bytes))
    const sizing = openSource(ctx, path, compressed, { sourceBytes: 0, inflatedBytes: 0 }, () => undefined)
    const parts = leafParts(main.bytes)
    const sizes = partSizes(sizing.bytes, ctx.limits)
    const loop = Effect.gen(function* () {
      while (!ctx.stopped) {
        const next = yield* Effect.tryPromise({ try: () => parts.next(), catch: (e) => toArchiveError(ctx, e, "") })
        if (next.done) break
        const part = next.value
        const sized = yield* Effect.tryPromise({ try: () => sizes.next(), catch: (e) => toArchiveError(ctx, e, part.name) })
        if (sized.done || sized.value.index !== part.index || sized.value.name !== part.name) {
          return yield* Effect.fail(fail(ctx, part.name, new CorruptArchive({ detail: "the MIME dump changed while it was read" })))
        }
        const size = sized.value.size
        const verdict = guardCheck(ctx.guard, { name: part.name, kind: "file", size }, "")
        if (verdict._tag === "refuse") return yield* Effect.fail(fail(ctx, part.name, verdict.reason))
        if (verdict._tag === "skip") continue
        ctx.counters.contentBytes += size
        let body: ReturnType<typeof bodyStream> | undefined
        const take = (): Readable => {
          if (body !== undefined) throw new Error(`the body of ${verdict.path} was already read`)
          body = bodyStream(ctx, part, verdict.path, size)
          return body.stream
        }
        const entry: ArchiveEntry = {
          path: verdict.path,
          rawPath: part.name,
          type: "file",
          size,
          mode: 0o644,
          mtime: undefined,
          linkTarget: undefined,
          nestedIn: undefined,
          readBytes: (maxBytes) => readAll(ctx, verdict.path, size, maxBytes, take, toArchiveError),
          readText: (maxBytes) =>
            Effect.map(readAll(ctx, verdict.path, size, maxBytes, take, toArchiveError), (b) => Buffer.from(b).toString("utf8")),
          stream: take,
          scanNested: (mount, nestedVisitor) =>
            ctx.limits.maxNesting < 1
              ? Effect.fail(
                  fail(
                    ctx,
                    part.name,
                    new LimitExceeded({ limit: "nesting", value: 1, max: ctx.limits.maxNesting, detail: "archives nested too deeply" }),
                  ),
                )
              : Effect.suspend(() => scanTarStream(ctx, take(), mount, nestedVisitor, 1, verdict.path)),
        }
        yield* visitor(entry)
        const taken = body as ReturnType<typeof bodyStream> | undefined
        if (taken !== undefined) {
          // The parser skips the rest of the part; a destroyed stream starts no further reads.
          taken.stream.destroy()
          yield* Effect.promise(taken.settle)
        }
        if (ctx.shouldStop()) ctx.stopped = true
      }
    })
    yield* loop.pipe(
      Effect.ensuring(
        Effect.sync(() => {
          main.close()
          sizing.close()
        }),
      ),
    )
  })
