import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as nodePath from "node:path"
import { Readable } from "node:stream"
import { Archive, type ArchiveEntry, ArchiveError, type ScanOptions } from "@ferry/core"
import { Effect, Result } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Envelope, type ListedEntry, listArchive, pseudoRandomBytes, RawTar, type TreeNode, writeArchive } from "../src/index.ts"

let root: string
beforeAll(async () => {
  root = await fs.mkdtemp(nodePath.join(os.tmpdir(), "ferry-archive-"))
})
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true })
})

const run = <A>(effect: Effect.Effect<A, ArchiveError>) => Effect.runPromise(effect)
const runResult = <A>(effect: Effect.Effect<A, ArchiveError>) => Effect.runPromise(Effect.result(effect))
const writeRaw = async (name: string, bytes: Uint8Array) => {
  const path = nodePath.join(root, name)
  await fs.writeFile(path, bytes)
  return path
}

/** Open and scan with a visitor; returns the stats. */
const scanWith = (path: string, visit: (entry: ArchiveEntry) => Effect.Effect<void, ArchiveError>, options: ScanOptions = {}) =>
  run(Effect.flatMap(Archive.open(path), (handle) => handle.scan(visit, options)))

const longComponent = `${"long-name-".repeat(15)}end.txt`
const bigBody = pseudoRandomBytes(3 * 1024 * 1024 + 17, 1)

const sampleTree = (): Map<string, TreeNode> =>
  new Map<string, TreeNode>([
    ["top", { type: "dir" }],
    ["top/empty-dir", { type: "dir" }],
    ["top/empty.txt", ""],
    ["top/name with spaces @ and %41.txt", "spaces, at and percent\n"],
    ["top/ünïcödé", { type: "dir" }],
    ["top/ünïcödé/日本語.txt", "utf-8 names\n"],
    ["top/sub", { type: "dir" }],
    ["top/sub/a.txt", "a\n"],
    ["top/link", { type: "symlink", target: "sub/a.txt" }],
    ["top/sub/up", { type: "symlink", target: "../empty.txt" }],
    [`top/${longComponent}`, "a name longer than 100 bytes\n"],
    [
      "top/big.bin",
      { type: "file", size: bigBody.length, content: () => Readable.from([bigBody.subarray(0, 1 << 20), bigBody.subarray(1 << 20)]) },
    ],
  ])

const comparable = (entries: ReadonlyArray<ListedEntry>) =>
  entries
    .map((e) => ({ path: e.path, type: e.type, size: e.size, bodyBytes: e.bodyBytes, sha256: e.sha256, linkTarget: e.linkTarget }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))

describe("Archive envelopes", () => {
  it("tar, tar.gz, tar.zst and an extracted directory give identical listings", async () => {
    const listings = new Map<Envelope, ReturnType<typeof comparable>>()
    for (const envelope of ["tar", "tar.gz", "tar.zst", "directory"] as const) {
      const out = nodePath.join(root, "envelopes", envelope === "directory" ? "dir" : `backup.${envelope}`)
      await writeArchive(sampleTree(), out, envelope)
      const handle = await run(Archive.open(out))
      expect(handle.container).toBe(envelope)
      const listing = await run(listArchive(out))
      expect(listing.stats.entries).toBe(listing.entries.length)
      expect(listing.stats.contentBytes).toBe(bigBody.length + 2 + 12 + 23 + 29)
      listings.set(envelope, comparable(listing.entries))
    }
    const tarListing = listings.get("tar")
    expect(tarListing?.map((e) => e.path)).toEqual(
      [
        "top",
        "top/big.bin",
        "top/empty-dir",
        "top/empty.txt",
        "top/link",
        "top/name with spaces @ and %41.txt",
        "top/sub",
        "top/sub/a.txt",
        "top/sub/up",
        `top/${longComponent}`,
        "top/ünïcödé",
        "top/ünïcödé/日本語.txt",
      ].sort(),
    )
    const big = tarListing?.find((e) => e.path === "top/big.bin")
    expect(big?.bodyBytes).toBe(bigBody.length)
    expect(tarListing?.find((e) => e.path === "top/link")?.linkTarget).toBe("sub/a.txt")
    expect(tarListing?.find((e) => e.path === "top/empty.txt")).toMatchObject({ size: 0, bodyBytes: 0, type: "file" })
    for (const envelope of ["tar.gz", "tar.zst", "directory"] as const) expect(listings.get(envelope), envelope).toEqual(tarListing)
  })

  it("sniffs the container from the bytes, not the name", async () => {
    const out = nodePath.join(root, "misnamed.zip")
    await writeArchive(new Map<string, TreeNode>([["a.txt", "a\n"]]), out, "tar.gz")
    const handle = await run(Archive.open(out))
    expect(handle.container).toBe("tar.gz")
    expect((await run(listArchive(out))).entries.map((e) => e.path)).toEqual(["a.txt"])
  })
})

