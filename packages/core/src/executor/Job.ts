import { Schema } from "effect"

/*
 * A job is one run of a plan against a target. Its journal (one row per step) lives in the
 * target's inventory database, so a job survives the process that started it: after a crash,
 * `resume` re-reads the backup and finishes the steps that are not done.
 */

export const JobStatus = Schema.Literals([
  /** Created, not started yet (or started in the background and not picked up yet). */
  "queued",
  "running",
  /** Stopped at a step boundary on request; every step is done or not started. */
  "cancelled",
  "completed",
  "completed-with-errors",
  /** Nothing could be imported (the backup could not be read, every step failed, …). */
  "failed",
])
export type JobStatus = typeof JobStatus.Type

export const finishedStatuses: ReadonlySet<JobStatus> = new Set(["cancelled", "completed", "completed-with-errors", "failed"])

export const StepStatus = Schema.Literals(["pending", "running", "done", "failed", "skipped"])
export type StepStatus = typeof StepStatus.Type

/** What a finished step did on the target (security rule 29). */
export const StepOutcome = Schema.Literals(["created", "updated", "unchanged"])
export type StepOutcome = typeof StepOutcome.Type

/**
 * A step imports one entity (its records and configuration) or one content ref (files, a Maildir,
 * a dump). Phases run in order: `structure` (accounts, domains, zones, certificates), `content`
 * (one streaming pass over the archive), `settings` (everything that needs the content in place:
 * sites, mailboxes, databases, users, cron, FTP).
 */
export const StepPhase = Schema.Literals(["structure", "content", "settings"])
export type StepPhase = typeof StepPhase.Type

export const StepRecord = Schema.Struct({
  /** Entity id, or content ref id for content steps. */
  key: Schema.String,
  kind: Schema.Literals(["entity", "content"]),
  /** Entity tag; "Content" for content steps. */
  tag: Schema.String,
  label: Schema.String,
  phase: StepPhase,
  /** Order inside the job. */
  seq: Schema.Number,
  /** For content steps: the entity the content belongs to. */
  entity: Schema.optionalKey(Schema.String),
  status: StepStatus,
  outcome: Schema.optionalKey(StepOutcome),
  /** Why a step failed or was skipped. */
  reason: Schema.optionalKey(Schema.String),
  /** Content bytes expected (content steps) and copied. */
  bytesTotal: Schema.Number,
  bytesDone: Schema.Number,
  updatedAt: Schema.String,
})
export type StepRecord = typeof StepRecord.Type

export const JobRecord = Schema.Struct({
  id: Schema.String,
  status: JobStatus,
  /** Absolute path of the backup. */
  backup: Schema.String,
  panel: Schema.String,
  /** What the admin chose (ImportOptions as JSON, plus panel and limits); never secrets. */
  options: Schema.Unknown,
  createdAt: Schema.String,
  startedAt: Schema.optionalKey(Schema.String),
  finishedAt: Schema.optionalKey(Schema.String),
  /** Process running the job now (to refuse a second runner and to cancel). */
  pid: Schema.optionalKey(Schema.Number),
  cancelRequested: Schema.Boolean,
  totals: Schema.Struct({ steps: Schema.Number, bytes: Schema.Number }),
  progress: Schema.Struct({ steps: Schema.Number, bytes: Schema.Number }),
  /** Why the job failed as a whole. */
  error: Schema.optionalKey(Schema.String),
})
export type JobRecord = typeof JobRecord.Type

export const LogLevel = Schema.Literals(["info", "warning", "error"])

export const JobLogLine = Schema.Struct({
  at: Schema.String,
  level: LogLevel,
  /** Step key the line is about, if any. */
  step: Schema.optionalKey(Schema.String),
  message: Schema.String,
})
export type JobLogLine = typeof JobLogLine.Type

/** What the executor tells its subscribers (CLI progress bars, the API's notifications). */
export type JobEvent =
  | { readonly _tag: "JobStarted"; readonly job: JobRecord; readonly resumed: boolean }
  | { readonly _tag: "StepStarted"; readonly step: StepRecord }
  | { readonly _tag: "StepFinished"; readonly step: StepRecord }
  | {
      readonly _tag: "Progress"
      readonly steps: { readonly done: number; readonly total: number }
      readonly bytes: { readonly done: number; readonly total: number }
      /** Label of the step being worked on. */
      readonly current: string | undefined
    }
  | { readonly _tag: "JobFinished"; readonly job: JobRecord }

/** The journal could not be read or written (the inventory database). */
export class JournalError extends Schema.TaggedError<JournalError>()("JournalError", {
  job: Schema.String,
  detail: Schema.String,
}) {
  override get message(): string {
    return `job ${this.job}: ${this.detail}`
  }
}

/** A job operation that does not apply to the job's state (resume a finished job, delete a running one). */
export class JobStateError extends Schema.TaggedError<JobStateError>()("JobStateError", {
  job: Schema.String,
  detail: Schema.String,
}) {
  override get message(): string {
    return `job ${this.job}: ${this.detail}`
  }
}
