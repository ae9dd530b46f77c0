import { type ChildProcess, spawn } from "node:child_process"
import { once } from "node:events"
import * as fs from "node:fs/promises"
import * as nodePath from "node:path"
import type { JobRecord, NewJob } from "@ferry/core"
import { makeSqliteJournal, openInventory } from "@ferry/target-local"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  exitCodeFor,
  importExample,
  jobsCli,
  logOf,
  makeServer,
  openDb,
  parseJson,
  type Server,
  type ShowJson,
  showJob,
  sleep,
  stepStates,
} from "./support/Jobs.ts"
import { memo } from "./support/RunFerry.ts"

let server: Server
const children: Array<ChildProcess> = []

beforeAll(async () => {
  server = await makeServer("ferry-jobs-cli-")
})

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL")
  await fs.rm(server.dir, { recursive: true, force: true })
})

/** One finished import the read-only tests share. */
const imported = memo(async () => {
  const stateDir = server.stateDir("imported")
  const result = parseJson<ShowJson>(await importExample(await server.withRoot("imported"), stateDir, ["--yes", "--json"]))
  return { stateDir, id: result.job.id, result }
})

/** A process that stays alive until the test ends: a job "held" by it is running elsewhere. */
const liveProcess = async (): Promise<ChildProcess & { pid: number }> => {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" })
  children.push(child)
  await once(child, "spawn")
  return child as ChildProcess & { pid: number }
}

/** A queued job written straight into the journal (the state `ferry import` leaves before it runs). */
const queuedJob = async (stateDir: string, id: string): Promise<JobRecord> => {
  const job: NewJob = {
    id,
    backup: "/nonexistent/cpmove-bob.tar.gz",
    panel: "cpanel",
    options: { panel: "cpanel" },
    decisions: [],
    steps: [{ key: "account:bob", kind: "entity", tag: "Account", label: "bob", phase: "structure", bytesTotal: 0, status: "pending" }],
  }
  return Effect.runPromise(
    Effect.scoped(Effect.flatMap(openInventory(stateDir), (store) => makeSqliteJournal(store.connection).create(job))),
  )
}

describe("ferry jobs list / show / log", () => {
  it("list shows the jobs, newest first, as a table or JSON", async () => {
    const { stateDir, id } = await imported()
    const human = await jobsCli(stateDir, ["list"])
    expect(human.code).toBe(0)
    expect(human.stdout).toMatch(/^Jobs \(1\)\n {2}ID +STATUS +CREATED +STEPS +BYTES +BACKUP\n/)
    expect(human.stdout).toContain(id)
    expect(human.stdout).toContain("cpmove-example.tar.gz")
    const json = parseJson<ReadonlyArray<JobRecord>>(await jobsCli(stateDir, ["list", "--json"]))
    expect(json.map((j) => j.id)).toEqual([id])
    const empty = await jobsCli(server.stateDir("empty"), ["list"])
    expect(empty.stdout).toBe("Jobs\n  (none; start one with 'ferry import')\n")
  })

  it("show gives the job, its counts and failed steps; --steps every step", async () => {
    const { stateDir, id, result } = await imported()
    const human = await jobsCli(stateDir, ["show", id])
    expect(human.code).toBe(0)
    expect(human.stdout).toMatch(new RegExp(`^Job ${id} `))
    expect(human.stdout).toContain("examples/cpmove-example.tar.gz")
    if (result.counts.failed > 0) expect(human.stdout).toContain(`Failed (${result.counts.failed})`)
    const shown = await showJob(stateDir, id)
    expect(shown.counts).toEqual(result.counts)
    const all = await jobsCli(stateDir, ["show", id, "--steps"])
    expect(all.stdout).toContain(`Steps (${shown.steps?.length})`)
    for (const step of shown.steps ?? []) expect(all.stdout).toContain(step.phase)
    const unknown = await jobsCli(stateDir, ["show", "20200101-000000"])
    expect(unknown.code).toBe(13)
    expect(unknown.stderr).toBe("ferry: job 20200101-000000: no such job (see 'ferry jobs list')\n")
  })

  it("log prints the lines in order; --follow on a finished job prints them and returns", async () => {
    const { stateDir, id } = await imported()
    const lines = await logOf(stateDir, id)
    const human = await jobsCli(stateDir, ["log", id])
    expect(human.code).toBe(0)
    const printed = human.stdout.trimEnd().split("\n")
    expect(printed).toHaveLength(lines.length)
    expect(printed[0]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ {2}info {5}started by pid \d+$/)
    const followed = await jobsCli(stateDir, ["log", id, "--follow", "--json"])
    expect(followed.code).toBe(0)
    expect(
      followed.stdout
        .trimEnd()
        .split("\n")
        .map((line) => JSON.parse(line)),
    ).toEqual(lines)
  })
})

