import { execFileSync } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as nodePath from "node:path"
import type { JobLogLine, StepRecord } from "@ferry/core"
import { cpanelAccountTree, smallCpanelSpec, type TreeNode, writeArchive } from "@ferry/testing"
import { parseJson, type ShowJson } from "../../support/Jobs.ts"
import { profileYamlText } from "../../support/Profiles.ts"
import { type Run, runFerry } from "../../support/RunFerry.ts"

/*
 * Hostile cPanel backups for the end-to-end security tests (security.md §3.3–3.5): the small
 * generated account with some files replaced, imported by the real `ferry import` into a temp
 * root, with the test MariaDB (scripts/services.sh) as the database server.
 */

/*
 * The test database servers of scripts/services.sh (the same env file as
 * packages/targets/local/test/support/Services.ts, read here: tests of another project cannot be
 * imported). A missing file fails the test, never a skip.
 */
const servicesEnv = (() => {
  let vars: Record<string, string> | undefined
  return (): Record<string, string> => {
    if (vars !== undefined) return vars
    const file = nodePath.join(process.env.FERRY_SERVICES_DIR ?? "/tmp/ferry-services", "env")
    if (!existsSync(file)) throw new Error(`${file} is missing: start the test database servers with \`bash scripts/services.sh start\``)
    vars = {}
    for (const line of readFileSync(file, "utf8").split("\n")) {
      const match = /^([A-Z0-9_]+)=(.*)$/.exec(line)
      if (match !== null) vars[match[1] as string] = match[2] as string
    }
    return vars
  }
})()

const need = (name: string): string => {
  const value = servicesEnv()[name]
  if (value === undefined || value === "") throw new Error(`the services env file has no ${name}: run \`bash scripts/services.sh start\``)
  return value
}

const client = (program: string, args: ReadonlyArray<string>, env: Record<string, string>, input?: string): string =>
  execFileSync(program, args, {
    ...(input === undefined ? {} : { input }),
    env: { PATH: "/usr/bin:/bin", LANG: "C.UTF-8", ...env },
    encoding: "utf8",
    stdio: ["pipe", "pipe", "pipe"],
    maxBuffer: 64 * 1024 * 1024,
  })

const rows = (out: string, separator: string): Array<Array<string>> =>
  out
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => l.split(separator))

/** SQL as the test MariaDB's administrator; rows of fields. */
export const mysql = (sql: string): Array<Array<string>> =>
  rows(
    client(
      "mariadb",
      [
        "--no-defaults",
        "--protocol=tcp",
        `--host=${need("FERRY_TEST_MARIADB_HOST")}`,
        `--port=${need("FERRY_TEST_MARIADB_PORT")}`,
        `--user=${need("FERRY_TEST_MARIADB_USER")}`,
        "--batch",
        "--skip-column-names",
      ],
      { MYSQL_PWD: need("FERRY_TEST_MARIADB_PASSWORD") },
      sql,
    ),
    "\t",
  )

const pgArgs = () => [
  `--host=${need("FERRY_TEST_POSTGRES_HOST")}`,
  `--port=${need("FERRY_TEST_POSTGRES_PORT")}`,
  `--username=${need("FERRY_TEST_POSTGRES_USER")}`,
]
const pgEnv = () => ({ PGPASSWORD: need("FERRY_TEST_POSTGRES_PASSWORD") })

