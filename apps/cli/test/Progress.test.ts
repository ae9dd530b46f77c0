import { describe, expect, it } from "vitest"
import { ProgressBar, progressLine } from "../src/Progress.ts"

const fakeStream = (isTTY: boolean) => {
  const writes: Array<string> = []
  const stream = { isTTY, columns: 100, write: (chunk: string) => writes.push(chunk) > 0 } as unknown as NodeJS.WriteStream
  return { stream, writes }
}

describe("progressLine", () => {
  it("shows phase, bytes of total, percent, a bar and throughput", () => {
    const line = progressLine({ phase: "read", bytes: 512 * 1024 ** 2, total: 1024 ** 3 }, 100 * 1024 ** 2, 99)
    expect(line).toBe("reading    512.0 MiB of 1.0 GiB   50%  [###############---------------]  100.0 MiB/s")
    expect(line.length).toBeLessThanOrEqual(99)
  })

  it("leaves the bar out when the terminal is narrow, and the percent when the total is unknown", () => {
    expect(progressLine({ phase: "detect", bytes: 2048, total: 4096 }, undefined, 40)).toBe("detecting  2.0 KiB of 4.0 KiB   50%")
    expect(progressLine({ phase: "read", bytes: 2048, total: 0 }, 1024, 80)).toBe("reading    2.0 KiB  1.0 KiB/s")
  })
})

describe("ProgressBar", () => {
  it("redraws at most every 100 ms, and at once when the phase changes", () => {
    const { stream, writes } = fakeStream(true)
    let now = 0
    const bar = new ProgressBar(stream, () => now)
    bar.update({ phase: "detect", bytes: 1, total: 100 })
    now = 50
    bar.update({ phase: "detect", bytes: 2, total: 100 })
    now = 99
    bar.update({ phase: "detect", bytes: 3, total: 100 })
    now = 101
    bar.update({ phase: "detect", bytes: 4, total: 100 })
    now = 102
    bar.update({ phase: "read", bytes: 1, total: 100 })
    expect(writes).toHaveLength(3)
    expect(writes.every((w) => w.startsWith("\r\x1b[2K"))).toBe(true)
    expect(writes[2]).toContain("reading")
    bar.clear()
    expect(writes.at(-1)).toBe("\r\x1b[2K")
  })

  it("writes nothing when the stream is not a terminal", () => {
    const { stream, writes } = fakeStream(false)
    const bar = new ProgressBar(stream, () => 0)
    bar.update({ phase: "read", bytes: 1, total: 100 })
    bar.clear()
    expect(writes).toEqual([])
  })
})
