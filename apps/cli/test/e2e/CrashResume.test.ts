import { type ChildProcess, spawn } from "node:child_process"
import { createHash } from "node:crypto"
import * as fs from "node:fs/promises"
import * as nodePath from "node:path"
import { DatabaseSync } from "node:sqlite"
import type { Snapshot } from "@ferry/core"
import { inventoryRows, treeEntries } from "@ferry/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { jobsCli, parseJson, type ShowJson, showJob } from "../support/Jobs.ts"
import { repoRoot, runFerry } from "../support/RunFerry.ts"
import {
  contentLines,
  dropImported,
  type E2eServer,
  entities,
  filesMatching,
  inspectBackup,
  leftovers,
  makeE2eServer,
  mysqlChecksums,
} from "./E2eSupport.ts"
import { type SyntheticBackup, writeSyntheticBackup } from "./SyntheticBackup.ts"

/*
 * Crash safety of `ferry import` (checklist item 49): an import killed with SIGKILL at ten random
 * points, each time resumed by `ferry jobs resume` (itself killed at the next point), ends in
 * exactly the state an uninterrupted import leaves: same files (relative to the root), same
 * inventory rows, same table checksums, no staging database or shadow account, no duplicate line
 * in the files Ferry renders. The delays come from a seeded generator: the seed is printed, and
 * FERRY_E2E_SEED=<seed> replays a failing run.
 */

const seed = Number(process.env.FERRY_E2E_SEED ?? Math.floor(Math.random() * 2 ** 31))
const kills = 10

/** How far the job in `stateDir` is, 0–1: the mean of its step and byte fractions (journal). */
const workDone = (stateDir: string): number => {
  try {
    const db = new DatabaseSync(nodePath.join(stateDir, "ferry.db"), { readOnly: true, timeout: 1000 })
    try {
      const row = db.prepare("SELECT steps_done, steps_total, bytes_done, bytes_total FROM jobs ORDER BY created_at DESC LIMIT 1").get() as
        | { steps_done: number; steps_total: number; bytes_done: number; bytes_total: number }
        | undefined
      if (row === undefined) return 0
      return (row.steps_done / Math.max(1, row.steps_total) + row.bytes_done / Math.max(1, row.bytes_total)) / 2
    } finally {
      db.close()
    }
  } catch {
    return 0
  }
}