describe("tar dialects", () => {
  it("reads GNU long names and long link targets (> 100 bytes)", async () => {
    const name = `dir/${"n".repeat(140)}/file.txt`
    const target = `${"t".repeat(130)}/target.txt`
    const path = await writeRaw(
      "gnu-long.tar",
      RawTar.tar(
        RawTar.gnuLongName(name),
        RawTar.file(name.slice(0, 100), "gnu long name\n", { format: "gnu" }),
        RawTar.gnuLongName("dir/l"),
        RawTar.gnuLongName(target, "link"),
        RawTar.symlink("dir/l", target.slice(0, 100), { format: "gnu" }),
      ),
    )
    const { entries } = await run(listArchive(path))
    expect(entries.map((e) => [e.path, e.type, e.linkTarget])).toEqual([
      [name, "file", undefined],
      ["dir/l", "symlink", target],
    ])
    expect(entries[0]?.bodyBytes).toBe(14)
  })

  it("reads PAX long names (> 255 bytes) and long link targets", async () => {
    const name = `${"p".repeat(120)}/${"q".repeat(120)}/${"r".repeat(40)}.txt`
    const target = `../${"s".repeat(280)}`
    const path = await writeRaw(
      "pax-long.tar",
      RawTar.tar(
        RawTar.paxHeader({ path: name }),
        RawTar.file("short-name", "pax long name\n"),
        RawTar.paxHeader({ path: `${"p".repeat(120)}/link`, linkpath: target }),
        RawTar.symlink("short-link", "x"),
      ),
    )
    const { entries } = await run(listArchive(path))
    expect(Buffer.byteLength(name)).toBeGreaterThan(255)
    expect(entries.map((e) => [e.path, e.type, e.linkTarget])).toEqual([
      [name, "file", undefined],
      [`${"p".repeat(120)}/link`, "symlink", target],
    ])
  })

  it("accepts v7 headers (no magic) and a leading ./", async () => {
    const path = await writeRaw(
      "v7.tar",
      RawTar.tar(
        RawTar.file("./v7file.txt", "old tar\n", { format: "v7", typeflag: "\0" }),
        RawTar.symlink("./v7link", "v7file.txt", { format: "v7" }),
        RawTar.file("./after.txt", "x", { format: "v7", typeflag: "\0" }),
      ),
    )
    const handle = await run(Archive.open(path))
    expect(handle.container).toBe("tar")
    const { entries } = await run(listArchive(path))
    expect(entries.map((e) => [e.path, e.type, e.bodyBytes, e.linkTarget])).toEqual([
      ["v7file.txt", "file", 8, undefined],
      ["v7link", "symlink", 0, "v7file.txt"],
      ["after.txt", "file", 1, undefined],
    ])
  })

  // Pre-POSIX tars mark directories only by a trailing "/" on a regular-file header. tar-stream
  // computes `type` before it applies that rule, so the reader has to look at the raw name.
  it("reads a v7 directory (type flag NUL, trailing slash) as a directory", async () => {
    const path = await writeRaw(
      "v7dir.tar",
      RawTar.tar(
        RawTar.entry({ name: "./v7dir/", typeflag: "\0", format: "v7", mode: 0o755 }),
        RawTar.file("./v7dir/file.txt", "old tar\n", { format: "v7", typeflag: "\0" }),
      ),
    )
    const { entries } = await run(listArchive(path))
    expect(entries.map((e) => [e.path, e.type])).toEqual([
      ["v7dir", "directory"],
      ["v7dir/file.txt", "file"],
    ])
  })

  it("accepts a hard link to an earlier file and normalises its target", async () => {
    const path = await writeRaw(
      "hardlink.tar",
      RawTar.tar(
        RawTar.directory("d"),
        RawTar.file("d/a.txt", "shared\n"),
        RawTar.hardlink("d/b.txt", "./d/a.txt"),
        RawTar.file("after", "x"),
      ),
    )
    const { entries } = await run(listArchive(path))
    expect(entries.map((e) => [e.path, e.type, e.linkTarget, e.size])).toEqual([
      ["d", "directory", undefined, 0],
      ["d/a.txt", "file", undefined, 7],
      ["d/b.txt", "hardlink", "d/a.txt", 0],
      ["after", "file", undefined, 1],
    ])
  })

  it("keeps hard links through FixtureBuilder's withTop-style trees", async () => {
    const out = nodePath.join(root, "fixture-hardlink.tar")
    await writeArchive(
      new Map<string, TreeNode>([
        ["a.txt", "x\n"],
        ["b.txt", { type: "hardlink", target: "a.txt" }],
      ]),
      out,
      "tar",
    )
    const { entries } = await run(listArchive(out))
    expect(entries.map((e) => [e.path, e.type, e.linkTarget])).toEqual([
      ["a.txt", "file", undefined],
      ["b.txt", "hardlink", "a.txt"],
    ])
  })
})

