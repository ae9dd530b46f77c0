import { execFileSync } from "node:child_process"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as nodePath from "node:path"
import { Archive, ArchiveError } from "@ferry/core"
import { Effect, Result } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type ListedEntry, listArchive, type TreeNode, writeArchive, zipArchive } from "../src/index.ts"

/* ZIP, bzip2, split volumes, OpenSSL-encrypted files and DAR through `Archive.open` + `scan`. */

let root = ""
beforeAll(async () => {
  root = await fs.mkdtemp(nodePath.join(os.tmpdir(), "ferry-containers-"))
})
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true })
})

const run = <A>(effect: Effect.Effect<A, ArchiveError>) => Effect.runPromise(effect)
const failureOf = async (path: string, secrets?: Record<string, string>) => {
  const result = await Effect.runPromise(Effect.result(listArchive(path, secrets !== undefined ? { secrets } : {})))
  if (Result.isSuccess(result)) throw new Error("the scan succeeded")
  return result.failure
}
const view = (entries: ReadonlyArray<ListedEntry>) =>
  entries
    .map((e) => ({ path: e.path, type: e.type, size: e.size, sha256: e.sha256, linkTarget: e.linkTarget }))
    .sort((a, b) => a.path.localeCompare(b.path))

const big = Buffer.from("0123456789abcdef".repeat(40_000))
const sample = (): Map<string, TreeNode> =>
  new Map<string, TreeNode>([
    ["site", { type: "dir" }],
    ["site/index.html", "<p>hello</p>\n"],
    ["site/big.txt", big],
    ["site/link", { type: "symlink", target: "index.html" }],
  ])

/** The sample written as a plain directory, for the command-line tools. */
const sampleDir = async (): Promise<string> =>
  writeArchive(sample(), nodePath.join(root, `src-${Math.random().toString(36).slice(2)}`), "directory")

const tarBytes = async (): Promise<Buffer> =>
  fs.readFile(await writeArchive(sample(), nodePath.join(root, `s-${Math.random().toString(36).slice(2)}.tar`), "tar"))

describe("ZIP", () => {
  it("a ZIP written by the zip tool lists like the tar (deflated members, a symlink)", async () => {
    const src = await sampleDir()
    const out = nodePath.join(root, "tool.zip")
    execFileSync("zip", ["-qry", out, "site"], { cwd: src })
    const handle = await run(Archive.open(out))
    expect(handle.container).toBe("zip")
    const zipListing = await run(listArchive(out))
    const tarListing = await run(listArchive(await writeArchive(sample(), nodePath.join(root, "ref.tar"), "tar")))
    expect(view(zipListing.entries)).toEqual(view(tarListing.entries))
    expect(zipListing.stats.contentBytes).toBe(tarListing.stats.contentBytes)
  })

  it("stored and deflated members from the test writer, CP437 names, a body left unread", async () => {
    const out = nodePath.join(root, "writer.zip")
    await fs.writeFile(
      out,
      zipArchive([
        { name: "a/", mode: 0o040755 },
        { name: "a/stored.txt", body: "stored\n" },
        { name: "a/deflated.txt", body: big, deflate: true },
        { name: Buffer.from([0x63, 0x61, 0x66, 0x82]), body: "cp437 é\n" },
      ]),
    )
    const entries: Array<string> = []
    const stats = await run(
      Effect.flatMap(Archive.open(out), (handle) =>
        handle.scan((entry) =>
          Effect.gen(function* () {
            entries.push(entry.path)
            if (entry.path === "a/stored.txt") expect(yield* entry.readText(100)).toBe("stored\n")
            if (entry.path === "a/deflated.txt") entry.stream() // opened, never read: closed after the visitor
          }),
        ),
      ),
    )
    expect(entries).toEqual(["a", "a/stored.txt", "a/deflated.txt", "café"])
    expect(stats.contentBytes).toBe(7 + big.length + 9)
  })

  it("a ZIP split into volumes cannot be read (it needs random access)", async () => {
    const bytes = zipArchive([{ name: "x.txt", body: "x\n" }])
    await fs.writeFile(nodePath.join(root, "z.zip.part1"), bytes.subarray(0, 40))
    await fs.writeFile(nodePath.join(root, "z.zip.part2"), bytes.subarray(40))
    const failure = await failureOf(nodePath.join(root, "z.zip.part1"))
    expect(failure.message).toContain("join or decrypt it into one .zip file")
  })
})

describe("bzip2", () => {
  it("a tar.bz2 written by the bzip2 tool lists like the tar; a nested one too", async () => {
    const tar = await tarBytes()
    const bz2 = execFileSync("bzip2", ["-9", "-c"], { input: tar, maxBuffer: 64 * 1024 * 1024 })
    const out = nodePath.join(root, "x.tar.bz2")
    await fs.writeFile(out, bz2)
    expect((await run(Archive.open(out))).container).toBe("tar.bz2")
    const listing = await run(listArchive(out))
    expect(view(listing.entries)).toEqual(
      view((await run(listArchive(await writeArchive(sample(), nodePath.join(root, "r2.tar"), "tar")))).entries),
    )
    // Named .tar so the listing opens it; the container inside is sniffed (bzip2).
    const outer = await writeArchive(new Map<string, TreeNode>([["inner.tar", bz2]]), nodePath.join(root, "outer.tar"), "tar")
    const nested = await run(listArchive(outer))
    expect(nested.entries.map((e) => e.path)).toContain("inner/site/big.txt")
  })

  it("a truncated bzip2 stream fails as a corrupt archive", async () => {
    const bz2 = execFileSync("bzip2", ["-9", "-c"], { input: await tarBytes() })
    const out = nodePath.join(root, "cut.tar.bz2")
    await fs.writeFile(out, bz2.subarray(0, Math.floor(bz2.length / 2)))
    const failure = await failureOf(out)
    expect(failure).toBeInstanceOf(ArchiveError)
    expect(failure.reason._tag).toBe("CorruptArchive")
  })
})

