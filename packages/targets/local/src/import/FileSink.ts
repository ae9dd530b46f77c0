import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path"
import type { ArchiveEntry, ContentSink, StepOutcome } from "@ferry/core"
import { StepFailed } from "@ferry/core"
import { Effect } from "effect"
import {
  copyFileAtomic,
  ensureDir,
  normaliseDirMode,
  removeEmptyDir,
  removeFile,
  type SafeFsError,
  sameFile,
  symlinkAtomic,
  toStepFailed,
  writeStreamAtomic,
} from "./SafeFs.ts"

/*
 * A content tree (a docroot, a home) written into a destination directory through SafeFs.
 *
 * - Directories: created with the entry's mode capped at 0755; existing ones are left alone.
 * - Files: streamed to a temporary name and renamed into place, mode capped (rule 7). A file that
 *   already has the entry's size and mtime is skipped, so a resumed step does not copy it again.
 * - Symlinks (rule 5): only relative targets that resolve inside `linkBoundary` (the account's
 *   home); they are created at commit, after every file, and never followed.
 * - Hard links: materialised as a copy of the earlier regular file when that file was written by
 *   this sink in this run (same destination); anything else is refused.
 *
 * A refused link does NOT fail the step: the entry is left out, logged as a warning and listed in
 * the step's notes. Homes routinely hold links that point outside (cPanel `access-logs` →
 * /usr/local/apache/domlogs/…); failing the whole home for them would lose every other file.
 * A path that would leave the destination, or a write SafeFs refuses, fails the step.
 */

export interface FileSinkOptions {
  /** Step id (the content ref id) named in failures. */
  readonly step: string
  /** Words for messages, e.g. "web content of example.com". */
  readonly label: string
  /** The target root: SafeFs refuses anything outside it. */
  readonly root: string
  /** Absolute directory the tree is written into (created if missing). */
  readonly destination: string
  /** Symlinks must resolve inside this directory (the account's home). */
  readonly linkBoundary: string
  /** Mode of the destination when it has to be created (default 0755). */
  readonly destinationMode?: number
  /** Owner of what the sink creates; applied only when Ferry runs as root. */
  readonly uid?: number | undefined
  readonly gid?: number | undefined
  readonly log?: (level: "info" | "warning" | "error", message: string) => Effect.Effect<void>
  /** Bound of the bookkeeping (created paths, hard-link sources, pending links); default 200 000. */
  readonly maxTracked?: number
}

const maxNotes = 5

/** The rel path's components are plain names (the archive layer checked them; checked again here). */
const badRel = (rel: string): boolean =>
  rel === "" ||
  rel.includes("\0") ||
  rel.includes("\\") ||
  isAbsolute(rel) ||
  rel.split("/").some((part, i, all) => part === "." || part === ".." || (part === "" && i !== all.length - 1))

const inside = (base: string, path: string): boolean => {
  const rel = relative(base, path)
  return rel !== "" && rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel)
}