describe("nested archives", () => {
  it("scans nested tar, tar.gz and tar.zst entries under their mount paths", async () => {
    const inner = RawTar.tar(
      RawTar.directory("public_html"),
      RawTar.file("public_html/index.html", "<h1>hi</h1>\n"),
      RawTar.directory("mail"),
    )
    const path = await writeRaw(
      "nested.tar",
      RawTar.tar(
        RawTar.directory("top"),
        RawTar.file("top/homedir.tar", inner),
        RawTar.file("top/content.tar.gz", RawTar.gzip(RawTar.tar(RawTar.file("x.txt", "gz\n")))),
        RawTar.file("top/content2.tar.zst", RawTar.zstd(RawTar.tar(RawTar.file("y.txt", "zst\n")))),
        RawTar.file("top/after.txt", "after\n"),
      ),
    )
    const { entries } = await run(listArchive(path))
    expect(entries.map((e) => [e.path, e.type, e.nestedIn])).toEqual([
      ["top", "directory", undefined],
      ["top/homedir.tar", "file", undefined],
      ["top/homedir/public_html", "directory", "top/homedir.tar"],
      ["top/homedir/public_html/index.html", "file", "top/homedir.tar"],
      ["top/homedir/mail", "directory", "top/homedir.tar"],
      ["top/content.tar.gz", "file", undefined],
      ["top/content/x.txt", "file", "top/content.tar.gz"],
      ["top/content2.tar.zst", "file", undefined],
      ["top/content2/y.txt", "file", "top/content2.tar.zst"],
      ["top/after.txt", "file", undefined],
    ])
    expect(entries.find((e) => e.path === "top/after.txt")?.bodyBytes).toBe(6)
  })

  it("scans a nested tar found in an extracted directory", async () => {
    const dir = nodePath.join(root, "nested-dir")
    await fs.mkdir(dir, { recursive: true })
    await fs.writeFile(nodePath.join(dir, "homedir.tar"), RawTar.tar(RawTar.file("f.txt", "f\n")))
    const { entries } = await run(listArchive(dir))
    expect(entries.map((e) => [e.path, e.nestedIn])).toEqual([
      ["homedir.tar", undefined],
      ["homedir/f.txt", "homedir.tar"],
    ])
  })
})

