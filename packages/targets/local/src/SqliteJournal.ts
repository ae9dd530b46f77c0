import type { DatabaseSync } from "node:sqlite"
import {
  type Decision,
  isProcessAlive,
  type JobJournal,
  type JobLogLine,
  type JobRecord,
  type JobStatus,
  JournalError,
  type StepRecord,
  type TargetError,
} from "@ferry/core"
import { Effect, Result } from "effect"
import { type Connection, query, transaction } from "./Sqlite.ts"

/*
 * The job journal in the inventory database (migration 4: jobs, job_steps, job_log). Each method
 * is one statement or one immediate transaction, committed before the effect completes: with WAL
 * and synchronous = NORMAL a committed row survives `kill -9` of the process, which is what
 * resume relies on (a power loss may lose the last commits; the steps are idempotent).
 */

interface JobRow {
  readonly id: string
  readonly status: string
  readonly backup: string
  readonly panel: string
  readonly options: string
  readonly created_at: string
  readonly started_at: string | null
  readonly finished_at: string | null
  readonly pid: number | null
  readonly cancel_requested: number
  readonly steps_total: number
  readonly bytes_total: number
  readonly steps_done: number
  readonly bytes_done: number
  readonly error: string | null
}

interface StepRow {
  readonly seq: number
  readonly key: string
  readonly kind: string
  readonly tag: string
  readonly label: string
  readonly phase: string
  readonly entity: string | null
  readonly status: string
  readonly outcome: string | null
  readonly reason: string | null
  readonly bytes_total: number
  readonly bytes_done: number
  readonly updated_at: string
}

interface LogRow {
  readonly at: string
  readonly level: string
  readonly step: string | null
  readonly message: string
}

// Rows are written only by this module, with values the CHECK constraints restrict to the
// literal types, so they are read back without a second validation.
const jobFromRow = (row: JobRow): JobRecord => ({
  id: row.id,
  status: row.status as JobStatus,
  backup: row.backup,
  panel: row.panel,
  options: JSON.parse(row.options) as unknown,
  createdAt: row.created_at,
  ...(row.started_at !== null ? { startedAt: row.started_at } : {}),
  ...(row.finished_at !== null ? { finishedAt: row.finished_at } : {}),
  ...(row.pid !== null ? { pid: row.pid } : {}),
  cancelRequested: row.cancel_requested !== 0,
  totals: { steps: row.steps_total, bytes: row.bytes_total },
  progress: { steps: row.steps_done, bytes: row.bytes_done },
  ...(row.error !== null ? { error: row.error } : {}),
})

const stepFromRow = (row: StepRow): StepRecord => ({
  key: row.key,
  kind: row.kind as StepRecord["kind"],
  tag: row.tag,
  label: row.label,
  phase: row.phase as StepRecord["phase"],
  seq: row.seq,
  ...(row.entity !== null ? { entity: row.entity } : {}),
  status: row.status as StepRecord["status"],
  ...(row.outcome !== null ? { outcome: row.outcome as NonNullable<StepRecord["outcome"]> } : {}),
  ...(row.reason !== null ? { reason: row.reason } : {}),
  bytesTotal: row.bytes_total,
  bytesDone: row.bytes_done,
  updatedAt: row.updated_at,
})

const logFromRow = (row: LogRow): JobLogLine => ({
  at: row.at,
  level: row.level as JobLogLine["level"],
  ...(row.step !== null ? { step: row.step } : {}),
  message: row.message,
})

const selectJob = (db: DatabaseSync, id: string): JobRow | undefined =>
  db.prepare("SELECT * FROM jobs WHERE id = ?").get(id) as JobRow | undefined

const stepColumns = "seq, key, kind, tag, label, phase, entity, status, outcome, reason, bytes_total, bytes_done, updated_at"

export interface SqliteJournalOptions {
  /** Clock for timestamps (tests). */
  readonly now?: () => Date
  /** Whether a pid belongs to a running process (tests); default `kill(pid, 0)`. */
  readonly isAlive?: (pid: number) => boolean
}

