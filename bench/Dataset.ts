import { createHash } from "node:crypto"
import * as fs from "node:fs/promises"
import * as nodePath from "node:path"
import { type CpanelAccountSpec, writeCpanelBackup } from "@ferry/testing"

/* Generated cPanel backups kept between benchmark runs, keyed by the spec that made them. */

export interface Dataset {
  readonly path: string
  readonly spec: CpanelAccountSpec
  /** Regular files in the archive and their total size, as the generator wrote them. */
  readonly files: number
  readonly bytes: number
  readonly generatedSeconds: number | undefined
}

interface SpecFile {
  readonly spec: CpanelAccountSpec
  readonly files: number
  readonly bytes: number
}

const specKey = (spec: CpanelAccountSpec): string =>
  createHash("sha256")
    .update(JSON.stringify(spec, Object.keys(spec).sort()))
    .digest("hex")
    .slice(0, 12)

const readSpecFile = async (path: string): Promise<SpecFile | undefined> => {
  try {
    return JSON.parse(await fs.readFile(path, "utf8")) as SpecFile
  } catch {
    return undefined
  }
}

/**
 * The tar.gz for `spec` under `dataDir`, generated with `writeCpanelBackup` unless a file made from
 * the same spec is already there (the spec and the generator's totals are kept next to it).
 */
export const ensureGenerated = async (name: string, spec: CpanelAccountSpec, dataDir: string): Promise<Dataset> => {
  const base = nodePath.join(dataDir, `${name.replace(/[^0-9A-Za-z.-]/g, "")}-${specKey(spec)}`)
  const path = `${base}.tar.gz`
  const specPath = `${base}.spec.json`
  await fs.mkdir(dataDir, { recursive: true })
  const stored = await readSpecFile(specPath)
  const present = await fs.stat(path).then(
    (stat) => stat.isFile(),
    () => false,
  )
  if (present && stored !== undefined && specKey(stored.spec) === specKey(spec)) {
    return { path, spec, files: stored.files, bytes: stored.bytes, generatedSeconds: undefined }
  }
  const started = performance.now()
  await fs.rm(specPath, { force: true })
  const written = await writeCpanelBackup(spec, path, "tar.gz")
  const { files } = written.expected
  await fs.writeFile(specPath, `${JSON.stringify({ spec, files, bytes: written.expected.bytes } satisfies SpecFile, null, 2)}\n`)
  return { path: written.path, spec, files, bytes: written.expected.bytes, generatedSeconds: (performance.now() - started) / 1000 }
}

export const removeDataset = async (dataset: Dataset): Promise<void> => {
  await fs.rm(dataset.path, { force: true })
  await fs.rm(dataset.path.replace(/\.tar\.gz$/, ".spec.json"), { force: true })
}
