import { finishedStatuses, formatBytes, type JobLogLine, type JobRecord, type StepRecord } from "@ferry/core"
import type { GeneratedPassword } from "@ferry/target-local"
import { countsLine, failedLines, type JobSummary, passwordLines, statusStyle, statusText } from "./ImportRender.ts"
import { fieldLine, number, printable, style, table } from "./Text.ts"

/* `ferry jobs list|show|log` for people; `--json` prints the records themselves. */

export interface JobsRenderOptions {
  readonly color: boolean
  readonly width: number
}

/**
 * A job left `running` by a process that is gone (kill -9, a reboot) is shown as interrupted:
 * that is what the admin needs to know ('ferry jobs resume' finishes it).
 */
export const displayStatus = (job: JobRecord, isAlive: (pid: number) => boolean): string =>
  job.status === "running" && (job.pid === undefined || !isAlive(job.pid)) ? "interrupted" : statusText[job.status]

const when = (iso: string | undefined): string => (iso === undefined ? "-" : iso.replace("T", " ").replace(/\.\d+Z$/, "Z"))

/** Minutes are enough in a list (UTC, like every time Ferry prints). */
const shortWhen = (iso: string): string => iso.replace("T", " ").slice(0, 16)

const baseName = (path: string): string => path.slice(path.lastIndexOf("/") + 1)

const bytesText = (job: JobRecord): string =>
  job.totals.bytes === 0 ? "-" : `${formatBytes(job.progress.bytes)} of ${formatBytes(job.totals.bytes)}`

/** A finished job's size; a job still under way shows how far it got. */
const listBytes = (job: JobRecord): string =>
  job.totals.bytes === 0
    ? "-"
    : job.progress.bytes >= job.totals.bytes || finishedStatuses.has(job.status)
      ? formatBytes(job.totals.bytes)
      : `${formatBytes(job.progress.bytes)}/${formatBytes(job.totals.bytes)}`

/** `ferry jobs list`: one row per job, newest first. */
export const renderJobList = (jobs: ReadonlyArray<JobRecord>, isAlive: (pid: number) => boolean, o: JobsRenderOptions): string => {
  const s = style(o.color)
  if (jobs.length === 0) return `${s.bold("Jobs")}\n  (none; start one with 'ferry import')`
  return [
    s.bold(`Jobs (${number(jobs.length)})`),
    ...table(
      ["ID", "STATUS", "CREATED", "STEPS", "BYTES", "BACKUP"],
      jobs.map((job) => [
        job.id,
        displayStatus(job, isAlive),
        shortWhen(job.createdAt),
        `${number(job.progress.steps)}/${number(job.totals.steps)}`,
        listBytes(job),
        baseName(job.backup),
      ]),
      { width: o.width, s, right: [3, 4] },
    ),
  ].join("\n")
}

export interface JobShowOptions extends JobsRenderOptions {
  readonly showPasswords: boolean
  /** List every step, not only the failed ones. */
  readonly allSteps: boolean
}

const stepRows = (steps: ReadonlyArray<StepRecord>) =>
  steps.map((step) => [
    String(step.seq + 1),
    step.phase,
    step.tag === "Content" ? "content" : step.tag,
    step.label,
    step.status === "done" ? (step.outcome ?? "done") : step.status,
    step.reason ?? (step.kind === "content" && step.bytesTotal > 0 ? formatBytes(step.bytesTotal) : ""),
  ])

/** `ferry jobs show`: the job, its counts, the failed steps (every step with --steps), its passwords. */
export const renderJob = (
  job: JobRecord,
  summary: JobSummary,
  steps: ReadonlyArray<StepRecord>,
  passwords: ReadonlyArray<GeneratedPassword>,
  isAlive: (pid: number) => boolean,
  o: JobShowOptions,
): string => {
  const s = style(o.color)
  const status = displayStatus(job, isAlive)
  const process =
    job.pid === undefined ? "-" : isAlive(job.pid) ? `pid ${job.pid} (running)` : `pid ${job.pid} (gone; 'ferry jobs resume ${job.id}')`
  const header = [
    `${s.bold(`Job ${job.id}`)}  ${statusStyle(job.status, s)(status)}${job.cancelRequested ? s.dim("  (cancel requested)") : ""}`,
    fieldLine("Backup", printable(job.backup), o.width, s),
    fieldLine("Panel", job.panel, o.width, s),
    fieldLine("Created", when(job.createdAt), o.width, s),
    fieldLine("Started", when(job.startedAt), o.width, s),
    fieldLine("Finished", when(job.finishedAt), o.width, s),
    fieldLine("Process", process, o.width, s),
    fieldLine("Progress", `${number(job.progress.steps)} of ${number(job.totals.steps)} steps · ${bytesText(job)}`, o.width, s),
    fieldLine("Steps", countsLine(summary.counts), o.width, s),
    ...(job.error !== undefined ? [fieldLine("Error", printable(job.error), o.width, s)] : []),
  ]
  const sections = [
    header,
    o.allSteps
      ? [
          s.bold(`Steps (${number(steps.length)})`),
          ...table(["#", "PHASE", "KIND", "LABEL", "STATUS", "DETAIL"], stepRows(steps), { width: o.width, s, right: [0] }),
        ]
      : failedLines(job.id, summary.failed, { width: o.width }, s),
    passwordLines(job.id, passwords, { ...o, showPasswords: o.showPasswords }, s),
  ]
  return sections
    .filter((lines) => lines.length > 0)
    .map((lines) => lines.join("\n"))
    .join("\n\n")
}

/** One log line: time, level, the step it is about, the message (backup names made printable). */
export const logLine = (line: JobLogLine, o: JobsRenderOptions): string => {
  const s = style(o.color)
  const level =
    line.level === "error" ? s.red(line.level.padEnd(7)) : line.level === "warning" ? s.yellow(line.level.padEnd(7)) : line.level.padEnd(7)
  return `${s.dim(when(line.at))}  ${level}  ${line.step !== undefined ? `${s.dim(printable(line.step))}: ` : ""}${printable(line.message)}`
}
