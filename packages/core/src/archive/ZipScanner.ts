import { PassThrough, type Readable, Transform } from "node:stream"
import * as zlib from "node:zlib"
import { Effect } from "effect"
import yauzl from "yauzl"
import type { ArchiveEntry, EntryVisitor } from "./ArchiveEntry.ts"
import {
  ArchiveError,
  type ArchiveErrorReason,
  CorruptArchive,
  LimitExceeded,
  NotReadable,
  UnsafeLink,
  UnsupportedEntry,
} from "./ArchiveError.ts"
import { guardCheck, type RawEntry } from "./EntryGuard.ts"
import { sanitiseMode } from "./EntryName.ts"
import { type ScanContext, scanTarStream } from "./TarScanner.ts"

/*
 * Top-level ZIP archives (ispmanager 4 `pbackup` writes `.zip` backups). yauzl reads the central
 * directory; each member is opened on demand by its offset, so the visitor sees members one at a
 * time in directory order and a body nobody reads is never inflated. Every member goes through
 * the same `EntryGuard` as tar entries (checklist item 21). Names are decoded without yauzl's own
 * validation (which would throw plain errors) so the guard reports the rule that was broken.
 */

const maxLinkTarget = 4096

/** Unix file types in the high bits of the external attributes (version made by: 3 = Unix). */
const fileTypes = new Map<number, RawEntry["kind"]>([
  [0o100000, "file"],
  [0o040000, "directory"],
  [0o120000, "symlink"],
])
const specialTypes = new Map<number, string>([
  [0o010000, "fifo"],
  [0o020000, "character-device"],
  [0o060000, "block-device"],
  [0o140000, "socket"],
])

const fail = (ctx: ScanContext, entry: string, reason: ArchiveErrorReason) => new ArchiveError({ archive: ctx.archive, entry, reason })

const corrupt = (ctx: ScanContext, cause: unknown, entry = "") =>
  cause instanceof ArchiveError
    ? cause
    : fail(ctx, entry, new CorruptArchive({ detail: cause instanceof Error ? cause.message : String(cause) }))

interface Member {
  readonly name: string
  readonly kind: RawEntry["kind"]
  readonly specialKind?: string
  readonly mode: number
}

const describe = (entry: yauzl.Entry): Member => {
  const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileName as unknown as Buffer, entry.extraFields, true)
  const unix = entry.versionMadeBy >> 8 === 3 ? entry.externalFileAttributes >>> 16 : 0
  const type = unix & 0o170000
  const dosDirectory = (entry.externalFileAttributes & 0x10) !== 0
  const special = specialTypes.get(type)
  if (special !== undefined) return { name, kind: "special", specialKind: special, mode: unix & 0o7777 }
  const kind = name.endsWith("/") || dosDirectory ? "directory" : (fileTypes.get(type) ?? (type === 0 ? "file" : "unknown"))
  const mode = unix !== 0 ? unix & 0o7777 : kind === "directory" ? 0o755 : 0o644
  return { name, kind, specialKind: `unix file type 0o${type.toString(8)}`, mode }
}

/** The member's stored bytes, undecoded: Ferry inflates and checks them itself. */
const openRaw = (zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Readable> => zip.openReadStreamPromise(entry, { decodeFileData: false })

/**
 * Inflate (method 8) and check a member: never more bytes than declared, exactly as many in the
 * end, the CRC-32 of the central directory, and the compression-ratio limit.
 */
const decoder = (ctx: ScanContext, entry: yauzl.Entry, name: string): Array<Transform> => {
  let produced = 0
  let crc = 0
  const check = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      produced += chunk.length
      ctx.counters.inflatedBytes += chunk.length
      const { maxCompressionRatio, ratioFloorBytes } = ctx.limits
      if (
        ctx.counters.inflatedBytes > ratioFloorBytes &&
        ctx.counters.inflatedBytes > maxCompressionRatio * Math.max(1, ctx.counters.sourceBytes)
      ) {
        return done(
          fail(
            ctx,
            name,
            new LimitExceeded({
              limit: "compression-ratio",
              value: Math.round(ctx.counters.inflatedBytes / Math.max(1, ctx.counters.sourceBytes)),
              max: maxCompressionRatio,
              detail: "the archive inflates far more than real backups do (decompression bomb?)",
            }),
          ),
        )
      }
      if (produced > entry.uncompressedSize)
        return done(new Error(`the member holds more than its declared ${entry.uncompressedSize} bytes`))
      crc = zlib.crc32(chunk, crc)
      done(null, chunk)
    },
    flush(done) {
      if (produced !== entry.uncompressedSize)
        return done(new Error(`the member holds ${produced} bytes, not its declared ${entry.uncompressedSize}`))
      if (crc >>> 0 !== entry.crc32 >>> 0) return done(new Error("the member's CRC-32 does not match"))
      done()
    },
  })
  return entry.compressionMethod === 8 ? [zlib.createInflateRaw({ chunkSize: 256 * 1024 }), check] : [check]
}