export const makeSqliteJournal = (connection: Connection, options: SqliteJournalOptions = {}): JobJournal => {
  const now = () => (options.now?.() ?? new Date()).toISOString()
  const isAlive = options.isAlive ?? isProcessAlive
  const missing = (id: string) => new JournalError({ job: id, detail: "no such job" })
  const toJournal =
    (id: string) =>
    (error: JournalError | TargetError): JournalError =>
      error._tag === "JournalError" ? error : new JournalError({ job: id, detail: error.message })
  const read = <A>(id: string, what: string, run: (db: DatabaseSync) => A) =>
    query(connection, what, run).pipe(Effect.mapError(toJournal(id)))
  const write = <A>(id: string, what: string, run: (db: DatabaseSync) => Result.Result<A, JournalError>) =>
    transaction(connection, what, run).pipe(Effect.mapError(toJournal(id)))

  return {
    create: (job) =>
      write(job.id, `creating job ${job.id}`, (db) => {
        if (selectJob(db, job.id) !== undefined) return Result.fail(new JournalError({ job: job.id, detail: "a job with this id exists" }))
        const counted = job.steps.filter((s) => s.status !== "skipped")
        const at = now()
        db.prepare(
          `INSERT INTO jobs (id, status, backup, panel, options, decisions, created_at, steps_total, bytes_total)
           VALUES (?, 'queued', ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          job.id,
          job.backup,
          job.panel,
          JSON.stringify(job.options ?? null),
          JSON.stringify(job.decisions),
          at,
          counted.length,
          counted.reduce((sum, s) => sum + s.bytesTotal, 0),
        )
        const insert = db.prepare(`INSERT INTO job_steps (job, ${stepColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, 0, ?)`)
        job.steps.forEach((step, seq) => {
          insert.run(
            job.id,
            seq,
            step.key,
            step.kind,
            step.tag,
            step.label,
            step.phase,
            step.entity ?? null,
            step.status,
            step.reason ?? null,
            step.bytesTotal,
            at,
          )
        })
        return Result.succeed(jobFromRow(selectJob(db, job.id) as JobRow))
      }),

    get: (id) =>
      read(id, `reading job ${id}`, (db) => {
        const row = selectJob(db, id)
        return row === undefined ? undefined : jobFromRow(row)
      }),

    list: read("*", "listing jobs", (db) =>
      (db.prepare("SELECT * FROM jobs ORDER BY created_at DESC, rowid DESC").all() as unknown as Array<JobRow>).map(jobFromRow),
    ),

    steps: (id) =>
      read(id, `reading the steps of job ${id}`, (db) =>
        (db.prepare(`SELECT ${stepColumns} FROM job_steps WHERE job = ? ORDER BY seq`).all(id) as unknown as Array<StepRow>).map(
          stepFromRow,
        ),
      ),

    decisions: (id) =>
      read(id, `reading the decisions of job ${id}`, (db) => {
        const row = db.prepare("SELECT decisions FROM jobs WHERE id = ?").get(id) as { decisions: string } | undefined
        return row === undefined ? [] : (JSON.parse(row.decisions) as ReadonlyArray<Decision>)
      }),

    claim: (id, pid) =>
      write(id, `claiming job ${id}`, (db) => {
        const row = selectJob(db, id)
        if (row === undefined) return Result.fail(missing(id))
        // A holder that died (kill -9, a reboot) leaves its pid behind; only a live one keeps the job.
        if (row.pid !== null && row.pid !== pid && isAlive(row.pid)) return Result.succeed(false)
        db.prepare(
          "UPDATE jobs SET status = 'running', pid = ?, started_at = coalesce(started_at, ?), finished_at = NULL, error = NULL, cancel_requested = 0 WHERE id = ?",
        ).run(pid, now(), id)
        return Result.succeed(true)
      }),

    finish: (id, status, error) =>
      write(id, `finishing job ${id}`, (db) => {
        if (selectJob(db, id) === undefined) return Result.fail(missing(id))
        db.prepare("UPDATE jobs SET status = ?, finished_at = ?, pid = NULL, error = ? WHERE id = ?").run(status, now(), error ?? null, id)
        return Result.succeed(jobFromRow(selectJob(db, id) as JobRow))
      }),

    // The update is the step's new state: outcome and reason not given are cleared (a step that
    // runs again after a resume loses the outcome of an earlier attempt).
    updateStep: (id, key, update) =>
      write(id, `updating step ${key} of job ${id}`, (db) => {
        const changed = db
          .prepare(
            "UPDATE job_steps SET status = ?, outcome = ?, reason = ?, bytes_done = coalesce(?, bytes_done), updated_at = ? WHERE job = ? AND key = ?",
          )
          .run(update.status, update.outcome ?? null, update.reason ?? null, update.bytesDone ?? null, now(), id, key)
        if (changed.changes === 0) return Result.fail(new JournalError({ job: id, detail: `no step ${key}` }))
        const row = db.prepare(`SELECT ${stepColumns} FROM job_steps WHERE job = ? AND key = ?`).get(id, key) as unknown as StepRow
        return Result.succeed(stepFromRow(row))
      }),

    progress: (id, progress) =>
      read(id, `recording the progress of job ${id}`, (db) => {
        db.prepare("UPDATE jobs SET steps_done = ?, bytes_done = ? WHERE id = ?").run(progress.steps, progress.bytes, id)
      }),

    log: (id, line) =>
      read(id, `writing the log of job ${id}`, (db) => {
        db.prepare("INSERT INTO job_log (job, at, level, step, message) VALUES (?, ?, ?, ?, ?)").run(
          id,
          now(),
          line.level,
          line.step ?? null,
          line.message,
        )
      }),

    logs: (id) =>
      read(id, `reading the log of job ${id}`, (db) =>
        (db.prepare("SELECT at, level, step, message FROM job_log WHERE job = ? ORDER BY id").all(id) as unknown as Array<LogRow>).map(
          logFromRow,
        ),
      ),

    requestCancel: (id) =>
      write(id, `cancelling job ${id}`, (db) => {
        const changed = db.prepare("UPDATE jobs SET cancel_requested = 1 WHERE id = ?").run(id)
        return changed.changes === 0 ? Result.fail(missing(id)) : Result.void
      }),

    remove: (id) =>
      write(id, `removing job ${id}`, (db) => {
        // Steps and log lines go with the job (ON DELETE CASCADE; the connection has foreign keys on).
        const changed = db.prepare("DELETE FROM jobs WHERE id = ?").run(id)
        return changed.changes === 0 ? Result.fail(missing(id)) : Result.void
      }),
  }
}
