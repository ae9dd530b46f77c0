import { createHash } from "node:crypto"
import * as fs from "node:fs/promises"
import * as nodePath from "node:path"
import { type CpanelAccountSpec, cpanelAccountTree, seedOf, type TreeNode, writeArchive } from "@ferry/testing"
import { type RowCounts, sqlDump } from "./SqlDump.ts"

/*
 * The backup `bench/import` imports: the account of the inspect benchmark (3 domains with
 * subdomains and a parked domain, 15 mailboxes × 1,000 messages, 16,000 web files, 4 databases),
 * but with loadable MySQL dumps (SqlDump.ts) taking 35 % of the bytes, so the database side weighs
 * as much as the files. Generated once into bench/.data and reused while the spec is unchanged.
 */

/** Bump when SqlDump.ts or the layout below changes what is written. */
const generatorVersion = 1

const domains = 3
const subdomainsPerDomain = 2
const sites = domains * (1 + subdomainsPerDomain)
const mailboxes = domains * 5
const messagesPerMailbox = 1000
const webFilesTotal = 16_000
const databases = 4
const shares = { mail: 0.325, web: 0.325, dumps: 0.35 }

export interface ImportSpec {
  readonly account: CpanelAccountSpec
  /** Size of each `mysql/<db>.sql`. */
  readonly dumpBytes: number
  readonly generatorVersion: number
}

export const importSpecFor = (bytes: number): ImportSpec => {
  const webFiles = Math.ceil(webFilesTotal / sites)
  return {
    account: {
      user: "benchimp",
      domains,
      subdomainsPerDomain,
      parkedDomains: 1,
      mailboxesPerDomain: mailboxes / domains,
      messagesPerMailbox,
      messageBytes: Math.ceil((bytes * shares.mail) / (mailboxes * messagesPerMailbox)),
      databases,
      // Replaced by SqlDump bodies below; the generator's own dumps are not loadable.
      dumpBytes: 16,
      webFiles,
      webFileBytes: Math.ceil((bytes * shares.web) / (webFiles * sites)),
      seed: 1,
    },
    dumpBytes: Math.ceil((bytes * shares.dumps) / databases),
    generatorVersion,
  }
}

export interface ImportDataset {
  readonly path: string
  readonly spec: ImportSpec
  readonly user: string
  /** Regular files in the archive and the sum of their sizes. */
  readonly files: number
  readonly bytes: number
  readonly dumpBytes: number
  /** Rows per table, per database. */
  readonly rows: Record<string, RowCounts>
  /** Regular files under each top-level docroot, by path relative to the home directory. */
  readonly docrootFiles: Record<string, number>
  readonly generatedSeconds: number | undefined
}

type Meta = Omit<ImportDataset, "path" | "generatedSeconds">

const keyOf = (spec: ImportSpec): string => createHash("sha256").update(JSON.stringify(spec)).digest("hex").slice(0, 12)

const textOf = (node: TreeNode): string | undefined =>
  typeof node === "string"
    ? node
    : !(node instanceof Uint8Array) && node.type === "file" && typeof node.content === "string"
      ? node.content
      : undefined

/** Docroots (relative to the home) from `userdata/<vhost>`, without those nested in another one. */
const topDocroots = (tree: ReadonlyMap<string, TreeNode>, top: string, home: string): ReadonlyArray<string> => {
  const all = new Set<string>()
  for (const [path, node] of tree) {
    if (!path.startsWith(`${top}/userdata/`)) continue
    const match = /^documentroot: (.+)$/m.exec(textOf(node) ?? "")
    if (match?.[1]?.startsWith(`${home}/`)) all.add(match[1].slice(home.length + 1))
  }
  return [...all].filter((root) => ![...all].some((other) => other !== root && root.startsWith(`${other}/`))).sort()
}

const isRegularFile = (node: TreeNode): boolean => typeof node === "string" || node instanceof Uint8Array || node.type === "file"

/**
 * The tar.gz for `bytes` under `dataDir`: generated unless a file made from the same spec is there
 * (its totals, row counts and docroot file counts are kept next to it as `*.meta.json`).
 */
export const ensureImportDataset = async (label: string, bytes: number, dataDir: string): Promise<ImportDataset> => {
  const spec = importSpecFor(bytes)
  const base = nodePath.join(dataDir, `import-${label.replace(/[^0-9A-Za-z.-]/g, "")}-${keyOf(spec)}`)
  const path = `${base}.tar.gz`
  const metaPath = `${base}.meta.json`
  await fs.mkdir(dataDir, { recursive: true })
  const stored = await fs.readFile(metaPath, "utf8").then(
    (text) => JSON.parse(text) as Meta,
    () => undefined,
  )
  const present = await fs.stat(path).then(
    (stat) => stat.isFile(),
    () => false,
  )
  if (present && stored !== undefined && keyOf(stored.spec) === keyOf(spec)) return { ...stored, path, generatedSeconds: undefined }

  const started = performance.now()
  await fs.rm(metaPath, { force: true })
  const { tree, expected } = cpanelAccountTree(spec.account)
  const user = spec.account.user
  const top = `cpmove-${user}`
  const rows: Record<string, RowCounts> = {}
  let bytesDelta = 0
  for (const db of expected.databases) {
    const name = `${top}/mysql/${db}.sql`
    const old = tree.get(name)
    if (old === undefined || typeof old === "string" || old instanceof Uint8Array || old.type !== "file") {
      throw new Error(`the generator wrote no dump at ${name}`)
    }
    const dump = sqlDump(db, spec.dumpBytes, seedOf(1, `bench-dump:${db}`))
    rows[db] = dump.counts
    bytesDelta += spec.dumpBytes - (old.size ?? 0)
    tree.set(name, { type: "file", size: spec.dumpBytes, content: dump.content, mode: old.mode ?? 0o644 })
  }
  const home = `/home/${user}`
  const docrootFiles: Record<string, number> = {}
  for (const docroot of topDocroots(tree, top, home)) {
    const prefix = `${top}/homedir/${docroot}/`
    docrootFiles[docroot] = [...tree].filter(([path, node]) => path.startsWith(prefix) && isRegularFile(node)).length
  }
  const partial = `${path}.partial`
  await writeArchive(tree, partial, "tar.gz")
  await fs.rename(partial, path)
  const meta: Meta = {
    spec,
    user,
    files: expected.files,
    bytes: expected.bytes + bytesDelta,
    dumpBytes: spec.dumpBytes * expected.databases.length,
    rows,
    docrootFiles,
  }
  await fs.writeFile(metaPath, `${JSON.stringify(meta, null, 2)}\n`)
  return { ...meta, path, generatedSeconds: (performance.now() - started) / 1000 }
}

export const removeImportDataset = async (dataset: ImportDataset): Promise<void> => {
  await fs.rm(dataset.path, { force: true })
  await fs.rm(dataset.path.replace(/\.tar\.gz$/, ".meta.json"), { force: true })
}
