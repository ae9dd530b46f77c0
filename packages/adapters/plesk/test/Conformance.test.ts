import * as fs from "node:fs/promises"
import * as nodePath from "node:path"
import { cpanelAdapter } from "@ferry/adapter-cpanel"
import {
  adapterConformance,
  type FixtureSource,
  type PleskGeneration,
  type PleskSpec,
  pleskGenerations,
  realCpanelFixtures,
  realFixtureSymlinks,
  resellerPleskSpec,
  smallCpanelSpec,
  smallPleskSpec,
  treeFromDirectory,
  withTop,
  writeArchive,
  writeCpanelBackup,
  writePleskBackup,
} from "@ferry/testing"
import { pleskAdapter } from "../src/index.ts"
import { backupName } from "./Support.ts"

const plesk = (spec: PleskSpec, generation: PleskGeneration, label: string, content?: "tgz" | "tzst"): FixtureSource => ({
  name: `${label} (${generation}${content ? `, ${content}` : ""})`,
  build: async (dir) =>
    (await writePleskBackup(spec, nodePath.join(dir, backupName(generation)), generation, content ? { content } : {})).path,
})

const realCpanel = (set: string, user: string): FixtureSource => ({
  name: `real cPanel ${set}`,
  build: async (dir) => {
    const tree = await treeFromDirectory(nodePath.join(realCpanelFixtures(), set), { symlinks: realFixtureSymlinks })
    return writeArchive(withTop(`cpmove-${user}`, tree), nodePath.join(dir, `cpmove-${user}.tar.gz`), "tar.gz")
  },
})

/** A multipart e-mail: a MIME file that is no Plesk dump. */
const email = [
  "From: someone@example.com",
  "To: other@example.com",
  "Subject: holiday photos",
  "MIME-Version: 1.0",
  'Content-Type: multipart/mixed; boundary="b1"',
  "",
  "--b1",
  "Content-Type: text/plain",
  "",
  "see attached",
  "--b1",
  'Content-Disposition: attachment; filename="notes.xml"',
  "Content-Type: text/xml",
  "",
  '<?xml version="1.0"?><dump><item>not plesk</item></dump>',
  "--b1--",
  "",
].join("\r\n")

adapterConformance({
  adapter: pleskAdapter,
  own: [
    ...pleskGenerations.map((g) => plesk(smallPleskSpec, g, "small")),
    plesk(smallPleskSpec, "repository-tar", "small", "tzst"),
    plesk(resellerPleskSpec, "repository-tar", "reseller"),
    plesk(resellerPleskSpec, "plesk9-tar-gz", "reseller"),
  ],
  foreign: [
    {
      name: "generated cPanel (tar.gz)",
      build: async (dir) => (await writeCpanelBackup(smallCpanelSpec, nodePath.join(dir, "c.tar.gz"), "tar.gz")).path,
    },
    {
      name: "generated cPanel (directory)",
      build: async (dir) => (await writeCpanelBackup(smallCpanelSpec, nodePath.join(dir, "c"), "directory")).path,
    },
    realCpanel("JackDeDobb__IlliniWildCards", "illiniwi"),
    realCpanel("jstandfast__quantifyuniversity", "quantify"),
    realCpanel("ragnermoura__uniprev", "uniprev"),
    {
      name: "a tar with an unrelated XML at the root",
      build: (dir) =>
        writeArchive(
          { "config.xml": '<?xml version="1.0"?><config><item/></config>', "data.tgz": "x" },
          nodePath.join(dir, "x.tar"),
          "tar",
        ),
    },
    {
      name: "a tar whose dump.xml is not inside a MIME dump",
      build: (dir) =>
        writeArchive({ "dump.xml": '<?xml version="1.0"?><dump><domain name="a.example"/></dump>' }, nodePath.join(dir, "d.tar"), "tar"),
    },
    {
      name: "a multipart e-mail",
      build: async (dir) => {
        const path = nodePath.join(dir, "mail.eml")
        await fs.writeFile(path, email)
        return path
      },
    },
  ],
  otherAdapters: [cpanelAdapter],
})
