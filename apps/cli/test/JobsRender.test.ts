import type { JobRecord, StepRecord } from "@ferry/core"
import { describe, expect, it } from "vitest"
import { ExitCode, exitCodeOfJob, exitCodesHelp } from "../src/ExitCodes.ts"
import { renderSummary, summarize, summaryJson } from "../src/ImportRender.ts"
import { displayStatus, logLine, renderJobList } from "../src/JobsRender.ts"
import { JobProgressView, jobProgressLines } from "../src/Progress.ts"

const step = (key: string, patch: Partial<StepRecord> = {}): StepRecord => ({
  key,
  kind: "entity",
  tag: "Mailbox",
  label: key,
  phase: "settings",
  seq: 0,
  status: "pending",
  bytesTotal: 0,
  bytesDone: 0,
  updatedAt: "2026-01-01T00:00:00.000Z",
  ...patch,
})

const job = (patch: Partial<JobRecord> = {}): JobRecord => ({
  id: "20260101-abcdef",
  status: "completed-with-errors",
  backup: "/backups/cpmove-bob.tar.gz",
  panel: "cpanel",
  options: {},
  createdAt: "2026-01-01T10:00:00.123Z",
  cancelRequested: false,
  totals: { steps: 5, bytes: 2048 },
  progress: { steps: 5, bytes: 2048 },
  ...patch,
})

const steps = [
  step("a", { status: "done", outcome: "created" }),
  step("b", { status: "done", outcome: "unchanged" }),
  step("c", { status: "failed", reason: "the quota is too small", tag: "Mailbox", label: "info@example.com" }),
  step("d", { status: "skipped", reason: "skipped by the plan" }),
  step("e", { status: "done", outcome: "updated" }),
]

const password = { entity: "c", service: "mail", login: "info@example.com", password: "s3cret-Generated" }

const fakeStream = (isTTY: boolean) => {
  const writes: Array<string> = []
  const stream = { isTTY, columns: 100, write: (chunk: string) => writes.push(chunk) > 0 } as unknown as NodeJS.WriteStream
  return { stream, writes }
}

describe("job exit codes", () => {
  it("0 completed, 10 with errors, 11 failed, 12 cancelled, and the help lists them", () => {
    expect(exitCodeOfJob("completed")).toBe(0)
    expect(exitCodeOfJob("completed-with-errors")).toBe(10)
    expect(exitCodeOfJob("failed")).toBe(11)
    expect(exitCodeOfJob("cancelled")).toBe(12)
    expect(ExitCode.jobState).toBe(13)
    for (const code of [10, 11, 12, 13]) expect(exitCodesHelp.some((line) => line.startsWith(` ${code}  `))).toBe(true)
  })
})

describe("the job summary", () => {
  it("counts steps by outcome and lists failed steps with their reasons", () => {
    const summary = summarize(steps)
    expect(summary.counts).toEqual({ created: 1, updated: 1, unchanged: 1, failed: 1, skipped: 1, pending: 0, running: 0 })
    expect(summary.failed).toEqual([{ key: "c", tag: "Mailbox", label: "info@example.com", reason: "the quota is too small" }])
  })

  it("prints generated passwords only when asked to, and says how to see them otherwise", () => {
    const summary = summarize(steps)
    const options = { color: false, width: 100 }
    const hidden = renderSummary(job(), summary, [password], { ...options, showPasswords: false })
    expect(hidden).not.toContain(password.password)
    expect(hidden).toContain("Generated passwords (1)  not shown here; see them with 'ferry jobs show 20260101-abcdef --show-passwords'")
    expect(hidden).toContain("Job 20260101-abcdef  completed with errors\n  created 1 · updated 1 · unchanged 1 · failed 1 · skipped 1")
    expect(hidden).toContain("Failed (1)\n  info@example.com (Mailbox)\n    the quota is too small")
    const shown = renderSummary(job(), summary, [password], { ...options, showPasswords: true })
    expect(shown).toMatch(/info@example\.com +s3cret-Generated/)
    expect(JSON.stringify(summaryJson(job(), summary, [password], false))).not.toContain(password.password)
    expect(summaryJson(job(), summary, [password], true).generatedPasswords).toEqual([password])
  })

  it("tells how to resume a cancelled job", () => {
    const text = renderSummary(job({ status: "cancelled" }), summarize([step("a")]), [], { color: false, width: 80, showPasswords: false })
    expect(text).toContain("not started 1")
    expect(text).toContain("Resume with 'ferry jobs resume 20260101-abcdef'")
  })
})

