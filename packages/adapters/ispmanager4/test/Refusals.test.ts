import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as nodePath from "node:path"
import { AdapterError } from "@ferry/core"
import {
  hostileXmlVariants,
  inspectWith,
  ispmanager4Tree,
  smallIspmanagerSpec,
  type TreeNode,
  writeArchive,
  writeIspmanager4HostileBackup,
} from "@ferry/testing"
import { Result } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ispmanager4Adapter } from "../src/index.ts"

let dir = ""
beforeAll(async () => {
  dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), "ferry-isp4-refuse-"))
})
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true })
})

/** The generated archive with some files replaced. */
const variant = async (name: string, change: (tree: Map<string, TreeNode>, content: string) => void): Promise<string> => {
  const { tree } = ispmanager4Tree(smallIspmanagerSpec)
  const copy = new Map(tree)
  change(copy, String(copy.get("PBKP_CONTENT")))
  return writeArchive(copy, nodePath.join(dir, `${name}.tar.gz`), "tar.gz")
}

const inspect = async (path: string) => {
  const result = await inspectWith([ispmanager4Adapter], path)
  if (Result.isFailure(result)) throw new Error(result.failure.message)
  return result.success.snapshot
}

describe("hostile PBKP_CONTENT and PBKP_XML_LISTING are refused clearly", () => {
  for (const file of ["PBKP_CONTENT", "PBKP_XML_LISTING"] as const) {
    for (const variant of hostileXmlVariants) {
      it(`${variant.id} in ${file}: ${variant.description}`, async () => {
        const path = await writeIspmanager4HostileBackup(smallIspmanagerSpec, nodePath.join(dir, `${file}-${variant.id}`), variant.id, file)
        const result = await inspectWith([ispmanager4Adapter], path)
        if (Result.isSuccess(result)) throw new Error("the archive was read")
        expect(result.failure).toBeInstanceOf(AdapterError)
        expect(result.failure.message).toContain(`${file}: refused:`)
        expect(result.failure.message).not.toContain("root:x:0")
        expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined()
      })
    }
  }

  it("a missing PBKP_CONTENT is not an ispmanager 4 archive", async () => {
    const path = await variant("no-content", (tree) => tree.delete("PBKP_CONTENT"))
    const result = await inspectWith([ispmanager4Adapter], path)
    expect(Result.isFailure(result) && result.failure._tag === "InspectError" && result.failure.reason._tag).toBe("NotRecognised")
  })
})

describe("nothing is dropped silently", () => {
  it("an unknown item type, a missing payload, an unclaimed payload and listing drift are all reported", async () => {
    const path = await variant("drift", (tree, content) => {
      tree.set(
        "PBKP_CONTENT",
        content
          .replace("</doc>", "  <ftpquota>\n    <item><elid>q1</elid><limit>5</limit></item>\n  </ftpquota>\n</doc>")
          .replace("<filename>pbkp_synth_db2.sql</filename>", "<filename>pbkp_gone.sql</filename>"),
      )
      tree.set("pbkp_extra.bin", "stray payload\n")
      tree.delete("var/www/synth/data/php-bin/php.ini")
    })
    const snapshot = await inspect(path)
    const codes = snapshot.notes.map((n) => `${n.code} ${n.subject}`)
    expect(codes).toEqual(
      expect.arrayContaining([
        'unknown-object-type ftpquota "q1"',
        "payload-missing PBKP_CONTENT <postgresql> item #1 (PostgreSQL->synth_db2)",
        'dump-missing db.postgresql "PostgreSQL->synth_db2"',
        "payload-unclaimed file pbkp_synth_db2.sql",
        "payload-unclaimed file pbkp_extra.bin",
        "listing-file-missing file PBKP_XML_LISTING",
      ]),
    )
    expect(snapshot.notes.find((n) => n.code === "listing-file-missing")?.message).toContain("php-bin/php.ini")
    expect(snapshot.content.find((c) => c.path === "pbkp_extra.bin")?.bytes).toBe(14)
  })
})