/** SQL as the test PostgreSQL's administrator in `database`; rows of fields. */
export const psql = (sql: string, database = "postgres"): Array<Array<string>> =>
  rows(client("psql", ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", ...pgArgs(), `--dbname=${database}`], pgEnv(), sql), "|")

/** `pg_dump --format=t` of `database`, as bytes. */
export const pgTarDump = (database: string): Uint8Array =>
  new Uint8Array(
    execFileSync("pg_dump", ["--format=t", ...pgArgs(), `--dbname=${database}`], {
      env: { PATH: "/usr/bin:/bin", ...pgEnv() },
      maxBuffer: 256 * 1024 * 1024,
    }),
  )

/** Changes to a generated backup, by path below `cpmove-<user>/`; `null` removes the entry. */
export type Edits = Readonly<Record<string, TreeNode | null>>

/** A cPanel login no earlier run used (database names are global on the shared test server). */
export const uniqueUser = (prefix: string): string => `${prefix}${Math.random().toString(36).slice(2, 8)}`

/** The generated backup of `user` with `edits` applied (`edit` may also rewrite the tree). */
export const hostileTree = (user: string, edits: Edits): Map<string, TreeNode> => {
  const { tree } = cpanelAccountTree({ ...smallCpanelSpec, user })
  const top = `cpmove-${user}`
  for (const [rel, node] of Object.entries(edits)) {
    const path = `${top}/${rel}`
    if (node === null) {
      for (const key of [...tree.keys()]) if (key === path || key.startsWith(`${path}/`)) tree.delete(key)
      continue
    }
    const parts = path.split("/")
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join("/")
      if (!tree.has(dir)) tree.set(dir, { type: "dir" })
    }
    tree.set(path, node)
  }
  return tree
}

/** A mysqldump the importer accepts as complete: `body` between the usual head and trailer. */
export const mysqlDump = (db: string, body: string): string =>
  [
    "-- MySQL dump 10.19  Distrib 10.6.16-MariaDB, for Linux (x86_64)",
    "--",
    `-- Host: localhost    Database: ${db}`,
    "-- ------------------------------------------------------",
    "-- Server version\t10.6.16-MariaDB",
    "",
    "/*!40101 SET NAMES utf8mb4 */;",
    "",
    body,
    "",
    "-- Dump completed on 2024-01-15 10:00:00",
    "",
  ].join("\n")

/** Directory listings (names, recursively to `depth`) of places an escape would land in. */
export const snapshot = async (paths: ReadonlyArray<string>, depth = 2): Promise<Record<string, Array<string>>> => {
  const out: Record<string, Array<string>> = {}
  const walk = async (dir: string, left: number, acc: Array<string>) => {
    let entries: Array<import("node:fs").Dirent>
    try {
      entries = await fs.readdir(dir, { withFileTypes: true })
    } catch {
      return
    }
    for (const e of entries) {
      const full = nodePath.join(dir, e.name)
      acc.push(full)
      if (e.isDirectory() && left > 1) await walk(full, left - 1, acc)
    }
  }
  for (const p of paths) {
    const acc: Array<string> = []
    await walk(p, depth, acc)
    out[p] = acc.sort()
  }
  return out
}

export const outsidePlaces = ["/etc", "/home", "/var/spool/cron", "/var/mail", "/root"] as const

export interface InspectNote {
  readonly severity: string
  readonly code: string
  readonly subject: string
  readonly path: string
  readonly message: string
}

/** Notes whose text (code, subject, path, message) matches. */
export const notesMatching = (r: HostileRun, pattern: RegExp): Array<InspectNote> =>
  r.notes.filter((n) => pattern.test(`${n.code} ${n.subject} ${n.path} ${n.message}`))

export interface CheckIssue {
  readonly code: string
  readonly message: string
  readonly blocking: boolean
  readonly entities: ReadonlyArray<{ readonly id: string; readonly label: string; readonly kind: string }>
}

export interface CheckReport {
  readonly blocked: boolean
  readonly critical: ReadonlyArray<CheckIssue>
  readonly warning: ReadonlyArray<CheckIssue>
}

export interface HostileRun {
  readonly dir: string
  readonly root: string
  /** A file the hostile input aims at; it must never exist. */
  readonly canary: string
  readonly run: Run
  /** `ferry import --json`: the job summary, or the check report when the checks refused. */
  readonly result: unknown
  readonly steps: ReadonlyArray<StepRecord>
  readonly log: ReadonlyArray<JobLogLine>
  readonly jobId?: string
  /** The adapter's notes from `ferry inspect --json` (what it refused while reading the backup). */
  readonly notes: ReadonlyArray<InspectNote>
  /** `ferry check --json` of the same backup against the same server. */
  readonly report: CheckReport | undefined
  readonly before: Record<string, Array<string>>
  readonly after: Record<string, Array<string>>
}

/** The environment that hands the test MariaDB's and PostgreSQL's administrators to `ferry import`. */
export const mariadbEnv = (): Record<string, string> => {
  return {
    FERRY_MARIADB_URL: `mysql://${need("FERRY_TEST_MARIADB_USER")}@${need("FERRY_TEST_MARIADB_HOST")}:${need("FERRY_TEST_MARIADB_PORT")}`,
    FERRY_MARIADB_PASSWORD: need("FERRY_TEST_MARIADB_PASSWORD"),
    FERRY_MARIADB_SERVER: "mariadb-main",
    FERRY_POSTGRES_URL: `postgresql://${need("FERRY_TEST_POSTGRES_USER")}@${need("FERRY_TEST_POSTGRES_HOST")}:${need("FERRY_TEST_POSTGRES_PORT")}`,
    FERRY_POSTGRES_PASSWORD: need("FERRY_TEST_POSTGRES_PASSWORD"),
    FERRY_POSTGRES_SERVER: "pg15",
  }
}

/**
 * Writes the backup of `user` (`build` gets the temp dir and canary path, so hostile input can
 * point at them), imports it with `--yes --json` and reads the job back.
 */
export const importHostile = async (
  user: string,
  build: (canary: string, dir: string) => Edits,
  options: { readonly archiveName?: string; readonly tree?: (edits: Edits) => Map<string, TreeNode> } = {},
): Promise<HostileRun> => {
  const dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), "ferry-hostile-"))
  const root = nodePath.join(dir, "root")
  await fs.mkdir(root)
  const canary = nodePath.join(dir, "canary")
  const profile = nodePath.join(dir, "ferry.yaml")
  await fs.writeFile(profile, profileYamlText())
  const edits = build(canary, dir)
  const tree = options.tree?.(edits) ?? hostileTree(user, edits)
  const backup = await writeArchive(tree, nodePath.join(dir, options.archiveName ?? `cpmove-${user}.tar.gz`), "tar.gz")
  const inspected = await runFerry(["inspect", backup, "--json"])
  const checked = await runFerry([
    "check",
    backup,
    "--json",
    "--root",
    root,
    "--state-dir",
    nodePath.join(dir, "check-state"),
    "--config",
    profile,
  ])
  const report = checked.stdout.trim() === "" ? undefined : parseJson<CheckReport>(checked)
  const notes = inspected.code === 0 ? parseJson<{ notes: { items: ReadonlyArray<InspectNote> } }>(inspected).notes.items : []
  const stateDir = nodePath.join(dir, "state")
  const watched = [...outsidePlaces, dir]
  const before = await snapshot(watched)
  const run = await runFerry(["import", backup, "--yes", "--json", "--root", root, "--state-dir", stateDir, "--config", profile], {
    env: mariadbEnv(),
  })
  const after = await snapshot(watched)
  // The checks may refuse before a job exists: then stdout is empty and stderr says why.
  const result = run.stdout.trim() === "" ? undefined : parseJson<unknown>(run)
  const jobId = (result as Partial<ShowJson> | undefined)?.job?.id
  let steps: ReadonlyArray<StepRecord> = []
  let log: ReadonlyArray<JobLogLine> = []
  if (jobId !== undefined) {
    steps = parseJson<ShowJson>(await runFerry(["jobs", "show", jobId, "--json", "--steps", "--state-dir", stateDir])).steps ?? []
    log = parseJson<ReadonlyArray<JobLogLine>>(await runFerry(["jobs", "log", jobId, "--json", "--state-dir", stateDir]))
  }
  return { dir, root, canary, run, result, steps, log, notes, report, before, after, ...(jobId === undefined ? {} : { jobId }) }
}

/** Entries that appeared outside the temp root between the two snapshots. */
export const newOutsideRoot = (r: HostileRun): Array<string> => {
  const added: Array<string> = []
  for (const [place, after] of Object.entries(r.after)) {
    const before = new Set(r.before[place] ?? [])
    for (const p of after)
      if (
        !before.has(p) &&
        !p.startsWith(`${r.root}/`) &&
        !p.startsWith(nodePath.join(r.dir, "state")) &&
        !p.startsWith(nodePath.join(r.dir, "check-state")) &&
        !p.endsWith(".tar.gz")
      )
        added.push(p)
  }
  return added
}

export const stepOf = (r: HostileRun, key: string): StepRecord | undefined => r.steps.find((s) => s.key === key)

/** Every step key with its status and reason, for failure messages. */
export const describeSteps = (r: HostileRun): string =>
  r.steps.map((s) => `${s.key} ${s.status}${s.reason === undefined ? "" : `: ${s.reason}`}`).join("\n")

/** The job log as text (messages of all levels). */
export const logText = (r: HostileRun): string => r.log.map((l) => JSON.stringify(l)).join("\n")