describe("ferry jobs cancel / delete / resume", () => {
  it("cancel stops a queued job at once; a finished job cannot be cancelled", async () => {
    const stateDir = server.stateDir("cancel-queued")
    await queuedJob(stateDir, "20260101-aaaaaa")
    const run = await jobsCli(stateDir, ["cancel", "20260101-aaaaaa"])
    expect(run.code).toBe(0)
    expect(run.stdout).toContain("Cancelled job 20260101-aaaaaa")
    expect((await showJob(stateDir, "20260101-aaaaaa")).job.status).toBe("cancelled")
    const again = await jobsCli(stateDir, ["cancel", "20260101-aaaaaa"])
    expect(again.code).toBe(13)
    expect(again.stderr).toBe("ferry: job 20260101-aaaaaa: the job is cancelled, not running\n")
  })

  it("cancel asks a running job's process to stop; delete refuses a running job until its process is gone", async () => {
    const stateDir = server.stateDir("cancel-running")
    await queuedJob(stateDir, "20260101-bbbbbb")
    const holder = await liveProcess()
    const db = openDb(stateDir)
    db.prepare("UPDATE jobs SET status = 'running', pid = ? WHERE id = ?").run(holder.pid, "20260101-bbbbbb")
    db.close()
    const run = await jobsCli(stateDir, ["cancel", "20260101-bbbbbb", "--json"])
    expect(run.code).toBe(0)
    expect(parseJson<JobRecord>(run).cancelRequested).toBe(true)
    const refused = await jobsCli(stateDir, ["delete", "20260101-bbbbbb"])
    expect(refused.code).toBe(13)
    expect(refused.stderr).toContain(`the job is running (pid ${holder.pid}); cancel it first`)
    holder.kill("SIGKILL")
    await once(holder, "exit")
    expect((await showJob(stateDir, "20260101-bbbbbb")).display).toBe("interrupted")
    const deleted = await jobsCli(stateDir, ["delete", "20260101-bbbbbb"])
    expect(deleted.code).toBe(0)
    expect(deleted.stdout).toBe("Deleted job 20260101-bbbbbb and its log\n")
    expect(JSON.parse((await jobsCli(stateDir, ["list", "--json"])).stdout)).toEqual([])
    expect((await jobsCli(stateDir, ["delete", "20260101-bbbbbb"])).code).toBe(13)
  })

  it("resume refuses an unknown id, a completed job, and a job another live process holds", async () => {
    const { stateDir, id } = await imported()
    const unknown = await jobsCli(stateDir, ["resume", "20200101-000000"])
    expect(unknown.code).toBe(13)
    expect(unknown.stderr).toBe("ferry: job 20200101-000000: no such job (see 'ferry jobs list')\n")
    // The example ends with errors here (no database server); a completed job has nothing left.
    const completed = openDb(stateDir)
    completed.prepare("UPDATE jobs SET status = 'completed' WHERE id = ?").run(id)
    completed.close()
    const finished = await jobsCli(stateDir, ["resume", id])
    expect(finished.code).toBe(13)
    expect(finished.stderr).toMatch(/nothing to resume/)

    const heldDir = server.stateDir("held")
    const heldServer = await server.withRoot("held")
    const held = parseJson<ShowJson>(await importExample(heldServer, heldDir, ["--yes", "--json"]))
    const holder = await liveProcess()
    const db = openDb(heldDir)
    db.prepare("UPDATE jobs SET status = 'running', pid = ?, finished_at = NULL WHERE id = ?").run(holder.pid, held.job.id)
    db.close()
    const refused = await jobsCli(heldDir, ["resume", held.job.id])
    expect(refused.code).toBe(13)
    expect(refused.stderr).toContain(`another process (pid ${holder.pid}) is running this job`)
    const otherRoot = await jobsCli(heldDir, ["resume", held.job.id, "--root", nodePath.join(server.dir, "elsewhere")])
    expect(otherRoot.code).toBe(13)
    expect(otherRoot.stderr).toContain(`the job imports into ${heldServer.root}`)
  })

  it("delete removes a finished job, its steps, its log and its detached output", async () => {
    const stateDir = server.stateDir("delete")
    const { job } = parseJson<ShowJson>(await importExample(await server.withRoot("delete"), stateDir, ["--yes", "--json"]))
    const out = nodePath.join(stateDir, "jobs", `${job.id}.out`)
    await fs.mkdir(nodePath.dirname(out), { recursive: true })
    await fs.writeFile(out, "output of a detached run\n")
    const run = await jobsCli(stateDir, ["delete", job.id, "--json"])
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout)).toEqual({ deleted: job.id })
    await expect(fs.access(out)).rejects.toThrow()
    const db = openDb(stateDir)
    const rows = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table} WHERE job = ?`).get(job.id) as { n: number }).n
    expect([rows("job_steps"), rows("job_log")]).toEqual([0, 0])
    db.close()
  })

  it("after kill -9 of the process running it, resume finishes the job as an uninterrupted run would", async () => {
    const reference = await imported()
    const expected = stepStates((await showJob(reference.stateDir, reference.id)).steps ?? [])
    let killed: { id: string; pid: number; stateDir: string } | undefined
    // The background process is stopped once it has finished a step, then killed; a job that was
    // already over by then (a fast machine, a tiny backup) is tried again.
    for (let attempt = 0; attempt < 5 && killed === undefined; attempt++) {
      // A new server each time: a second import into the same one would find the account there.
      const stateDir = server.stateDir(`killed-${attempt}`)
      const started = await importExample(await server.withRoot(`killed-${attempt}`), stateDir, ["--yes", "--detach"])
      const id = started.stdout.trim()
      const db = openDb(stateDir)
      const row = () =>
        db
          .prepare(
            "SELECT status, pid, (SELECT count(*) FROM job_steps WHERE job = id AND status IN ('done', 'failed')) AS finished FROM jobs WHERE id = ?",
          )
          .get(id) as { status: string; pid: number | null; finished: number }
      for (let i = 0; i < 6000 && (row().status === "queued" || row().finished === 0); i++) await sleep(2)
      const { status, pid } = row()
      if (status === "running" && pid !== null) {
        process.kill(pid, "SIGSTOP")
        if (row().status === "running") {
          process.kill(pid, "SIGKILL")
          killed = { id, pid, stateDir }
        } else process.kill(pid, "SIGCONT")
      }
      db.close()
    }
    expect(killed, "the background job was never caught running").toBeDefined()
    const { id, pid, stateDir } = killed as { id: string; pid: number; stateDir: string }
    for (let i = 0; i < 200; i++) {
      try {
        process.kill(pid, 0)
        await sleep(10)
      } catch {
        break
      }
    }
    const interrupted = await showJob(stateDir, id)
    expect(interrupted.job.status).toBe("running")
    expect(interrupted.display).toBe("interrupted")

    const resumed = await jobsCli(stateDir, ["resume", id, "--json"])
    const result = parseJson<ShowJson>(resumed)
    expect(resumed.code).toBe(exitCodeFor[result.job.status])
    const after = await showJob(stateDir, id)
    expect(stepStates(after.steps ?? [])).toEqual(expected)
    expect((after.steps ?? []).filter((s) => s.status === "done" && s.outcome === undefined)).toEqual([])
    expect(after.job.pid).toBeUndefined()
    // The killed process had started; the resume says it took over with another pid.
    const log = await logOf(stateDir, id)
    expect(log.some((l) => l.message === `started by pid ${pid}`)).toBe(true)
    expect(log.some((l) => /^resumed by pid \d+$/.test(l.message) && l.message !== `resumed by pid ${pid}`)).toBe(true)
  }, 300_000)
})
