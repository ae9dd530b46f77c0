import { execFile } from "node:child_process"
import * as nodePath from "node:path"

export const repoRoot = nodePath.resolve(import.meta.dirname, "../../../..")
const node = nodePath.join(repoRoot, "node_modules/.bin/node")
const mainEntry = "apps/cli/src/main.ts"
/** `ferry` with the test checks appended to the built-in ones (see TestChecks.ts). */
export const testChecksEntry = "apps/cli/test/support/FerryWithTestChecks.ts"

export interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

export interface RunOptions {
  readonly env?: Readonly<Record<string, string>>
  readonly entry?: string
  readonly cwd?: string
}

/** Run the real CLI as a child process (stdout and stderr are pipes, never a TTY). */
export const runFerry = (args: ReadonlyArray<string>, options: RunOptions = {}): Promise<Run> =>
  new Promise((resolve) => {
    const { NO_COLOR: _noColor, FORCE_COLOR: _forceColor, FERRY_STATE_DIR: _stateDir, ...inherited } = process.env
    execFile(
      node,
      [nodePath.join(repoRoot, options.entry ?? mainEntry), ...args],
      { cwd: options.cwd ?? repoRoot, env: { ...inherited, ...options.env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1
        resolve({ code, stdout, stderr })
      },
    )
  })

/** Runs shared by several tests: each starts the CLI once, on first use. */
export const memo = <A>(f: () => Promise<A>): (() => Promise<A>) => {
  let result: Promise<A> | undefined
  return () => {
    result ??= f()
    return result
  }
}

export const longestLine = (text: string): number => Math.max(...text.split("\n").map((line) => line.length))