const mulberry32 = (start: number) => {
  let a = start >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const node = nodePath.join(repoRoot, "node_modules/.bin/node")
const main = nodePath.join(repoRoot, "apps/cli/src/main.ts")

/** A ferry process in its own process group, so a kill takes its database clients with it (as a crash would). */
const startFerry = (args: ReadonlyArray<string>): { child: ChildProcess; done: Promise<number | null> } => {
  const { FERRY_STATE_DIR: _stateDir, ...env } = process.env
  const child = spawn(node, [main, ...args], { cwd: repoRoot, env, detached: true, stdio: "ignore" })
  const done = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  return { child, done }
}

const killGroup = (child: ChildProcess) => {
  if (child.pid === undefined || child.exitCode !== null) return
  try {
    process.kill(-child.pid, "SIGKILL")
  } catch {
    // Already gone: it finished before the kill.
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/* Fingerprints ------------------------------------------------------------------------------ */

/**
 * What of a root differs between two runs for reasons other than what was imported: the scratch
 * nginx that `nginx -t` runs against (rewritten by every Site step, with its own paths).
 */
const volatile = (rel: string): boolean => rel === "var/lib/ferry/staging/nginx-test"

/** Temp files of SafeFs's atomic writes: a resumed write removes what a kill left. */
const atomicTemp = /(^|\/)\.[^/]*\.ferry(-[0-9a-f]{12})?\.tmp$/

const atomicTempLeftovers = async (root: string): Promise<Array<string>> => filesMatching(root, atomicTemp)

/** A fingerprint without the database records' `job` and `replaced` fields. */
const withoutLoadBookkeeping = (print: Fingerprint): Fingerprint => ({
  ...print,
  inventory: Object.fromEntries(
    Object.entries(print.inventory).map(([table, rows]) => [
      table,
      rows.map((row) => {
        if (table !== "records" || row.kind !== "database" || typeof row.data !== "string") return row
        const { job: _job, replaced: _replaced, ...data } = JSON.parse(row.data) as Record<string, unknown>
        return { ...row, data: JSON.stringify(data) }
      }),
    ]),
  ),
})

interface Fingerprint {
  readonly tree: Record<string, string>
  readonly inventory: ReturnType<typeof inventoryRows>
  readonly checksums: Record<string, Record<string, string>>
}

/**
 * Every entry of the root with type, mode and content hash; config files name absolute paths
 * (nginx roots, PHP-FPM pools, FTP homes), so the root's own path is replaced by `<ROOT>` before
 * hashing, and the inventory rows likewise (and the job id): two roots compare by what is inside them.
 */
const fingerprint = async (root: string, stateDir: string, snapshot: Snapshot, job: string): Promise<Fingerprint> => {
  const tree: Record<string, string> = {}
  for (const [rel, e] of await treeEntries(root, volatile)) {
    let digest = e.digest
    if (e.type === "file") {
      const text = (await fs.readFile(nodePath.join(root, rel))).toString("latin1").replaceAll(root, "<ROOT>")
      digest = createHash("sha256").update(text, "latin1").digest("hex")
    }
    tree[rel] = `${e.type} ${e.mode.toString(8)} ${digest}`
  }
  const checksums: Record<string, Record<string, string>> = {}
  for (const db of entities(snapshot, "Database").filter((d) => d.engine === "mysql")) checksums[db.name] = mysqlChecksums(db.name)
  // Rows name the job that wrote them (database records): the job id, like the root, is the run's own.
  const rows = JSON.stringify(inventoryRows(stateDir))
    .replaceAll(root, "<ROOT>")
    .replaceAll(job, "<JOB>")
    .replace(/"job":"\d{8}-[0-9a-f]{6}"/g, '"job":"<JOB>"')
  const inventory = JSON.parse(rows) as ReturnType<typeof inventoryRows>
  return { tree, inventory, checksums }
}

/** Files Ferry renders from many objects: a resumed step must not have appended to them twice. */
const expectNoDuplicateLines = async (root: string) => {
  const files = await filesMatching(root, /(^etc\/dovecot\/passwd\.d\/|passwd$|^var\/spool\/cron\/crontabs\/|aliases$)/)
  expect(files.length).toBeGreaterThan(0)
  for (const file of files) {
    const lines = await contentLines(nodePath.join(root, file))
    expect(
      lines.filter((l, i) => lines.indexOf(l) !== i),
      file,
    ).toEqual([])
  }
}

/* The test ---------------------------------------------------------------------------------- */

let server: E2eServer
let backup: SyntheticBackup
let snapshot: Snapshot

beforeAll(async () => {
  server = await makeE2eServer("ferry-e2e-crash-")
  // Big enough that an import takes several seconds: thousands of messages, hundreds of web files, 3 dumps.
  backup = await writeSyntheticBackup(
    {
      user: "e2ecrash",
      domains: 3,
      subdomainsPerDomain: 1,
      parkedDomains: 1,
      mailboxesPerDomain: 3,
      messagesPerMailbox: 300,
      messageBytes: 2000,
      databases: 3,
      dumpBytes: 1024,
      webFiles: 150,
      webFileBytes: 3000,
      seed: 49,
    },
    nodePath.join(server.dir, "cpmove-e2ecrash.tar.gz"),
    { rows: 30_000 },
  )
  snapshot = (await inspectBackup(backup.path)).snapshot
  dropImported(snapshot)
}, 300_000)

afterAll(() => {
  if (snapshot !== undefined) dropImported(snapshot)
})

const importArgs = (root: string, stateDir: string) => [
  "import",
  backup.path,
  "--yes",
  "--json",
  "--root",
  root,
  "--state-dir",
  stateDir,
  "--config",
  server.profile,
]

let finished:
  | { readonly root: string; readonly stateDir: string; readonly job: string; readonly expected: Fingerprint; readonly actual: Fingerprint }
  | undefined

describe("an import killed ten times and resumed", () => {
  it("ends as an uninterrupted import does", { timeout: 1_200_000 }, async () => {
    console.log(`CrashResume seed ${seed} (replay with FERRY_E2E_SEED=${seed})`)
    const random = mulberry32(seed)

    // The reference: one uninterrupted import into root A.
    const rootA = await server.newRoot("a")
    const stateA = server.stateDir("a")
    const started = Date.now()
    const reference = await runFerry(importArgs(rootA, stateA))
    const duration = Date.now() - started
    const referenceJson = parseJson<ShowJson>(reference)
    expect(referenceJson.failed).toEqual([])
    expect(referenceJson.job.status).toBe("completed")
    const expected = await fingerprint(rootA, stateA, snapshot, referenceJson.job.id)
    console.log(`reference import: ${duration} ms, ${referenceJson.job.totals.steps} steps`)
    dropImported(snapshot)

    // The crash run into root B: ten kills at random points of the work, each followed by a resume.
    const rootB = await server.newRoot("b")
    const stateB = server.stateDir("b")
    let jobId: string | undefined
    const landed: Array<string> = []
    let completedEarly = false
    // Kill points are fractions of the work (steps and bytes the journal reports), not times: a
    // loaded machine then moves them, not whether they land inside the import.
    const points = Array.from({ length: kills }, () => 0.05 + random() * 0.9).sort((a, b) => a - b)
    for (let k = 0; k < kills && !completedEarly; k++) {
      const target = points[k] as number
      const delay = Math.round(random() * 150)
      const { child, done } = startFerry(jobId === undefined ? importArgs(rootB, stateB) : ["jobs", "resume", jobId, "--state-dir", stateB])
      let exited = false
      void done.then(() => {
        exited = true
      })
      while (!exited && workDone(stateB) < target) await sleep(20)
      if (!exited) await sleep(delay)
      const finishedBeforeKill = exited
      killGroup(child)
      await done
      if (jobId === undefined) {
        const list = await jobsCli(stateB, ["list", "--json"])
        const jobs = list.code === 0 ? parseJson<ReadonlyArray<{ readonly id: string }>>(list) : []
        jobId = jobs[0]?.id
      }
      if (jobId === undefined) {
        landed.push(`kill ${k + 1} at ${Math.round(target * 100)}%: before the job was created`)
        continue
      }
      const show = await showJob(stateB, jobId)
      completedEarly = show.job.status === "completed"
      const running = show.steps?.filter((s) => s.status === "running").map((s) => s.key) ?? []
      landed.push(
        `kill ${k + 1} at ${Math.round(target * 100)}% + ${delay} ms${finishedBeforeKill ? " (had already finished)" : ""}: ${show.job.status}, ` +
          `${show.job.progress.steps}/${show.job.totals.steps} steps, running: ${running.join(", ") || "-"}`,
      )
    }
    console.log(landed.join("\n"))
    // The kills must hit the import while it works, not only before it starts or after it ends.
    const midWork = landed.filter((l) => /: running, /.test(l) && !l.includes("had already finished")).length
    expect(midWork, `kills that interrupted the job:\n${landed.join("\n")}`).toBeGreaterThanOrEqual(5)
    if (jobId === undefined) throw new Error("no job was ever created")

    if (!completedEarly) {
      const final = await runFerry(["jobs", "resume", jobId, "--state-dir", stateB])
      expect(final.code, `${final.stdout}\n${final.stderr}`).toBe(0)
    }
    const after = await showJob(stateB, jobId)
    expect(after.job.status).toBe("completed")
    expect(after.failed).toEqual([])
    const notDone = (after.steps ?? []).filter((s) => s.status !== "done")
    expect(notDone.map((s) => `${s.key}: ${s.status}`)).toEqual([])
    expect(leftovers()).toEqual([])

    // No temp file of an interrupted write survives the resume; no directory stays half made.
    expect(await atomicTempLeftovers(rootB)).toEqual([])
    const actual = await fingerprint(rootB, stateB, snapshot, jobId)
    expect(Object.keys(actual.tree).length).toBeGreaterThan(1000)
    expect(actual.tree).toEqual(expected.tree)
    expect(actual.inventory).toEqual(expected.inventory)
    expect(actual.checksums).toEqual(expected.checksums)
    await expectNoDuplicateLines(rootB)

    finished = { root: rootB, stateDir: stateB, job: jobId, expected, actual }
  })

  it("changes nothing when the same import runs again over the finished root", { timeout: 600_000 }, async () => {
    if (finished === undefined) throw new Error("the crash run did not finish")
    const { root, stateDir, job, actual } = finished
    // With --existing replace every entity is imported again (checklist item 49): same state.
    const replace = await runFerry([...importArgs(root, stateDir), "--existing", "replace"])
    // Files, inventory and table contents are unchanged; only the database records say which job
    // loaded them last and that it replaced them.
    expect(withoutLoadBookkeeping(await fingerprint(root, stateDir, snapshot, job))).toEqual(withoutLoadBookkeeping(actual))
    await expectNoDuplicateLines(root)
    expect(leftovers()).toEqual([])
    const replaced = parseJson<ShowJson>(replace)
    expect(replaced.failed.map((f) => `${f.key}: ${f.reason}`)).toEqual([])
    expect(replace.code).toBe(0)
    // With the default (skip) the check plan skips what exists: exit 0, or 6 when it skips everything.
    const skip = await runFerry(importArgs(root, stateDir))
    expect([0, 6], `${skip.stdout}\n${skip.stderr}`).toContain(skip.code)
    expect(withoutLoadBookkeeping(await fingerprint(root, stateDir, snapshot, job))).toEqual(withoutLoadBookkeeping(actual))
    await expectNoDuplicateLines(root)
  })
})
