/**
 * `node bench/check/run.ts [--scale 1] [--runs 2] [--keep]`
 *
 * `ferry check --json` on a generated cPanel account with 500 domains, 5,000 mailboxes and 1,000
 * databases (times `--scale`), and on one a tenth of that size. The check must grow linearly: for
 * the 10× input, time full ÷ tenth ≤ 12 (10 for perfect linearity, 2 of slack for noise; a
 * quadratic step would give about 100). Peak RSS is reported, with its ratio, for reference.
 */
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as nodePath from "node:path"
import { parseArgs } from "node:util"
import type { CheckReport } from "@ferry/core"
import type { CpanelAccountSpec } from "@ferry/testing"
import { type Dataset, ensureGenerated, removeDataset } from "../Dataset.ts"
import { bestOf, ferryBin, prepareFerry, repoRoot, timeFerry } from "../Measure.ts"

/** Time full ÷ tenth for a 10× input. */
const maxTimeRatio = 12
/** Exit codes of a completed check: ok, critical issues, blocked. */
const checkExitCodes = [0, 6, 7]

const full = { domains: 500, mailboxes: 5000, databases: 1000 }

/**
 * Mail and web content stay small (a few messages of ~1 KB, two web files per site), so the
 * input grows in entities, not bytes: what the check pipeline works on.
 */
const specFor = (scale: number): CpanelAccountSpec => {
  const domains = Math.max(1, Math.round(full.domains * scale))
  return {
    user: "checkbench",
    domains,
    subdomainsPerDomain: 0,
    parkedDomains: 0,
    mailboxesPerDomain: full.mailboxes / full.domains,
    messagesPerMailbox: 2,
    messageBytes: 1024,
    databases: Math.max(1, Math.round(full.databases * scale)),
    dumpBytes: 512,
    webFiles: 2,
    webFileBytes: 256,
    seed: 1,
  }
}

/**
 * The receiving server: PHP 8.2/8.3 only (the generated sites use 7.4, 8.1 and 8.2, so many change),
 * no PostgreSQL, fixed disk and IPs so runs do not depend on the machine.
 */
const profile = [
  "format: 1",
  "webServer:",
  "  kind: nginx",
  "php:",
  '  versions: ["8.2", "8.3"]',
  "  modes: [fpm]",
  '  default: "8.3"',
  "mysql:",
  "  - id: mariadb-main",
  "    engine: mariadb",
  '    version: "10.11.6"',
  "ftp:",
  "  kind: pure-ftpd",
  "dns:",
  "  kind: bind",
  "mail:",
  "  mta: postfix",
  "  imap: dovecot",
  "disk:",
  "  free: 1TiB",
  "ips: [203.0.113.10]",
  "",
].join("\n")

interface Row {
  readonly label: string
  readonly dataset: Dataset
  readonly entities: number
  readonly critical: number
  readonly warnings: number
  readonly code: number
  readonly seconds: number
  readonly peakRssBytes: number
}

const { values } = parseArgs({
  options: {
    scale: { type: "string", default: "1" },
    runs: { type: "string", default: "2" },
    keep: { type: "boolean", default: false },
  },
})
const scale = Number(values.scale)
const runs = Number.parseInt(values.runs, 10)
if (!(scale > 0) || !(runs >= 1)) throw new Error("--scale must be a positive number and --runs a positive integer")

const dataDir = nodePath.join(repoRoot, "bench/.data")
const scratchDir = await fs.mkdtemp(nodePath.join(os.tmpdir(), "ferry-bench-check-"))
const profilePath = nodePath.join(scratchDir, "ferry.yaml")
await fs.writeFile(profilePath, profile)
const log = (message: string) => process.stderr.write(`${message}\n`)

const measure = async (label: string, spec: CpanelAccountSpec): Promise<Row> => {
  const mailboxes = spec.domains * spec.mailboxesPerDomain
  log(`[${label}] ${spec.domains} domains, ${mailboxes} mailboxes, ${spec.databases} databases: preparing in ${dataDir} …`)
  const dataset = await ensureGenerated(`check-${label}`, spec, dataDir)
  log(
    dataset.generatedSeconds === undefined
      ? `[${label}] reusing ${dataset.path}`
      : `[${label}] generated ${dataset.path} in ${dataset.generatedSeconds.toFixed(1)} s`,
  )
  try {
    log(`[${label}] ferry check --json, ${runs} run${runs === 1 ? "" : "s"} …`)
    // A fresh, empty state directory per run: the inventory is part of what is measured.
    let n = 0
    const ferry = await bestOf(runs, () =>
      timeFerry(
        ["check", dataset.path, "--json", "--config", profilePath, "--state-dir", nodePath.join(scratchDir, `state-${label}-${n++}`)],
        scratchDir,
        checkExitCodes,
      ),
    )
    const report = JSON.parse(ferry.best.stdout) as CheckReport
    return {
      label,
      dataset,
      entities: report.totals.entities,
      critical: report.critical.length,
      warnings: report.warning.length,
      code: ferry.best.code,
      seconds: ferry.best.seconds,
      peakRssBytes: Math.max(...ferry.all.map((r) => r.peakRssBytes)),
    }
  } finally {
    if (!values.keep) await removeDataset(dataset)
  }
}

const table = (rows: ReadonlyArray<Row>): string => {
  const header = ["input", "domains", "mailboxes", "databases", "entities", "issues", "exit", "ferry s", "peak RSS MB"]
  const lines = rows.map((row) => [
    row.label,
    row.dataset.spec.domains.toLocaleString("en-US"),
    (row.dataset.spec.domains * row.dataset.spec.mailboxesPerDomain).toLocaleString("en-US"),
    row.dataset.spec.databases.toLocaleString("en-US"),
    row.entities.toLocaleString("en-US"),
    `${row.critical} + ${row.warnings}`,
    String(row.code),
    row.seconds.toFixed(2),
    (row.peakRssBytes / 1024 / 1024).toFixed(0),
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? "").length)))
  const format = (cells: ReadonlyArray<string>) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join("  ")
      .trimEnd()
  return [format(header), format(widths.map((w) => "-".repeat(w))), ...lines.map(format)].join("\n")
}

const rows: Array<Row> = []
try {
  await prepareFerry()
  rows.push(await measure("tenth", specFor(scale / 10)))
  rows.push(await measure("full", specFor(scale)))
} finally {
  await fs.rm(scratchDir, { recursive: true, force: true })
}

const [tenth, whole] = rows
if (tenth === undefined || whole === undefined) throw new Error("both sizes must be measured")
const timeRatio = whole.seconds / tenth.seconds
const rssRatio = whole.peakRssBytes / tenth.peakRssBytes
const entityRatio = whole.entities / tenth.entities
const pass = timeRatio <= maxTimeRatio
process.stdout.write(`\n${table(rows)}\n\n`)
process.stdout.write(
  [
    `growth full ÷ tenth: entities ${entityRatio.toFixed(2)}×, time ${timeRatio.toFixed(2)}×, peak RSS ${rssRatio.toFixed(2)}×`,
    `linearity: ${pass ? "PASS" : "FAIL"} (time ratio ≤ ${maxTimeRatio} for a 10× input; best of ${runs} run${runs === 1 ? "" : "s"}, ${ferryBin} start-up included)`,
    "",
  ].join("\n"),
)
if (!pass) process.exitCode = 1
