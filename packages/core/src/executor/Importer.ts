import { type Effect, Schema } from "effect"
import type { ArchiveEntry } from "../archive/ArchiveEntry.ts"
import type { ArchiveError } from "../archive/ArchiveError.ts"
import type { Decision } from "../check/Plan.ts"
import type { Entity } from "../model/Entity.ts"
import type { ContentRef, Snapshot } from "../model/Snapshot.ts"
import type { StepOutcome } from "./Job.ts"
import type { JobJournal } from "./Journal.ts"

/**
 * One step could not be done. The job goes on with the other steps; `code` is stable (for the
 * report and tests), `reason` says what happened in the admin's words, naming the entity.
 */
export class StepFailed extends Schema.TaggedError<StepFailed>()("StepFailed", {
  step: Schema.String,
  code: Schema.String,
  reason: Schema.String,
}) {
  override get message(): string {
    return `${this.step}: ${this.reason}`
  }
}

export interface StepContext {
  readonly jobId: string
  readonly snapshot: Snapshot
  /** The plan's decision for the entity (its changes: new owner, PHP version, database server, …). */
  readonly decision: Decision
  /** Any entity of the snapshot by id. */
  readonly entity: (id: string) => Entity | undefined
  /** The decision for any entity (to see whether an owner or a domain was skipped). */
  readonly decisionOf: (id: string) => Decision | undefined
  /** Write a line to the job's log. */
  readonly log: (level: "info" | "warning" | "error", message: string) => Effect.Effect<void>
}

export interface StepResult {
  readonly outcome: StepOutcome
  /** A warning worth the log (e.g. "2 cron lines skipped: SHELL= assignment"). */
  readonly notes?: ReadonlyArray<string>
}

/**
 * Where the entries of one content ref go. The executor calls `write` for each entry under the
 * ref (`rel` is the path inside the content root, never empty for directory refs; a single-file
 * ref such as a dump gets `rel` = the file's base name), then `commit` once all entries are
 * written, or `discard` when the step fails or the job is cancelled before the commit.
 */
export interface ContentSink {
  readonly write: (rel: string, entry: ArchiveEntry) => Effect.Effect<void, StepFailed | ArchiveError>
  /** Make the content live (a database: swap the staging database in). Idempotent. */
  readonly commit: Effect.Effect<StepResult, StepFailed>
  /** Remove what this sink wrote that is not live yet; never fails. */
  readonly discard: Effect.Effect<void>
}

/**
 * How a target imports (the apply side of the Target contract). Every method is idempotent: a
 * resumed job calls it again for a step that was running when the process died, and a re-run of
 * a finished job changes nothing.
 */
export interface Importer {
  /** Create or update the entity on the target: records, users, configuration files. */
  readonly apply: (entity: Entity, ctx: StepContext) => Effect.Effect<StepResult, StepFailed>
  /** Open the sink for one content ref of `entity` (a site's docroot, a Maildir, a dump, a home). */
  readonly content: (ref: ContentRef, entity: Entity, ctx: StepContext) => Effect.Effect<ContentSink, StepFailed>
  /**
   * After all steps: validate the generated configuration as a whole (e.g. `nginx -t`). Problems
   * are returned as log lines, not thrown: the steps are already done.
   */
  readonly finish: (ctx: {
    readonly jobId: string
    readonly snapshot: Snapshot
  }) => Effect.Effect<ReadonlyArray<{ readonly level: "info" | "warning" | "error"; readonly message: string }>>
}

/** A receiving server that can import: checks read it, the executor writes to it. */
export interface ImportTarget {
  readonly importer: Importer
  readonly journal: JobJournal
}
