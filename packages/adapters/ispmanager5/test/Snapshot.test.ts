import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as nodePath from "node:path"
import {
  expectedIspmanagerView,
  inspectWith,
  ispmanagerSnapshotView,
  smallIspmanagerSpec,
  writeIspmanagerIsptarBackup,
} from "@ferry/testing"
import { Result } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ispmanager5Adapter } from "../src/index.ts"

let dir = ""
beforeAll(async () => {
  dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), "ferry-isp5-"))
})
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true })
})

const inspect = async (path: string) => {
  const result = await inspectWith([ispmanager5Adapter], path)
  if (Result.isFailure(result)) throw new Error(result.failure.message)
  return result.success
}

describe("ispmanager 5: the snapshot matches the generator's description", () => {
  for (const layout of ["tgz", "storage-directory", "download-tar"] as const) {
    it(`field by field (${layout})`, async () => {
      const { path, plan, expected } = await writeIspmanagerIsptarBackup(smallIspmanagerSpec, nodePath.join(dir, layout), {
        version: "5",
        layout,
      })
      const { detection, snapshot } = await inspect(path)
      expect(detection).toMatchObject({
        adapter: "ispmanager5",
        panelVersion: "5.300.1",
        formatVersion: "isptar",
        facts: { user: "synth", edition: "ispmanager 5" },
      })
      expect(snapshot.source).toMatchObject({ panel: "ispmanager5", panelVersion: "5.300.1", formatVersion: "isptar" })
      expect(ispmanagerSnapshotView(snapshot)).toEqual(expectedIspmanagerView(plan, "5", expected))
      if (layout === "tgz") expect(snapshot.source.archive.contentBytes).toBe(expected.bytes)
    })
  }

  it("reports exactly the objects it cannot import, by name", async () => {
    const { path } = await writeIspmanagerIsptarBackup(smallIspmanagerSpec, nodePath.join(dir, "notes"), { version: "5" })
    const { snapshot } = await inspect(path)
    expect(snapshot.notes.map((n) => `${n.severity} ${n.code} ${n.subject}`).sort()).toEqual(
      [
        "info fields-not-mapped email objects",
        'info object-not-imported aps "wordpress"',
        'info object-not-imported backup2.metadata "synth"',
        'info preset preset "business"',
        'warning password-unrecognised ftp.user "synth_ftp2"',
        'warning unknown-object-type future.widget "w1"',
      ].sort(),
    )
    const unknown = snapshot.notes.find((n) => n.code === "unknown-object-type")
    expect(unknown?.path).toBe(".system/other.xml")
    expect(unknown?.message).toContain("future.widget")
  })

  it("measures the home outside the web roots, Maildirs and .system/", async () => {
    const { path } = await writeIspmanagerIsptarBackup(smallIspmanagerSpec, nodePath.join(dir, "home"), { version: "5" })
    const { snapshot } = await inspect(path)
    const home = snapshot.content.filter((c) => c.id.startsWith("content:home:synth:"))
    expect(home.map((c) => c.path).sort()).toEqual(["email/", "logs/", "php-bin/", "tmp/", "www/"])
    expect(home.find((c) => c.path === "www/")?.bytes).toBe(0)
    expect(home.find((c) => c.path === "logs/")?.files).toBe(2)
  })
})
