import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as nodePath from "node:path"
import { DatabaseSync } from "node:sqlite"
import type { JobLogLine, JobRecord, StepRecord } from "@ferry/core"
import { profileYamlText } from "./Profiles.ts"
import { type Run, type RunOptions, repoRoot, runFerry } from "./RunFerry.ts"

/* What the import and jobs CLI tests share: a temp receiving server and readers of the journal. */

export const exampleBackup = nodePath.join(repoRoot, "examples/cpmove-example.tar.gz")

export interface Server {
  readonly dir: string
  readonly root: string
  readonly profile: string
  /** A fresh state directory (its own inventory and jobs). */
  readonly stateDir: (name: string) => string
  /** The same server with its own root directory (created), for an import that must start empty. */
  readonly withRoot: (name: string) => Promise<Server>
}

export const makeServer = async (prefix: string): Promise<Server> => {
  const dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), prefix))
  const profile = nodePath.join(dir, "ferry.yaml")
  await fs.writeFile(profile, profileYamlText())
  // The root is the receiving server's "/": it exists before anything is imported into it.
  const root = nodePath.join(dir, "root")
  await fs.mkdir(root)
  const server: Server = {
    dir,
    root,
    profile,
    stateDir: (name) => nodePath.join(dir, name),
    withRoot: async (name) => {
      const other = nodePath.join(dir, `root-${name}`)
      await fs.mkdir(other)
      return { ...server, root: other }
    },
  }
  return server
}

/** `ferry import <example> --yes …` into the server's root and `stateDir`. */
export const importExample = (server: Server, stateDir: string, extra: ReadonlyArray<string> = [], options: RunOptions = {}) =>
  runFerry(["import", exampleBackup, "--config", server.profile, "--root", server.root, "--state-dir", stateDir, ...extra], options)

export const jobsCli = (stateDir: string, args: ReadonlyArray<string>) => runFerry(["jobs", ...args, "--state-dir", stateDir])

export interface ShowJson {
  readonly job: JobRecord
  readonly counts: Record<"created" | "updated" | "unchanged" | "failed" | "skipped" | "pending" | "running", number>
  readonly failed: ReadonlyArray<{ readonly key: string; readonly label: string; readonly reason: string }>
  readonly generatedPasswords: ReadonlyArray<{
    readonly entity: string
    readonly service: string
    readonly login: string
    /** Only with --show-passwords. */
    readonly password?: string
  }>
  readonly steps?: ReadonlyArray<StepRecord>
  readonly display?: string
}

export const parseJson = <A>(run: Run): A => {
  try {
    return JSON.parse(run.stdout) as A
  } catch {
    throw new Error(`not JSON (exit ${run.code}): ${run.stdout}\n${run.stderr}`)
  }
}

export const showJob = async (stateDir: string, id: string): Promise<ShowJson> =>
  parseJson<ShowJson>(await jobsCli(stateDir, ["show", id, "--json", "--steps"]))

export const logOf = async (stateDir: string, id: string): Promise<ReadonlyArray<JobLogLine>> =>
  parseJson<ReadonlyArray<JobLogLine>>(await jobsCli(stateDir, ["log", id, "--json"]))

/** The exit code `ferry import` and `ferry jobs resume` end with for a job status. */
export const exitCodeFor: Readonly<Record<string, number>> = { completed: 0, "completed-with-errors": 10, failed: 11, cancelled: 12 }

/** The inventory database of a state directory, opened directly (what a crash leaves, read as it is). */
export const openDb = (stateDir: string): DatabaseSync => new DatabaseSync(nodePath.join(stateDir, "ferry.db"), { timeout: 5000 })

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * The steps of a job as the journal has them: key → status. Not the outcome: a step that was
 * running when its process was killed may be "unchanged" on resume where an uninterrupted run
 * says "created"; the state it leaves is the same.
 */
export const stepStates = (steps: ReadonlyArray<StepRecord>): Record<string, string> =>
  Object.fromEntries(steps.map((s) => [s.key, s.status]))
