import { createHash } from "node:crypto"
import * as fs from "node:fs/promises"
import * as nodePath from "node:path"
import { type CpanelAccountSpec, writeCpanelBackup } from "@ferry/testing"

const units: Record<string, number> = { "": 1, B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 }

/** "50MB", "1GB", "1.5GiB" → bytes. Units are binary (1 GB = 1024³), so a "1GB" set is ≥ 1 GiB. */
export const parseSize = (text: string): number => {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(i?B)?\s*$/i.exec(text)
  if (!match) throw new Error(`not a size: ${JSON.stringify(text)} (expected e.g. 50MB, 1GB, 4GB)`)
  const unit = (match[2] ?? "").toUpperCase() + (match[2] ? "B" : "")
  return Math.round(Number(match[1]) * (units[unit] ?? 1))
}

/** 3 domains × (1 + 2 subdomains) = 9 sites; 15 mailboxes × 1,000 messages; 4 dumps. */
const domains = 3
const subdomainsPerDomain = 2
const sites = domains * (1 + subdomainsPerDomain)
const mailboxesPerDomain = 5
const messagesPerMailbox = 1000
const messages = domains * mailboxesPerDomain * messagesPerMailbox
const webFilesTotal = 16_000
const databases = 4

/**
 * An account shaped like a busy real one, ≥ 31,000 files whatever the size: `bytes` of payload
 * split 45 % mail, 45 % web, 12 % dumps (2 % over, as message and web file sizes vary around
 * their average).
 */
export const specFor = (bytes: number): CpanelAccountSpec => {
  const webFiles = Math.ceil(webFilesTotal / sites)
  return {
    user: "benchuser",
    domains,
    subdomainsPerDomain,
    parkedDomains: 1,
    mailboxesPerDomain,
    messagesPerMailbox,
    messageBytes: Math.ceil((bytes * 0.45) / messages),
    databases,
    dumpBytes: Math.ceil((bytes * 0.12) / databases),
    webFiles,
    webFileBytes: Math.ceil((bytes * 0.45) / (webFiles * sites)),
    seed: 1,
  }
}

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
 * The tar.gz for a size under `dataDir`, generated with `writeCpanelBackup` unless a file made from
 * the same spec is already there (the spec and the generator's totals are kept next to it).
 */
export const ensureDataset = async (label: string, bytes: number, dataDir: string): Promise<Dataset> => {
  const spec = specFor(bytes)
  const base = nodePath.join(dataDir, `cpanel-${label.replace(/[^0-9A-Za-z.]/g, "")}-${specKey(spec)}`)
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
