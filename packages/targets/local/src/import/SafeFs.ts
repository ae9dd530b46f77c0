import { constants, lstatSync, type Stats } from "node:fs"
import { type FileHandle, symlink as fsSymlink, lchown, lstat, mkdir, open, rename, rmdir, unlink } from "node:fs/promises"
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path"
import type { Readable } from "node:stream"
import { StepFailed } from "@ferry/core"
import { Effect, Result, Schema } from "effect"

/*
 * Every write of the importer into the target tree goes through here (security rules 6, 7, 10):
 * the path must stay inside `root` (checked with path.relative, never a string prefix), every
 * existing parent between root and the path is lstat'ed and must be a real directory (never a
 * symlink), files are written to a temporary name opened with O_CREAT|O_EXCL|O_NOFOLLOW next to
 * the target and renamed over it, so nothing is ever written through a symlink and a reader never
 * sees half a file. Modes are normalised; ownership is set (fchown/lchown, no-follow) only on
 * files and directories created here, and only when Ferry runs as root. Files are capped at 0644
 * (0755 with any x bit), directories at 0755; setuid/setgid/sticky never survive (rule 7).
 *
 * Known limit: Node has no openat2(RESOLVE_BENEATH), so the parent walk and the open are separate
 * system calls; a tenant racing a parent swap between them is not excluded (rule 9).
 */

export class SafeFsError extends Schema.TaggedError<SafeFsError>()("SafeFsError", {
  /** Path concerned, as given (absolute). */
  path: Schema.String,
  /** Stable code: outside-root, bad-name, symlinked-parent, not-a-directory, not-a-file, io. */
  code: Schema.String,
  reason: Schema.String,
}) {
  override get message(): string {
    return `${this.path}: ${this.reason}`
  }
}

/** The error as a failed step of `step`, e.g. `Effect.mapError(toStepFailed(entity.id))`. */
export const toStepFailed =
  (step: string, what?: string) =>
  (error: SafeFsError): StepFailed =>
    new StepFailed({ step, code: `fs-${error.code}`, reason: what === undefined ? error.message : `${what}: ${error.message}` })

export type WriteOutcome = "created" | "updated" | "unchanged"

export interface OwnerOptions {
  /** Applied (fchown/lchown) only to what this module creates, and only when running as root. */
  readonly uid?: number | undefined
  readonly gid?: number | undefined
}

export interface DirOptions extends OwnerOptions {
  /** Mode of directories created here (default 0755, capped at 0755, special bits stripped). */
  readonly mode?: number | undefined
}

export interface FileOptions extends OwnerOptions {
  /** Requested mode: capped at 0644, or 0755 when any x bit is set; special bits stripped. */
  readonly mode: number
  /** Modification time to set, in seconds since the epoch (archive mtime; used by `sameFile`). */
  readonly mtime?: number | undefined
  /** fsync the file before the rename (config files); default false. */
  readonly fsync?: boolean | undefined
  /**
   * Mode of missing parent directories created on the way (default 0755). They are never given
   * `uid`/`gid` (a crontab's owner must not own the spool directory): create tenant directories
   * with `ensureDir` first.
   */
  readonly dirMode?: number | undefined
}

export const runningAsRoot: boolean = process.getuid?.() === 0

/** Rule 7: files 0644, or 0755 when any execute bit is set; setuid/setgid/sticky never survive. */
export const normaliseFileMode = (mode: number): number => mode & ((mode & 0o111) !== 0 ? 0o755 : 0o644)

/** Rule 7: directories at most 0755 (a requested 0700 or 0750 stays), never special bits. */
export const normaliseDirMode = (mode: number): number => (mode & 0o755) | 0o700

/* ---------- containment ---------- */

class Refusal extends Error {
  readonly path: string
  readonly code: string
  constructor(path: string, code: string, reason: string) {
    super(reason)
    this.path = path
    this.code = code
  }
}

const hasBadComponent = (name: string): string | undefined => {
  if (name.includes("\0")) return "contains a NUL byte"
  if (name.includes("\\")) return "contains a backslash"
  const parts = name.split("/")
  for (const [i, part] of parts.entries()) {
    // A leading "/" gives one empty first component; any other empty component is refused.
    if (part === "" && !(i === 0 && isAbsolute(name)) && !(i === parts.length - 1 && i > 0)) return "has an empty component"
    if (part === "." || part === "..") return `has a "${part}" component`
  }
  return undefined
}