describe("bodies", () => {
  const bodies = Array.from({ length: 10 }, (_, i) => (i % 3 === 0 ? "" : `${String(i).repeat(i * 300)}\n`))
  const tarOfBodies = () => RawTar.tar(...bodies.map((body, i) => RawTar.file(`f${i}.txt`, body)))

  for (const wrapping of ["tar", "tar.gz"] as const) {
    it(`skips unread bodies correctly (${wrapping})`, async () => {
      const bytes = wrapping === "tar" ? tarOfBodies() : RawTar.gzip(tarOfBodies())
      const path = await writeRaw(`unread.${wrapping}`, bytes)
      const read = new Map<string, string>()
      const stats = await scanWith(path, (entry) => {
        const index = Number(entry.path.slice(1, -4))
        return index % 2 === 1 ? Effect.map(entry.readText(1 << 20), (text) => void read.set(entry.path, text)) : Effect.void
      })
      expect(stats.entries).toBe(10)
      expect([...read.keys()]).toEqual(["f1.txt", "f3.txt", "f5.txt", "f7.txt", "f9.txt"])
      for (const [path, text] of read) expect(text).toBe(bodies[Number(path.slice(1, -4))])
    })
  }

  it("refuses readText/readBytes beyond the caller's cap with LimitExceeded metadata-bytes", async () => {
    const path = await writeRaw("caps.tar", RawTar.tar(RawTar.file("meta/cp.txt", "x".repeat(100)), RawTar.file("next", "y")))
    const dir = nodePath.join(root, "caps-dir")
    await fs.mkdir(nodePath.join(dir, "meta"), { recursive: true })
    await fs.writeFile(nodePath.join(dir, "meta", "cp.txt"), "x".repeat(100))
    for (const source of [path, dir]) {
      for (const read of [(e: ArchiveEntry) => Effect.asVoid(e.readText(99)), (e: ArchiveEntry) => Effect.asVoid(e.readBytes(10))]) {
        const result = await runResult(
          Effect.flatMap(Archive.open(source), (handle) =>
            handle.scan((entry) => (entry.path === "meta/cp.txt" ? read(entry) : Effect.void)),
          ),
        )
        if (Result.isSuccess(result)) throw new Error("expected a LimitExceeded failure")
        expect(result.failure).toBeInstanceOf(ArchiveError)
        expect(result.failure.reason).toMatchObject({ _tag: "LimitExceeded", limit: "metadata-bytes", value: 100 })
        expect(result.failure.entry).toBe("meta/cp.txt")
      }
      const texts: Array<string> = []
      await scanWith(source, (entry) =>
        entry.path === "meta/cp.txt" ? Effect.map(entry.readText(100), (t) => void texts.push(t)) : Effect.void,
      )
      expect(texts).toEqual(["x".repeat(100)])
    }
  })

  it("ends early when shouldStop says so", async () => {
    const gz = await writeRaw("stop.tar.gz", RawTar.gzip(tarOfBodies()))
    const dir = nodePath.join(root, "stop-dir")
    await writeArchive(new Map<string, TreeNode>(bodies.map((b, i) => [`f${i}.txt`, b])), dir, "directory")
    for (const source of [gz, dir]) {
      const seen: Array<string> = []
      const stats = await scanWith(source, (entry) => Effect.sync(() => void seen.push(entry.path)), { shouldStop: () => seen.length >= 3 })
      expect(seen).toHaveLength(3)
      expect(stats.stoppedEarly).toBe(true)
      const all = await scanWith(source, () => Effect.void)
      expect(all.stoppedEarly).toBe(false)
      expect(all.entries).toBe(10)
    }
  })

  for (const wrapping of ["tar", "tar.gz"] as const) {
    it(`reports growing progress ending at the file size (${wrapping})`, async () => {
      const tarBytes = RawTar.tar(RawTar.file("big.bin", pseudoRandomBytes(5 * 1024 * 1024, 9)), RawTar.file("small", "x"))
      const path = await writeRaw(`progress.${wrapping}`, wrapping === "tar" ? tarBytes : RawTar.gzip(tarBytes))
      const progress: Array<number> = []
      const stats = await scanWith(path, () => Effect.void, { onProgress: (bytes) => progress.push(bytes) })
      const size = (await fs.stat(path)).size
      expect(progress.length).toBeGreaterThan(1)
      for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThanOrEqual(progress[i - 1] ?? 0)
      expect(progress.at(-1)).toBe(size)
      expect(stats.sourceBytes).toBe(size)
      expect(stats.contentBytes).toBe(5 * 1024 * 1024 + 1)
    })
  }
})
