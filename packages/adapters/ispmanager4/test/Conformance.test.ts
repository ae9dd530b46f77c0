import * as fs from "node:fs/promises"
import * as nodePath from "node:path"
import { cpanelAdapter } from "@ferry/adapter-cpanel"
import { makeIsptarAdapter } from "@ferry/adapter-ispmanager"
import {
  adapterConformance,
  type FixtureSource,
  ispmanager4Bzip2Fixture,
  realCpanelFixtures,
  smallCpanelSpec,
  smallIspmanagerSpec,
  treeFromDirectory,
  withTop,
  writeArchive,
  writeCpanelBackup,
  writeIspmanager4Backup,
  writeIspmanagerIsptarBackup,
} from "@ferry/testing"
import { ispmanager4Adapter } from "../src/index.ts"

/* The other ispmanager adapters, built the way their packages build them (those packages depend on this one). */
const isptarAdapters = [
  makeIsptarAdapter("ispmanager5", "5"),
  makeIsptarAdapter("ispmanager6", "6"),
  makeIsptarAdapter("ispmanager-business6", "business6"),
]

const realCpanel = (set: string, user: string, symlinks: ReadonlyArray<string> = []): FixtureSource => ({
  name: `real cPanel ${set}`,
  build: async (dir) => {
    const tree = await treeFromDirectory(nodePath.join(realCpanelFixtures(), set), { symlinks })
    return writeArchive(withTop(`cpmove-${user}`, tree), nodePath.join(dir, `cpmove-${user}.tar.gz`), "tar.gz")
  },
})

adapterConformance({
  adapter: ispmanager4Adapter,
  own: [
    ...(["tar", "tar.gz", "zip", "directory"] as const).map(
      (container): FixtureSource => ({
        name: `generated (${container})`,
        build: async (dir) => (await writeIspmanager4Backup(smallIspmanagerSpec, dir, container)).path,
      }),
    ),
    {
      name: "generated (tar.bz2, checked in)",
      build: async (dir) => {
        const out = nodePath.join(dir, "1_synth-2024-05-01.tar.bz2")
        await fs.copyFile(ispmanager4Bzip2Fixture(), out)
        return out
      },
    },
  ],
  foreign: [
    {
      name: "generated cPanel",
      build: async (dir) => (await writeCpanelBackup(smallCpanelSpec, nodePath.join(dir, "c.tar.gz"), "tar.gz")).path,
    },
    realCpanel("JackDeDobb__IlliniWildCards", "illiniwi", ["homedir/mail/.contactus@illiniwildcards_tk"]),
    realCpanel("jstandfast__quantifyuniversity", "quantify"),
    realCpanel("ragnermoura__uniprev", "uniprev"),
    ...(["5", "6", "business6"] as const).map(
      (version): FixtureSource => ({
        name: `generated ispmanager ${version}`,
        build: async (dir) => (await writeIspmanagerIsptarBackup(smallIspmanagerSpec, dir, { version })).path,
      }),
    ),
    {
      name: "ispmanager 6 storage folder",
      build: async (dir) =>
        (await writeIspmanagerIsptarBackup(smallIspmanagerSpec, dir, { version: "6", layout: "storage-directory" })).path,
    },
  ],
  otherAdapters: [cpanelAdapter, ...isptarAdapters],
})
