import { createHash } from "node:crypto"
import { createReadStream } from "node:fs"
import * as fs from "node:fs/promises"
import * as nodePath from "node:path"
import * as zlib from "node:zlib"
import { packTree, type TreeNode, writeArchive } from "./FixtureBuilder.ts"
import { type Encryption, writeTgz } from "./IspmanagerGeneratorOutput.ts"
import { type IspmanagerPlan, type IspmanagerSpec, planIspmanager } from "./IspmanagerGeneratorPlan.ts"
import { type IsptarVersion, infoFile, systemFiles } from "./IspmanagerGeneratorSystem.ts"
import { type ContentExpectation, dumpHead, TreeWriter, writeHomeExtras, writeMaildirs, writeWebRoots } from "./IspmanagerGeneratorTree.ts"
import { seedOf } from "./SyntheticContent.ts"

/*
 * Synthetic ispmanager 5 / 6 / business 6 backups ("backup2", ISPtar; ispmanager.md §4): one
 * user's `F<date>.<user>.tgz` with the `.system/` special files and the user's files relative to
 * `/var/www/<user>/data`, the `<date>.<user>.info` file beside it, optionally split into
 * `.partN` volumes and/or encrypted (`.aes`). Everything but the `.system` shape is Ferry's
 * assumption (see the adapters' READMEs): these backups are **synthetic**.
 */

export type { IsptarVersion } from "./IspmanagerGeneratorSystem.ts"

export interface IsptarOutput {
  readonly version: IsptarVersion
  /**
   * "tgz": the data file (with its `.info` and listing beside it) — the path returned is the data
   * file (or its first volume); "storage-directory": a directory holding the triplet;
   * "download-tar": one `.tar` holding the triplet.
   */
  readonly layout?: "tgz" | "storage-directory" | "download-tar"
  /** Split the data file into volumes of this many bytes (`.part1` …). */
  readonly volumeBytes?: number
  readonly encryption?: Encryption
  /** Default "2024-05-01". */
  readonly date?: string
}

export interface IsptarBackup {
  /** The path to open. */
  readonly path: string
  /** Every file written. */
  readonly files: ReadonlyArray<string>
  readonly plan: IspmanagerPlan
  readonly expected: ContentExpectation
  /** Data file name (without volume or `.aes` suffix), e.g. `F2024-05-01.synth.tgz`. */
  readonly dataName: string
}

/** The tree inside the data `.tgz`, and what it holds. */
export const isptarTree = (
  spec: IspmanagerSpec,
  version: IsptarVersion,
  date = "2024-05-01",
): { readonly tree: Map<string, TreeNode>; readonly plan: IspmanagerPlan; readonly expected: ContentExpectation } => {
  const plan = planIspmanager(spec)
  const w = new TreeWriter()
  w.dir(".system")
  for (const [path, text] of systemFiles(plan, version, date)) w.put(path, text)
  const dumpBytes: Record<string, number> = {}
  for (const db of plan.databases) {
    dumpBytes[db.name] = w.lazy(
      `.system/db/${db.name}.sql`,
      "sql",
      plan.spec.dumpBytes,
      seedOf(plan.seed, `dump:${db.name}`),
      dumpHead(db.name, db.engine),
    )
  }
  const webBytes = writeWebRoots(plan, w, "")
  const mailBytes = writeMaildirs(plan, w, "")
  writeHomeExtras(plan, w, "")
  return { tree: w.tree, plan, expected: { webBytes, mailBytes, dumpBytes, files: w.files, bytes: w.bytes } }
}

/** A made-up hash of the backup password for `.info` (ispmanager's `key_hash` scheme is unknown). */
const keyHash = (password: string): string => createHash("sha256").update(`ferry-synthetic:${password}`).digest("hex")

export const writeIspmanagerIsptarBackup = async (spec: IspmanagerSpec, dir: string, output: IsptarOutput): Promise<IsptarBackup> => {
  const date = output.date ?? "2024-05-01"
  const layout = output.layout ?? "tgz"
  const { tree, plan, expected } = isptarTree(spec, output.version, date)
  const dataName = `F${date}.${plan.user}.tgz`
  const storage = layout === "tgz" ? dir : layout === "storage-directory" ? nodePath.join(dir, "storage") : nodePath.join(dir, ".staging")
  await fs.mkdir(storage, { recursive: true })
  const dataFiles = await writeTgz(packTree(tree), nodePath.join(storage, dataName), {
    seed: seedOf(plan.seed, "encryption"),
    ...(output.volumeBytes !== undefined ? { volumeBytes: output.volumeBytes } : {}),
    ...(output.encryption !== undefined ? { encryption: output.encryption } : {}),
  })
  let stored = 0
  for (const file of dataFiles) stored += (await fs.stat(file)).size
  const info = nodePath.join(storage, `${date}.${plan.user}.info`)
  await fs.writeFile(
    info,
    infoFile(plan, output.version, date, stored, output.encryption !== undefined ? keyHash(output.encryption.password) : undefined),
  )
  // isptar's "list of files with displacements" (format unknown): a gzip of `path offset` lines.
  const listing = nodePath.join(storage, `${date}.${plan.user}.tgz`)
  await fs.writeFile(
    listing,
    zlib.gzipSync(
      [...tree.keys()]
        .map((path, i) => `${path}\t${i * 512}\n`)
        .join("")
        .slice(0, 64 * 1024),
    ),
  )
  const files = [...dataFiles, info, listing]
  if (layout === "tgz") return { path: dataFiles[0] as string, files, plan, expected, dataName }
  if (layout === "storage-directory") return { path: storage, files, plan, expected, dataName }
  const tarPath = nodePath.join(dir, `${plan.user}-${date}.tar`)
  const wrapped = new Map<string, TreeNode>()
  for (const file of files) {
    const size = (await fs.stat(file)).size
    wrapped.set(nodePath.basename(file), { type: "file", size, content: () => createReadStream(file) })
  }
  await writeArchive(wrapped, tarPath, "tar")
  await fs.rm(storage, { recursive: true, force: true })
  return { path: tarPath, files: [tarPath], plan, expected, dataName }
}
