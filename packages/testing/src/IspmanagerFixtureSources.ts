import * as nodePath from "node:path"
import type { FixtureSource } from "./Conformance.ts"
import { smallCpanelSpec, writeCpanelBackup } from "./CpanelGenerator.ts"
import { treeFromDirectory, withTop, writeArchive } from "./FixtureBuilder.ts"
import { writeIspmanager4Backup } from "./IspmanagerGenerator4.ts"
import { writeIspmanagerIsptarBackup } from "./IspmanagerGeneratorIsptar.ts"
import { smallIspmanagerSpec } from "./IspmanagerGeneratorPlan.ts"
import type { IsptarVersion } from "./IspmanagerGeneratorSystem.ts"
import { realCpanelFixtures } from "./SharedFixtures.ts"

/* Fixture sources for the ispmanager adapters' conformance suites. */

const realCpanel = (set: string, user: string, symlinks: ReadonlyArray<string> = []): FixtureSource => ({
  name: `real cPanel ${set}`,
  build: async (dir) => {
    const tree = await treeFromDirectory(nodePath.join(realCpanelFixtures(), set), { symlinks })
    return writeArchive(withTop(`cpmove-${user}`, tree), nodePath.join(dir, `cpmove-${user}.tar.gz`), "tar.gz")
  },
})

/** The generated cPanel backup and the three real ones. */
export const cpanelFixtureSources: ReadonlyArray<FixtureSource> = [
  {
    name: "generated cPanel",
    build: async (dir) => (await writeCpanelBackup(smallCpanelSpec, nodePath.join(dir, "c.tar.gz"), "tar.gz")).path,
  },
  realCpanel("JackDeDobb__IlliniWildCards", "illiniwi", ["homedir/mail/.contactus@illiniwildcards_tk"]),
  realCpanel("jstandfast__quantifyuniversity", "quantify"),
  realCpanel("ragnermoura__uniprev", "uniprev"),
]

export const ispmanager4FixtureSources: ReadonlyArray<FixtureSource> = (["tar.gz", "zip"] as const).map((container) => ({
  name: `generated ispmanager 4 (${container})`,
  build: async (dir) => (await writeIspmanager4Backup(smallIspmanagerSpec, dir, container)).path,
}))

/** One version's ISPtar backups in every unencrypted layout. */
export const isptarFixtureSources = (
  version: IsptarVersion,
  layouts: ReadonlyArray<"tgz" | "volumes" | "storage-directory" | "download-tar"> = [
    "tgz",
    "volumes",
    "storage-directory",
    "download-tar",
  ],
): ReadonlyArray<FixtureSource> =>
  layouts.map((layout) => ({
    name: `generated ispmanager ${version} (${layout})`,
    build: async (dir) =>
      (
        await writeIspmanagerIsptarBackup(smallIspmanagerSpec, dir, {
          version,
          ...(layout === "volumes" ? { volumeBytes: 16 * 1024 } : layout === "tgz" ? {} : { layout }),
        })
      ).path,
  }))