const readSmall = async (zip: yauzl.ZipFile, entry: yauzl.Entry, ctx: ScanContext, name: string): Promise<Buffer> => {
  const raw = await openRaw(zip, entry)
  let upstream: Readable = raw
  const stages = decoder(ctx, entry, name)
  const errors = new Promise<never>((_, reject) => {
    raw.on("error", reject)
    for (const stage of stages) stage.on("error", reject)
  })
  for (const stage of stages) upstream = upstream.pipe(stage)
  const chunks: Array<Buffer> = []
  const collect = (async () => {
    for await (const chunk of upstream) chunks.push(chunk as Buffer)
  })()
  await Promise.race([collect, errors])
  return Buffer.concat(chunks)
}

export const scanZip = <E, R>(
  ctx: ScanContext,
  path: string,
  visitor: EntryVisitor<E, R>,
  onProgress: ((sourceBytes: number) => void) | undefined,
): Effect.Effect<void, ArchiveError | E, R> =>
  Effect.acquireUseRelease(
    Effect.tryPromise({
      try: () => yauzl.openPromise(path, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true }),
      catch: (e) => corrupt(ctx, e),
    }),
    (zip) =>
      Effect.gen(function* () {
        const members = zip.eachEntry()
        if (zip.entryCount === 0) return yield* Effect.fail(fail(ctx, "", new CorruptArchive({ detail: "the ZIP archive has no entries" })))
        while (!ctx.stopped) {
          const next = yield* Effect.tryPromise({ try: () => members.next(), catch: (e) => corrupt(ctx, e) })
          if (next.done) break
          const zipEntry = next.value
          const member = describe(zipEntry)
          const size = member.kind === "file" ? zipEntry.uncompressedSize : 0
          if ((zipEntry.generalPurposeBitFlag & 0x1) !== 0) {
            return yield* Effect.fail(
              fail(ctx, member.name, new UnsupportedEntry({ kind: "unknown-type", detail: "encrypted ZIP members are not supported" })),
            )
          }
          if (member.kind !== "directory" && zipEntry.compressionMethod !== 0 && zipEntry.compressionMethod !== 8) {
            return yield* Effect.fail(
              fail(
                ctx,
                member.name,
                new UnsupportedEntry({
                  kind: "unknown-type",
                  detail: `ZIP compression method ${zipEntry.compressionMethod} is not supported (only stored and deflate)`,
                }),
              ),
            )
          }
          let linkTarget: string | undefined
          if (member.kind === "symlink") {
            if (zipEntry.uncompressedSize > maxLinkTarget) {
              return yield* Effect.fail(
                fail(
                  ctx,
                  member.name,
                  new UnsafeLink({ rule: "escapes-root", target: "", detail: `the link target is longer than ${maxLinkTarget} bytes` }),
                ),
              )
            }
            linkTarget = (yield* Effect.tryPromise({
              try: () => readSmall(zip, zipEntry, ctx, member.name),
              catch: (e) => corrupt(ctx, e, member.name),
            })).toString("utf8")
          }
          const raw: RawEntry = {
            name: member.name,
            kind: member.kind,
            ...(member.specialKind !== undefined ? { specialKind: member.specialKind } : {}),
            size,
            ...(linkTarget !== undefined ? { linkTarget } : {}),
          }
          const verdict = guardCheck(ctx.guard, raw, "")
          if (verdict._tag === "refuse") return yield* Effect.fail(fail(ctx, member.name, verdict.reason))
          ctx.counters.sourceBytes += zipEntry.compressedSize
          onProgress?.(ctx.counters.sourceBytes)
          if (verdict._tag === "skip") {
            if (verdict.skipped !== undefined) ctx.skipped.push(verdict.skipped)
            continue
          }
          const type = member.kind as ArchiveEntry["type"]
          if (type === "file") ctx.counters.contentBytes += size
          let taken = false
          let piped: PassThrough | undefined
          let abandon = () => {}
          let finished: Promise<void> = Promise.resolve()
          const take = (): Readable => {
            if (taken) throw new Error(`the body of ${verdict.path} was already read`)
            taken = true
            const out = new PassThrough({ highWaterMark: 1 << 20 })
            piped = out
            finished = openRaw(zip, zipEntry).then(
              (raw) =>
                new Promise<void>((resolve) => {
                  raw.on("end", () => resolve())
                  raw.on("close", () => resolve())
                  const stages = decoder(ctx, zipEntry, member.name)
                  // yauzl's file streams must never be destroyed mid-read (its reader would
                  // then read a closed descriptor): stop decoding and drain the stored bytes.
                  abandon = () => {
                    raw.unpipe()
                    for (const stage of stages) stage.unpipe()
                    raw.resume()
                  }
                  const failWith = (e: unknown) => {
                    abandon()
                    out.destroy(corrupt(ctx, e, member.name))
                  }
                  raw.on("error", (e) => {
                    failWith(e)
                    resolve()
                  })
                  for (const stage of stages) stage.on("error", failWith)
                  let upstream: Readable = raw
                  for (const stage of stages) upstream = upstream.pipe(stage)
                  upstream.pipe(out)
                }),
              (e: unknown) => {
                out.destroy(corrupt(ctx, e, member.name))
              },
            )
            return out
          }
          const readAll = (maxBytes: number): Effect.Effect<Uint8Array, ArchiveError> =>
            size > maxBytes
              ? Effect.fail(
                  fail(
                    ctx,
                    verdict.path,
                    new LimitExceeded({
                      limit: "metadata-bytes",
                      value: size,
                      max: maxBytes,
                      detail: "a metadata file is larger than Ferry reads into memory",
                    }),
                  ),
                )
              : Effect.tryPromise({
                  try: async () => {
                    const chunks: Array<Buffer> = []
                    for await (const chunk of take()) chunks.push(chunk as Buffer)
                    return Buffer.concat(chunks)
                  },
                  catch: (e) => corrupt(ctx, e, verdict.path),
                })
          const entry: ArchiveEntry = {
            path: verdict.path,
            rawPath: member.name,
            type,
            size,
            mode: sanitiseMode(member.mode, type === "directory" ? "directory" : "file"),
            mtime: Math.floor(zipEntry.getLastModDate().getTime() / 1000),
            linkTarget: verdict.linkTarget,
            nestedIn: undefined,
            readBytes: readAll,
            readText: (maxBytes) => Effect.map(readAll(maxBytes), (b) => Buffer.from(b).toString("utf8")),
            stream: take,
            scanNested: (mount, nestedVisitor) =>
              ctx.limits.maxNesting < 1
                ? Effect.fail(
                    fail(
                      ctx,
                      member.name,
                      new LimitExceeded({ limit: "nesting", value: 1, max: ctx.limits.maxNesting, detail: "archives nested too deeply" }),
                    ),
                  )
                : Effect.suspend(() => scanTarStream(ctx, take(), mount, nestedVisitor, 1, verdict.path)),
          }
          // A body the visitor took but did not read to the end is abandoned: its stored bytes are
          // drained, not inflated. Bodies nobody took are never read at all.
          const settle = Effect.promise(() => {
            if (piped !== undefined && !piped.readableEnded) {
              abandon()
              piped.destroy()
            }
            return finished
          })
          yield* visitor(entry).pipe(Effect.ensuring(settle))
          if (ctx.shouldStop()) ctx.stopped = true
        }
      }),
    (zip) => Effect.sync(() => zip.close()),
  )

/** A ZIP cannot be read as volumes or through decryption: it needs random access to one file. */
export const zipNotSeekable = (ctx: ScanContext, why: string) =>
  fail(ctx, "", new NotReadable({ detail: `a ZIP archive ${why} cannot be read; join or decrypt it into one .zip file first` }))