describe("split volumes", () => {
  const split = async (name: string, bytes: Buffer, size: number, first = 1): Promise<Array<string>> => {
    const parts: Array<string> = []
    for (let offset = 0, n = first; offset < bytes.length; offset += size, n++) {
      const part = nodePath.join(root, `${name}.part${n}`)
      await fs.writeFile(part, bytes.subarray(offset, offset + size))
      parts.push(part)
    }
    return parts
  }

  it("volumes 1…12 read in numeric order as one tar.gz; progress ends at the total", async () => {
    const gz = execFileSync("gzip", ["-c"], { input: await tarBytes() })
    const parts = await split("v.tgz", gz, Math.ceil(gz.length / 12))
    expect(parts.length).toBe(12)
    const handle = await run(Archive.open(parts[4] as string))
    expect(handle.volumes).toEqual(parts)
    expect(handle.bytes).toBe(gz.length)
    let last = 0
    const listing = await run(listArchive(parts[0] as string, { onProgress: (bytes) => (last = bytes) }))
    expect(last).toBe(gz.length)
    expect(listing.entries.find((e) => e.path === "site/big.txt")?.bodyBytes).toBe(big.length)
  })

  it("volumes may start at 0; a gap or a duplicate number is refused by name", async () => {
    const gz = execFileSync("gzip", ["-c"], { input: await tarBytes() })
    const zero = await split("zero.tgz", gz, Math.ceil(gz.length / 3), 0)
    expect((await run(listArchive(zero[1] as string))).entries.length).toBeGreaterThan(0)
    const gap = await split("gap.tgz", gz, Math.ceil(gz.length / 4))
    await fs.rm(gap[1] as string)
    expect((await failureOf(gap[0] as string)).message).toContain("volume 2 of gap.tgz is missing")
    const dup = await split("dup.tgz", gz, Math.ceil(gz.length / 2))
    await fs.copyFile(dup[0] as string, nodePath.join(root, "dup.tgz.part01"))
    expect((await failureOf(dup[0] as string)).message).toContain("two files claim volume 1")
  })
})

describe("OpenSSL-encrypted files (.aes)", () => {
  const encrypt = (input: Buffer, args: ReadonlyArray<string>) =>
    execFileSync("openssl", ["enc", "-aes-256-cbc", "-salt", ...args, "-pass", "pass:correct horse"], {
      input,
      maxBuffer: 64 * 1024 * 1024,
      stdio: ["pipe", "pipe", "ignore"],
    })

  for (const [name, args] of [
    ["openssl enc -pbkdf2", ["-pbkdf2"]],
    ["openssl enc -md md5 (legacy)", ["-md", "md5"]],
    ["openssl enc -md sha256 (1.1.0+ default without -pbkdf2)", ["-md", "sha256"]],
  ] as const) {
    it(`${name}: decrypted with the password, refused without it or with a wrong one`, async () => {
      const gz = execFileSync("gzip", ["-c"], { input: await tarBytes() })
      const out = nodePath.join(root, `${name.replace(/\W+/g, "-")}.tgz.aes`)
      await fs.writeFile(out, encrypt(gz, args))
      expect(await run(Archive.open(out))).toMatchObject({ container: "aes", encrypted: true })
      const listing = await run(listArchive(out, { secrets: { "backup-password": "correct horse" } }))
      expect(listing.entries.find((e) => e.path === "site/big.txt")?.bodyBytes).toBe(big.length)
      const missing = await failureOf(out)
      expect(missing.reason).toMatchObject({ _tag: "UnsupportedFormat", format: "aes" })
      const wrong = await failureOf(out, { "backup-password": "battery staple" })
      expect(wrong.reason._tag).toBe("NotReadable")
      expect(wrong.message).not.toContain("battery staple")
    })
  }

  it("an encrypted file cut short fails as corrupt (bad padding), not as a wrong password", async () => {
    const gz = execFileSync("gzip", ["-c"], { input: await tarBytes() })
    const enc = encrypt(gz, ["-pbkdf2"])
    const out = nodePath.join(root, "cut.tgz.aes")
    await fs.writeFile(out, enc.subarray(0, enc.length - 20))
    const failure = await failureOf(out, { "backup-password": "correct horse" })
    expect(failure.reason._tag).toBe("CorruptArchive")
  })
})

describe("DAR", () => {
  it("a DAR slice is recognised and refused with the backup2_conv hint", async () => {
    const out = nodePath.join(root, "old.1.dar")
    await fs.writeFile(out, Buffer.concat([Buffer.from([0, 0, 0, 123]), Buffer.from("abcdefghij"), Buffer.from("N"), Buffer.alloc(600)]))
    expect((await run(Archive.open(out))).container).toBe("dar")
    const failure = await failureOf(out)
    expect(failure.reason).toMatchObject({ _tag: "UnsupportedFormat", format: "dar" })
    expect(failure.message).toContain("backup2_conv")
  })
})
