import { createHash } from "node:crypto"
import * as fs from "node:fs/promises"
import * as nodePath from "node:path"
import { formatBytes } from "@ferry/core"
import { repoRoot, timeFerry } from "../Measure.ts"
import type { ImportDataset } from "./Dataset.ts"
import { directoryBytes, sampleDisk } from "./DiskSampler.ts"
import { databasesLike, dropAll, dropUsers, type MariaDbServer, rowCounts, serverVersion } from "./MariaDb.ts"
import { jobPhases, type Phases } from "./Phases.ts"

/*
 * One `ferry import` of a generated backup into a fresh root, state directory and the test
 * MariaDB, as a user runs it: timed with its peak RSS, the disk Ferry uses for itself sampled
 * while it runs, and the result checked cheaply (job status, files under the docroots, rows of
 * one database).
 */

export interface FerryImport {
  readonly seconds: number
  readonly peakRssBytes: number
  readonly code: number
  /** Peak of staging + state directory + TMPDIR while the import ran. */
  readonly extraDiskBytes: number
  /** Bytes under the root after the import, staging excluded. */
  readonly rootBytes: number
  /** Databases the import created. */
  readonly databases: ReadonlyArray<string>
  /** Wrong results; empty when the checks pass. */
  readonly problems: ReadonlyArray<string>
  /** Where the time went, from the job's journal. */
  readonly phases: Phases | undefined
  /** One line: job id and status, files and rows checked, disk samples. */
  readonly detail: string
  readonly cleanup: () => Promise<void>
}

/** The receiving server: everything the generated account uses, the test MariaDB as the only MySQL server. */
const profileYaml = (server: MariaDbServer, version: string, passwordFile: string): string =>
  [
    "format: 1",
    "webServer:",
    "  kind: nginx",
    "php:",
    '  versions: ["7.4", "8.1", "8.2"]',
    "  modes: [fpm]",
    '  default: "8.2"',
    "mysql:",
    `  - id: ${serverId}`,
    "    engine: mariadb",
    `    version: "${version}"`,
    `    host: ${server.host}`,
    `    port: ${server.port}`,
    "    admin:",
    `      user: ${server.user}`,
    `      passwordFile: ${passwordFile}`,
    "    default: true",
    "ftp:",
    "  kind: pure-ftpd",
    "dns:",
    "  kind: bind",
    "mail:",
    "  mta: postfix",
    "  imap: dovecot",
    "disk:",
    "  free: 1TiB",
    "ips: [192.0.2.10]",
    "",
  ].join("\n")

const serverId = "bench-mariadb"

/**
 * The account Ferry makes the owner (DEFINER) of a database's stored objects; named after the
 * server id and the database (packages/targets/local/src/import/MariaDb.ts), not the tenant.
 */
const ownerAccount = (database: string): string =>
  `ferry_owner_${createHash("sha256").update(`${serverId}/${database}`).digest("hex").slice(0, 8)}`

/** bin/ferry touches this file after each successful build of the workspace. */
const buildStamp = (): Promise<number | undefined> =>
  fs.stat(nodePath.join(repoRoot, "apps/cli/dist/.ferry-build-stamp")).then(
    (stat) => stat.mtimeMs,
    () => undefined,
  )

const allExitCodes = Array.from({ length: 256 }, (_, code) => code)

/** Regular files under `dir`, recursively, without following symbolic links (0 when missing). */
const countFiles = async (dir: string): Promise<number> => {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])
  return entries.filter((entry) => entry.isFile()).length
}

/** The job's id and status in `ferry import --json` output, wherever the report puts them. */
const jobOf = (stdout: string): { readonly id: string; readonly status: string } | undefined => {
  try {
    const report = JSON.parse(stdout) as Record<string, unknown>
    const job = (typeof report["job"] === "object" && report["job"] !== null ? report["job"] : report) as Record<string, unknown>
    const status = job["status"]
    return typeof status === "string" ? { id: String(job["id"] ?? report["jobId"] ?? "?"), status } : undefined
  } catch {
    return undefined
  }
}

