/**
 * `node bench/inspect/panels.ts [--keep]`
 *
 * The large synthetic Plesk repository and ispmanager 6 backup of `@ferry/testing`, inspected
 * with `bin/ferry inspect --json`, against GNU tar listing the same bytes in the same run:
 * - Plesk: the repository packed as one tar.gz; baseline `tar -tzf` on that file.
 * - ispmanager 6: the per-user .tgz split into 100 MB volumes; Ferry reads the volumes as one
 *   stream, the baseline is `cat part1 … partN | tar -tzf -` (the joined archive, never on disk).
 * Targets as for cPanel: ratio ≤ 1.0, peak RSS ≤ 200 MB (best of two runs each).
 */
import { spawn } from "node:child_process"
import { createReadStream, createWriteStream, existsSync } from "node:fs"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as nodePath from "node:path"
import { pipeline } from "node:stream/promises"
import { parseArgs } from "node:util"
import * as zlib from "node:zlib"
import { formatBytes } from "@ferry/core"
import { largePleskSpec, writeLargeIspmanager6Backup, writePleskBackup } from "@ferry/testing"
import { bestOf, prepareFerry, repoRoot, timeFerry, timeTarList } from "../Measure.ts"

const targets = { ratio: 1.0, rssBytes: 200 * 1024 * 1024 }
const { values } = parseArgs({ options: { keep: { type: "boolean", default: false } } })
const dataDir = nodePath.join(repoRoot, "bench/.data")
const scratch = await fs.mkdtemp(nodePath.join(os.tmpdir(), "ferry-bench-panels-"))
const log = (message: string) => process.stderr.write(`${message}\n`)

/** `cat parts… | tar -tzf -`: GNU tar on the joined volumes, without joining them on disk. */
const timeTarListJoined = (parts: ReadonlyArray<string>): Promise<number> =>
  new Promise((resolve, reject) => {
    const started = performance.now()
    const cat = spawn("cat", ["--", ...parts], { stdio: ["ignore", "pipe", "inherit"] })
    const tar = spawn("tar", ["-tzf", "-"], { stdio: [cat.stdout, "ignore", "inherit"] })
    tar.on("error", reject)
    tar.on("close", (code) => (code === 0 ? resolve((performance.now() - started) / 1000) : reject(new Error(`tar exited ${code}`))))
  })

interface Row {
  readonly label: string
  readonly bytes: number
  readonly entries: number
  readonly tarSeconds: number
  readonly ferrySeconds: number
  readonly peakRssBytes: number
}

const measure = async (label: string, open: string, baseline: () => Promise<number>): Promise<Row> => {
  log(`[${label}] tar, 2 runs …`)
  const tar = await bestOf(2, async () => ({ seconds: await baseline() }))
  log(`[${label}] ferry inspect --json, 2 runs …`)
  const ferry = await bestOf(2, () => timeFerry(["inspect", open, "--json"], scratch))
  const report = JSON.parse(ferry.best.stdout) as { archive: { bytes: number; entries: number; contentBytes: number } }
  return {
    label,
    bytes: report.archive.contentBytes,
    entries: report.archive.entries,
    tarSeconds: tar.best.seconds,
    ferrySeconds: ferry.best.seconds,
    peakRssBytes: Math.max(...ferry.all.map((r) => r.peakRssBytes)),
  }
}

const pleskDataset = async (): Promise<string> => {
  const gz = nodePath.join(dataDir, "plesk-large.tar.gz")
  if (existsSync(gz)) return gz
  const tar = nodePath.join(dataDir, "plesk-large.tar")
  log("[plesk] generating the large repository (200 domains, 2,000 mail users, ≥ 1 GB) …")
  const spec = largePleskSpec({
    clients: 20,
    domains: 200,
    usersPerDomain: 10,
    webBytesPerDomain: 2_700_000,
    mailBytesPerUser: 220_000,
    dumpBytesPerDomain: 1_200_000,
  })
  await writePleskBackup(spec, tar, "repository-tar", { content: "tar" })
  await pipeline(createReadStream(tar), zlib.createGzip({ level: 6 }), createWriteStream(gz))
  await fs.rm(tar)
  return gz
}

const ispmanagerDataset = async (): Promise<{ open: string; parts: ReadonlyArray<string> }> => {
  const dir = nodePath.join(dataDir, "ispmanager6-large")
  if (!existsSync(dir)) {
    log("[ispmanager] generating the large ispmanager 6 backup (1,000 mailboxes, ≥ 1 GB, 100 MB volumes) …")
    await writeLargeIspmanager6Backup(dir)
  }
  const parts = (await fs.readdir(dir))
    .filter((name) => /\.part\d+$/.test(name))
    .sort((a, b) => Number(/(\d+)$/.exec(a)?.[1]) - Number(/(\d+)$/.exec(b)?.[1]))
    .map((name) => nodePath.join(dir, name))
  const first = parts[0]
  if (first === undefined) throw new Error(`no .partN volumes in ${dir}`)
  return { open: first, parts }
}

const rows: Array<Row> = []
try {
  await prepareFerry()
  const plesk = await pleskDataset()
  rows.push(await measure("plesk repository", plesk, () => timeTarList(plesk)))
  const isp = await ispmanagerDataset()
  rows.push(await measure(`ispmanager 6 (${isp.parts.length} volumes)`, isp.open, () => timeTarListJoined(isp.parts)))
} finally {
  await fs.rm(scratch, { recursive: true, force: true })
  if (!values.keep) {
    await fs.rm(nodePath.join(dataDir, "plesk-large.tar.gz"), { force: true })
    await fs.rm(nodePath.join(dataDir, "ispmanager6-large"), { recursive: true, force: true })
  }
}

let failed = false
process.stdout.write("\nbackup                      content   entries  tar s  ferry s  ratio  peak RSS MB  result\n")
for (const r of rows) {
  const ratio = r.ferrySeconds / r.tarSeconds
  const rss = r.peakRssBytes / 1024 / 1024
  const problems = [...(ratio > targets.ratio ? ["ratio"] : []), ...(r.peakRssBytes > targets.rssBytes ? ["RSS"] : [])]
  failed ||= problems.length > 0
  process.stdout.write(
    `${r.label.padEnd(26)}  ${formatBytes(r.bytes).padStart(8)}  ${String(r.entries).padStart(7)}  ${r.tarSeconds.toFixed(2).padStart(5)}  ${r.ferrySeconds.toFixed(2).padStart(7)}  ${ratio.toFixed(2).padStart(5)}  ${rss.toFixed(0).padStart(11)}  ${problems.length === 0 ? "PASS" : `FAIL (${problems.join(", ")})`}\n`,
  )
}
process.stdout.write(`targets: ferry ÷ tar ≤ ${targets.ratio.toFixed(1)}, peak RSS ≤ 200 MB (best of 2 runs each)\n`)
process.exitCode = failed ? 1 : 0
