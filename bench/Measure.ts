import { spawn } from "node:child_process"
import { closeSync, existsSync, openSync } from "node:fs"
import * as fs from "node:fs/promises"
import * as nodePath from "node:path"
import { fileURLToPath } from "node:url"

/* Timing and peak memory of child processes, shared by the benchmarks. */

export const repoRoot = fileURLToPath(new URL("../", import.meta.url))
/** What a user runs: the wrapper sets up the toolchain and passes Ferry's Node flags. */
export const ferryBin = nodePath.join(repoRoot, "bin/ferry")
const maxRssPreload = fileURLToPath(new URL("./MaxRss.ts", import.meta.url))
const gnuTime = "/usr/bin/time"

/**
 * Run a command to completion; stdin comes from `stdinPath` (or /dev/null), stdout goes to
 * `stdoutPath` (or /dev/null), stderr is kept.
 */
export const run = (
  command: string,
  args: ReadonlyArray<string>,
  options: { readonly stdoutPath?: string; readonly stdinPath?: string; readonly env?: NodeJS.ProcessEnv } = {},
): Promise<{ readonly seconds: number; readonly code: number; readonly stderr: string }> =>
  new Promise((resolve, reject) => {
    const out = options.stdoutPath !== undefined ? openSync(options.stdoutPath, "w") : "ignore"
    const input = options.stdinPath !== undefined ? openSync(options.stdinPath, "r") : "ignore"
    const started = performance.now()
    const child = spawn(command, args, { stdio: [input, out, "pipe"], env: options.env ?? process.env })
    let stderr = ""
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      if (stderr.length < 64 * 1024) stderr += chunk
    })
    child.on("error", (error) => {
      if (typeof out === "number") closeSync(out)
      if (typeof input === "number") closeSync(input)
      reject(error)
    })
    child.on("close", (code) => {
      if (typeof out === "number") closeSync(out)
      if (typeof input === "number") closeSync(input)
      resolve({ seconds: (performance.now() - started) / 1000, code: code ?? -1, stderr })
    })
  })

/**
 * Let `bin/ferry` set up and compile before anything is measured, so no install or build runs
 * inside a measured run.
 */
export const prepareFerry = async (): Promise<void> => {
  const result = await run(ferryBin, ["--version"])
  if (result.code !== 0) throw new Error(`bin/ferry --version failed (${result.code}): ${result.stderr.trim()}`)
  // When the workspace does not compile, bin/ferry retries the build on every start and then runs
  // the sources: each measured run would include a failed tsc -b.
  if (result.stderr.includes("build failed")) {
    throw new Error(`bin/ferry cannot compile the workspace; fix 'node_modules/.bin/tsc -b' before measuring: ${result.stderr.trim()}`)
  }
}

/** GNU `tar -tzf FILE > /dev/null`: the baseline a hosting admin would reach for. */
export const timeTarList = async (file: string): Promise<number> => {
  const result = await run("tar", ["-tzf", file])
  if (result.code !== 0) throw new Error(`tar -tzf ${file} failed (${result.code}): ${result.stderr.trim()}`)
  return result.seconds
}

export interface FerryRun {
  readonly seconds: number
  readonly peakRssBytes: number
  readonly code: number
  /** What ferry printed on stdout. */
  readonly stdout: string
  /** The first 64 KiB ferry printed on stderr. */
  readonly stderr: string
}

/**
 * `ferry ARGS` as a child process, timed from spawn to exit, with its peak RSS from GNU time
 * (`%M`, KiB) or, without it, from a preload that reads `process.resourceUsage()`. Exit codes
 * outside `okCodes` fail the run. `env` is added to this process's environment.
 */
export const timeFerry = async (
  args: ReadonlyArray<string>,
  scratchDir: string,
  okCodes: ReadonlyArray<number> = [0],
  env: NodeJS.ProcessEnv = {},
): Promise<FerryRun> => {
  const rssFile = nodePath.join(scratchDir, "ferry-rss.txt")
  const stdoutFile = nodePath.join(scratchDir, "ferry-stdout.txt")
  await fs.rm(rssFile, { force: true })
  const result = existsSync(gnuTime)
    ? await run(gnuTime, ["-f", "%M", "-o", rssFile, ferryBin, ...args], { stdoutPath: stdoutFile, env: { ...process.env, ...env } })
    : await run(ferryBin, args, {
        stdoutPath: stdoutFile,
        env: { ...process.env, ...env, NODE_OPTIONS: `--import ${maxRssPreload}`, FERRY_BENCH_RSS_FILE: rssFile },
      })
  if (!okCodes.includes(result.code)) throw new Error(`ferry ${args.join(" ")} failed (${result.code}): ${result.stderr.trim()}`)
  const rssKiB = Number.parseInt((await fs.readFile(rssFile, "utf8")).trim().split("\n").pop() ?? "", 10)
  if (!Number.isFinite(rssKiB)) throw new Error(`no peak RSS recorded in ${rssFile}`)
  return {
    seconds: result.seconds,
    peakRssBytes: rssKiB * 1024,
    code: result.code,
    stdout: await fs.readFile(stdoutFile, "utf8"),
    stderr: result.stderr,
  }
}

/** Best (lowest) time of `runs` sequential runs; the machine is shared, the minimum is the signal. */
export const bestOf = async <A extends { readonly seconds: number }>(
  runs: number,
  once: () => Promise<A>,
): Promise<{ best: A; all: ReadonlyArray<A> }> => {
  const all: Array<A> = []
  for (let i = 0; i < runs; i++) all.push(await once())
  const best = all.reduce((a, b) => (b.seconds < a.seconds ? b : a))
  return { best, all }
}
