import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as nodePath from "node:path"
import { Archive, ArchiveError } from "@ferry/core"
import {
  expectedIspmanagerView,
  type IspmanagerSpec,
  inspectWith,
  ispmanagerSnapshotView,
  largeIspmanager6Spec,
  planIspmanager,
  smallIspmanagerSpec,
  writeIspmanagerIsptarBackup,
} from "@ferry/testing"
import { Effect, Result } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ispmanager6Adapter } from "../src/index.ts"

let dir = ""
beforeAll(async () => {
  dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), "ferry-isp6-containers-"))
})
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true })
})

/** Every file below `root` with its size: a read must leave it as it was. */
const listing = async (root: string): Promise<Array<string>> => {
  const out: Array<string> = []
  for (const name of (await fs.readdir(root, { recursive: true })).sort())
    out.push(`${name} ${(await fs.stat(nodePath.join(root, name))).size}`)
  return out
}

const secrets = (password: string) => ({ read: { secrets: { "backup-password": password } } })

describe("split volumes are read as one stream", () => {
  it("any volume opens the whole set, in numeric order, without a joined file on disk", async () => {
    const folder = nodePath.join(dir, "volumes")
    const { files, plan, expected } = await writeIspmanagerIsptarBackup(smallIspmanagerSpec, folder, { version: "6", volumeBytes: 2048 })
    const volumes = files.filter((f) => /\.part\d+$/.test(f))
    // Ten or more, so numeric order (part2 before part10) differs from name order.
    expect(volumes.length).toBeGreaterThanOrEqual(10)
    const before = await listing(folder)
    const middle = volumes[Math.floor(volumes.length / 2)] as string
    const handle = await Effect.runPromise(Archive.open(middle))
    expect(handle.volumes).toEqual(volumes.sort((a, b) => Number(/(\d+)$/.exec(a)?.[1]) - Number(/(\d+)$/.exec(b)?.[1])))
    let total = 0
    for (const volume of volumes) total += (await fs.stat(volume)).size
    expect(handle.bytes).toBe(total)
    expect(handle.container).toBe("tar.gz")
    const result = await inspectWith([ispmanager6Adapter], middle)
    if (Result.isFailure(result)) throw new Error(result.failure.message)
    expect(ispmanagerSnapshotView(result.success.snapshot)).toEqual(expectedIspmanagerView(plan, "6", expected))
    expect(result.success.snapshot.source.archive.bytes).toBe(total)
    expect(await listing(folder)).toEqual(before)
  })

  it("a missing volume is reported by number", async () => {
    const folder = nodePath.join(dir, "gap")
    const { files } = await writeIspmanagerIsptarBackup(smallIspmanagerSpec, folder, { version: "6", volumeBytes: 4096 })
    await fs.rm(files.find((f) => f.endsWith(".part3")) as string)
    const result = await inspectWith([ispmanager6Adapter], files[0] as string)
    if (Result.isSuccess(result)) throw new Error("read with a volume missing")
    expect(result.failure).toBeInstanceOf(ArchiveError)
    expect(result.failure.message).toContain("volume 3 of F2024-05-01.synth.tgz is missing")
  })
})

describe("encrypted (.aes) backups", () => {
  const variants = [
    { name: "one file, PBKDF2 (openssl enc -pbkdf2)", options: { encryption: { password: "s3cret pass", derivation: "pbkdf2" as const } } },
    {
      name: "one file, EVP_BytesToKey-MD5 (old openssl enc)",
      options: { encryption: { password: "s3cret pass", derivation: "md5" as const } },
    },
    { name: "split, each volume encrypted", options: { encryption: { password: "s3cret pass" }, volumeBytes: 8192 } },
  ]
  for (const { name, options } of variants) {
    it(`${name}: read with the password, refused without or with a wrong one`, async () => {
      const folder = nodePath.join(dir, name.replace(/\W+/g, "-"))
      const { path, plan, expected } = await writeIspmanagerIsptarBackup(smallIspmanagerSpec, folder, { version: "6", ...options })
      expect(path.endsWith(".aes")).toBe(true)
      const handle = await Effect.runPromise(Archive.open(path))
      expect(handle).toMatchObject({ container: "aes", encrypted: true })

      const ok = await inspectWith([ispmanager6Adapter], path, secrets("s3cret pass"))
      if (Result.isFailure(ok)) throw new Error(ok.failure.message)
      expect(ispmanagerSnapshotView(ok.success.snapshot)).toEqual(expectedIspmanagerView(plan, "6", expected))
      expect(ok.success.snapshot.notes.some((n) => n.code === "encrypted-backup")).toBe(true)

      const without = await inspectWith([ispmanager6Adapter], path)
      if (Result.isSuccess(without)) throw new Error("read without the password")
      expect(without.failure).toBeInstanceOf(ArchiveError)
      expect((without.failure as ArchiveError).reason).toMatchObject({ _tag: "UnsupportedFormat", format: "aes" })
      expect(without.failure.message).toContain('backup password (secret "backup-password")')

      const wrong = await inspectWith([ispmanager6Adapter], path, secrets("not it"))
      if (Result.isSuccess(wrong)) throw new Error("read with a wrong password")
      expect(wrong.failure.message).toContain("the backup password does not decrypt")
      expect(wrong.failure.message).not.toContain("not it")
    })
  }
})

describe("the large benchmark backup", () => {
  it("describes ≥ 1,000 mailboxes and ≥ 1 GB of content", () => {
    const plan = planIspmanager(largeIspmanager6Spec)
    const s = largeIspmanager6Spec
    expect(plan.mailboxes.length).toBeGreaterThanOrEqual(1000)
    const approximate =
      plan.mailboxes.length * s.messagesPerMailbox * s.messageBytes + s.databases * s.dumpBytes + s.domains * s.webFiles * s.webFileBytes
    expect(approximate).toBeGreaterThanOrEqual(1024 ** 3)
  })

  it("its shape (1,000 mailboxes, volumes) reads back with small bodies", async () => {
    const spec: IspmanagerSpec = {
      ...largeIspmanager6Spec,
      messagesPerMailbox: 1,
      messageBytes: 600,
      dumpBytes: 4096,
      webFiles: 2,
      webFileBytes: 200,
    }
    const { path, plan, expected } = await writeIspmanagerIsptarBackup(spec, nodePath.join(dir, "large"), {
      version: "6",
      volumeBytes: 256 * 1024,
    })
    const result = await inspectWith([ispmanager6Adapter], path)
    if (Result.isFailure(result)) throw new Error(result.failure.message)
    expect(result.success.snapshot.entities.filter((e) => e._tag === "Mailbox")).toHaveLength(1000)
    expect(ispmanagerSnapshotView(result.success.snapshot)).toEqual(expectedIspmanagerView(plan, "6", expected))
  })
})
