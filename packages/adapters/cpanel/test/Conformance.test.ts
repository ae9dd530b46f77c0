import * as nodePath from "node:path"
import {
  adapterConformance,
  cpanelAccountTree,
  type FixtureSource,
  inspectWith,
  realCpanelFixtures,
  smallCpanelSpec,
  treeFromDirectory,
  withTop,
  writeArchive,
  writeCpanelBackup,
} from "@ferry/testing"
import { Result } from "effect"
import { describe, expect, it } from "vitest"
import { cpanelAdapter } from "../src/index.ts"

const real = (set: string, user: string, symlinks: ReadonlyArray<string> = []): FixtureSource => ({
  name: `real ${set}`,
  build: async (dir) => {
    const tree = await treeFromDirectory(nodePath.join(realCpanelFixtures(), set), { symlinks })
    return writeArchive(withTop(`cpmove-${user}`, tree), nodePath.join(dir, `cpmove-${user}.tar.gz`), "tar.gz")
  },
})

adapterConformance({
  adapter: cpanelAdapter,
  own: [
    real("JackDeDobb__IlliniWildCards", "illiniwi", ["homedir/mail/.contactus@illiniwildcards_tk"]),
    real("jstandfast__quantifyuniversity", "quantify"),
    real("ragnermoura__uniprev", "uniprev"),
    {
      name: "generated (tar.gz)",
      build: async (dir) => (await writeCpanelBackup(smallCpanelSpec, nodePath.join(dir, "g.tar.gz"), "tar.gz")).path,
    },
    {
      name: "generated (directory)",
      build: async (dir) => (await writeCpanelBackup(smallCpanelSpec, nodePath.join(dir, "g"), "directory")).path,
    },
  ],
  foreign: [
    {
      name: "a tar of plain files",
      build: (dir) => writeArchive({ "notes.txt": "hello\n", "docs/a.md": "# a\n" }, nodePath.join(dir, "plain.tar"), "tar"),
    },
    {
      name: "a JetBackup-like tree without cp/",
      build: (dir) =>
        writeArchive(
          { "backup/config/meta.json": "{}", "backup/homedir/public_html/index.html": "<p>x</p>" },
          nodePath.join(dir, "jb.tar.gz"),
          "tar.gz",
        ),
    },
  ],
})

describe("generated backups read back as described", () => {
  it("the snapshot has exactly the generator's domains, mailboxes, databases, zones and FTP users", async () => {
    const dir = await (await import("node:fs/promises")).mkdtemp(nodePath.join((await import("node:os")).tmpdir(), "ferry-gen-"))
    const { path, expected } = await writeCpanelBackup(smallCpanelSpec, nodePath.join(dir, "g.tar.gz"), "tar.gz")
    expect(cpanelAccountTree(smallCpanelSpec).expected).toEqual(expected)
    const result = await inspectWith([cpanelAdapter], path)
    if (Result.isFailure(result)) throw new Error(result.failure.message)
    const { snapshot } = result.success
    const names = (tag: string, key: string) =>
      snapshot.entities
        .filter((e) => e._tag === tag)
        .map((e) => (e as unknown as Record<string, string>)[key])
        .sort()
    expect(names("Account", "login")).toEqual([expected.user])
    expect(
      snapshot.entities
        .filter((e) => e._tag === "Domain")
        .map((e) => (e._tag === "Domain" ? `${e.kind}:${e.name}` : ""))
        .sort(),
    ).toEqual(expected.domains.map((d) => `${d.kind}:${d.name}`).sort())
    expect(names("Mailbox", "address")).toEqual([...expected.mailboxes].sort())
    expect(names("Database", "name")).toEqual([...expected.databases].sort())
    expect(names("DnsZone", "name")).toEqual([...expected.zones].sort())
    expect(names("FtpUser", "login")).toEqual([...expected.ftpUsers].sort())
    expect(snapshot.entities.filter((e) => e._tag === "CronJob")).toHaveLength(expected.cronJobs)
    expect(snapshot.entities.filter((e) => e._tag === "SslCertificate")).toHaveLength(expected.certificates)
    expect(snapshot.source.archive.contentBytes).toBe(expected.bytes)
    for (const user of expected.databaseUsers) expect(names("DatabaseUser", "name")).toContain(user)
  })
})
