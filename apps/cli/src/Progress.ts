import { formatBytes, type JobEvent } from "@ferry/core"
import { Effect } from "effect"
import { printable } from "./Text.ts"

export interface ProgressEvent {
  readonly phase: "detect" | "read"
  readonly bytes: number
  /** Size of the source; 0 when unknown (an extracted directory). */
  readonly total: number
}

const phaseLabel: Record<ProgressEvent["phase"], string> = { detect: "detecting", read: "reading" }

/**
 * A labelled bar line: "label  amount  percent  [####----]  rate"; the bar only when there is
 * room, the percent and bar only when the total is known.
 */
const barLine = (label: string, amount: string, ratio: number | undefined, rate: string, width: number): string => {
  if (ratio === undefined) return `${label}  ${amount}  ${rate}`.trimEnd().slice(0, width)
  const percent = `${Math.floor(Math.min(1, ratio) * 100)}%`.padStart(4)
  const fixed = `${label}  ${amount}  ${percent}  ${rate}`
  // Room for the widest rate ("1023.9 MiB/s"), so the bar keeps its size from frame to frame.
  const barWidth = Math.min(30, width - `${label}  ${amount}  ${percent}`.length - 6 - 12)
  if (barWidth < 10) return fixed.trimEnd().slice(0, width)
  const filled = Math.round(Math.min(1, ratio) * barWidth)
  const bar = `[${"#".repeat(filled)}${"-".repeat(barWidth - filled)}]`
  return `${label}  ${amount}  ${percent}  ${bar}  ${rate}`.trimEnd()
}

const rateText = (bytesPerSecond: number | undefined) => (bytesPerSecond === undefined ? "" : `${formatBytes(bytesPerSecond)}/s`)

/** One progress line: phase, bytes of total, percent, a bar when there is room, throughput. */
export const progressLine = (event: ProgressEvent, bytesPerSecond: number | undefined, width: number): string => {
  const phase = phaseLabel[event.phase].padEnd(9)
  if (event.total <= 0) return barLine(phase, formatBytes(event.bytes), undefined, rateText(bytesPerSecond), width)
  return barLine(
    phase,
    `${formatBytes(event.bytes)} of ${formatBytes(event.total)}`,
    event.bytes / event.total,
    rateText(bytesPerSecond),
    width,
  )
}

/** Where a running job is: what the executor's Progress event says. */
export interface JobProgressState {
  readonly steps: { readonly done: number; readonly total: number }
  readonly bytes: { readonly done: number; readonly total: number }
  readonly current: string | undefined
}

/**
 * The three lines of a running import: content bytes copied (with throughput), steps done, and
 * the entity being worked on (a name from the backup, made printable).
 */
export const jobProgressLines = (state: JobProgressState, bytesPerSecond: number | undefined, width: number): [string, string, string] => {
  const ratio = (done: number, total: number) => (total > 0 ? done / total : undefined)
  const bytes = barLine(
    "content  ",
    `${formatBytes(state.bytes.done)} of ${formatBytes(state.bytes.total)}`,
    ratio(state.bytes.done, state.bytes.total),
    rateText(bytesPerSecond),
    width,
  )
  const steps = barLine(
    "steps    ",
    `${state.steps.done.toLocaleString("en-US")} of ${state.steps.total.toLocaleString("en-US")}`,
    ratio(state.steps.done, state.steps.total),
    "",
    width,
  )
  const current = `${"current  "}  ${state.current === undefined ? "-" : printable(state.current)}`
  return [bytes, steps, current.length > width ? `${current.slice(0, width - 1)}…` : current]
}

/** Redraws at most this often; the archive reader reports every megabyte. */
const redrawMs = 100

/**
 * A progress line on a terminal. Writes nothing unless the stream is a TTY, so piped or
 * redirected runs stay clean; `clear` erases the line.
 */
export class ProgressBar {
  private readonly stream: NodeJS.WriteStream
  private readonly now: () => number
  private phase: ProgressEvent["phase"] | undefined
  private phaseStart = 0
  private lastDraw = Number.NEGATIVE_INFINITY
  private drawn = false

