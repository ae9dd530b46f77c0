import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import type { StepFailed } from "@ferry/core"
import { Effect } from "effect"
import { makeFileSink } from "../../src/import/FileSink.ts"
import { failure, tempDir } from "../Support.ts"
import { type LoggedLine, makeEntry } from "../support/ImportEnvFixture.ts"

const setup = (log: Array<LoggedLine> = []) => {
  const root = tempDir()
  const home = join(root, "home", "bob")
  const destination = join(home, "public_html")
  const sink = makeFileSink({
    step: "content:web:example.com",
    label: "web content of example.com",
    root,
    destination,
    linkBoundary: home,
    log: (level, message) => Effect.sync(() => void log.push({ level, message })),
  })
  return { root, home, destination, sink, log }
}

const prefix = "homedir/public_html/"

describe("FileSink", () => {
  it.effect("writes directories and files with capped modes and the archive mtime", () =>
    Effect.gen(function* () {
      const { destination, sink: open } = setup()
      const sink = yield* open
      yield* sink.write("css/", makeEntry(`${prefix}css/`, { type: "directory", mode: 0o777 }))
      yield* sink.write("css/site.css", makeEntry(`${prefix}css/site.css`, { body: "body{}", mode: 0o4666, mtime: 1_600_000_000 }))
      yield* sink.write("deep/er/x.sh", makeEntry(`${prefix}deep/er/x.sh`, { body: "#!/bin/sh", mode: 0o777 }))
      const result = yield* sink.commit
      assert.strictEqual(result.outcome, "created")
      assert.strictEqual(readFileSync(join(destination, "css/site.css"), "utf8"), "body{}")
      assert.strictEqual(statSync(join(destination, "css/site.css")).mode & 0o7777, 0o644)
      assert.strictEqual(statSync(join(destination, "css/site.css")).mtimeMs, 1_600_000_000_000)
      assert.strictEqual(statSync(join(destination, "css")).mode & 0o7777, 0o755)
      assert.strictEqual(statSync(join(destination, "deep/er/x.sh")).mode & 0o7777, 0o755)
    }),
  )

  it.effect("resume: a file with the same size and mtime is skipped, not rewritten", () =>
    Effect.gen(function* () {
      const { destination, sink: open } = setup()
      const entry = () => makeEntry(`${prefix}index.html`, { body: "hello", mtime: 1_600_000_000 })
      const first = yield* open
      yield* first.write("index.html", entry())
      assert.strictEqual((yield* first.commit).outcome, "created")
      const inode = statSync(join(destination, "index.html")).ino
      const second = yield* open
      yield* second.write("index.html", entry())
      const again = yield* second.commit
      assert.strictEqual(again.outcome, "unchanged")
      assert.strictEqual(statSync(join(destination, "index.html")).ino, inode)
      // A changed file (other mtime) is written again.
      const third = yield* open
      yield* third.write("index.html", makeEntry(`${prefix}index.html`, { body: "hello", mtime: 1_700_000_000 }))
      assert.strictEqual((yield* third.commit).outcome, "updated")
    }),
  )

  it.effect("symlinks: relative inside the home are created at commit; escaping ones are left out and logged", () =>
    Effect.gen(function* () {
      const { destination, sink: open, log } = setup()
      const sink = yield* open
      yield* sink.write("a.txt", makeEntry(`${prefix}a.txt`, { body: "a" }))
      yield* sink.write("link", makeEntry(`${prefix}link`, { type: "symlink", linkTarget: "a.txt" }))
      yield* sink.write("up", makeEntry(`${prefix}up`, { type: "symlink", linkTarget: "../mail" }))
      yield* sink.write("escape", makeEntry(`${prefix}escape`, { type: "symlink", linkTarget: "../../other/secret" }))
      yield* sink.write("abs", makeEntry(`${prefix}abs`, { type: "symlink", linkTarget: "/etc/passwd" }))
      assert.isFalse(existsSync(join(destination, "link")), "links wait for the commit")
      const result = yield* sink.commit
      assert.strictEqual(readlinkSync(join(destination, "link")), "a.txt")
      assert.strictEqual(readlinkSync(join(destination, "up")), "../mail")
      assert.isFalse(existsSync(join(destination, "escape")))
      assert.isFalse(existsSync(join(destination, "abs")))
      assert.match(result.notes?.[0] ?? "", /^2 links left out/)
      assert.deepStrictEqual(
        log.map((l) => l.level),
        ["warning", "warning"],
      )
      assert.match(log[0]?.message ?? "", /"escape" left out: symbolic link to "..\/..\/other\/secret" points outside the home/)
    }),
  )

  it.effect("hard links: copied from a file of this content; links to anything else are refused", () =>
    Effect.gen(function* () {
      const { destination, sink: open, log } = setup()
      const sink = yield* open
      yield* sink.write("orig.txt", makeEntry(`${prefix}orig.txt`, { body: "original" }))
      yield* sink.write("sub/copy.txt", makeEntry(`${prefix}sub/copy.txt`, { type: "hardlink", linkTarget: `${prefix}orig.txt` }))
      yield* sink.write("shadow", makeEntry(`${prefix}shadow`, { type: "hardlink", linkTarget: "etc/shadow" }))
      yield* sink.write("other", makeEntry(`${prefix}other`, { type: "hardlink", linkTarget: "homedir/mail/x" }))
      yield* sink.commit
      assert.strictEqual(readFileSync(join(destination, "sub/copy.txt"), "utf8"), "original")
      assert.strictEqual(statSync(join(destination, "sub/copy.txt")).nlink, 1)
      assert.isFalse(existsSync(join(destination, "shadow")))
      assert.isFalse(existsSync(join(destination, "other")))
      assert.strictEqual(log.length, 2)
    }),
  )

  it.effect("an entry that would leave the destination fails the step", () =>
    Effect.gen(function* () {
      const { root, sink: open } = setup()
      const sink = yield* open
      for (const rel of ["../x", "a/../../x", "/etc/x", "a\\b"]) {
        const error = yield* failure(sink.write(rel, makeEntry(`${prefix}${rel}`, { body: "x" })))
        assert.strictEqual((error as StepFailed).code, "unsafe-path", rel)
      }
      assert.deepStrictEqual(readdirSync(join(root, "home", "bob")), ["public_html"])
    }),
  )

  it.effect("a symlinked directory planted in the destination is never written through", () =>
    Effect.gen(function* () {
      const { destination, sink: open } = setup()
      const outside = tempDir()
      const sink = yield* open
      yield* Effect.sync(() => {
        writeFileSync(join(outside, "keep"), "k")
        symlinkSync(outside, join(destination, "uploads"))
      })
      const error = yield* failure(sink.write("uploads/x.php", makeEntry(`${prefix}uploads/x.php`, { body: "<?php" })))
      assert.strictEqual((error as StepFailed).code, "fs-symlinked-parent")
      assert.deepStrictEqual(readdirSync(outside), ["keep"])
    }),
  )

  it.effect("discard removes what this run created and nothing else", () =>
    Effect.gen(function* () {
      const { destination, sink: open } = setup()
      const first = yield* open
      yield* first.write("old.txt", makeEntry(`${prefix}old.txt`, { body: "old" }))
      yield* first.commit
      const second = yield* open
      yield* second.write("new/dir/", makeEntry(`${prefix}new/dir/`, { type: "directory" }))
      yield* second.write("new/dir/f.txt", makeEntry(`${prefix}new/dir/f.txt`, { body: "f" }))
      yield* second.write("link", makeEntry(`${prefix}link`, { type: "symlink", linkTarget: "old.txt" }))
      yield* second.discard
      assert.deepStrictEqual(readdirSync(destination), ["old.txt"])
      assert.isFalse(lstatSync(join(destination, "old.txt")).isSymbolicLink())
    }),
  )
})
