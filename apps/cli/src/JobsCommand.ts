import { rmSync } from "node:fs"
import { resolve } from "node:path"
import { cancelJob, deleteJob, finishedStatuses, isProcessAlive, JobStateError } from "@ferry/core"
import { makeLocalTarget } from "@ferry/target-local"
import { Console, Effect, Option } from "effect"
import { Argument, Command, Flag, TerminalCapabilities } from "effect/cli"
import { readSecrets, secretsFlag } from "./CheckFlags.ts"
import { exitCodesHelp, helpText, report } from "./ExitCodes.ts"
import { detachedOutput } from "./ImportCommand.ts"
import { summarize, summaryJson } from "./ImportRender.ts"
import { jobChoices, runJobHere } from "./JobRun.ts"
import { displayStatus, logLine, renderJob, renderJobList } from "./JobsRender.ts"
import { configFlag, resolveProfile, stateDirFlag } from "./TargetOptions.ts"

/*
 * `ferry jobs …`: the import jobs of the receiving server, kept in the inventory database of
 * --state-dir — list, show, log, cancel, resume, delete (ispmanager's "Actions with import").
 */

const jobs = Command.make("jobs").pipe(Command.withSharedFlags({ stateDir: stateDirFlag }))

const catchExpected = Effect.catchTags({
  TargetError: report,
  JournalError: report,
  JobStateError: report,
  ArchiveError: report,
  InspectError: report,
  AdapterError: report,
})

const idArgument = Argument.String("id").pipe(Argument.withDescription("The job's id (see 'ferry jobs list')"))
const jsonFlag = Flag.Boolean("json").pipe(Flag.withDefault(false), Flag.withDescription("Print JSON on stdout (and nothing else)"))
const showPasswordsFlag = Flag.Boolean("show-passwords").pipe(
  Flag.withDefault(false),
  Flag.withDescription("Print generated passwords even when stdout is not a terminal (and in --json)"),
)

const renderOptions = Effect.gen(function* () {
  const { canColor } = yield* TerminalCapabilities.TerminalCapabilities
  return { color: canColor, width: (process.stdout.isTTY && process.stdout.columns) || 100 }
})

/**
 * The receiving server for reading and managing jobs: only the inventory is opened (the host is
 * not probed and no profile is read, so a broken ferry.yaml does not hide the jobs).
 */
const target = Effect.gen(function* () {
  const { stateDir } = yield* jobs
  return yield* makeLocalTarget({ root: "/", stateDir })
})

const existingJob = Effect.fn("JobsCommand.job")(function* (id: string) {
  const job = yield* (yield* target).journal.get(id)
  if (job === undefined) return yield* new JobStateError({ job: id, detail: "no such job (see 'ferry jobs list')" })
  return job
})

const listCommand = Command.make(
  "list",
  { json: jsonFlag },
  Effect.fn("JobsCommand.list")(
    function* ({ json }) {
      const list = yield* (yield* target).journal.list
      if (json) return yield* Console.log(JSON.stringify(list, null, 2))
      yield* Console.log(renderJobList(list, isProcessAlive, yield* renderOptions))
    },
    Effect.scoped,
    catchExpected,
  ),
).pipe(
  Command.withDescription("List the import jobs, newest first: status, steps and bytes done."),
  Command.withShortDescription("List the import jobs, newest first"),
  Command.withExamples([
    { command: "ferry jobs list", description: "All jobs" },
    { command: "ferry jobs list --json", description: "As JSON, for scripts" },
  ]),
)

