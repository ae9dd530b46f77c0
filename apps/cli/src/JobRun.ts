import { type ImportOptions, type JobRecord, runQueuedJob, type Snapshot } from "@ferry/core"
import type { LocalTarget } from "@ferry/target-local"
import { Console, Effect } from "effect"
import { TerminalCapabilities } from "effect/cli"
import { exitCodeOfJob, exitWith } from "./ExitCodes.ts"
import { renderSummary, summarize, summaryJson } from "./ImportRender.ts"
import { stderrJobProgress, stderrProgress } from "./Progress.ts"

/* Running a job in this process (`ferry import`, `ferry jobs resume`) and reporting how it ended. */

/**
 * What `ferry import` stores as the job's choices: the import options for `jobs show`, and the
 * receiving server the job writes to, so a resume (`ferry jobs resume`, the detached process)
 * writes to the same root with the same profile.
 */
export interface JobChoices {
  readonly import: ImportOptions
  readonly target: { readonly root: string; readonly profile?: string }
}

/** The choices of a job made by `ferry import`; anything else (an API job) has no target stored. */
export const jobChoices = (job: JobRecord): Partial<JobChoices> => {
  const options = job.options as { readonly choices?: unknown } | null
  const choices = options?.choices
  if (typeof choices !== "object" || choices === null) return {}
  const target = (choices as { target?: unknown }).target
  if (typeof target !== "object" || target === null || typeof (target as { root?: unknown }).root !== "string") return {}
  const { root, profile } = target as { root: string; profile?: unknown }
  return { target: { root, ...(typeof profile === "string" ? { profile } : {}) } }
}

export interface OutputOptions {
  readonly json: boolean
  readonly showPasswords: boolean
}

/** Print how a job ended (summary or JSON) and end with its exit code. */
export const reportJob = Effect.fn("JobRun.report")(function* (target: LocalTarget, job: JobRecord, output: OutputOptions) {
  const steps = yield* target.journal.steps(job.id)
  const summary = summarize(steps)
  const passwords = yield* target.generatedPasswords(new Set(steps.map((step) => step.key)))
  if (output.json) yield* Console.log(JSON.stringify(summaryJson(job, summary, passwords, output.showPasswords), null, 2))
  else {
    const { canColor } = yield* TerminalCapabilities.TerminalCapabilities
    yield* Console.log(
      renderSummary(job, summary, passwords, {
        color: canColor,
        width: (process.stdout.isTTY && process.stdout.columns) || 100,
        // A terminal is a person reading; a pipe or a file may be a log kept for long.
        showPasswords: output.showPasswords || process.stdout.isTTY === true,
        failedShown: 20,
      }),
    )
  }
  yield* exitWith(exitCodeOfJob(job.status))
})

/**
 * Run (or resume) a job here, with progress bars on a terminal. Interrupted (Ctrl-C), the job
 * stays as it is in the journal and can be resumed; the admin is told how.
 */
export const runJobHere = Effect.fn("JobRun.run")(function* (
  target: LocalTarget,
  jobId: string,
  options: OutputOptions & {
    readonly snapshot?: Snapshot
    readonly secrets?: Readonly<Record<string, string>>
  },
) {
  const finished = yield* Effect.scoped(
    Effect.gen(function* () {
      const reading = yield* stderrProgress
      const view = yield* stderrJobProgress
      return yield* runQueuedJob(target, jobId, {
        ...(options.snapshot !== undefined ? { snapshot: options.snapshot } : {}),
        ...(options.secrets !== undefined ? { secrets: options.secrets } : {}),
        onInspectProgress: reading.update,
        onEvent: (event) => {
          if (event._tag === "JobStarted") reading.clear()
          view.onEvent(event)
        },
      })
    }),
  ).pipe(
    Effect.onInterrupt(() =>
      Effect.sync(() => process.stderr.write(`\nferry: interrupted; job ${jobId} can be finished with 'ferry jobs resume ${jobId}'\n`)),
    ),
  )
  yield* reportJob(target, finished, options)
})
