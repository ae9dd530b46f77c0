import { spawn, spawnSync } from "node:child_process"
import { once } from "node:events"
import { assert, describe, it } from "@effect/vitest"
import type { NewJob } from "@ferry/core"
import { Effect } from "effect"
import { openInventory } from "../src/index.ts"
import { makeSqliteJournal } from "../src/SqliteJournal.ts"
import { failure, tempDir } from "./Support.ts"

const newJob = (id: string): NewJob => ({
  id,
  backup: "/backups/cpmove-bob.tar.gz",
  panel: "cpanel",
  options: { panel: "cpanel", choices: { existing: "skip" } },
  decisions: [{ id: "account:bob", tag: "Account", label: "bob", action: "import", changes: [], findings: [], newPasswords: [] }],
  steps: [
    { key: "account:bob", kind: "entity", tag: "Account", label: "bob", phase: "structure", bytesTotal: 0, status: "pending" },
    {
      key: "content:home:bob",
      kind: "content",
      tag: "Content",
      label: "home of bob",
      phase: "content",
      entity: "account:bob",
      bytesTotal: 4096,
      status: "pending",
    },
    {
      key: "cron:bob:1",
      kind: "entity",
      tag: "CronJob",
      label: "cron 1",
      phase: "settings",
      bytesTotal: 0,
      status: "skipped",
      reason: "skipped by the plan (not selected)",
    },
  ],
})

/** A pid that belonged to a process and no longer does: a child that has exited. */
const deadPid = (): number => {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" })
  return Number(child.stdout)
}

/** The journal of a fresh inventory, for the length of the test's scope. */
const journalIn = (stateDir: string) =>
  Effect.map(openInventory(stateDir), (store) => ({ store, journal: makeSqliteJournal(store.connection) }))