const showCommand = Command.make(
  "show",
  {
    id: idArgument,
    steps: Flag.Boolean("steps").pipe(Flag.withDefault(false), Flag.withDescription("List every step, not only the failed ones")),
    showPasswords: showPasswordsFlag,
    json: jsonFlag,
  },
  Effect.fn("JobsCommand.show")(
    function* ({ id, steps: allSteps, showPasswords, json }) {
      const job = yield* existingJob(id)
      const local = yield* target
      const steps = yield* local.journal.steps(id)
      const summary = summarize(steps)
      const passwords = yield* local.generatedPasswords(new Set(steps.map((s) => s.key)))
      if (json)
        return yield* Console.log(
          JSON.stringify(
            {
              ...summaryJson(job, summary, passwords, showPasswords, allSteps ? steps : undefined),
              display: displayStatus(job, isProcessAlive),
            },
            null,
            2,
          ),
        )
      const options = yield* renderOptions
      yield* Console.log(
        renderJob(job, summary, steps, passwords, isProcessAlive, {
          ...options,
          allSteps,
          showPasswords: showPasswords || process.stdout.isTTY === true,
        }),
      )
    },
    Effect.scoped,
    catchExpected,
  ),
).pipe(
  Command.withDescription(
    helpText([
      "Show one job: backup, status, progress, per outcome counts, failed steps with reasons, and",
      "the passwords Ferry generated (on a terminal, or with --show-passwords).",
    ]),
  ),
  Command.withShortDescription("Show a job: counts, failed steps, generated passwords"),
  Command.withExamples([
    { command: "ferry jobs show 20260101-a1b2c3", description: "The job and its failed steps" },
    { command: "ferry jobs show 20260101-a1b2c3 --steps", description: "Every step with its outcome" },
    { command: "ferry jobs show 20260101-a1b2c3 --show-passwords > passwords.txt", description: "Generated passwords to a file" },
  ]),
)

const followPollMs = 500

const logCommand = Command.make(
  "log",
  {
    id: idArgument,
    follow: Flag.Boolean("follow").pipe(
      Flag.withAlias("f"),
      Flag.withDefault(false),
      Flag.withDescription("Keep printing new lines until the job finishes"),
    ),
    json: jsonFlag,
  },
  Effect.fn("JobsCommand.log")(
    function* ({ id, follow, json }) {
      yield* existingJob(id)
      const { journal } = yield* target
      const options = yield* renderOptions
      // --json prints an array; with --follow one JSON object per line, as they come.
      if (json && !follow) return yield* Console.log(JSON.stringify(yield* journal.logs(id), null, 2))
      let printed = 0
      const printNew = Effect.gen(function* () {
        const lines = yield* journal.logs(id)
        for (const line of lines.slice(printed)) yield* Console.log(json ? JSON.stringify(line) : logLine(line, options))
        printed = lines.length
      })
      yield* printNew
      if (!follow) return
      while (true) {
        const job = yield* journal.get(id)
        // Stop when the job is over, gone, or its process died (nothing more will be written) …
        const over =
          job === undefined ||
          finishedStatuses.has(job.status) ||
          (job.status === "running" && (job.pid === undefined || !isProcessAlive(job.pid)))
        yield* Effect.sleep(followPollMs)
        // … after the lines written meanwhile (the executor logs its verdict after it finishes the job).
        yield* printNew
        if (over) return
      }
    },
    Effect.scoped,
    catchExpected,
  ),
).pipe(
  Command.withDescription("Print a job's log: when each step failed or warned, and why."),
  Command.withShortDescription("Print a job's log (--follow while it runs)"),
  Command.withExamples([
    { command: "ferry jobs log 20260101-a1b2c3", description: "The whole log" },
    { command: "ferry jobs log 20260101-a1b2c3 --follow", description: "Follow a running job until it finishes" },
  ]),
)

const cancelCommand = Command.make(
  "cancel",
  { id: idArgument, json: jsonFlag },
  Effect.fn("JobsCommand.cancel")(
    function* ({ id, json }) {
      const job = yield* cancelJob(yield* target, id)
      if (json) return yield* Console.log(JSON.stringify(job, null, 2))
      yield* Console.log(
        job.status === "cancelled"
          ? `Cancelled job ${id}; nothing was imported. 'ferry jobs resume ${id}' starts it after all.`
          : `Cancel requested: job ${id} stops at the next step boundary. 'ferry jobs resume ${id}' finishes it later.`,
      )
    },
    Effect.scoped,
    catchExpected,
  ),
).pipe(
  Command.withDescription(
    helpText([
      "Cancel a job. A queued job is cancelled at once; a running one stops at the next step",
      "boundary, leaving every entity either imported or not started.",
    ]),
  ),
  Command.withShortDescription("Cancel a job (at the next step boundary)"),
  Command.withExamples([{ command: "ferry jobs cancel 20260101-a1b2c3", description: "Stop a running import" }]),
)

