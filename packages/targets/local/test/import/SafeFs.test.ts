import { linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { Readable } from "node:stream"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Result } from "effect"
import {
  containedPath,
  copyFileAtomic,
  ensureDir,
  normaliseDirMode,
  normaliseFileMode,
  readFileIfExists,
  removeEmptyDir,
  removeFile,
  type SafeFsError,
  sameFile,
  symlinkAtomic,
  writeFileAtomic,
  writeStreamAtomic,
} from "../../src/import/SafeFs.ts"
import { failure, tempDir } from "../Support.ts"

const code = <A>(effect: Effect.Effect<A, SafeFsError>) => failure(effect).pipe(Effect.map((e) => e.code))

describe("SafeFs", () => {
  it("containment uses path.relative, not a string prefix", () => {
    const root = "/tmp/r/u1"
    assert.isTrue(Result.isFailure(containedPath(root, "/tmp/r/u1-evil/x")))
    assert.isTrue(Result.isFailure(containedPath(root, "/tmp/r/u1")))
    assert.isTrue(Result.isFailure(containedPath(root, "/tmp/r/u1/../u1-evil/x")))
    assert.isTrue(Result.isFailure(containedPath(root, "/tmp/r/u1/a\\b")))
    assert.isTrue(Result.isFailure(containedPath(root, "/tmp/r/u1/a\0b")))
    assert.isTrue(Result.isFailure(containedPath(root, "/tmp/r/u1/./a")))
    assert.isTrue(Result.isFailure(containedPath(root, "/tmp/r/u1//a")))
    assert.isTrue(Result.isFailure(containedPath(root, "a/b")))
    assert.deepStrictEqual(containedPath(root, "/tmp/r/u1/a/b"), Result.succeed("a/b"))
  })

  it.effect("refuses to write next to the root through the prefix bug", () =>
    Effect.gen(function* () {
      const base = tempDir()
      mkdirSync(join(base, "u1"))
      assert.strictEqual(yield* code(writeFileAtomic(join(base, "u1"), join(base, "u1-evil", "x"), "x", { mode: 0o644 })), "outside-root")
      assert.deepStrictEqual(readdirSync(base), ["u1"])
    }),
  )

  it.effect("a symlinked parent is refused and nothing is written through it", () =>
    Effect.gen(function* () {
      const root = tempDir()
      const outside = tempDir()
      symlinkSync(outside, join(root, "link"))
      assert.strictEqual(yield* code(writeFileAtomic(root, join(root, "link", "passwd"), "x", { mode: 0o644 })), "symlinked-parent")
      assert.strictEqual(yield* code(ensureDir(root, join(root, "link", "sub"))), "symlinked-parent")
      assert.strictEqual(yield* code(ensureDir(root, join(root, "link"))), "symlinked-parent")
      assert.strictEqual(
        yield* code(writeStreamAtomic(root, join(root, "link", "f"), Readable.from([Buffer.from("x")]), { mode: 0o644 })),
        "symlinked-parent",
      )
      assert.deepStrictEqual(readdirSync(outside), [])
    }),
  )

  it.effect("a symlink at the target is replaced, never written through", () =>
    Effect.gen(function* () {
      const root = tempDir()
      const outside = join(tempDir(), "victim")
      writeFileSync(outside, "original")
      symlinkSync(outside, join(root, "f"))
      yield* writeFileAtomic(root, join(root, "f"), "new", { mode: 0o644 })
      assert.strictEqual(readFileSync(outside, "utf8"), "original")
      assert.isFalse(lstatSync(join(root, "f")).isSymbolicLink())
      assert.strictEqual(readFileSync(join(root, "f"), "utf8"), "new")
    }),
  )

  it.effect("setuid, setgid and sticky are stripped; modes capped", () =>
    Effect.gen(function* () {
      const root = tempDir()
      yield* writeStreamAtomic(root, join(root, "a", "suid"), Readable.from([Buffer.from("#!")]), { mode: 0o4777 })
      yield* writeFileAtomic(root, join(root, "world"), "x", { mode: 0o2666 })
      yield* writeFileAtomic(root, join(root, "key"), "k", { mode: 0o600 })
      yield* ensureDir(root, join(root, "d"), { mode: 0o1777 })
      assert.strictEqual(statSync(join(root, "a", "suid")).mode & 0o7777, 0o755)
      assert.strictEqual(statSync(join(root, "world")).mode & 0o7777, 0o644)
      assert.strictEqual(statSync(join(root, "key")).mode & 0o7777, 0o600)
      assert.strictEqual(statSync(join(root, "d")).mode & 0o7777, 0o755)
      assert.strictEqual(statSync(join(root, "a")).mode & 0o7777, 0o755)
      assert.strictEqual(normaliseFileMode(0o6711), 0o711)
      assert.strictEqual(normaliseDirMode(0o777), 0o755)
      assert.strictEqual(normaliseDirMode(0o750), 0o750)
    }),
  )

  it.effect("atomic overwrite is idempotent and leaves no temporary files", () =>
    Effect.gen(function* () {
      const root = tempDir()
      const path = join(root, "etc", "x.conf")
      assert.strictEqual(yield* writeFileAtomic(root, path, "one\n", { mode: 0o644 }), "created")
      assert.strictEqual(yield* writeFileAtomic(root, path, "one\n", { mode: 0o644 }), "unchanged")
      assert.strictEqual(yield* writeFileAtomic(root, path, "two\n", { mode: 0o644 }), "updated")
      assert.strictEqual(yield* writeFileAtomic(root, path, "two\n", { mode: 0o640 }), "updated")
      assert.strictEqual(readFileSync(path, "utf8"), "two\n")
      assert.deepStrictEqual(readdirSync(join(root, "etc")), ["x.conf"])
    }),
  )

  it.effect("ownership is applied to what is created (running as root)", () =>
    Effect.gen(function* () {
      if (process.getuid?.() !== 0) return
      const root = tempDir()
      yield* ensureDir(root, join(root, "home", "u"), { mode: 0o750, uid: 20001, gid: 20001 })
      yield* writeFileAtomic(root, join(root, "home", "u", "f"), "x", { mode: 0o644, uid: 20001, gid: 20001 })
      yield* symlinkAtomic(root, join(root, "home", "u", "l"), "f", { uid: 20001, gid: 20001 })
      assert.strictEqual(statSync(join(root, "home", "u")).uid, 20001)
      assert.strictEqual(statSync(join(root, "home")).uid, 20001)
      assert.strictEqual(statSync(join(root, "home", "u", "f")).gid, 20001)
      assert.strictEqual(lstatSync(join(root, "home", "u", "l")).uid, 20001)
      // An existing directory is never re-owned.
      mkdirSync(join(root, "mine"))
      yield* ensureDir(root, join(root, "mine"), { uid: 20001 })
      assert.strictEqual(statSync(join(root, "mine")).uid, 0)
    }),
  )

  it.effect("sameFile, copy, symlink, remove", () =>
    Effect.gen(function* () {
      const root = tempDir()
      const path = join(root, "f")
      yield* writeStreamAtomic(root, path, Readable.from([Buffer.from("hello")]), { mode: 0o644, mtime: 1_700_000_000 })
      assert.isTrue(yield* sameFile(root, path, 5, 1_700_000_000))
      assert.isFalse(yield* sameFile(root, path, 5, 1_700_000_001))
      assert.isFalse(yield* sameFile(root, path, 6, 1_700_000_000))
      assert.isFalse(yield* sameFile(root, join(root, "missing", "f"), 5, undefined))
      yield* copyFileAtomic(root, path, join(root, "copy"), { mode: 0o644 })
      assert.strictEqual(readFileSync(join(root, "copy"), "utf8"), "hello")
      yield* symlinkAtomic(root, join(root, "l"), "f")
      assert.isFalse(yield* sameFile(root, join(root, "l"), 5, undefined))
      assert.strictEqual(yield* code(copyFileAtomic(root, join(root, "l"), join(root, "c2"), { mode: 0o644 })), "not-a-file")
      assert.deepStrictEqual(yield* readFileIfExists(root, path, 100), new Uint8Array(Buffer.from("hello")))
      assert.strictEqual(yield* readFileIfExists(root, join(root, "nope"), 100), undefined)
      // A file with another hard link (a tenant's link to a file elsewhere) is never "the same" nor copied.
      linkSync(path, join(root, "hard"))
      assert.isFalse(yield* sameFile(root, path, 5, 1_700_000_000))
      assert.strictEqual(yield* code(copyFileAtomic(root, join(root, "hard"), join(root, "c3"), { mode: 0o644 })), "not-a-file")
      assert.isTrue(yield* removeFile(root, join(root, "hard")))
      assert.isTrue(yield* removeFile(root, join(root, "l")))
      assert.isFalse(yield* removeFile(root, join(root, "l")))
      assert.isTrue(readFileSync(path, "utf8") === "hello")
      yield* ensureDir(root, join(root, "d", "e"))
      assert.isFalse(yield* removeEmptyDir(root, join(root, "d")))
      assert.isTrue(yield* removeEmptyDir(root, join(root, "d", "e")))
    }),
  )

  it.effect("a failing stream leaves no file and no temporary", () =>
    Effect.gen(function* () {
      const root = tempDir()
      const broken = new Readable({
        read() {
          this.destroy(new Error("truncated"))
        },
      })
      assert.strictEqual(yield* code(writeStreamAtomic(root, join(root, "f"), broken, { mode: 0o644 })), "io")
      assert.deepStrictEqual(readdirSync(root), [])
    }),
  )
})