describe("SqliteJournal", () => {
  it.effect("creates a queued job with its steps in order and totals of what will run", () =>
    Effect.gen(function* () {
      const { journal } = yield* journalIn(tempDir())
      const created = yield* journal.create(newJob("j1"))
      assert.strictEqual(created.status, "queued")
      assert.deepStrictEqual(created.totals, { steps: 2, bytes: 4096 })
      assert.deepStrictEqual(created.progress, { steps: 0, bytes: 0 })
      assert.strictEqual(created.cancelRequested, false)
      assert.isUndefined(created.pid)
      assert.deepStrictEqual(created.options, { panel: "cpanel", choices: { existing: "skip" } })
      const steps = yield* journal.steps("j1")
      assert.deepStrictEqual(
        steps.map((s) => [s.seq, s.key, s.status, s.reason ?? null, s.entity ?? null]),
        [
          [0, "account:bob", "pending", null, null],
          [1, "content:home:bob", "pending", null, "account:bob"],
          [2, "cron:bob:1", "skipped", "skipped by the plan (not selected)", null],
        ],
      )
      assert.deepStrictEqual(
        (yield* journal.decisions("j1")).map((d) => d.id),
        ["account:bob"],
      )
      assert.strictEqual((yield* failure(journal.create(newJob("j1")))).detail, "a job with this id exists")
      assert.isUndefined(yield* journal.get("nope"))
    }).pipe(Effect.scoped),
  )

  it.effect("lists jobs newest first", () =>
    Effect.gen(function* () {
      const { store } = yield* journalIn(tempDir())
      let clock = Date.parse("2026-01-01T00:00:00Z")
      const journal = makeSqliteJournal(store.connection, { now: () => new Date((clock += 1000)) })
      for (const id of ["a", "b", "c"]) yield* journal.create(newJob(id))
      assert.deepStrictEqual(
        (yield* journal.list).map((j) => j.id),
        ["c", "b", "a"],
      )
    }).pipe(Effect.scoped),
  )

  it.effect("a job held by a live process is refused; a dead holder's job can be claimed", () =>
    Effect.gen(function* () {
      const { journal } = yield* journalIn(tempDir())
      yield* journal.create(newJob("j1"))
      // process.ppid is the test runner's parent: alive, and not this process.
      assert.isTrue(yield* journal.claim("j1", process.ppid))
      const held = yield* journal.get("j1")
      assert.strictEqual(held?.status, "running")
      assert.strictEqual(held?.pid, process.ppid)
      const firstStart = held?.startedAt
      assert.isFalse(yield* journal.claim("j1", process.pid))
      assert.strictEqual((yield* journal.get("j1"))?.pid, process.ppid)
      // The same process may claim again (a retry inside one run).
      assert.isTrue(yield* journal.claim("j1", process.ppid))

      // The holder died (kill -9): its pid stays in the row, and another process takes over.
      yield* journal.requestCancel("j1")
      const dead = deadPid()
      const { store } = yield* journalIn(tempDir())
      const other = makeSqliteJournal(store.connection)
      yield* other.create(newJob("j2"))
      assert.isTrue(yield* other.claim("j2", dead))
      assert.isTrue(yield* other.claim("j2", process.pid))
      assert.strictEqual((yield* other.get("j2"))?.pid, process.pid)

      // Claiming resets a pending cancel request and keeps the first start time.
      assert.isTrue((yield* journal.get("j1"))?.cancelRequested)
      const finished = yield* journal.finish("j1", "cancelled")
      assert.isUndefined(finished.pid)
      assert.isDefined(finished.finishedAt)
      assert.isTrue(yield* journal.claim("j1", process.pid))
      const resumed = yield* journal.get("j1")
      assert.strictEqual(resumed?.cancelRequested, false)
      assert.strictEqual(resumed?.startedAt, firstStart)
      assert.isUndefined(resumed?.finishedAt)
      assert.strictEqual((yield* failure(journal.claim("nope", process.pid))).detail, "no such job")
    }).pipe(Effect.scoped),
  )

  it.effect("updates steps, progress and the finish state", () =>
    Effect.gen(function* () {
      const { journal } = yield* journalIn(tempDir())
      yield* journal.create(newJob("j1"))
      const running = yield* journal.updateStep("j1", "content:home:bob", { status: "running" })
      assert.strictEqual(running.status, "running")
      const done = yield* journal.updateStep("j1", "content:home:bob", { status: "done", outcome: "created", bytesDone: 4096 })
      assert.deepStrictEqual([done.status, done.outcome, done.bytesDone], ["done", "created", 4096])
      const failed = yield* journal.updateStep("j1", "account:bob", { status: "failed", reason: "login taken" })
      assert.deepStrictEqual([failed.status, failed.reason, failed.outcome], ["failed", "login taken", undefined])
      assert.strictEqual((yield* failure(journal.updateStep("j1", "nope", { status: "done" }))).detail, "no step nope")
      yield* journal.progress("j1", { steps: 2, bytes: 4096 })
      assert.deepStrictEqual((yield* journal.get("j1"))?.progress, { steps: 2, bytes: 4096 })
      const finished = yield* journal.finish("j1", "completed-with-errors", "1 step failed")
      assert.strictEqual(finished.status, "completed-with-errors")
      assert.strictEqual(finished.error, "1 step failed")
    }).pipe(Effect.scoped),
  )

  it.effect("keeps log lines in the order they were written", () =>
    Effect.gen(function* () {
      const { journal } = yield* journalIn(tempDir())
      yield* journal.create(newJob("j1"))
      yield* journal.create(newJob("j2"))
      for (let i = 0; i < 30; i++) yield* journal.log(i % 2 === 0 ? "j1" : "j2", { level: "info", message: `line ${i}` })
      yield* journal.log("j1", { level: "error", step: "account:bob", message: "failed" })
      const lines = yield* journal.logs("j1")
      assert.deepStrictEqual(
        lines.map((l) => l.message),
        [...Array.from({ length: 15 }, (_, i) => `line ${i * 2}`), "failed"],
      )
      assert.deepStrictEqual(lines.at(-1), { at: lines.at(-1)?.at ?? "", level: "error", step: "account:bob", message: "failed" })
    }).pipe(Effect.scoped),
  )

  it.effect("records a cancel request", () =>
    Effect.gen(function* () {
      const { journal } = yield* journalIn(tempDir())
      yield* journal.create(newJob("j1"))
      yield* journal.requestCancel("j1")
      assert.isTrue((yield* journal.get("j1"))?.cancelRequested)
      assert.strictEqual((yield* failure(journal.requestCancel("nope"))).detail, "no such job")
    }).pipe(Effect.scoped),
  )

  it.effect("remove takes the steps and the log with the job", () =>
    Effect.gen(function* () {
      const { journal, store } = yield* journalIn(tempDir())
      yield* journal.create(newJob("j1"))
      yield* journal.create(newJob("j2"))
      yield* journal.log("j1", { level: "info", message: "hello" })
      yield* journal.remove("j1")
      assert.isUndefined(yield* journal.get("j1"))
      const count = (table: string) =>
        (store.connection.db.prepare(`SELECT count(*) AS n FROM ${table} WHERE job = 'j1'`).get() as { n: number }).n
      assert.strictEqual(count("job_steps"), 0)
      assert.strictEqual(count("job_log"), 0)
      assert.strictEqual((yield* journal.steps("j2")).length, 3)
      assert.strictEqual((yield* failure(journal.remove("j1"))).detail, "no such job")
    }).pipe(Effect.scoped),
  )

  it.effect("everything written is there after the database is closed and opened again", () =>
    Effect.gen(function* () {
      const stateDir = tempDir()
      yield* Effect.scoped(
        Effect.gen(function* () {
          const { journal } = yield* journalIn(stateDir)
          yield* journal.create(newJob("j1"))
          yield* journal.claim("j1", process.pid)
          yield* journal.updateStep("j1", "account:bob", { status: "done", outcome: "created" })
          yield* journal.log("j1", { level: "info", message: "started" })
          yield* journal.progress("j1", { steps: 1, bytes: 0 })
        }),
      )
      const { journal } = yield* journalIn(stateDir)
      const job = yield* journal.get("j1")
      assert.strictEqual(job?.status, "running")
      assert.strictEqual(job?.pid, process.pid)
      assert.deepStrictEqual(job?.progress, { steps: 1, bytes: 0 })
      assert.deepStrictEqual(
        (yield* journal.steps("j1")).map((s) => [s.key, s.status, s.outcome ?? null]),
        [
          ["account:bob", "done", "created"],
          ["content:home:bob", "pending", null],
          ["cron:bob:1", "skipped", null],
        ],
      )
      assert.deepStrictEqual(
        (yield* journal.logs("j1")).map((l) => l.message),
        ["started"],
      )
    }).pipe(Effect.scoped),
  )

  it.effect("a write that returned survives kill -9 of the writing process", () =>
    Effect.gen(function* () {
      const stateDir = tempDir()
      // The child writes, says so, and hangs with the database open until it is killed.
      const script = `
        import { Effect } from "effect"
        import { openInventory } from ${JSON.stringify(new URL("../src/index.ts", import.meta.url).pathname)}
        import { makeSqliteJournal } from ${JSON.stringify(new URL("../src/SqliteJournal.ts", import.meta.url).pathname)}
        const job = JSON.parse(process.argv[1])
        await Effect.runPromise(Effect.gen(function* () {
          const store = yield* openInventory(process.argv[2])
          const journal = makeSqliteJournal(store.connection)
          yield* journal.create(job)
          yield* journal.claim(job.id, process.pid)
          yield* journal.updateStep(job.id, "account:bob", { status: "done", outcome: "created" })
          yield* journal.log(job.id, { level: "info", message: "written" })
          process.stdout.write("ready\\n")
          yield* Effect.never
        }).pipe(Effect.scoped))`
      const child = spawn(process.execPath, ["--input-type=module", "-e", script, JSON.stringify(newJob("j1")), stateDir], {
        cwd: new URL("..", import.meta.url).pathname,
        stdio: ["ignore", "pipe", "inherit"],
      })
      yield* Effect.promise(() => once(child.stdout, "data"))
      child.kill("SIGKILL")
      yield* Effect.promise(() => once(child, "exit"))
      const { journal } = yield* journalIn(stateDir)
      const job = yield* journal.get("j1")
      assert.strictEqual(job?.status, "running")
      assert.strictEqual(job?.pid, child.pid)
      assert.strictEqual((yield* journal.steps("j1"))[0]?.status, "done")
      assert.deepStrictEqual(
        (yield* journal.logs("j1")).map((l) => l.message),
        ["written"],
      )
      // The holder is dead: this process takes the job over.
      assert.isTrue(yield* journal.claim("j1", process.pid))
    }).pipe(Effect.scoped),
  )
})
