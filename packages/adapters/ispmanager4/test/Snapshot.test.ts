import { execFileSync } from "node:child_process"
import { createHash } from "node:crypto"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as nodePath from "node:path"
import {
  expectedIspmanagerView,
  inspectWith,
  ispmanager4Bzip2Fixture,
  ispmanagerSnapshotView,
  smallIspmanagerSpec,
  writeIspmanager4Backup,
} from "@ferry/testing"
import { Result } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ispmanager4Adapter } from "../src/index.ts"

let dir = ""
beforeAll(async () => {
  dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), "ferry-isp4-"))
})
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true })
})

const inspect = async (path: string) => {
  const result = await inspectWith([ispmanager4Adapter], path)
  if (Result.isFailure(result)) throw new Error(result.failure.message)
  return result.success
}

describe("ispmanager 4: the snapshot matches the generator's description", () => {
  for (const container of ["tar", "tar.gz", "zip", "directory"] as const) {
    it(`field by field (${container})`, async () => {
      const { path, plan, expected } = await writeIspmanager4Backup(smallIspmanagerSpec, nodePath.join(dir, container), container)
      const { detection, snapshot } = await inspect(path)
      expect(detection).toMatchObject({
        adapter: "ispmanager4",
        panelVersion: "4",
        formatVersion: "1.0",
        facts: { user: "synth", date: "2024-05-01" },
      })
      expect(snapshot.source).toMatchObject({ panel: "ispmanager4", panelVersion: "4", formatVersion: "1.0" })
      expect(ispmanagerSnapshotView(snapshot)).toEqual(expectedIspmanagerView(plan, "4", expected))
      expect(snapshot.source.archive.contentBytes).toBe(expected.bytes)
    })
  }

  it("the checked-in tar.bz2 holds exactly the generated tar, and reads the same", async () => {
    const { path, plan, expected } = await writeIspmanager4Backup(smallIspmanagerSpec, nodePath.join(dir, "bz2-check"), "tar")
    const tar = await fs.readFile(path)
    const unpacked = execFileSync("bzip2", ["-dc", ispmanager4Bzip2Fixture()], { maxBuffer: 64 * 1024 * 1024 })
    expect(createHash("sha256").update(unpacked).digest("hex")).toBe(createHash("sha256").update(tar).digest("hex"))
    const copy = nodePath.join(dir, "1_synth-2024-05-01.tar.bz2")
    await fs.copyFile(ispmanager4Bzip2Fixture(), copy)
    const { snapshot } = await inspect(copy)
    expect(snapshot.source.archive.container).toBe("tar.bz2")
    expect(ispmanagerSnapshotView(snapshot)).toEqual(expectedIspmanagerView(plan, "4", expected))
  })

  it("every PBKP_CONTENT item becomes an entity or a note, and nothing else is noted", async () => {
    const { path } = await writeIspmanager4Backup(smallIspmanagerSpec, nodePath.join(dir, "notes"), "tar.gz")
    const { snapshot } = await inspect(path)
    expect(snapshot.notes.map((n) => `${n.code} ${n.subject}`).sort()).toEqual(
      [
        "listing-link entry var/www/synth/data/public_html",
        'mail-group emailgroup "team@synth.example"',
        'password-unrecognised ftp.user "synth_ftp2"',
        'www-redirect wwwredirect "old-synth.example"',
      ].sort(),
    )
    const home = snapshot.content.find((c) => c.id === "content:home:synth")
    expect(home?.path).toBe("var/www/synth/data/")
    expect(home?.excludes).toEqual(["var/www/synth/data/www/synth.example/", "var/www/synth/data/www/synth-site1.example/"])
  })
})