/**
 * The path of `absPath` relative to `root` when it lies strictly inside it (rule 6), else a
 * refusal. `absPath` must be absolute and free of NUL, backslash, empty, `.` and `..` components.
 */
export const containedPath = (root: string, absPath: string): Result.Result<string, SafeFsError> => {
  const bad = hasBadComponent(absPath) ?? (isAbsolute(absPath) ? undefined : "is not absolute")
  if (bad !== undefined) return Result.fail(new SafeFsError({ path: absPath, code: "bad-name", reason: `refused: the path ${bad}` }))
  const rel = relative(resolve(root), resolve(absPath))
  if (rel === "" || rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel))
    return Result.fail(new SafeFsError({ path: absPath, code: "outside-root", reason: `refused: the path is not inside ${root}` }))
  return Result.succeed(rel)
}

const contained = (root: string, absPath: string): string => {
  const result = containedPath(root, absPath)
  if (Result.isFailure(result)) throw new Refusal(result.failure.path, result.failure.code, result.failure.reason)
  return result.success
}

/*
 * Synchronous on purpose: the content pass writes one file at a time, and a thread-pool round
 * trip per path component (root, every parent, the file) cost more than the write itself.
 */
const lstatOrUndefined = async (path: string): Promise<Stats | undefined> => lstatSync(path, { throwIfNoEntry: false })

/** The root must be an existing directory (it may itself be reached through a symlink: it is ours). */
const checkRoot = async (root: string): Promise<string> => {
  const base = resolve(root)
  const stat = await lstatOrUndefined(base)
  if (stat === undefined) throw new Refusal(root, "io", "the target root does not exist")
  return base
}

/** lstat every existing component from root down to (excluding) the last one of `rel`. */
const checkParents = async (base: string, rel: string, absPath: string): Promise<{ missingFrom: number; parts: Array<string> }> => {
  const parts = rel.split(sep)
  let current = base
  for (let i = 0; i < parts.length - 1; i++) {
    current = join(current, parts[i] as string)
    const stat = await lstatOrUndefined(current)
    if (stat === undefined) return { missingFrom: i, parts }
    if (stat.isSymbolicLink()) throw new Refusal(absPath, "symlinked-parent", `refused: ${current} is a symbolic link`)
    if (!stat.isDirectory()) throw new Refusal(absPath, "not-a-directory", `refused: ${current} is not a directory`)
  }
  return { missingFrom: parts.length - 1, parts }
}

const chownIfRoot = async (handle: FileHandle, options: OwnerOptions): Promise<void> => {
  if (!runningAsRoot || (options.uid === undefined && options.gid === undefined)) return
  await handle.chown(options.uid ?? -1, options.gid ?? -1)
}

/** mkdir one directory, then fix mode and owner through a no-follow handle on what we created. */
const makeOneDir = async (path: string, options: DirOptions): Promise<void> => {
  try {
    // Made with its final mode (less the umask, fixed just below): a kill before the chmod must
    // not leave a directory the resumed import cannot tell from a finished one.
    await mkdir(path, { mode: normaliseDirMode(options.mode ?? 0o755) })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error
    const stat = await lstat(path)
    if (stat.isSymbolicLink()) throw new Refusal(path, "symlinked-parent", `refused: ${path} is a symbolic link`)
    if (!stat.isDirectory()) throw new Refusal(path, "not-a-directory", `refused: ${path} is not a directory`)
    // Ours, half made: a process killed between mkdir and chmod/chown leaves a 0700 directory
    // owned by Ferry's own uid (a tenant cannot make one). Finish it; anything else is left alone.
    const wanted = normaliseDirMode(options.mode ?? 0o755)
    if (stat.uid !== process.getuid?.() || (stat.mode & 0o7777) !== 0o700 || wanted === 0o700) return
  }
  const handle = await open(path, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW)
  try {
    await handle.chmod(normaliseDirMode(options.mode ?? 0o755))
    await chownIfRoot(handle, options)
  } finally {
    await handle.close()
  }
}

