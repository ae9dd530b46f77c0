import { formatBytes } from "@ferry/core"
import { Effect } from "effect"

export interface ProgressEvent {
  readonly phase: "detect" | "read"
  readonly bytes: number
  /** Size of the source; 0 when unknown (an extracted directory). */
  readonly total: number
}

const phaseLabel: Record<ProgressEvent["phase"], string> = { detect: "detecting", read: "reading" }

/** One progress line: phase, bytes of total, percent, a bar when there is room, throughput. */
export const progressLine = (event: ProgressEvent, bytesPerSecond: number | undefined, width: number): string => {
  const phase = phaseLabel[event.phase].padEnd(9)
  const rate = bytesPerSecond === undefined ? "" : `${formatBytes(bytesPerSecond)}/s`
  if (event.total <= 0) return `${phase}  ${formatBytes(event.bytes)}  ${rate}`.trimEnd().slice(0, width)
  const ratio = Math.min(1, event.bytes / event.total)
  const percent = `${Math.floor(ratio * 100)}%`.padStart(4)
  const amount = `${formatBytes(event.bytes)} of ${formatBytes(event.total)}`
  const fixed = `${phase}  ${amount}  ${percent}  ${rate}`
  // Room for the widest rate ("1023.9 MiB/s"), so the bar keeps its size from frame to frame.
  const barWidth = Math.min(30, width - `${phase}  ${amount}  ${percent}`.length - 6 - 12)
  if (barWidth < 10) return fixed.trimEnd().slice(0, width)
  const filled = Math.round(ratio * barWidth)
  const bar = `[${"#".repeat(filled)}${"-".repeat(barWidth - filled)}]`
  return `${phase}  ${amount}  ${percent}  ${bar}  ${rate}`.trimEnd()
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

/** A progress bar on stderr for the life of the current scope, erased when the scope closes. */
export const stderrProgress = Effect.acquireRelease(
  Effect.sync(() => new ProgressBar(process.stderr)),
  (bar) => Effect.sync(bar.clear),
)