export const makeFileSink = (options: FileSinkOptions): Effect.Effect<ContentSink, StepFailed> =>
  Effect.gen(function* () {
    const { step, label, root, destination, linkBoundary, uid, gid } = options
    const owner = { uid, gid }
    const max = options.maxTracked ?? 200_000
    const fsFailed = toStepFailed(step, label)
    const log = options.log ?? (() => Effect.void)
    // Directories above the home are not the tenant's: created (if ever missing) without its ids.
    const boundaryParent = dirname(linkBoundary)
    if (inside(root, boundaryParent) && (destination === linkBoundary || inside(linkBoundary, destination)))
      yield* ensureDir(root, boundaryParent, { mode: 0o755 }).pipe(Effect.mapError(fsFailed))
    yield* ensureDir(root, destination, { mode: options.destinationMode ?? 0o755, ...owner }).pipe(Effect.mapError(fsFailed))

    const createdFiles: Array<string> = []
    const createdDirs: Array<string> = []
    /** Archive path → absolute path of regular files written (or found identical) in this run. */
    const written = new Map<string, string>()
    const pendingLinks: Array<{ abs: string; target: string; rel: string }> = []
    const ensured = new Set<string>()
    const refused: Array<string> = []
    let refusedCount = 0
    let counts = { created: 0, updated: 0, unchanged: 0 }
    let trackingLost = false

    const track = <A>(list: Array<A>, item: A) => {
      if (list.length < max) list.push(item)
      else trackingLost = true
    }

    const refuse = (rel: string, why: string) => {
      refusedCount++
      if (refused.length < maxNotes) refused.push(`${rel}: ${why}`)
      return log("warning", `${label}: ${JSON.stringify(rel)} left out: ${why}`)
    }

    const ensureParent = (abs: string): Effect.Effect<void, SafeFsError> => {
      const dir = dirname(abs)
      if (dir === destination || ensured.has(dir)) return Effect.void
      return ensureDir(root, dir, { mode: 0o755, ...owner }).pipe(
        Effect.tap((made) =>
          Effect.sync(() => {
            for (const d of made) track(createdDirs, d)
            if (ensured.size >= 10_000) ensured.clear()
            ensured.add(dir)
          }),
        ),
        Effect.asVoid,
      )
    }

    const writeFile = (abs: string, entry: ArchiveEntry) =>
      Effect.gen(function* () {
        yield* ensureParent(abs)
        if (entry.mtime !== undefined && (yield* sameFile(root, abs, entry.size, entry.mtime))) {
          counts = { ...counts, unchanged: counts.unchanged + 1 }
        } else {
          const outcome = yield* writeStreamAtomic(root, abs, entry.stream(), { mode: entry.mode, mtime: entry.mtime, ...owner })
          if (outcome === "created") track(createdFiles, abs)
          counts = { ...counts, [outcome]: counts[outcome] + 1 }
        }
        if (written.size < max) written.set(entry.path, abs)
        else trackingLost = true
      })

    const copyHardLink = (rel: string, abs: string, entry: ArchiveEntry) =>
      Effect.gen(function* () {
        const source = entry.linkTarget === undefined ? undefined : written.get(entry.linkTarget)
        if (source === undefined)
          return yield* refuse(rel, `hard link to ${JSON.stringify(entry.linkTarget ?? "")}, which is not a file of this content`)
        yield* ensureParent(abs)
        const outcome = yield* copyFileAtomic(root, source, abs, { mode: entry.mode, mtime: entry.mtime, ...owner })
        if (outcome === "created") track(createdFiles, abs)
        counts = { ...counts, [outcome]: counts[outcome] + 1 }
      })

    const queueSymlink = (rel: string, abs: string, entry: ArchiveEntry) => {
      const target = entry.linkTarget ?? ""
      if (target === "" || target.includes("\0") || target.includes("\\")) return refuse(rel, "symbolic link with an unusable target")
      if (isAbsolute(target)) return refuse(rel, `symbolic link to the absolute path ${JSON.stringify(target)}`)
      if (!inside(linkBoundary, resolve(dirname(abs), target)) && resolve(dirname(abs), target) !== resolve(linkBoundary))
        return refuse(rel, `symbolic link to ${JSON.stringify(target)} points outside the home`)
      if (pendingLinks.length >= max) return refuse(rel, "too many symbolic links to keep track of")
      pendingLinks.push({ abs, target, rel })
      return Effect.void
    }

    const write = (rel: string, entry: ArchiveEntry): Effect.Effect<void, StepFailed> => {
      const clean = rel.replace(/\/+$/, "")
      if (badRel(clean))
        return Effect.fail(
          new StepFailed({ step, code: "unsafe-path", reason: `${label}: entry ${JSON.stringify(entry.rawPath)} has an unsafe name` }),
        )
      const abs = join(destination, clean)
      if (!inside(destination, abs))
        return Effect.fail(
          new StepFailed({ step, code: "unsafe-path", reason: `${label}: entry ${JSON.stringify(entry.rawPath)} leaves the destination` }),
        )
      const run = (): Effect.Effect<void, SafeFsError> => {
        switch (entry.type) {
          case "directory":
            return ensureDir(root, abs, { mode: normaliseDirMode(entry.mode), ...owner }).pipe(
              Effect.tap((made) =>
                Effect.sync(() => {
                  for (const d of made) track(createdDirs, d)
                }),
              ),
              Effect.asVoid,
            )
          case "file":
            return writeFile(abs, entry)
          case "hardlink":
            return copyHardLink(clean, abs, entry)
          case "symlink":
            return queueSymlink(clean, abs, entry)
        }
      }
      return run().pipe(Effect.mapError(fsFailed))
    }

    const commit = Effect.gen(function* () {
      for (const link of pendingLinks) {
        const outcome = yield* symlinkAtomic(root, link.abs, link.target, owner).pipe(Effect.mapError(fsFailed))
        if (outcome === "created") track(createdFiles, link.abs)
        counts = { ...counts, [outcome]: counts[outcome] + 1 }
      }
      pendingLinks.length = 0
      const outcome: StepOutcome = counts.created > 0 ? "created" : counts.updated > 0 ? "updated" : "unchanged"
      const notes: Array<string> = []
      if (refusedCount > 0)
        notes.push(
          `${refusedCount} link${refusedCount === 1 ? "" : "s"} left out (${refused.join("; ")}${refusedCount > refused.length ? "; …" : ""})`,
        )
      if (counts.unchanged > 0) notes.push(`${counts.unchanged} file${counts.unchanged === 1 ? "" : "s"} already in place`)
      return notes.length > 0 ? { outcome, notes } : { outcome }
    })

    const discard = Effect.gen(function* () {
      for (const path of createdFiles.reverse()) yield* removeFile(root, path).pipe(Effect.ignore)
      for (const dir of createdDirs.sort((a, b) => b.length - a.length)) yield* removeEmptyDir(root, dir).pipe(Effect.ignore)
      createdFiles.length = 0
      createdDirs.length = 0
      pendingLinks.length = 0
      if (trackingLost) yield* log("warning", `${label}: more files than Ferry keeps track of; some written files were left in place`)
    })

    return { write, commit, discard } satisfies ContentSink
  })