/** Create the missing directories of `rel` below `base`; returns the ones created (outermost first). */
const makeDirs = async (base: string, rel: string, absPath: string, options: DirOptions, includeLast: boolean): Promise<Array<string>> => {
  const { missingFrom, parts } = await checkParents(base, rel, absPath)
  const created: Array<string> = []
  const upTo = includeLast ? parts.length : parts.length - 1
  let current = join(base, ...parts.slice(0, missingFrom))
  for (let i = missingFrom; i < upTo; i++) {
    current = join(current, parts[i] as string)
    if (i === parts.length - 1) {
      const stat = await lstatOrUndefined(current)
      if (stat?.isSymbolicLink() === true) throw new Refusal(absPath, "symlinked-parent", `refused: ${current} is a symbolic link`)
      if (stat !== undefined) {
        if (!stat.isDirectory()) throw new Refusal(absPath, "not-a-directory", `refused: ${current} exists and is not a directory`)
        continue
      }
    }
    await makeOneDir(current, options)
    created.push(current)
  }
  return created
}

const describe = (error: unknown): string => {
  const e = error as NodeJS.ErrnoException
  return e.code !== undefined ? `${e.code}: ${e.message}` : String(error)
}

const run = <A>(path: string, what: string, body: () => Promise<A>): Effect.Effect<A, SafeFsError> =>
  Effect.tryPromise({
    try: body,
    catch: (error) =>
      error instanceof Refusal
        ? new SafeFsError({ path: error.path, code: error.code, reason: error.message })
        : new SafeFsError({ path, code: "io", reason: `${what}: ${describe(error)}` }),
  })

/* ---------- public operations ---------- */

/**
 * Make `absDir` (and its missing parents) a real directory inside `root`. Directories that already
 * exist are left as they are (never chmod/chown someone else's directory); returns the directories
 * created, outermost first.
 */
export const ensureDir = (root: string, absDir: string, options: DirOptions = {}): Effect.Effect<ReadonlyArray<string>, SafeFsError> =>
  run(absDir, "creating the directory", async () => {
    const rel = contained(root, absDir)
    return makeDirs(await checkRoot(root), rel, absDir, options, true)
  })

/**
 * The temporary name is fixed per target, so a write interrupted by a kill leaves at most one
 * leftover, which the resumed write removes (unlink never follows a link; O_EXCL then refuses a
 * name planted again in between).
 */
const removeLeftover = async (tmp: string): Promise<void> => {
  await unlink(tmp).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "ENOENT") throw error
  })
}

const tempName = (absPath: string): string => join(dirname(absPath), `.${basename(absPath).slice(0, 180)}.ferry.tmp`)

/** Open a fresh temporary file next to `absPath` (parents checked/created), write via `fill`, rename over. */
const writeAtomic = async (
  root: string,
  absPath: string,
  options: FileOptions,
  fill: (handle: FileHandle) => Promise<void>,
): Promise<WriteOutcome> => {
  const rel = contained(root, absPath)
  const base = await checkRoot(root)
  await makeDirs(base, rel, absPath, { mode: options.dirMode }, false)
  const existing = await lstatOrUndefined(absPath)
  if (existing?.isDirectory() === true) throw new Refusal(absPath, "not-a-file", "refused: a directory is in the way")
  const tmp = tempName(absPath)
  await removeLeftover(tmp)
  const handle = await open(tmp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | constants.O_NOFOLLOW, 0o600)
  let renamed = false
  try {
    await fill(handle)
    await handle.chmod(normaliseFileMode(options.mode))
    await chownIfRoot(handle, options)
    if (options.mtime !== undefined) await handle.utimes(options.mtime, options.mtime)
    if (options.fsync === true) await handle.sync()
    await handle.close()
    await rename(tmp, absPath)
    renamed = true
  } finally {
    if (!renamed) {
      await handle.close().catch(() => undefined)
      await unlink(tmp).catch(() => undefined)
    }
  }
  return existing === undefined ? "created" : "updated"
}

/** Read a regular file without following a final symlink; undefined when absent. */
const readExisting = async (absPath: string, maxBytes: number): Promise<{ data: Buffer; stat: Stats } | undefined> => {
  let handle: FileHandle
  try {
    handle = await open(absPath, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === "ENOENT" || code === "ELOOP") return undefined
    throw error
  }
  try {
    const stat = await handle.stat()
    if (!stat.isFile() || stat.size > maxBytes) return undefined
    return { data: await handle.readFile(), stat }
  } finally {
    await handle.close()
  }
}

