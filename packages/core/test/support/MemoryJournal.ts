import { Effect } from "effect"
import type { Decision, JobJournal, JobLogLine, JobRecord, StepRecord } from "../../src/index.ts"
import { JournalError } from "../../src/index.ts"

/** The JobJournal contract kept in memory: the executor's tests run against it. */
export const memoryJournal = (): JobJournal & {
  readonly state: Map<
    string,
    { job: JobRecord; steps: Map<string, StepRecord>; decisions: ReadonlyArray<Decision>; log: Array<JobLogLine> }
  >
} => {
  const state = new Map<
    string,
    { job: JobRecord; steps: Map<string, StepRecord>; decisions: ReadonlyArray<Decision>; log: Array<JobLogLine> }
  >()
  const now = () => new Date().toISOString()
  const entry = (id: string) =>
    Effect.suspend(() => {
      const found = state.get(id)
      return found === undefined ? Effect.fail(new JournalError({ job: id, detail: "no such job" })) : Effect.succeed(found)
    })
  return {
    state,
    create: (input) =>
      Effect.sync(() => {
        const steps = new Map<string, StepRecord>()
        input.steps.forEach((s, seq) => {
          steps.set(s.key, {
            key: s.key,
            kind: s.kind,
            tag: s.tag,
            label: s.label,
            phase: s.phase,
            seq,
            ...(s.entity !== undefined ? { entity: s.entity } : {}),
            status: s.status,
            ...(s.reason !== undefined ? { reason: s.reason } : {}),
            bytesTotal: s.bytesTotal,
            bytesDone: 0,
            updatedAt: now(),
          })
        })
        const job: JobRecord = {
          id: input.id,
          status: "queued",
          backup: input.backup,
          panel: input.panel,
          options: input.options,
          createdAt: now(),
          cancelRequested: false,
          totals: {
            steps: input.steps.filter((s) => s.status !== "skipped").length,
            bytes: input.steps.reduce((n, s) => n + s.bytesTotal, 0),
          },
          progress: { steps: 0, bytes: 0 },
        }
        state.set(input.id, { job, steps, decisions: input.decisions, log: [] })
        return job
      }),
    get: (id) => Effect.sync(() => state.get(id)?.job),
    list: Effect.sync(() => [...state.values()].map((s) => s.job).reverse()),
    steps: (id) => Effect.map(entry(id), (e) => [...e.steps.values()].sort((a, b) => a.seq - b.seq)),
    decisions: (id) => Effect.map(entry(id), (e) => e.decisions),
    claim: (id, pid) =>
      Effect.map(entry(id), (e) => {
        if (e.job.pid !== undefined && e.job.pid !== pid) return false
        e.job = { ...e.job, status: "running", pid, startedAt: e.job.startedAt ?? now(), cancelRequested: false }
        return true
      }),
    finish: (id, status, error) =>
      Effect.map(entry(id), (e) => {
        const { pid: _pid, ...rest } = e.job
        e.job = { ...rest, status, finishedAt: now(), ...(error !== undefined ? { error } : {}) }
        return e.job
      }),
    updateStep: (id, key, update) =>
      Effect.flatMap(entry(id), (e) => {
        const step = e.steps.get(key)
        if (step === undefined) return Effect.fail(new JournalError({ job: id, detail: `no step ${key}` }))
        const { outcome: _o, reason: _r, ...base } = step
        const next: StepRecord = {
          ...base,
          status: update.status,
          ...(update.outcome !== undefined ? { outcome: update.outcome } : {}),
          ...(update.reason !== undefined ? { reason: update.reason } : {}),
          bytesDone: update.bytesDone ?? step.bytesDone,
          updatedAt: now(),
        }
        e.steps.set(key, next)
        return Effect.succeed(next)
      }),
    progress: (id, progress) =>
      Effect.map(entry(id), (e) => {
        e.job = { ...e.job, progress }
      }),
    log: (id, line) =>
      Effect.map(entry(id), (e) => {
        e.log.push({ ...line, at: now() })
      }),
    logs: (id) => Effect.map(entry(id), (e) => e.log),
    requestCancel: (id) =>
      Effect.map(entry(id), (e) => {
        e.job = { ...e.job, cancelRequested: true }
      }),
    remove: (id) =>
      Effect.sync(() => {
        state.delete(id)
      }),
  }
}
