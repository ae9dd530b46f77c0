import { createHash } from "node:crypto"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import * as zlib from "node:zlib"
import { Archive, ArchiveError, type ArchiveErrorReason, type ArchiveLimits } from "@ferry/core"
import { pseudoRandomBytes } from "@ferry/testing"
import { Effect, Result } from "effect"
import { describe, expect, it } from "vitest"
import { tempDir } from "./Support.ts"

/* The archive layer's MIME dump support (Plesk 7/8): one entry per leaf part. */

interface Part {
  readonly headers: ReadonlyArray<string>
  readonly body: string | Buffer
}

const dump = (boundary: string, parts: ReadonlyArray<Part>, top: ReadonlyArray<string> = []): Buffer => {
  const chunks: Array<Buffer> = [
    Buffer.from(
      [...top, "MIME-Version: 1.0", `Content-Type: multipart/mixed; boundary="${boundary}"`, "", "preamble text", ""].join("\r\n"),
    ),
  ]
  for (const part of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n${part.headers.join("\r\n")}\r\n\r\n`), Buffer.from(part.body), Buffer.from("\r\n"))
  }
  chunks.push(Buffer.from(`--${boundary}--\r\nepilogue\r\n`))
  return Buffer.concat(chunks)
}

const write = async (name: string, bytes: Buffer): Promise<string> => {
  const file = path.join(await tempDir(), name)
  await fs.writeFile(file, bytes)
  return file
}

interface Seen {
  readonly path: string
  readonly size: number
  readonly sha: string
  readonly text?: string
}

const scan = async (file: string, options: { limits?: Partial<ArchiveLimits>; stopAfter?: number } = {}) => {
  const seen: Array<Seen> = []
  const result = await Effect.runPromise(
    Effect.result(
      Effect.gen(function* () {
        const handle = yield* Archive.open(file)
        const stats = yield* handle.scan(
          (entry) =>
            Effect.gen(function* () {
              const body = yield* entry.readBytes(64 * 1024 * 1024)
              const text = body.length < 200 ? Buffer.from(body).toString("utf8") : undefined
              seen.push({
                path: entry.path,
                size: entry.size,
                sha: createHash("sha256").update(body).digest("hex"),
                ...(text !== undefined ? { text } : {}),
              })
            }),
          {
            ...(options.limits ? { limits: options.limits } : {}),
            ...(options.stopAfter !== undefined ? { shouldStop: () => seen.length >= (options.stopAfter as number) } : {}),
          },
        )
        return { container: handle.container, stats }
      }),
    ),
  )
  return { seen, result }
}

const reasonOf = (result: Result.Result<unknown, unknown>): ArchiveErrorReason => {
  if (Result.isSuccess(result)) throw new Error("the scan succeeded")
  expect(result.failure).toBeInstanceOf(ArchiveError)
  return (result.failure as ArchiveError).reason
}

const sha = (bytes: Buffer | string) => createHash("sha256").update(bytes).digest("hex")

describe("MIME dumps as archives", () => {
  const big = pseudoRandomBytes(3 * 1024 * 1024 + 17, 5)
  const parts: ReadonlyArray<Part> = [
    { headers: ["Content-Type: text/xml; charset=UTF-8"], body: '<dump><domain name="a.example"/></dump>' },
    { headers: ['Content-Disposition: attachment; filename="a.example.httpdocs"', "Content-Type: application/octet-stream"], body: big },
    {
      headers: ["Content-ID: <info@a.example.mdir>", "Content-Transfer-Encoding: base64"],
      body: (
        Buffer.from("hello, base64 mailbox")
          .toString("base64")
          .match(/.{1,8}/g) ?? []
      ).join("\r\n"),
    },
    { headers: ["Content-ID: <qp@x>", "Content-Transfer-Encoding: quoted-printable"], body: "a=3Db=\r\nc line\r\nnext" },
    { headers: ["Content-Type: application/octet-stream"], body: "unnamed" },
    { headers: ['Content-Type: application/octet-stream; name="typed.bin"'], body: "" },
  ]
  const expected = [
    { path: "dump.xml", size: 39, text: '<dump><domain name="a.example"/></dump>' },
    { path: "a.example.httpdocs", size: big.length, sha: sha(big) },
    { path: "info@a.example.mdir", size: 21, text: "hello, base64 mailbox" },
    { path: "qp@x", size: 15, text: "a=bc line\r\nnext" },
    { path: "part-5", size: 7, text: "unnamed" },
    { path: "typed.bin", size: 0, text: "" },
  ]

  it("every leaf part is an entry: named, sized exactly, decoded", async () => {
    const { seen, result } = await scan(await write("psa.dump", dump("BOUNDARY-1", parts, ["Dumped-PSA-Version: 8.6.0"])))
    if (Result.isFailure(result)) throw result.failure
    expect(result.success.container).toBe("mime")
    expect(seen.map((s) => ({ path: s.path, size: s.size, ...(s.text !== undefined ? { text: s.text } : { sha: s.sha }) }))).toEqual(
      expected,
    )
    expect(result.success.stats.contentBytes).toBe(expected.reduce((n, e) => n + e.size, 0))
  })

  it("a gzip-compressed dump is recognised from its content and reads the same", async () => {
    const { seen, result } = await scan(await write("backup.bin", zlib.gzipSync(dump("BOUNDARY-1", parts))))
    if (Result.isFailure(result)) throw result.failure
    expect(result.success.container).toBe("mime.gz")
    expect(seen.map((s) => s.path)).toEqual(expected.map((e) => e.path))
    expect(seen[1]?.sha).toBe(sha(big))
  })

  it("a signed dump (nested multipart) yields the inner parts and the signature", async () => {
    const inner = dump("INNER", parts.slice(0, 2)).toString("latin1")
    const innerBody = inner.slice(inner.indexOf("\r\n\r\n") + 4)
    const outer = dump("OUTER", [
      { headers: ["Content-Type: multipart/mixed;", ' boundary="INNER"'], body: Buffer.from(innerBody, "latin1") },
      { headers: ['Content-Type: application/pkcs7-signature; name="smime.p7s"', "Content-Transfer-Encoding: base64"], body: "U0lH" },
    ])
    const { seen, result } = await scan(await write("signed.dump", outer))
    if (Result.isFailure(result)) throw result.failure
    expect(seen.map((s) => s.path)).toEqual(["dump.xml", "a.example.httpdocs", "smime.p7s"])
    expect(seen[1]?.sha).toBe(sha(big))
    expect(seen[2]?.text).toBe("SIG")
  })

  it("bodies stay exact whatever chunk boundary a delimiter falls on, and look-alike lines stay data", async () => {
    for (const size of [(1 << 20) - 40, (1 << 20) - 17, (1 << 20) - 13, (1 << 20) - 12, (1 << 20) - 2, 1 << 20, (1 << 20) + 3]) {
      const body = Buffer.concat([Buffer.from("line\r\n--B1X not a delimiter\r\n--B1"), Buffer.alloc(size, 0x61)])
      const { seen, result } = await scan(
        await write(
          `edge-${size}.dump`,
          dump("B1", [
            { headers: ['Content-Disposition: attachment; filename="x"'], body },
            { headers: ['Content-Disposition: attachment; filename="y"'], body: "tail" },
          ]),
        ),
      )
      if (Result.isFailure(result)) throw result.failure
      expect(seen.map((s) => [s.path, s.size, s.sha])).toEqual([
        ["x", body.length, sha(body)],
        ["y", 4, sha("tail")],
      ])
    }
  })

  it("a scan that stops early reads no further parts", async () => {
    const { seen, result } = await scan(await write("stop.dump", dump("BOUNDARY-1", parts)), { stopAfter: 1 })
    if (Result.isFailure(result)) throw result.failure
    expect(seen.map((s) => s.path)).toEqual(["dump.xml"])
    expect(result.success.stats.stoppedEarly).toBe(true)
  })

  it("part names go through the same checks as tar entries", async () => {
    for (const [name, rule] of [
      ["../../etc/cron.d/x", "traversal"],
      ["/etc/passwd", "absolute"],
      ["a\\b", "windows"],
    ] as const) {
      const { result } = await scan(
        await write(
          "names.dump",
          dump("B", [{ headers: [`Content-Disposition: attachment; filename="${name.replace(/\\/g, "\\\\")}"`], body: "x" }]),
        ),
      )
      const reason = reasonOf(result)
      expect(reason._tag).toBe("UnsafePath")
      expect(reason._tag === "UnsafePath" && reason.rule).toBe(rule)
    }
  })

  it("truncated dumps, bad encodings and deep nesting are refused", async () => {
    const truncated = dump("B", parts.slice(0, 2)).subarray(0, 5000)
    expect(reasonOf((await scan(await write("t.dump", truncated))).result)._tag).toBe("CorruptArchive")
    const badBase64 = dump("B", [{ headers: ["Content-ID: <x>", "Content-Transfer-Encoding: base64"], body: "not*base64!" }])
    expect(reasonOf((await scan(await write("b.dump", badBase64))).result)._tag).toBe("CorruptArchive")
    const unknown = dump("B", [{ headers: ["Content-ID: <x>", "Content-Transfer-Encoding: x-uuencode"], body: "begin 644 x" }])
    const reason = reasonOf((await scan(await write("u.dump", unknown))).result)
    expect(reason._tag === "UnsupportedFormat" && reason.format).toBe("mime")
    let nested = dump("L0", [{ headers: ["Content-ID: <leaf>"], body: "leaf" }]).toString("latin1")
    for (let level = 1; level <= 5; level++) {
      const body = nested.slice(nested.indexOf("\r\n\r\n") + 4)
      nested = dump(`L${level}`, [
        { headers: [`Content-Type: multipart/mixed; boundary="L${level - 1}"`], body: Buffer.from(body, "latin1") },
      ]).toString("latin1")
    }
    const deep = reasonOf((await scan(await write("deep.dump", Buffer.from(nested, "latin1")))).result)
    expect(deep._tag === "LimitExceeded" && deep.limit).toBe("nesting")
  })

  it("size limits apply to decoded part sizes, and gzip bombs stop at the ratio limit", async () => {
    const sized = reasonOf((await scan(await write("l.dump", dump("B", parts)), { limits: { maxEntryBytes: 1024 * 1024 } })).result)
    expect(sized._tag === "LimitExceeded" && sized.limit).toBe("entry-bytes")
    const bomb = zlib.gzipSync(dump("B", [{ headers: ["Content-ID: <zeros>"], body: Buffer.alloc(32 * 1024 * 1024) }]))
    const ratio = reasonOf(
      (await scan(await write("bomb.dump.gz", bomb), { limits: { maxCompressionRatio: 50, ratioFloorBytes: 1024 * 1024 } })).result,
    )
    expect(ratio._tag === "LimitExceeded" && ratio.limit).toBe("compression-ratio")
  })
})