/**
 * Write a whole file atomically (configs, certificates). The mode is capped like any file (a key
 * asked as 0600 stays 0600). When the file already holds the same bytes, mode, owner and (when
 * given) mtime, nothing is written: "unchanged".
 */
export const writeFileAtomic = (
  root: string,
  absPath: string,
  data: string | Uint8Array,
  options: FileOptions,
): Effect.Effect<WriteOutcome, SafeFsError> =>
  run(absPath, "writing the file", async () => {
    const rel = contained(root, absPath)
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data.buffer, data.byteOffset, data.byteLength)
    const mode = normaliseFileMode(options.mode)
    const parents = await checkParents(await checkRoot(root), rel, absPath)
    const before = parents.missingFrom === parents.parts.length - 1 ? await readExisting(absPath, bytes.length) : undefined
    if (
      before?.data.equals(bytes) === true &&
      (before.stat.mode & 0o7777) === mode &&
      (!runningAsRoot ||
        ((options.uid === undefined || before.stat.uid === options.uid) &&
          (options.gid === undefined || before.stat.gid === options.gid))) &&
      (options.mtime === undefined || Math.floor(before.stat.mtimeMs / 1000) === options.mtime)
    )
      return "unchanged"
    return writeAtomic(root, absPath, options, async (handle) => {
      await handle.writeFile(bytes)
    })
  })

/**
 * Copy a stream into an open handle. Async iteration pulls one chunk at a time, so memory stays
 * flat whatever the file size (backpressure without pipeline, which would want to close the fd
 * before we set the mode and mtime on it); an error destroys the source.
 */
const drain = async (stream: Readable, handle: FileHandle): Promise<void> => {
  for await (const chunk of stream) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Uint8Array)
    let offset = 0
    while (offset < bytes.byteLength) offset += (await handle.write(bytes, offset, bytes.byteLength - offset)).bytesWritten
  }
}

/**
 * Stream a file atomically (tenant content), in constant memory.
 * The mode is normalised (rule 7). Always writes ("created" or "updated"); use `sameFile` first
 * to skip a file a previous run already placed.
 */
export const writeStreamAtomic = (
  root: string,
  absPath: string,
  stream: Readable,
  options: FileOptions,
): Effect.Effect<WriteOutcome, SafeFsError> =>
  run(absPath, "writing the file", () =>
    writeAtomic(root, absPath, options, async (handle) => {
      await drain(stream, handle)
    }),
  ).pipe(
    Effect.tapError(() =>
      Effect.sync(() => {
        if (!stream.destroyed) stream.destroy()
      }),
    ),
  )

/**
 * Copy a regular file inside `root` to another path inside `root` (hard links materialised as
 * copies, rule 5). The source is opened with O_NOFOLLOW and must be a regular file.
 */
