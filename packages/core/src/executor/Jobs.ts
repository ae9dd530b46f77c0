import { createHash, randomBytes } from "node:crypto"
import { resolve } from "node:path"
import { Effect } from "effect"
import { type InspectOptions, Inspector } from "../adapter/Inspector.ts"
import * as Archive from "../archive/Archive.ts"
import type { ArchiveLimits } from "../archive/ArchiveLimits.ts"
import type { Plan } from "../check/Plan.ts"
import type { Snapshot } from "../model/Snapshot.ts"
import { runJob } from "./Executor.ts"
import type { ImportTarget } from "./Importer.ts"
import { type JobEvent, type JobRecord, JobStateError } from "./Job.ts"
import { planSteps } from "./Steps.ts"

/*
 * Starting and resuming import jobs: what `ferry import`, `ferry jobs resume` and the API share.
 * A job stores the confirmed plan's decisions and a digest of the snapshot; resuming reads the
 * backup again (pass one), refuses if it is not the same backup, and runs the steps left (pass
 * two). Secrets (backup passwords, Plesk keys) are never stored: the caller passes them again.
 */

export interface JobOptions {
  readonly panel: string
  /** The admin's choices, for `jobs show` (ImportOptions and the like). */
  readonly choices?: unknown
  readonly limits?: Partial<ArchiveLimits>
}

/** What identifies a snapshot's content: entity ids and content refs with their sizes. */
export const snapshotDigest = (snapshot: Snapshot): string => {
  const hash = createHash("sha256")
  for (const id of snapshot.entities.map((e) => e.id).sort()) hash.update(`${id}\n`)
  for (const ref of [...snapshot.content].sort((a, b) => (a.id < b.id ? -1 : 1))) hash.update(`${ref.id} ${ref.path} ${ref.bytes}\n`)
  return hash.digest("hex").slice(0, 32)
}

export const newJobId = (now: Date = new Date()): string =>
  `${now.toISOString().slice(0, 10).replaceAll("-", "")}-${randomBytes(3).toString("hex")}`

interface StoredOptions extends JobOptions {
  readonly digest: string
}

/** Records a job for a confirmed plan; nothing is imported yet (the job is `queued`). */
export const createJob = Effect.fn("Jobs.create")(function* (input: {
  readonly target: ImportTarget
  readonly backup: string
  readonly snapshot: Snapshot
  readonly plan: Plan
  readonly options: JobOptions
  readonly id?: string
}) {
  const id = input.id ?? newJobId()
  if (input.plan.blocked) return yield* new JobStateError({ job: id, detail: "the plan is blocked by a critical issue; resolve it first" })
  const options: StoredOptions = { ...input.options, digest: snapshotDigest(input.snapshot) }
  return yield* input.target.journal.create({
    id,
    backup: resolve(input.backup),
    panel: input.options.panel,
    options,
    decisions: input.plan.decisions,
    steps: planSteps(input.snapshot, input.plan.decisions),
  })
})

export interface RunOptions {
  readonly secrets?: Readonly<Record<string, string>>
  readonly onEvent?: (event: JobEvent) => void
  /** Progress of reading the backup again before a resumed job runs. */
  readonly onInspectProgress?: InspectOptions["onProgress"]
  /** A snapshot already read in this process (`ferry import` reads once, then runs). */
  readonly snapshot?: Snapshot
}

/**
 * Runs a queued job, or resumes an interrupted or cancelled one: reads the backup (unless the
 * caller has the snapshot), checks it is the backup the job was made from, and runs the executor.
 */
export const runQueuedJob = Effect.fn("Jobs.run")(function* (target: ImportTarget, jobId: string, options: RunOptions = {}) {
  const job = yield* target.journal.get(jobId)
  if (job === undefined) return yield* new JobStateError({ job: jobId, detail: "no such job" })
  const stored = job.options as Partial<StoredOptions>
  const secrets = options.secrets
  const snapshot =
    options.snapshot ??
    (yield* (yield* Inspector).inspect(job.backup, {
      panel: job.panel,
      ...(stored.limits !== undefined ? { limits: stored.limits } : {}),
      ...(secrets !== undefined ? { read: { secrets } } : {}),
      ...(options.onInspectProgress !== undefined ? { onProgress: options.onInspectProgress } : {}),
    })).snapshot
  if (stored.digest !== undefined && snapshotDigest(snapshot) !== stored.digest)
    return yield* new JobStateError({
      job: jobId,
      detail: `${job.backup} is not the backup this job was started with (its contents differ); start a new import`,
    })
  const archive = yield* Archive.open(job.backup)
  return yield* runJob({
    jobId,
    archive,
    snapshot,
    journal: target.journal,
    importer: target.importer,
    scan: {
      ...(stored.limits !== undefined ? { limits: stored.limits } : {}),
      ...(secrets !== undefined ? { secrets } : {}),
    },
    ...(options.onEvent !== undefined ? { onEvent: options.onEvent } : {}),
  })
})

/** Ask a running job to stop at the next step boundary; a queued job is cancelled at once. */
export const cancelJob = Effect.fn("Jobs.cancel")(function* (target: ImportTarget, jobId: string) {
  const job = yield* target.journal.get(jobId)
  if (job === undefined) return yield* new JobStateError({ job: jobId, detail: "no such job" })
  if (job.status === "queued") return yield* target.journal.finish(jobId, "cancelled")
  if (job.status !== "running") return yield* new JobStateError({ job: jobId, detail: `the job is ${job.status}, not running` })
  yield* target.journal.requestCancel(jobId)
  return (yield* target.journal.get(jobId)) as JobRecord
})

const isAlive = (pid: number | undefined): boolean => {
  if (pid === undefined) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/** Remove a job and its log; a job whose process is still running is refused. */
export const deleteJob = Effect.fn("Jobs.delete")(function* (target: ImportTarget, jobId: string) {
  const job = yield* target.journal.get(jobId)
  if (job === undefined) return yield* new JobStateError({ job: jobId, detail: "no such job" })
  if (job.status === "running" && isAlive(job.pid))
    return yield* new JobStateError({ job: jobId, detail: `the job is running (pid ${job.pid}); cancel it first` })
  yield* target.journal.remove(jobId)
})

export { isAlive as isProcessAlive }