  constructor(stream: NodeJS.WriteStream, now: () => number = () => performance.now()) {
    this.stream = stream
    this.now = now
  }

  get enabled(): boolean {
    return this.stream.isTTY === true
  }

  readonly update = (event: ProgressEvent): void => {
    if (!this.enabled) return
    const now = this.now()
    const phaseChanged = event.phase !== this.phase
    if (phaseChanged) {
      this.phase = event.phase
      this.phaseStart = now
    } else if (now - this.lastDraw < redrawMs) {
      return
    }
    this.lastDraw = now
    // Throughput needs a little history before it means anything.
    const seconds = (now - this.phaseStart) / 1000
    const rate = seconds >= 0.25 ? event.bytes / seconds : undefined
    // `columns` is 0 on a pseudo-terminal without a size (e.g. under script(1)).
    const width = Math.max(20, (this.stream.columns || 80) - 1)
    this.stream.write(`\r\x1b[2K${progressLine(event, rate, width)}`)
    this.drawn = true
  }

  readonly clear = (): void => {
    if (this.drawn) this.stream.write("\r\x1b[2K")
    this.drawn = false
  }
}

/**
 * The progress of a running job on a terminal: three lines redrawn in place, at most every
 * 100 ms. A failed step is printed above them as it happens, so the admin sees it at once.
 */
export class JobProgressView {
  private readonly stream: NodeJS.WriteStream
  private readonly now: () => number
  private state: JobProgressState | undefined
  private start: { readonly at: number; readonly bytes: number } | undefined
  private lastDraw = Number.NEGATIVE_INFINITY
  private drawnLines = 0

  constructor(stream: NodeJS.WriteStream, now: () => number = () => performance.now()) {
    this.stream = stream
    this.now = now
  }

  get enabled(): boolean {
    return this.stream.isTTY === true
  }

  readonly onEvent = (event: JobEvent): void => {
    if (!this.enabled) return
    switch (event._tag) {
      case "Progress":
        this.state = event
        // Throughput counts from the first event: a resumed job starts with bytes already done.
        this.start ??= { at: this.now(), bytes: event.bytes.done }
        this.draw(false)
        break
      case "StepStarted":
        if (this.state !== undefined) this.state = { ...this.state, current: event.step.label }
        this.draw(false)
        break
      case "StepFinished":
        if (event.step.status === "failed") {
          this.clear()
          this.stream.write(`failed   ${printable(event.step.label)}: ${printable(event.step.reason ?? "")}\n`)
          this.draw(true)
        }
        break
      case "JobStarted":
      case "JobFinished":
        break
    }
  }

  private draw(force: boolean): void {
    if (this.state === undefined) return
    const now = this.now()
    if (!force && now - this.lastDraw < redrawMs) return
    this.lastDraw = now
    const seconds = this.start === undefined ? 0 : (now - this.start.at) / 1000
    const rate = seconds >= 0.25 && this.start !== undefined ? (this.state.bytes.done - this.start.bytes) / seconds : undefined
    const width = Math.max(20, (this.stream.columns || 80) - 1)
    const lines = jobProgressLines(this.state, rate, width)
    this.stream.write(`${this.up()}${lines.map((line) => `\x1b[2K${line}`).join("\n")}`)
    this.drawnLines = lines.length
  }

  /** Back to the start of the first drawn line. */
  private up(): string {
    return this.drawnLines > 1 ? `\r\x1b[${this.drawnLines - 1}A` : "\r"
  }

  readonly clear = (): void => {
    if (this.drawnLines === 0) return
    this.stream.write(`${this.up()}\x1b[J`)
    this.drawnLines = 0
  }
}

/** A progress bar on stderr for the life of the current scope, erased when the scope closes. */
export const stderrProgress = Effect.acquireRelease(
  Effect.sync(() => new ProgressBar(process.stderr)),
  (bar) => Effect.sync(bar.clear),
)

/** The job's progress on stderr for the life of the current scope, erased when the scope closes. */
export const stderrJobProgress = Effect.acquireRelease(
  Effect.sync(() => new JobProgressView(process.stderr)),
  (view) => Effect.sync(view.clear),
)
