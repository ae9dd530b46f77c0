/**
 * `node bench/import/run.ts [--size 1GB] [--size 2GB] [--keep]`
 *
 * For each size: a generated cPanel backup (web files, mail, loadable MySQL dumps) is unpacked with
 * `tar -xzf` and its dumps loaded with the `mariadb` client into fresh databases (the baseline),
 * then imported end to end with `ferry import --yes --json` into a fresh root and the test MariaDB,
 * in the same run. Targets: ferry ÷ baseline ≤ 1.25, peak RSS ≤ 300 MB, Ferry's own disk use
 * (staging, state, temporary files) ≤ 10 % of the imported bytes, RSS flat across sizes.
 */
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as nodePath from "node:path"
import { parseArgs } from "node:util"
import { formatBytes } from "@ferry/core"
import { parseSize } from "../inspect/Dataset.ts"
import { prepareFerry, repoRoot, run } from "../Measure.ts"
import { ensureImportDataset, type ImportDataset, removeImportDataset } from "./Dataset.ts"
import { type FerryImport, importWithFerry } from "./Ferry.ts"
import { createDatabase, databaseBytes, dropAll, loadDump, type MariaDbServer, readServer, rowCounts } from "./MariaDb.ts"
import { phasesLine } from "./Phases.ts"

/**
 * `rssGrowth`: the peak comes in the first seconds (checks, first dump) and varies by ±8 % between
 * runs of one size (217–234 MB at 1 GB); a leak proportional to the input would double it.
 */
const targets = { ratio: 1.25, rssBytes: 300 * 1024 * 1024, diskShare: 0.1, rssGrowth: 1.2 }
/** Prefix of the baseline's databases; Ferry's carry the generated account's name. */
const baselinePrefix = "ferrybench_base_"

const { values } = parseArgs({
  options: {
    size: { type: "string", multiple: true, default: ["1GB"] },
    keep: { type: "boolean", default: false },
  },
})

const dataDir = nodePath.join(repoRoot, "bench/.data")
const scratchDir = await fs.mkdtemp(nodePath.join(os.tmpdir(), "ferry-bench-import-"))
const log = (message: string) => process.stderr.write(`${message}\n`)

interface Baseline {
  readonly tarSeconds: number
  readonly loadSeconds: number
}

interface Row {
  readonly label: string
  readonly dataset: ImportDataset
  readonly baseline: Baseline
  readonly ferry: FerryImport
  /** What the import wrote: files under the root (staging excluded) and the databases' data + indexes. */
  readonly importedBytes: number
  readonly problems: ReadonlyArray<string>
}

/** `tar -xzf` into a fresh directory, then each dump into a fresh database with `mariadb DB < dump`. */
const measureBaseline = async (server: MariaDbServer, dataset: ImportDataset, label: string): Promise<Baseline> => {
  const dir = nodePath.join(scratchDir, `baseline-${label}`)
  await fs.mkdir(dir)
  try {
    const tar = await run("tar", ["-xzf", dataset.path, "-C", dir])
    if (tar.code !== 0) throw new Error(`tar -xzf ${dataset.path} failed (${tar.code}): ${tar.stderr.trim()}`)
    let loadSeconds = 0
    const databases = Object.keys(dataset.rows)
    for (const [index, db] of databases.entries()) {
      const target = `${baselinePrefix}${index + 1}`
      const started = performance.now()
      await createDatabase(server, target)
      await loadDump(server, target, nodePath.join(dir, `cpmove-${dataset.user}`, "mysql", `${db}.sql`))
      loadSeconds += (performance.now() - started) / 1000
    }
    // The baseline must load everything too, or the comparison means nothing.
    const first = databases[0]
    if (first !== undefined) {
      const expected = dataset.rows[first] ?? {}
      const got = await rowCounts(server, `${baselinePrefix}1`, Object.keys(expected))
      if (JSON.stringify(got) !== JSON.stringify(expected))
        throw new Error(`baseline load of ${first}: rows ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`)
    }
    return { tarSeconds: tar.seconds, loadSeconds }
  } finally {
    await fs.rm(dir, { recursive: true, force: true })
    await dropAll(server, baselinePrefix)
  }
}

const measure = async (server: MariaDbServer, label: string): Promise<Row> => {
  const requested = parseSize(label)
  log(`[${label}] preparing a cPanel backup of ≥ ${formatBytes(requested)} in ${dataDir} …`)
  const dataset = await ensureImportDataset(label, requested, dataDir)
  try {
    const stat = await fs.stat(dataset.path)
    log(
      dataset.generatedSeconds === undefined
        ? `[${label}] reusing ${dataset.path} (${formatBytes(stat.size)})`
        : `[${label}] generated ${dataset.path} (${formatBytes(stat.size)}) in ${dataset.generatedSeconds.toFixed(1)} s`,
    )
    // Both sides read the archive from the page cache, whichever runs first.
    await run("cat", ["--", dataset.path])
    await dropAll(server, baselinePrefix)
    log(`[${label}] baseline: tar -xzf + mariadb < dump × ${Object.keys(dataset.rows).length} …`)
    const baseline = await measureBaseline(server, dataset, label)
    log(`[${label}] baseline ${(baseline.tarSeconds + baseline.loadSeconds).toFixed(1)} s; ferry import --yes --json …`)
    const ferry = await importWithFerry({ server, dataset, label, scratchDir, log })
    try {
      const dbBytes = (await Promise.all(ferry.databases.map((db) => databaseBytes(server, db)))).reduce((a, b) => a + b, 0)
      return {
        label,
        dataset,
        baseline,
        ferry,
        importedBytes: ferry.rootBytes + dbBytes,
        problems: ferry.problems,
      }
    } finally {
      await ferry.cleanup()
    }
  } finally {
    if (!values.keep) await removeImportDataset(dataset)
  }
}

