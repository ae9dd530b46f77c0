/**
 * `node bench/inspect/run.ts [--size 1GB] [--size 4GB] [--keep]`
 *
 * For each size: a generated cPanel backup (tar.gz) is listed with GNU `tar -tzf` and inspected
 * with `ferry inspect --json`, best of two runs each, on the same file in the same run. Targets:
 * ferry takes no longer than tar (ratio ≤ 1.0) and stays under 200 MB of peak RSS.
 */
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as nodePath from "node:path"
import { parseArgs } from "node:util"
import { formatBytes } from "@ferry/core"
import { type Dataset, removeDataset } from "../Dataset.ts"
import { bestOf, type FerryRun, prepareFerry, repoRoot, timeFerry, timeTarList } from "../Measure.ts"
import { ensureDataset, parseSize } from "./Dataset.ts"

const targets = { ratio: 1.0, rssBytes: 200 * 1024 * 1024 }
const runs = 2

interface Row {
  readonly label: string
  readonly bytes: number
  readonly files: number
  readonly tarSeconds: number
  readonly ferrySeconds: number
  readonly peakRssBytes: number
}

const { values } = parseArgs({
  options: {
    size: { type: "string", multiple: true, default: ["1GB"] },
    keep: { type: "boolean", default: false },
  },
})

const dataDir = nodePath.join(repoRoot, "bench/.data")
/** Ferry's JSON output and RSS record, per run. */
const scratchDir = await fs.mkdtemp(nodePath.join(os.tmpdir(), "ferry-bench-"))
const log = (message: string) => process.stderr.write(`${message}\n`)

interface InspectRun extends FerryRun {
  /** The `--json` report ferry printed. */
  readonly report: {
    readonly archive: { readonly entries: number; readonly contentBytes: number }
    readonly counts: Record<string, number>
  }
}

/** `ferry inspect FILE --json`, timed, with its report. */
const timeFerryInspect = async (file: string): Promise<InspectRun> => {
  const result = await timeFerry(["inspect", file, "--json"], scratchDir)
  return { ...result, report: JSON.parse(result.stdout) as InspectRun["report"] }
}

const measure = async (label: string): Promise<Row> => {
  const requested = parseSize(label)
  log(`[${label}] preparing a cPanel backup of ≥ ${formatBytes(requested)} in ${dataDir} …`)
  const dataset: Dataset = await ensureDataset(label, requested, dataDir)
  try {
    const stat = await fs.stat(dataset.path)
    log(
      dataset.generatedSeconds === undefined
        ? `[${label}] reusing ${dataset.path} (${formatBytes(stat.size)})`
        : `[${label}] generated ${dataset.path} (${formatBytes(stat.size)}) in ${dataset.generatedSeconds.toFixed(1)} s`,
    )
    log(`[${label}] tar -tzf, ${runs} runs …`)
    const tar = await bestOf(runs, async () => ({ seconds: await timeTarList(dataset.path) }))
    log(`[${label}] ferry inspect --json, ${runs} runs …`)
    const ferry = await bestOf(runs, () => timeFerryInspect(dataset.path))
    const { contentBytes } = ferry.best.report.archive
    if (contentBytes !== dataset.bytes)
      log(`[${label}] WARNING: ferry saw ${contentBytes} bytes of files, the generator wrote ${dataset.bytes}`)
    if (dataset.bytes < requested) log(`[${label}] WARNING: only ${formatBytes(dataset.bytes)} of files, less than requested`)
    return {
      label,
      bytes: dataset.bytes,
      files: dataset.files,
      tarSeconds: tar.best.seconds,
      ferrySeconds: ferry.best.seconds,
      peakRssBytes: Math.max(...ferry.all.map((r) => r.peakRssBytes)),
    }
  } finally {
    if (!values.keep) await removeDataset(dataset)
  }
}

const table = (rows: ReadonlyArray<Row>): string => {
  const header = ["size", "content", "files", "tar -tzf s", "ferry s", "ratio", "peak RSS MB", "result"]
  const lines = rows.map((row) => {
    const ratio = row.ferrySeconds / row.tarSeconds
    const rssMb = row.peakRssBytes / 1024 / 1024
    const failures = [
      ...(ratio > targets.ratio ? [`ratio > ${targets.ratio.toFixed(1)}`] : []),
      ...(row.peakRssBytes > targets.rssBytes ? [`RSS > ${targets.rssBytes / 1024 / 1024} MB`] : []),
    ]
    return [
      row.label,
      formatBytes(row.bytes),
      row.files.toLocaleString("en-US"),
      row.tarSeconds.toFixed(2),
      row.ferrySeconds.toFixed(2),
      ratio.toFixed(2),
      rssMb.toFixed(0),
      failures.length === 0 ? "PASS" : `FAIL (${failures.join(", ")})`,
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

const rows: Array<Row> = []
try {
  await prepareFerry()
  for (const label of values.size) rows.push(await measure(label))
} finally {
  await fs.rm(scratchDir, { recursive: true, force: true })
}
process.stdout.write(`\n${table(rows)}\n`)
process.stdout.write(
  `targets: ferry ÷ tar ≤ ${targets.ratio.toFixed(1)}, peak RSS ≤ ${targets.rssBytes / 1024 / 1024} MB (best of ${runs} runs each)\n`,
)
if (rows.some((row) => row.ferrySeconds / row.tarSeconds > targets.ratio || row.peakRssBytes > targets.rssBytes)) process.exitCode = 1