const resumeCommand = Command.make(
  "resume",
  {
    id: idArgument,
    secrets: secretsFlag,
    root: Flag.String("root").pipe(
      Flag.optional,
      Flag.withMetavar("DIR"),
      Flag.withDescription("Root of the receiving server (default: the job's; another root is refused)"),
    ),
    config: configFlag.pipe(Flag.withDescription("Profile of the receiving server (default: the one the job was started with)")),
    showPasswords: showPasswordsFlag,
    json: Flag.Boolean("json").pipe(
      Flag.withDefault(false),
      Flag.withDescription("Print the finished job and its step counts as JSON on stdout (and nothing else)"),
    ),
  },
  Effect.fn("JobsCommand.resume")(
    function* ({ id, secrets: secretFiles, root, config, showPasswords, json }) {
      const { stateDir } = yield* jobs
      const job = yield* existingJob(id)
      const stored = jobChoices(job).target
      if (Option.isSome(root) && stored !== undefined && resolve(root.value) !== resolve(stored.root))
        return yield* new JobStateError({ job: id, detail: `the job imports into ${stored.root}, not ${root.value}` })
      const jobRoot = Option.getOrUndefined(root) ?? stored?.root ?? "/"
      // The job's own profile (or detection, if it was started without one); ./ferry.yaml only
      // for a job that recorded no target.
      const profile = Option.isSome(config)
        ? config.value
        : stored !== undefined
          ? stored.profile
          : yield* Effect.map(resolveProfile(Option.none(), jobRoot), (s) => (s._tag === "profile" ? s.path : undefined))
      const local = yield* makeLocalTarget({ root: jobRoot, stateDir, ...(profile !== undefined ? { profile } : {}) })
      const secrets = yield* readSecrets(secretFiles)
      yield* runJobHere(local, id, { json, showPasswords, ...(secrets !== undefined ? { secrets } : {}) })
    },
    Effect.scoped,
    catchExpected,
  ),
).pipe(
  Command.withDescription(
    helpText([
      "Finish a job that was interrupted (Ctrl-C, kill -9, a reboot), cancelled, or started with",
      "--detach. Reads the backup again, refuses it if it is not the same backup, and runs the steps",
      "that are not done; the result is the same as an uninterrupted import. Runs in this process",
      "with progress bars and ends with the summary and the exit code of 'ferry import'.",
    ]),
  ),
  Command.withShortDescription("Finish an interrupted, cancelled or detached job"),
  Command.withExamples([
    { command: "ferry jobs resume 20260101-a1b2c3", description: "Finish an interrupted import" },
    {
      command: "ferry jobs resume 20260101-a1b2c3 --secret backup-password=/root/pw.txt",
      description: "An encrypted backup needs its password again",
    },
  ]),
)

const deleteCommand = Command.make(
  "delete",
  { id: idArgument, json: jsonFlag },
  Effect.fn("JobsCommand.delete")(
    function* ({ id, json }) {
      const local = yield* target
      yield* deleteJob(local, id)
      // The output of a detached run goes with its job.
      yield* Effect.sync(() => rmSync(detachedOutput(local.stateDir, id), { force: true }))
      if (json) return yield* Console.log(JSON.stringify({ deleted: id }))
      yield* Console.log(`Deleted job ${id} and its log`)
    },
    Effect.scoped,
    catchExpected,
  ),
).pipe(
  Command.withDescription("Delete a job and its log (not a running one: cancel it first). Imported data stays."),
  Command.withShortDescription("Delete a finished job and its log"),
  Command.withExamples([{ command: "ferry jobs delete 20260101-a1b2c3", description: "Forget a finished job" }]),
)

export const jobsCommand = jobs.pipe(
  Command.withDescription(
    helpText([
      "Manage import jobs: list them, show one, read its log, cancel, resume or delete it. Jobs are",
      "kept with the receiving server's inventory in --state-dir ($FERRY_STATE_DIR, else",
      "~/.local/state/ferry) and survive the process that started them.",
      "",
      ...exitCodesHelp,
    ]),
  ),
  Command.withShortDescription("List, follow, cancel, resume and delete import jobs"),
  Command.withSubcommands([listCommand, showCommand, logCommand, cancelCommand, resumeCommand, deleteCommand]),
)