describe("jobs list and log", () => {
  it("a running job whose process is gone is shown as interrupted", () => {
    const running = job({ status: "running", pid: 4242 })
    expect(displayStatus(running, () => true)).toBe("running")
    expect(displayStatus(running, () => false)).toBe("interrupted")
    const list = renderJobList([running], () => false, { color: false, width: 120 })
    expect(list).toContain("20260101-abcdef  interrupted  2026-01-01 10:00    5/5  2.0 KiB  cpmove-bob.tar.gz")
    const halfway = renderJobList([job({ status: "running", pid: 1, progress: { steps: 2, bytes: 1024 } })], () => true, {
      color: false,
      width: 120,
    })
    expect(halfway).toContain("20260101-abcdef  running  2026-01-01 10:00    2/5  1.0 KiB/2.0 KiB  cpmove-bob.tar.gz")
  })

  it("names from a backup cannot drive the terminal", () => {
    const line = logLine(
      { at: "2026-01-01T10:00:00.000Z", level: "error", step: "mailbox:\x1b[2Jx", message: "bad \x1b]0;title\x07 name" },
      { color: false, width: 100 },
    )
    expect(line).not.toContain("\x1b")
    expect(line).toBe("2026-01-01 10:00:00Z  error    mailbox:\ufffd[2Jx: bad \ufffd]0;title\ufffd name")
  })
})

describe("job progress", () => {
  it("three lines: content bytes, steps, the current entity", () => {
    const lines = jobProgressLines(
      { steps: { done: 10, total: 40 }, bytes: { done: 512 * 1024 ** 2, total: 1024 ** 3 }, current: "web of example.com" },
      64 * 1024 ** 2,
      100,
    )
    expect(lines).toEqual([
      "content    512.0 MiB of 1.0 GiB   50%  [###############---------------]  64.0 MiB/s",
      "steps      10 of 40   25%  [########----------------------]",
      "current    web of example.com",
    ])
  })

  it("draws on a terminal only, redraws in place, and prints a failed step above the bars", () => {
    const quiet = fakeStream(false)
    new JobProgressView(quiet.stream, () => 0).onEvent({
      _tag: "Progress",
      steps: { done: 0, total: 1 },
      bytes: { done: 0, total: 0 },
      current: undefined,
    })
    expect(quiet.writes).toEqual([])

    const { stream, writes } = fakeStream(true)
    let now = 0
    const view = new JobProgressView(stream, () => now)
    const progress = (done: number) =>
      view.onEvent({ _tag: "Progress", steps: { done, total: 4 }, bytes: { done: 0, total: 0 }, current: "bob" })
    progress(1)
    now = 50
    progress(2)
    expect(writes).toHaveLength(1)
    expect(writes[0]).toMatch(/^\r\x1b\[2Kcontent .*\n\x1b\[2Ksteps +1 of 4 .*\n\x1b\[2Kcurrent +bob$/)
    now = 200
    view.onEvent({ _tag: "StepFinished", step: step("c", { status: "failed", reason: "no room", label: "info@example.com" }) })
    // Up two lines, erase, the failure, then the bars again.
    expect(writes.slice(1, 3)).toEqual(["\r\x1b[2A\x1b[J", "failed   info@example.com: no room\n"])
    expect(writes[3]).toMatch(/^\r\x1b\[2Kcontent/)
    view.clear()
    expect(writes.at(-1)).toBe("\r\x1b[2A\x1b[J")
  })
})
