import type { Effect } from "effect"
import type { Decision } from "../check/Plan.ts"
import type { JobLogLine, JobRecord, JobStatus, JournalError, StepOutcome, StepRecord, StepStatus } from "./Job.ts"

export interface NewStep {
  readonly key: string
  readonly kind: StepRecord["kind"]
  readonly tag: string
  readonly label: string
  readonly phase: StepRecord["phase"]
  readonly entity?: string
  readonly bytesTotal: number
  /** Steps of skipped entities are written as `skipped` with the plan's reason. */
  readonly status: "pending" | "skipped"
  readonly reason?: string
}

export interface NewJob {
  readonly id: string
  readonly backup: string
  readonly panel: string
  readonly options: unknown
  /** The decisions of the confirmed plan: a resumed job follows them, it does not re-check. */
  readonly decisions: ReadonlyArray<Decision>
  readonly steps: ReadonlyArray<NewStep>
}

export interface StepUpdate {
  readonly status: StepStatus
  readonly outcome?: StepOutcome
  readonly reason?: string
  readonly bytesDone?: number
}

/**
 * Where jobs are kept (the target's inventory database). Every write is durable when the effect
 * completes: a `done` step stays done after `kill -9`.
 */
export interface JobJournal {
  readonly create: (job: NewJob) => Effect.Effect<JobRecord, JournalError>
  readonly get: (id: string) => Effect.Effect<JobRecord | undefined, JournalError>
  /** Newest first. */
  readonly list: Effect.Effect<ReadonlyArray<JobRecord>, JournalError>
  readonly steps: (id: string) => Effect.Effect<ReadonlyArray<StepRecord>, JournalError>
  readonly decisions: (id: string) => Effect.Effect<ReadonlyArray<Decision>, JournalError>
  /**
   * Take the job for this process: succeeds (true) when no live process holds it, and sets the
   * status to `running` with `pid` and `startedAt` (kept from the first start).
   */
  readonly claim: (id: string, pid: number) => Effect.Effect<boolean, JournalError>
  readonly finish: (id: string, status: JobStatus, error?: string) => Effect.Effect<JobRecord, JournalError>
  readonly updateStep: (id: string, key: string, update: StepUpdate) => Effect.Effect<StepRecord, JournalError>
  /** Steps and bytes done so far (written at most every few hundred milliseconds by the executor). */
  readonly progress: (id: string, progress: JobRecord["progress"]) => Effect.Effect<void, JournalError>
  readonly log: (id: string, line: Omit<JobLogLine, "at">) => Effect.Effect<void, JournalError>
  readonly logs: (id: string) => Effect.Effect<ReadonlyArray<JobLogLine>, JournalError>
  /** Ask the running process to stop at the next step boundary (it polls `get`). */
  readonly requestCancel: (id: string) => Effect.Effect<void, JournalError>
  /** Remove a job, its steps and its log. */
  readonly remove: (id: string) => Effect.Effect<void, JournalError>
}
