import { execFile } from "node:child_process"

/*
 * Disk used by directories while a process runs: `du -sb` of each (missing ones count 0) every
 * `intervalMs`, the peak of their sum and of each kept. A sample only sees what exists at that
 * instant, so a file that lives for less than the interval can be missed; staging areas that hold
 * a dump or a batch of files for seconds are caught.
 */

const duBytes = (dirs: ReadonlyArray<string>): Promise<ReadonlyMap<string, number>> =>
  new Promise((resolve) => {
    // du prints what it can and exits 1 for missing operands: the sizes it printed still count.
    execFile("du", ["-sb", "--", ...dirs], { maxBuffer: 1024 * 1024 }, (_error, stdout) => {
      const sizes = new Map<string, number>()
      for (const line of stdout.split("\n")) {
        const tab = line.indexOf("\t")
        const bytes = Number.parseInt(line.slice(0, tab), 10)
        if (tab > 0 && Number.isFinite(bytes)) sizes.set(line.slice(tab + 1), bytes)
      }
      resolve(sizes)
    })
  })

const sum = (sizes: ReadonlyMap<string, number>): number => [...sizes.values()].reduce((a, b) => a + b, 0)

export interface DiskSamples {
  /** Peak of the sum over all directories. */
  readonly peakBytes: number
  /** Peak of each directory on its own. */
  readonly peakByDir: ReadonlyMap<string, number>
  readonly finalBytes: number
  readonly samples: number
}

export const sampleDisk = (dirs: ReadonlyArray<string>, intervalMs = 1000): { readonly stop: () => Promise<DiskSamples> } => {
  let peak = 0
  const peakByDir = new Map<string, number>()
  let samples = 0
  let stopped = false
  let result: Promise<DiskSamples> | undefined
  const record = (sizes: ReadonlyMap<string, number>) => {
    samples++
    peak = Math.max(peak, sum(sizes))
    for (const [dir, bytes] of sizes) peakByDir.set(dir, Math.max(peakByDir.get(dir) ?? 0, bytes))
  }
  const loop = (async () => {
    while (!stopped) {
      record(await duBytes(dirs))
      await new Promise((resolve) => setTimeout(resolve, intervalMs))
    }
  })()
  return {
    stop: () =>
      (result ??= (async () => {
        stopped = true
        await loop
        const last = await duBytes(dirs)
        record(last)
        return { peakBytes: peak, peakByDir, finalBytes: sum(last), samples }
      })()),
  }
}

/** `du -sb` of one directory (0 when missing). */
export const directoryBytes = async (dir: string): Promise<number> => sum(await duBytes([dir]))
