import { Effect } from "effect"
import type { ArchiveHandle, ScanOptions } from "../archive/Archive.ts"
import type { ArchiveEntry } from "../archive/ArchiveEntry.ts"
import { dependenciesOf } from "../check/Dependencies.ts"
import type { Decision } from "../check/Plan.ts"
import type { Entity } from "../model/Entity.ts"
import type { ContentRef, Snapshot } from "../model/Snapshot.ts"
import { ContentRouter } from "./ContentRouter.ts"
import type { ContentSink, Importer, StepContext, StepResult } from "./Importer.ts"
import { StepFailed } from "./Importer.ts"
import { type JobEvent, type JobRecord, JobStateError, type JournalError, type StepRecord } from "./Job.ts"
import type { JobJournal } from "./Journal.ts"

export interface RunJobInput {
  readonly jobId: string
  readonly archive: ArchiveHandle
  /** The backup read again (pass one of this run); the journal's decisions say what to do with it. */
  readonly snapshot: Snapshot
  readonly journal: JobJournal
  readonly importer: Importer
  readonly scan?: Pick<ScanOptions, "limits" | "secrets">
  readonly onEvent?: (event: JobEvent) => void
  readonly pid?: number
  /** How often the journal is asked whether a cancel was requested (ms). */
  readonly cancelPollMs?: number
}

const progressEveryMs = 250

/**
 * Runs (or resumes) a job: every step that is not done runs, in the journal's order; a failed
 * step is logged and the others go on. Content is imported in one streaming pass over the
 * archive. Returns the finished job record.
 */
