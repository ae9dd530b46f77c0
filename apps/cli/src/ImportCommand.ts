import { spawn } from "node:child_process"
import { closeSync, mkdirSync, openSync } from "node:fs"
import { join, resolve } from "node:path"
import { createInterface } from "node:readline"
import { type Adapter, createJob } from "@ferry/core"
import { Console, Effect } from "effect"
import { Command, Flag } from "effect/cli"
import { checkReportText } from "./CheckCommand.ts"
import { checkFlags, runCheck } from "./CheckFlags.ts"
import { ExitCode, exitCodesHelp, helpText, Reported, report } from "./ExitCodes.ts"
import { type JobChoices, runJobHere } from "./JobRun.ts"

/*
 * `ferry import <backup>`: check, show the report and the Confirm list, ask, then run the import
 * as a job (here with progress bars, or in a background process with --detach).
 */

const fail = (code: number, message: string) => Effect.andThen(Console.error(`ferry: ${message}`), Effect.fail(new Reported({ code })))

/** Ask on the terminal; end of input or anything but y/yes is a no. */
const confirm = (question: string) =>
  Effect.callback<boolean>((resume) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true })
    let answered = false
    rl.on("line", (line) => {
      answered = true
      rl.close()
      resume(Effect.succeed(/^\s*y(es)?\s*$/i.test(line)))
    })
    rl.on("close", () => {
      if (!answered) resume(Effect.succeed(false))
    })
    rl.on("SIGINT", () => rl.close())
    rl.setPrompt(question)
    rl.prompt()
    return Effect.sync(() => rl.close())
  })

/** Where a detached job's output goes: `<stateDir>/jobs/<id>.out`. */
export const detachedOutput = (stateDir: string, id: string): string => join(stateDir, "jobs", `${id}.out`)

/**
 * Start `ferry jobs resume ID` as a background process that outlives this one: the same Node,
 * flags and script as this process, output to a file in the state directory. Secrets are passed
 * as the files they were read from, never as values.
 */
const detach = (stateDir: string, id: string, secretFiles: Readonly<Record<string, string>>) =>
  Effect.try({
    try: () => {
      const out = detachedOutput(stateDir, id)
      mkdirSync(join(stateDir, "jobs"), { recursive: true, mode: 0o700 })
      const fd = openSync(out, "a", 0o600)
      try {
        const script = process.argv[1]
        if (script === undefined) throw new Error("cannot tell which script runs ferry")
        const args = [
          ...process.execArgv,
          script,
          "jobs",
          "resume",
          id,
          "--state-dir",
          stateDir,
          ...Object.entries(secretFiles).flatMap(([name, file]) => ["--secret", `${name}=${resolve(file)}`]),
        ]
        const child = spawn(process.execPath, args, { detached: true, stdio: ["ignore", fd, fd] })
        child.unref()
        return { pid: child.pid, out }
      } finally {
        closeSync(fd)
      }
    },
    catch: (cause) => (cause instanceof Error ? cause : new Error(String(cause))),
  }).pipe(
    Effect.catch((error) =>
      fail(ExitCode.failure, `cannot start the background process (${error.message}); run 'ferry jobs resume ${id}' instead`),
    ),
  )

