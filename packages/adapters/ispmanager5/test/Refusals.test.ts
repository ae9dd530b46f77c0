import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as nodePath from "node:path"
import { AdapterError, ArchiveError, InspectError } from "@ferry/core"
import {
  darSliceBytes,
  hostileXmlVariants,
  inspectWith,
  isptarTree,
  RawTar,
  smallIspmanagerSpec,
  type TreeNode,
  writeArchive,
  writeDarBackup,
  writeIsptarHostileBackup,
} from "@ferry/testing"
import { Result } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ispmanager5Adapter } from "../src/index.ts"

let dir = ""
beforeAll(async () => {
  dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), "ferry-isp5-refuse-"))
})
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true })
})

const failureOf = async (path: string) => {
  const result = await inspectWith([ispmanager5Adapter], path)
  if (Result.isSuccess(result)) throw new Error("the backup was read")
  return result.failure
}

describe("old DAR backups are refused with the backup2_conv hint", () => {
  it("a DAR file", async () => {
    const path = nodePath.join(dir, "backup.1.dar")
    await fs.writeFile(path, darSliceBytes())
    const failure = await failureOf(path)
    expect(failure).toBeInstanceOf(ArchiveError)
    expect((failure as ArchiveError).reason).toMatchObject({ _tag: "UnsupportedFormat", format: "dar" })
    expect(failure.message).toContain("backup2_conv")
  })

  it("a storage folder of DAR slices", async () => {
    const folder = nodePath.join(dir, "storage")
    await writeDarBackup(folder)
    const failure = await failureOf(folder)
    expect(failure).toBeInstanceOf(InspectError)
    expect((failure as InspectError).reason._tag).toBe("Refused")
    expect(failure.message).toContain("/usr/local/mgr5/sbin/backup2_conv")
  })
})

describe("hostile XML in .system/ is refused clearly", () => {
  const withSystemFile = async (name: string, text: string): Promise<string> => {
    const { tree } = isptarTree(smallIspmanagerSpec, "5")
    const hostile = new Map<string, TreeNode>(tree)
    hostile.set(`.system/${name}`, text)
    return writeArchive(hostile, nodePath.join(dir, `${name}.tgz`), "tar.gz")
  }
  for (const variant of hostileXmlVariants) {
    it(`${variant.id}: ${variant.description}`, async () => {
      const path = await writeIsptarHostileBackup(smallIspmanagerSpec, nodePath.join(dir, variant.id), "5", variant.id)
      const failure = await failureOf(path)
      expect(failure).toBeInstanceOf(AdapterError)
      expect(failure.message).toContain(".system/user.xml: refused:")
      expect(failure.message).not.toContain("root:x:0")
      expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined()
    })
  }

  it("a file that is merely broken is an error note; the other objects are read", async () => {
    const path = await withSystemFile("broken.xml", "<doc><elem><backup><type>user</type>")
    const result = await inspectWith([ispmanager5Adapter], path)
    if (Result.isFailure(result)) throw new Error(result.failure.message)
    const broken = result.success.snapshot.notes.find((n) => n.path === ".system/broken.xml")
    expect(broken).toMatchObject({ severity: "error", code: "special-file-unreadable" })
    expect(result.success.snapshot.entities.some((e) => e._tag === "Account")).toBe(true)
  })

  it("an incremental data file is refused: it needs its full backup", async () => {
    const { tree } = isptarTree(smallIspmanagerSpec, "5")
    const path = await writeArchive(tree, nodePath.join(dir, "I2024-05-02.synth.tgz"), "tar.gz")
    const failure = await failureOf(path)
    expect(failure).toBeInstanceOf(InspectError)
    expect(failure.message).toContain("incremental")
  })

  it("a plain tar whose home has a folder named .system without elems is not ispmanager", async () => {
    const path = nodePath.join(dir, "not-isp.tar")
    await fs.writeFile(
      path,
      RawTar.tar(RawTar.directory(".system"), RawTar.file(".system/notes.txt", "hello\n"), RawTar.file("www/index.html", "x")),
    )
    const failure = await failureOf(path)
    expect((failure as InspectError).reason._tag).toBe("NotRecognised")
  })
})