export const copyFileAtomic = (
  root: string,
  fromAbs: string,
  toAbs: string,
  options: FileOptions,
): Effect.Effect<WriteOutcome, SafeFsError> =>
  run(toAbs, "copying the file", async () => {
    const fromRel = contained(root, fromAbs)
    await checkParents(await checkRoot(root), fromRel, fromAbs)
    const source = await open(fromAbs, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(
      (error: NodeJS.ErrnoException) => {
        throw error.code === "ELOOP" ? new Refusal(fromAbs, "not-a-file", "refused: the source is a symbolic link") : error
      },
    )
    try {
      const stat = await source.stat()
      if (!stat.isFile()) throw new Refusal(fromAbs, "not-a-file", "refused: the source is not a regular file")
      if (stat.nlink !== 1) throw new Refusal(fromAbs, "not-a-file", "refused: the source has other hard links")
      return await writeAtomic(root, toAbs, options, async (handle) => {
        await drain(source.createReadStream({ autoClose: false }), handle)
      })
    } finally {
      await source.close()
    }
  })

/**
 * Create (or replace) the symlink `absPath` → `target`. The link itself is never followed; the
 * caller decides whether `target` is acceptable (FileSink: relative and inside the home).
 */
export const symlinkAtomic = (
  root: string,
  absPath: string,
  target: string,
  options: OwnerOptions & { readonly dirMode?: number } = {},
): Effect.Effect<WriteOutcome, SafeFsError> =>
  run(absPath, "creating the symbolic link", async () => {
    if (target.includes("\0")) throw new Refusal(absPath, "bad-name", "refused: the link target contains a NUL byte")
    const rel = contained(root, absPath)
    await makeDirs(await checkRoot(root), rel, absPath, { mode: options.dirMode }, false)
    const existing = await lstatOrUndefined(absPath)
    if (existing?.isDirectory() === true) throw new Refusal(absPath, "not-a-file", "refused: a directory is in the way")
    const tmp = tempName(absPath)
    await removeLeftover(tmp)
    await fsSymlink(target, tmp)
    try {
      if (runningAsRoot && (options.uid !== undefined || options.gid !== undefined)) await lchown(tmp, options.uid ?? -1, options.gid ?? -1)
      await rename(tmp, absPath)
    } catch (error) {
      await unlink(tmp).catch(() => undefined)
      throw error
    }
    return existing === undefined ? "created" : "updated"
  })

/** Remove a file or symlink (never a directory); true when something was removed. */
export const removeFile = (root: string, absPath: string): Effect.Effect<boolean, SafeFsError> =>
  run(absPath, "removing the file", async () => {
    const rel = contained(root, absPath)
    const { missingFrom, parts } = await checkParents(await checkRoot(root), rel, absPath)
    if (missingFrom < parts.length - 1) return false
    const stat = await lstatOrUndefined(absPath)
    if (stat === undefined) return false
    if (stat.isDirectory()) throw new Refusal(absPath, "not-a-file", "refused: is a directory")
    await unlink(absPath)
    return true
  })

/** Remove a directory if it is empty (undoing `ensureDir`); true when removed. Never recursive. */
export const removeEmptyDir = (root: string, absDir: string): Effect.Effect<boolean, SafeFsError> =>
  run(absDir, "removing the directory", async () => {
    const rel = contained(root, absDir)
    const { missingFrom, parts } = await checkParents(await checkRoot(root), rel, absDir)
    if (missingFrom < parts.length - 1) return false
    const stat = await lstatOrUndefined(absDir)
    if (stat === undefined || !stat.isDirectory()) return false
    try {
      await rmdir(absDir)
      return true
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === "ENOTEMPTY" || code === "EEXIST") return false
      throw error
    }
  })

/**
 * True when `absPath` is a regular file (not a symlink, no other hard link) of `size` bytes and, when given, the
 * modification time `mtime` (seconds): a resumed job skips such a file.
 */
export const sameFile = (root: string, absPath: string, size: number, mtime: number | undefined): Effect.Effect<boolean, SafeFsError> =>
  run(absPath, "checking the file", async () => {
    const rel = contained(root, absPath)
    const { missingFrom, parts } = await checkParents(await checkRoot(root), rel, absPath)
    if (missingFrom < parts.length - 1) return false
    const stat = await lstatOrUndefined(absPath)
    // A file with other hard links is never "the same": it may be a tenant's link to a file
    // outside the home, which a later copy (hard-link entry) must not read as root.
    return (
      stat?.isFile() === true &&
      stat.nlink === 1 &&
      stat.size === size &&
      (mtime === undefined || Math.floor(stat.mtimeMs / 1000) === mtime)
    )
  })

/**
 * The bytes of a regular file inside `root` (no symlink followed, parents checked), or undefined
 * when it does not exist. Refused when larger than `maxBytes`.
 */
export const readFileIfExists = (root: string, absPath: string, maxBytes: number): Effect.Effect<Uint8Array | undefined, SafeFsError> =>
  run(absPath, "reading the file", async () => {
    const rel = contained(root, absPath)
    const { missingFrom, parts } = await checkParents(await checkRoot(root), rel, absPath)
    if (missingFrom < parts.length - 1) return undefined
    const stat = await lstatOrUndefined(absPath)
    if (stat === undefined) return undefined
    if (!stat.isFile()) throw new Refusal(absPath, "not-a-file", "refused: not a regular file")
    if (stat.size > maxBytes) throw new Refusal(absPath, "io", `refused: larger than ${maxBytes} bytes`)
    const read = await readExisting(absPath, maxBytes)
    if (read === undefined) throw new Refusal(absPath, "not-a-file", "refused: changed while reading")
    return new Uint8Array(read.data.buffer, read.data.byteOffset, read.data.byteLength)
  })