export const importCommand = (adapters: ReadonlyArray<Adapter.Adapter>) =>
  Command.make(
    "import",
    {
      ...checkFlags(adapters),
      yes: Flag.Boolean("yes").pipe(
        Flag.withAlias("y"),
        Flag.withDefault(false),
        Flag.withDescription("Import without asking (needed when there is no terminal to ask on)"),
      ),
      detach: Flag.Boolean("detach").pipe(
        Flag.withDefault(false),
        Flag.withDescription("Run the import in a background process; print the job id and return"),
      ),
      showPasswords: Flag.Boolean("show-passwords").pipe(
        Flag.withDefault(false),
        Flag.withDescription("Print generated passwords even when stdout is not a terminal (and in --json)"),
      ),
      json: Flag.Boolean("json").pipe(
        Flag.withDefault(false),
        Flag.withDescription("Print the finished job and its step counts as JSON on stdout (and nothing else)"),
      ),
    },
    Effect.fn("ImportCommand.run")(
      function* (flags) {
        const interactive = process.stdin.isTTY === true && process.stderr.isTTY === true
        // Before the backup is read: a script without --yes should not wait for a multi-GB read to learn it.
        if (!flags.yes && !interactive)
          return yield* fail(ExitCode.usage, "no terminal to confirm the import on; pass --yes to import without asking")
        const checked = yield* runCheck(flags)
        const { target, report: checkedReport, source } = checked
        if (flags.json && checkedReport.blocked) yield* Console.log(JSON.stringify({ job: null, check: checkedReport }, null, 2))
        // stdout is for the result: with --json the JSON, with --detach the job id (ID=$(ferry import …));
        // the report then goes to stderr, if someone is asked to confirm it or nothing else is printed.
        const text = () => checkReportText(adapters, checkedReport, source, flags.stateDir)
        if (!flags.json && !flags.detach) yield* Console.log(`${yield* text()}\n`)
        else if (!flags.json || !flags.yes) yield* Console.error(`${yield* text()}\n`)
        if (checkedReport.blocked) return yield* fail(ExitCode.blocked, "the import is blocked (see the report); nothing was imported")
        const count = checkedReport.totals.import + checkedReport.totals.importWithChanges
        if (count === 0) return yield* fail(ExitCode.critical, "nothing to import: every entity is skipped (see the report)")
        if (!flags.yes) {
          const yes = yield* confirm(`Import ${count.toLocaleString("en-US")} ${count === 1 ? "entity" : "entities"}? [y/N] `)
          if (!yes) return yield* fail(ExitCode.failure, "not imported")
        }
        const choices: JobChoices = {
          import: checked.options,
          target: { root: target.root, ...(source._tag === "profile" ? { profile: resolve(source.path) } : {}) },
        }
        const job = yield* createJob({
          target,
          backup: flags.backup,
          snapshot: checked.inspected.snapshot,
          plan: checked.plan,
          options: { panel: checkedReport.panel, choices },
        })
        if (flags.detach) {
          const started = yield* detach(target.stateDir, job.id, flags.secrets)
          if (flags.json) return yield* Console.log(JSON.stringify({ job, pid: started.pid ?? null, output: started.out }, null, 2))
          yield* Console.log(job.id)
          return yield* Console.error(
            `ferry: job ${job.id} runs in the background (output: ${started.out}); follow it with 'ferry jobs log ${job.id} --follow'`,
          )
        }
        yield* runJobHere(target, job.id, {
          snapshot: checked.inspected.snapshot,
          ...(checked.secrets !== undefined ? { secrets: checked.secrets } : {}),
          json: flags.json,
          showPasswords: flags.showPasswords,
        })
      },
      Effect.scoped,
      Effect.catchTags({
        ArchiveError: report,
        InspectError: report,
        AdapterError: report,
        TargetError: report,
        JournalError: report,
        JobStateError: report,
      }),
    ),
  ).pipe(
    Command.withDescription(
      helpText([
        "Import a backup into the receiving server. Runs the checks of 'ferry check' and shows the",
        "report and the Confirm list, asks for confirmation (skip with --yes; without a terminal",
        "--yes is required), then runs the import as a job with progress bars on stderr and a",
        "summary: per outcome counts, failed entities with reasons, generated passwords. Answering",
        "no ends with exit 1 and changes nothing.",
        "",
        "A job survives this process: 'ferry jobs resume ID' finishes one that was interrupted",
        "(Ctrl-C, kill -9, a reboot), and re-running a finished import changes nothing. Secrets",
        "(--secret) are never stored; a resume needs them again.",
        "",
        ...exitCodesHelp,
      ]),
    ),
    Command.withShortDescription("Import a backup into the receiving server"),
    Command.withExamples([
      { command: "ferry import cpmove-user.tar.gz", description: "Check, confirm and import a cPanel backup" },
      { command: "ferry import backup.tar.gz --users alice --owner reseller1 --yes", description: "One account, without asking" },
      { command: "ferry import backup.tar.gz --yes --detach", description: "Import in the background; prints the job id" },
      {
        command: "ferry import backup.tar.gz.aes --secret backup-password=/root/pw.txt",
        description: "An encrypted backup, its password read from a file",
      },
    ]),
  )
