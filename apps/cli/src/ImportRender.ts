import type { JobRecord, JobStatus, StepRecord } from "@ferry/core"
import type { GeneratedPassword } from "@ferry/target-local"
import { number, printable, type Style, style, table, wrap } from "./Text.ts"

/*
 * The end of an import (and of `ferry jobs resume`, `ferry jobs show`): what happened per step
 * outcome, which steps failed and why, the passwords Ferry generated, and the job's status.
 */

export interface StepCounts {
  readonly created: number
  readonly updated: number
  readonly unchanged: number
  readonly failed: number
  readonly skipped: number
  /** Not started: cancelled before it, or the job has not got that far. */
  readonly pending: number
  /** Running when the job stopped (its process died); a resume runs it again. */
  readonly running: number
}

export interface FailedStep {
  readonly key: string
  readonly tag: string
  readonly label: string
  readonly reason: string
}

export interface JobSummary {
  readonly counts: StepCounts
  readonly failed: ReadonlyArray<FailedStep>
}

export const summarize = (steps: ReadonlyArray<StepRecord>): JobSummary => {
  const counts = { created: 0, updated: 0, unchanged: 0, failed: 0, skipped: 0, pending: 0, running: 0 }
  const failed: Array<FailedStep> = []
  for (const step of steps) {
    if (step.status === "done") counts[step.outcome ?? "unchanged"]++
    else counts[step.status]++
    if (step.status === "failed") failed.push({ key: step.key, tag: step.tag, label: step.label, reason: step.reason ?? "" })
  }
  return { counts, failed }
}

export const statusText: Record<JobStatus, string> = {
  queued: "queued",
  running: "running",
  cancelled: "cancelled",
  completed: "completed",
  "completed-with-errors": "completed with errors",
  failed: "failed",
}

export const statusStyle = (status: JobStatus, s: Style): ((text: string) => string) =>
  status === "completed" ? s.bold : status === "failed" ? s.red : status === "running" || status === "queued" ? s.cyan : s.yellow

export const countsLine = (counts: StepCounts): string =>
  [
    `created ${number(counts.created)}`,
    `updated ${number(counts.updated)}`,
    `unchanged ${number(counts.unchanged)}`,
    `failed ${number(counts.failed)}`,
    `skipped ${number(counts.skipped)}`,
    ...(counts.pending > 0 ? [`not started ${number(counts.pending)}`] : []),
    ...(counts.running > 0 ? [`interrupted ${number(counts.running)}`] : []),
  ].join(" · ")

export interface SummaryRenderOptions {
  readonly color: boolean
  readonly width: number
  /** Print generated passwords (a terminal, or --show-passwords); otherwise say how to see them. */
  readonly showPasswords: boolean
  /** Failed steps listed before "… and N more"; all when undefined. */
  readonly failedShown?: number
}

export const failedLines = (
  jobId: string,
  failed: ReadonlyArray<FailedStep>,
  o: { readonly width: number; readonly failedShown?: number },
  s: Style,
) => {
  if (failed.length === 0) return []
  const shown = o.failedShown === undefined ? failed : failed.slice(0, o.failedShown)
  return [
    s.bold(`Failed (${number(failed.length)})`),
    ...shown.flatMap((step) => [
      `  ${s.red(printable(step.label))} ${s.dim(`(${step.tag === "Content" ? "content" : step.tag})`)}`,
      ...wrap(step.reason, o.width - 4, 0).map((line) => `    ${line}`),
    ]),
    ...(shown.length < failed.length
      ? [s.dim(`  … and ${number(failed.length - shown.length)} more ('ferry jobs show ${jobId} --steps')`)]
      : []),
  ]
}

export const passwordLines = (jobId: string, passwords: ReadonlyArray<GeneratedPassword>, o: SummaryRenderOptions, s: Style) => {
  if (passwords.length === 0) return []
  const title = s.bold(`Generated passwords (${number(passwords.length)})`)
  if (!o.showPasswords) return [`${title}  ${s.dim(`not shown here; see them with 'ferry jobs show ${jobId} --show-passwords'`)}`]
  return [
    `${title}  ${s.dim("the backup's password could not be kept; give these to their owners")}`,
    ...table(
      ["SERVICE", "LOGIN", "PASSWORD"],
      passwords.map((p) => [p.service, p.login, p.password]),
      { width: o.width, s },
    ),
  ]
}

/** The summary after `ferry import` or `ferry jobs resume` ran a job. */
export const renderSummary = (
  job: JobRecord,
  summary: JobSummary,
  passwords: ReadonlyArray<GeneratedPassword>,
  o: SummaryRenderOptions,
): string => {
  const s = style(o.color)
  const status = statusStyle(job.status, s)(statusText[job.status])
  const sections: Array<Array<string>> = [
    [`${s.bold(`Job ${job.id}`)}  ${status}`, ...wrap(countsLine(summary.counts), o.width - 2, 0).map((line) => `  ${line}`)],
    failedLines(job.id, summary.failed, o, s),
    passwordLines(job.id, passwords, o, s),
    [
      s.dim(
        job.status === "cancelled" || job.status === "running"
          ? `Resume with 'ferry jobs resume ${job.id}'; the log: 'ferry jobs log ${job.id}'.`
          : `The log: 'ferry jobs log ${job.id}'.`,
      ),
    ],
  ]
  if (job.error !== undefined) sections[0]?.push(`  ${printable(job.error)}`)
  return sections
    .filter((lines) => lines.length > 0)
    .map((lines) => lines.join("\n"))
    .join("\n\n")
}

/** `--json`: the job, its per-outcome counts and failed steps, and the generated passwords if shown. */
export const summaryJson = (
  job: JobRecord,
  summary: JobSummary,
  passwords: ReadonlyArray<GeneratedPassword>,
  showPasswords: boolean,
  steps?: ReadonlyArray<StepRecord>,
) => ({
  job,
  counts: summary.counts,
  failed: summary.failed,
  generatedPasswords: showPasswords ? passwords : passwords.map(({ password: _password, ...rest }) => rest),
  ...(steps !== undefined ? { steps } : {}),
})