export const importWithFerry = async (o: {
  readonly server: MariaDbServer
  readonly dataset: ImportDataset
  readonly label: string
  readonly scratchDir: string
  readonly log: (message: string) => void
}): Promise<FerryImport> => {
  const { server, dataset } = o
  const base = nodePath.join(o.scratchDir, `ferry-${o.label}`)
  const root = nodePath.join(base, "root")
  const stateDir = nodePath.join(base, "state")
  const tmpDir = nodePath.join(base, "tmp")
  const staging = nodePath.join(root, "var/lib/ferry/staging")
  const cleanup = async () => {
    await fs.rm(base, { recursive: true, force: true })
    await dropAll(server, dataset.user)
    await dropUsers(server, Object.keys(dataset.rows).map(ownerAccount))
  }
  // Leftovers of an interrupted run would turn "created" into "exists" decisions.
  await cleanup()
  for (const dir of [root, stateDir, tmpDir]) await fs.mkdir(dir, { recursive: true })
  const passwordFile = nodePath.join(base, "mariadb-admin.password")
  await fs.writeFile(passwordFile, server.password, { mode: 0o600 })
  const config = nodePath.join(base, "ferry.yaml")
  await fs.writeFile(config, profileYaml(server, await serverVersion(server), passwordFile))

  const stampBefore = await buildStamp()
  const sampler = sampleDisk([staging, stateDir, tmpDir])
  const args = ["import", dataset.path, "--root", root, "--state-dir", stateDir, "--config", config, "--yes", "--json"]
  // Every exit code is accepted here: a failed import is reported as a FAIL row, not a crash.
  const result = await timeFerry(args, base, allExitCodes, { TMPDIR: tmpDir }).finally(() => sampler.stop())
  const disk = await sampler.stop()

  const problems: Array<string> = []
  const job = jobOf(result.stdout)
  if (result.code !== 0) problems.push(`exit ${result.code}`)
  // bin/ferry compiles the workspace first when a source changed: tsc's time and memory would count.
  if ((await buildStamp()) !== stampBefore || result.stderr.includes("build failed"))
    problems.push("bin/ferry rebuilt the workspace during the measured run (sources changed): measure again on a quiet checkout")
  if (job === undefined) problems.push("no job status in the --json output")
  else if (job.status !== "completed") problems.push(`job ${job.status}`)

  const home = nodePath.join(root, "home", dataset.user)
  let filesChecked = 0
  for (const [docroot, expected] of Object.entries(dataset.docrootFiles)) {
    const got = await countFiles(nodePath.join(home, docroot))
    filesChecked += got
    if (got !== expected) problems.push(`${docroot}: ${got} files, the backup has ${expected}`)
  }
  const [firstDb, expectedRows] = Object.entries(dataset.rows)[0] ?? []
  if (firstDb !== undefined && expectedRows !== undefined) {
    const got = await rowCounts(server, firstDb, Object.keys(expectedRows)).catch(() => ({}))
    if (JSON.stringify(got) !== JSON.stringify(expectedRows))
      problems.push(`${firstDb}: rows ${JSON.stringify(got)}, the dump has ${JSON.stringify(expectedRows)}`)
  }
  if (problems.length > 0 && result.stderr.trim() !== "")
    o.log(`[${o.label}] ferry stderr (last lines):\n${result.stderr.trim().split("\n").slice(-20).join("\n")}`)
  if (problems.length > 0) o.log(`[${o.label}] ferry stdout (start):\n${result.stdout.slice(0, 4000)}`)

  const phases = job === undefined ? undefined : await jobPhases(job.id, stateDir, nodePath.join(base, "job.json"), result.seconds)
  const rootBytes = (await directoryBytes(root)) - (await directoryBytes(staging))
  const databases = await databasesLike(server, dataset.user)
  const rows = Object.values(expectedRows ?? {}).reduce((a, b) => a + b, 0)
  return {
    seconds: result.seconds,
    peakRssBytes: result.peakRssBytes,
    code: result.code,
    extraDiskBytes: disk.peakBytes,
    rootBytes,
    databases,
    problems,
    phases,
    detail: [
      `job ${job?.id ?? "?"} ${job?.status ?? "?"} (exit ${result.code})`,
      `${filesChecked.toLocaleString("en-US")} docroot files checked`,
      `${rows.toLocaleString("en-US")} rows of ${firstDb ?? "?"} checked`,
      `${databases.length} databases`,
      `extra disk peak ${formatBytes(disk.peakBytes)} (${[...disk.peakByDir].map(([dir, bytes]) => `${nodePath.relative(base, dir)} ${formatBytes(bytes)}`).join(", ")}) over ${disk.samples} samples, ${formatBytes(disk.finalBytes)} at the end`,
    ].join(", "),
    cleanup,
  }
}