const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(0)

const failuresOf = (row: Row): ReadonlyArray<string> => {
  const baseline = row.baseline.tarSeconds + row.baseline.loadSeconds
  return [
    ...(row.ferry.seconds / baseline > targets.ratio ? [`ratio > ${targets.ratio}`] : []),
    ...(row.ferry.peakRssBytes > targets.rssBytes ? [`RSS > ${mb(targets.rssBytes)} MB`] : []),
    ...(row.ferry.extraDiskBytes > targets.diskShare * row.dataset.bytes ? [`disk > ${targets.diskShare * 100} %`] : []),
    ...row.problems,
  ]
}

const table = (rows: ReadonlyArray<Row>): string => {
  const header = ["size", "content", "dumps", "tar s", "mariadb s", "baseline s", "ferry s", "ratio", "peak RSS MB", "extra disk", "result"]
  const lines = rows.map((row) => {
    const baseline = row.baseline.tarSeconds + row.baseline.loadSeconds
    const failures = failuresOf(row)
    return [
      row.label,
      formatBytes(row.dataset.bytes),
      formatBytes(row.dataset.dumpBytes),
      row.baseline.tarSeconds.toFixed(1),
      row.baseline.loadSeconds.toFixed(1),
      baseline.toFixed(1),
      row.ferry.seconds.toFixed(1),
      (row.ferry.seconds / baseline).toFixed(2),
      mb(row.ferry.peakRssBytes),
      `${formatBytes(row.ferry.extraDiskBytes)} (${((row.ferry.extraDiskBytes / row.dataset.bytes) * 100).toFixed(1)} %)`,
      failures.length === 0 ? "PASS" : `FAIL (${failures.join("; ")})`,
    ]
  })
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? "").length)))
  const format = (cells: ReadonlyArray<string>) =>
    cells
      .map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join("  ")
      .trimEnd()
  return [format(header), format(widths.map((w) => "-".repeat(w))), ...lines.map(format)].join("\n")
}

/** With two sizes or more: does peak RSS stay flat while the input grows? */
const flatness = (rows: ReadonlyArray<Row>): { readonly line: string; readonly ok: boolean } | undefined => {
  if (rows.length < 2) return undefined
  const sorted = [...rows].sort((a, b) => a.dataset.bytes - b.dataset.bytes)
  const small = sorted[0]
  const large = sorted[sorted.length - 1]
  if (small === undefined || large === undefined) return undefined
  const growth = large.ferry.peakRssBytes / small.ferry.peakRssBytes
  const ok = growth <= targets.rssGrowth
  return {
    line: `RSS ${small.label} → ${large.label} (input × ${(large.dataset.bytes / small.dataset.bytes).toFixed(1)}): ${mb(small.ferry.peakRssBytes)} → ${mb(large.ferry.peakRssBytes)} MB, × ${growth.toFixed(2)}: ${ok ? "PASS (flat)" : `FAIL (grows more than × ${targets.rssGrowth})`}`,
    ok,
  }
}

const rows: Array<Row> = []
try {
  await prepareFerry()
  const server = await readServer(1800, log)
  for (const label of values.size) rows.push(await measure(server, label))
} finally {
  await fs.rm(scratchDir, { recursive: true, force: true })
}
process.stdout.write(`\n${table(rows)}\n`)
for (const row of rows) {
  process.stdout.write(`${row.label}: ${row.ferry.detail}; imported ${formatBytes(row.importedBytes)}\n`)
  if (row.ferry.phases !== undefined) process.stdout.write(`${row.label}: ferry ${phasesLine(row.ferry.phases)}\n`)
}
const flat = flatness(rows)
if (flat !== undefined) process.stdout.write(`${flat.line}\n`)
process.stdout.write(
  `targets: ferry ÷ (tar -xzf + mariadb) ≤ ${targets.ratio}, peak RSS ≤ ${mb(targets.rssBytes)} MB, Ferry's staging + state + temporary files ≤ ${targets.diskShare * 100} % of the backup's content, RSS growth ≤ × ${targets.rssGrowth} across sizes\n`,
)
if (rows.some((row) => failuresOf(row).length > 0) || flat?.ok === false) process.exitCode = 1
