import { createReadStream } from "node:fs"
import * as fs from "node:fs/promises"
import * as nodePath from "node:path"
import type { Readable } from "node:stream"
import { Effect } from "effect"
import type { ArchiveEntry, EntryVisitor } from "./ArchiveEntry.ts"
import { ArchiveError, LimitExceeded, NotReadable } from "./ArchiveError.ts"
import { guardCheck, type RawEntry } from "./EntryGuard.ts"
import { sanitiseMode } from "./EntryName.ts"
import { type ScanContext, scanTarStream } from "./TarScanner.ts"

const notReadable = (ctx: ScanContext, entry: string, e: unknown) =>
  new ArchiveError({ archive: ctx.archive, entry, reason: new NotReadable({ detail: e instanceof Error ? e.message : String(e) }) })

/**
 * An already-extracted backup: a depth-first walk in name order, never following symlinks
 * (`lstat`), with the same checks as a tar. Hard links cannot be told apart from files here and
 * are read as files.
 */
export const scanDirectory = <E, R>(
  ctx: ScanContext,
  root: string,
  visitor: EntryVisitor<E, R>,
): Effect.Effect<void, ArchiveError | E, R> => {
  const walk = (relative: string): Effect.Effect<void, ArchiveError | E, R> =>
    Effect.gen(function* () {
      const absolute = relative === "" ? root : nodePath.join(root, relative)
      const names = yield* Effect.tryPromise({ try: () => fs.readdir(absolute), catch: (e) => notReadable(ctx, relative, e) })
      names.sort()
      for (const name of names) {
        if (ctx.stopped) return
        const rel = relative === "" ? name : `${relative}/${name}`
        const full = nodePath.join(root, rel)
        const stat = yield* Effect.tryPromise({ try: () => fs.lstat(full), catch: (e) => notReadable(ctx, rel, e) })
        const kind: RawEntry["kind"] = stat.isFile()
          ? "file"
          : stat.isDirectory()
            ? "directory"
            : stat.isSymbolicLink()
              ? "symlink"
              : "special"
        const linkTarget =
          kind === "symlink"
            ? yield* Effect.tryPromise({ try: () => fs.readlink(full), catch: (e) => notReadable(ctx, rel, e) })
            : undefined
        const size = kind === "file" ? stat.size : 0
        const verdict = guardCheck(
          ctx.guard,
          {
            name: rel,
            kind,
            specialKind: stat.isFIFO() ? "fifo" : stat.isSocket() ? "socket" : "device",
            size,
            ...(linkTarget !== undefined ? { linkTarget } : {}),
          },
          "",
        )
        if (verdict._tag === "refuse") {
          return yield* Effect.fail(new ArchiveError({ archive: ctx.archive, entry: rel, reason: verdict.reason }))
        }
        if (verdict._tag === "skip") {
          if (verdict.skipped !== undefined) ctx.skipped.push(verdict.skipped)
          continue
        }
        if (kind === "file") {
          ctx.counters.contentBytes += size
          ctx.counters.sourceBytes += size
        }
        const type = kind as ArchiveEntry["type"]
        let taken = false
        const take = (): Readable => {
          if (taken) throw new Error(`the body of ${verdict.path} was already read`)
          taken = true
          return createReadStream(full, { highWaterMark: 1 << 20 })
        }
        const readBytes = (maxBytes: number) =>
          size > maxBytes
            ? Effect.fail(
                new ArchiveError({
                  archive: ctx.archive,
                  entry: rel,
                  reason: new LimitExceeded({
                    limit: "metadata-bytes",
                    value: size,
                    max: maxBytes,
                    detail: "a metadata file is larger than Ferry reads into memory",
                  }),
                }),
              )
            : Effect.tryPromise({ try: () => fs.readFile(full) as Promise<Uint8Array>, catch: (e) => notReadable(ctx, rel, e) })
        const entry: ArchiveEntry = {
          path: verdict.path,
          rawPath: rel,
          type,
          size,
          mode: sanitiseMode(stat.mode, type === "directory" ? "directory" : "file"),
          mtime: Math.floor(stat.mtimeMs / 1000),
          linkTarget: verdict.linkTarget,
          nestedIn: undefined,
          readBytes,
          readText: (maxBytes) => Effect.map(readBytes(maxBytes), (b) => Buffer.from(b).toString("utf8")),
          stream: take,
          scanNested: (mount, nestedVisitor) => Effect.suspend(() => scanTarStream(ctx, take(), mount, nestedVisitor, 1, rel)),
        }
        yield* visitor(entry)
        if (ctx.shouldStop()) ctx.stopped = true
        if (type === "directory" && !ctx.stopped) yield* walk(rel)
      }
    })
  return walk("")
}