export const runJob = Effect.fn("Executor.runJob")(function* (input: RunJobInput) {
  const { journal, importer, jobId, snapshot } = input
  const emit = (event: JobEvent) => input.onEvent?.(event)
  const existing = yield* journal.get(jobId)
  if (existing === undefined) return yield* new JobStateError({ job: jobId, detail: "no such job" })
  if (existing.status === "completed") return yield* new JobStateError({ job: jobId, detail: "the job is completed; nothing to resume" })
  const claimed = yield* journal.claim(jobId, input.pid ?? process.pid)
  if (!claimed) return yield* new JobStateError({ job: jobId, detail: `another process (pid ${existing.pid ?? "?"}) is running this job` })

  const decisions = yield* journal.decisions(jobId)
  const steps = new Map((yield* journal.steps(jobId)).map((s) => [s.key, s] as const))
  // Resuming a job that ended with errors retries its failed steps (the cause may be fixed now:
  // a database server configured, disk space freed); done steps are never run again.
  if (existing.status === "completed-with-errors" || existing.status === "failed")
    for (const step of [...steps.values()])
      if (step.status === "failed") steps.set(step.key, yield* journal.updateStep(jobId, step.key, { status: "pending", bytesDone: 0 }))
  const byId = new Map(snapshot.entities.map((e) => [e.id, e] as const))
  const decisionOf = new Map(decisions.map((d) => [d.id, d] as const))
  const refs = new Map(snapshot.content.map((r) => [r.id, r] as const))
  const started = (yield* journal.get(jobId)) as JobRecord
  const resumed = [...steps.values()].some((s) => s.status === "done" || s.status === "failed" || s.status === "running")
  emit({ _tag: "JobStarted", job: started, resumed })
  yield* journal.log(jobId, { level: "info", message: resumed ? `resumed by pid ${process.pid}` : `started by pid ${process.pid}` })

  const total = { steps: 0, bytes: 0 }
  const done = { steps: 0, bytes: 0 }
  for (const step of steps.values()) {
    if (step.status === "skipped") continue
    total.steps++
    total.bytes += step.bytesTotal
    if (step.status === "done" || step.status === "failed") {
      done.steps++
      done.bytes += step.bytesTotal
    }
  }
  /** Bytes written for content steps that are not finished yet. */
  let flowing = 0
  let current: string | undefined
  let lastProgress = 0
  const progress = (force: boolean) =>
    Effect.gen(function* () {
      const now = Date.now()
      if (!force && now - lastProgress < progressEveryMs) return
      lastProgress = now
      emit({
        _tag: "Progress",
        steps: { done: done.steps, total: total.steps },
        bytes: { done: done.bytes + flowing, total: total.bytes },
        current,
      })
      yield* journal.progress(jobId, { steps: done.steps, bytes: done.bytes + flowing })
    })

  let cancelled = false
  let lastPoll = 0
  const pollCancel = Effect.gen(function* () {
    const now = Date.now()
    if (cancelled || now - lastPoll < (input.cancelPollMs ?? 200)) return cancelled
    lastPoll = now
    cancelled = (yield* journal.get(jobId))?.cancelRequested === true
    return cancelled
  })

  const update = (step: StepRecord, patch: Parameters<JobJournal["updateStep"]>[2]) =>
    Effect.gen(function* () {
      const next = yield* journal.updateStep(jobId, step.key, patch)
      steps.set(step.key, next)
      return next
    })

  const contextFor = (decision: Decision): StepContext => ({
    jobId,
    snapshot,
    decision,
    entity: (id) => byId.get(id),
    decisionOf: (id) => decisionOf.get(id),
    log: (level, message) => journal.log(jobId, { level, step: decision.id, message }).pipe(Effect.ignore),
  })

  const finishStep = (step: StepRecord, result: StepResult) =>
    Effect.gen(function* () {
      const next = yield* update(step, { status: "done", outcome: result.outcome, bytesDone: step.bytesTotal })
      for (const note of result.notes ?? []) yield* journal.log(jobId, { level: "warning", step: step.key, message: note })
      done.steps++
      done.bytes += step.bytesTotal
      emit({ _tag: "StepFinished", step: next })
      yield* progress(true)
    })

  const failStep = (step: StepRecord, failure: StepFailed) =>
    Effect.gen(function* () {
      const next = yield* update(step, { status: "failed", reason: failure.reason })
      yield* journal.log(jobId, { level: "error", step: step.key, message: `${failure.code}: ${failure.reason}` })
      done.steps++
      done.bytes += step.bytesTotal
      emit({ _tag: "StepFinished", step: next })
      yield* progress(true)
    })

  /** A step cannot run when an entity it hangs off failed (or its own content failed). */
  const blockedBy = (entity: Entity): string | undefined => {
    for (const dep of dependenciesOf(entity, byId)) if (steps.get(dep)?.status === "failed") return dep
    for (const step of steps.values()) if (step.kind === "content" && step.entity === entity.id && step.status === "failed") return step.key
    return undefined
  }

  const runEntityStep = (step: StepRecord) =>
    Effect.gen(function* () {
      const entity = byId.get(step.key)
      const decision = decisionOf.get(step.key)
      if (entity === undefined || decision === undefined)
        return yield* failStep(
          step,
          new StepFailed({
            step: step.key,
            code: "entity-missing",
            reason: "the backup no longer holds this entity (was it changed since the job started?)",
          }),
        )
      const blocker = blockedBy(entity)
      if (blocker !== undefined)
        return yield* failStep(
          step,
          new StepFailed({ step: step.key, code: "dependency-failed", reason: `${blocker} failed, and this depends on it` }),
        )
      current = step.label
      const running = yield* update(step, { status: "running" })
      emit({ _tag: "StepStarted", step: running })
      const result = yield* Effect.result(importer.apply(entity, contextFor(decision)))
      if (result._tag === "Success") yield* finishStep(running, result.success)
      else yield* failStep(running, result.failure)
    })

  const runEntityPhase = (phase: StepRecord["phase"]) =>
    Effect.gen(function* () {
      for (const step of [...steps.values()].filter((s) => s.phase === phase).sort((a, b) => a.seq - b.seq)) {
        if (step.status !== "pending" && step.status !== "running") continue
        if (yield* pollCancel) return
        yield* runEntityStep(step)
      }
    })

  const runContentPhase = Effect.gen(function* () {
    const active = [...steps.values()].filter((s) => s.phase === "content" && (s.status === "pending" || s.status === "running"))
    if (active.length === 0 || (yield* pollCancel)) return
    const activeIds = new Set(active.map((s) => s.key))
    const router = new ContentRouter(snapshot.content, activeIds, snapshot.nested ?? [])
    const open = new Map<string, { readonly sink: ContentSink; readonly ref: ContentRef; written: number }>()
    const finishedRefs = new Set<string>()
    const failedRefs = new Map<string, StepFailed>()

    const sinkFor = (ref: ContentRef) =>
      Effect.gen(function* () {
        const opened = open.get(ref.id)
        if (opened !== undefined) return opened.sink
        const step = steps.get(ref.id) as StepRecord
        const owner = byId.get(step.entity ?? "")
        const decision = decisionOf.get(step.entity ?? "")
        if (owner === undefined || decision === undefined)
          return yield* new StepFailed({ step: ref.id, code: "entity-missing", reason: `the entity ${step.entity} is not in the backup` })
        const blocker = blockedBy(owner)
        if (blocker !== undefined || steps.get(owner.id)?.status === "failed")
          return yield* new StepFailed({
            step: ref.id,
            code: "dependency-failed",
            reason: `${blocker ?? owner.id} failed, and this depends on it`,
          })
        current = step.label
        const running = yield* update(step, { status: "running" })
        emit({ _tag: "StepStarted", step: running })
        const sink = yield* importer.content(ref, owner, contextFor(decision))
        open.set(ref.id, { sink, ref, written: 0 })
        return sink
      })

    const commit = (refId: string) =>
      Effect.gen(function* () {
        const opened = open.get(refId)
        if (opened === undefined) return
        open.delete(refId)
        flowing -= opened.written
        finishedRefs.add(refId)
        const step = steps.get(refId) as StepRecord
        const result = yield* Effect.result(opened.sink.commit)
        if (result._tag === "Success") yield* finishStep(step, result.success)
        else {
          yield* opened.sink.discard
          yield* failStep(step, result.failure)
        }
      })

    /** A ref failed mid-pass: its sink cleans up, its step fails, its later entries are ignored. */
    const dropRef = (refId: string, failure: StepFailed) =>
      Effect.gen(function* () {
        if (failedRefs.has(refId) || finishedRefs.has(refId)) return
        failedRefs.set(refId, failure)
        const opened = open.get(refId)
        open.delete(refId)
        if (opened !== undefined) {
          flowing -= opened.written
          yield* opened.sink.discard
        }
        yield* failStep(steps.get(refId) as StepRecord, failure)
      })

    const writeEntry = (ref: ContentRef, rel: string, entry: ArchiveEntry) =>
      Effect.gen(function* () {
        if (finishedRefs.has(ref.id) || failedRefs.has(ref.id)) return
        const outcome = yield* Effect.result(
          Effect.gen(function* () {
            const sink = yield* sinkFor(ref)
            yield* sink.write(rel, entry)
          }),
        )
        if (outcome._tag === "Failure") {
          const error = outcome.failure
          const failure =
            error._tag === "StepFailed"
              ? error
              : new StepFailed({ step: ref.id, code: "archive-entry", reason: `${entry.path}: ${error.message}` })
          yield* dropRef(ref.id, failure)
          return
        }
        const opened = open.get(ref.id)
        if (entry.type === "file" && opened !== undefined) {
          opened.written += entry.size
          flowing += entry.size
          yield* progress(false)
        }
        // A single-file ref (a dump) is complete as soon as its file is written.
        if (ref.kind === "database-dump" && !ref.path.endsWith("/") && entry.path === ref.path) yield* commit(ref.id)
      })

    const visit = (entry: ArchiveEntry): Effect.Effect<void, never> =>
      Effect.gen(function* () {
        if (yield* pollCancel) return
        const route = router.route(entry.path, entry.type === "file")
        if (route._tag === "none") return
        if (route._tag === "nested") {
          const nested = yield* Effect.result(entry.scanNested(route.mount, visit))
          if (nested._tag === "Failure") {
            // The nested archive is broken: every ref inside it fails with the reason.
            for (const ref of snapshot.content)
              if (activeIds.has(ref.id) && (ref.path === entry.path || ref.path.startsWith(`${route.mount}/`)))
                yield* dropRef(
                  ref.id,
                  new StepFailed({ step: ref.id, code: "archive-entry", reason: `${entry.path}: ${nested.failure.message}` }),
                )
          } else {
            // A packed dump (its archive holds the .sql) is complete when its archive ends.
            for (const [refId, opened] of [...open])
              if (opened.ref.kind === "database-dump" && opened.ref.path === entry.path) yield* commit(refId)
          }
          return
        }
        yield* writeEntry(route.ref, route.rel, entry)
      }).pipe(Effect.catch((error: JournalError) => Effect.die(error)))

    const scanned = yield* Effect.result(
      input.archive.scan(visit, {
        ...(input.scan?.limits !== undefined ? { limits: input.scan.limits } : {}),
        ...(input.scan?.secrets !== undefined ? { secrets: input.scan.secrets } : {}),
        shouldStop: () => cancelled,
      }),
    )
    if (cancelled) {
      // Stop at a step boundary: content not committed is removed and its step is not started.
      for (const [refId, opened] of open) {
        yield* opened.sink.discard
        yield* update(steps.get(refId) as StepRecord, { status: "pending", bytesDone: 0 })
      }
      open.clear()
      flowing = 0
      return
    }
    if (scanned._tag === "Failure") {
      const reason = `the backup could not be read to the end: ${scanned.failure.message}`
      for (const refId of [...open.keys()]) yield* dropRef(refId, new StepFailed({ step: refId, code: "archive-unreadable", reason }))
    }
    for (const refId of [...open.keys()]) yield* commit(refId)
    // Refs whose entries never appeared (an empty directory, or content missing from this copy).
    for (const step of active) {
      const now = steps.get(step.key) as StepRecord
      if (now.status !== "pending" && now.status !== "running") continue
      const ref = refs.get(step.key)
      const owner = byId.get(step.entity ?? "")
      const decision = decisionOf.get(step.entity ?? "")
      if (ref === undefined || owner === undefined || decision === undefined || scanned._tag === "Failure") {
        yield* failStep(now, new StepFailed({ step: step.key, code: "content-missing", reason: "the content was not found in the backup" }))
        continue
      }
      if (ref.files > 0) {
        yield* failStep(now, new StepFailed({ step: step.key, code: "content-missing", reason: `${ref.path} was not found in the backup` }))
        continue
      }
      const empty = yield* Effect.result(
        Effect.gen(function* () {
          const sink = yield* importer.content(ref, owner, contextFor(decision))
          return yield* sink.commit
        }),
      )
      if (empty._tag === "Success") yield* finishStep(now, empty.success)
      else yield* failStep(now, empty.failure)
    }
  })

  yield* runEntityPhase("structure")
  yield* runContentPhase
  yield* runEntityPhase("settings")
  current = undefined
  yield* progress(true)

  if (!cancelled) {
    const lines = yield* importer.finish({ jobId, snapshot })
    for (const line of lines) yield* journal.log(jobId, { level: line.level, message: line.message })
  }
  const final = [...steps.values()]
  const failed = final.filter((s) => s.status === "failed").length
  const succeeded = final.filter((s) => s.status === "done").length
  const status = cancelled ? "cancelled" : failed === 0 ? "completed" : succeeded === 0 ? "failed" : "completed-with-errors"
  // The verdict goes to the log before the job is marked finished: a follower that sees the
  // finished status has every line.
  yield* journal.log(jobId, {
    level: failed > 0 ? "warning" : "info",
    message: `${status}: ${succeeded} done, ${failed} failed, ${final.filter((s) => s.status === "skipped").length} skipped${cancelled ? `, ${final.filter((s) => s.status === "pending").length} not started` : ""}`,
  })
  const finished = yield* journal.finish(jobId, status, status === "failed" ? `all ${failed} steps failed; see the log` : undefined)
  emit({ _tag: "JobFinished", job: finished })
  return finished
})
