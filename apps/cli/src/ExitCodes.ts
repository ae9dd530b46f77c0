import type { AdapterError, ArchiveError, InspectError, JobStateError, JobStatus, JournalError, TargetError } from "@ferry/core"
import type { AccountError } from "@ferry/target-local"
import { Cause, Console, Effect, Exit, Runtime, Schema } from "effect"
import { CliError, CliOutput } from "effect/cli"

/** Process exit codes of `ferry`; README.md and the help text list the same table. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  unsafeArchive: 3,
  notABackup: 4,
  notReadable: 5,
  critical: 6,
  blocked: 7,
  account: 8,
  target: 9,
  completedWithErrors: 10,
  jobFailed: 11,
  cancelled: 12,
  jobState: 13,
} as const

/** How `ferry import` and `ferry jobs resume` end, by the job's final status. */
export const exitCodeOfJob = (status: JobStatus): number => {
  switch (status) {
    case "completed":
      return ExitCode.ok
    case "completed-with-errors":
      return ExitCode.completedWithErrors
    case "cancelled":
      return ExitCode.cancelled
    // A job that did not finish here (queued, or left running) has not succeeded either.
    case "failed":
    case "queued":
    case "running":
      return ExitCode.jobFailed
  }
}

export const exitCodesHelp: ReadonlyArray<string> = [
  "Exit codes:",
  "  0  ok",
  "  2  usage error (unknown flag, missing argument, bad value)",
  "  3  archive refused as unsafe or corrupt (the message names the entry)",
  "  4  not a backup Ferry recognises, more than one panel matches, or the adapter refused it",
  "  5  the path cannot be read",
  "  6  check: critical issues, some entities will not be imported",
  "  7  check: blocked, the import cannot start (e.g. not enough disk space)",
  "  8  accounts: the change breaks a rule (exists, not found, invalid owner, …)",
  "  9  the receiving server's profile or state directory cannot be read (or --write cannot write)",
  " 10  import: completed with errors (some entities failed; the summary and 'ferry jobs show' say why)",
  " 11  import: failed (nothing could be imported)",
  " 12  import: cancelled ('ferry jobs resume' finishes it)",
  " 13  jobs: no such job, or not in a state that allows it (running elsewhere, already finished)",
  "  1  anything else",
]

/** A multi-line command description: effect/cli indents only its first line itself. */
export const helpText = (lines: ReadonlyArray<string>): string =>
  lines.map((line, i) => (i === 0 || line === "" ? line : `  ${line}`)).join("\n")

export type ExpectedError = ArchiveError | InspectError | AdapterError | TargetError | AccountError | JournalError | JobStateError

export const exitCodeOf = (error: ExpectedError): number => {
  switch (error._tag) {
    case "ArchiveError":
      switch (error.reason._tag) {
        case "NotReadable":
          return ExitCode.notReadable
        // Readable and safe, just not a container Ferry reads (zip, plain text, …).
        case "UnsupportedFormat":
          return ExitCode.notABackup
        default:
          return ExitCode.unsafeArchive
      }
    case "InspectError":
      return error.reason._tag === "UnknownPanel" ? ExitCode.usage : ExitCode.notABackup
    case "AdapterError":
      return ExitCode.notABackup
    case "TargetError":
      return ExitCode.target
    case "AccountError":
      return ExitCode.account
    // The journal lives in the inventory database of the state directory.
    case "JournalError":
      return ExitCode.target
    case "JobStateError":
      return ExitCode.jobState
  }
}

/** A failure already explained on stderr; all that is left is the exit code. */
export class Reported extends Schema.TaggedError<Reported>()("Reported", { code: Schema.Number }) {
  override readonly [Runtime.errorExitCode] = this.code
  override readonly [Runtime.errorReported] = false
}

const accountRules: Record<AccountError["reason"], string> = {
  exists: "an account with this login exists",
  "not-found": "no such account",
  "invalid-owner": "the owner does not exist or cannot own this kind of account",
  "invalid-login": "not a valid login",
  "has-children": "the account still owns other accounts",
  "not-allowed": "not allowed",
}

/** One line naming what failed; an account error names the login and the rule it breaks. */
export const errorLine = (error: ExpectedError): string =>
  error._tag === "AccountError"
    ? `account ${error.login}: ${accountRules[error.reason]}${error.detail !== "" ? ` (${error.detail})` : ""}`
    : error.message

/** Print `ferry: <message>` on stderr and end with the error's exit code. */
export const report = (error: ExpectedError): Effect.Effect<never, Reported> =>
  Console.error(`ferry: ${errorLine(error)}`).pipe(Effect.andThen(Effect.fail(new Reported({ code: exitCodeOf(error) }))))

/** End with `code` after the output is printed, without another message. */
export const exitWith = (code: number): Effect.Effect<void, Reported> =>
  code === ExitCode.ok ? Effect.void : Effect.fail(new Reported({ code }))

/**
 * Unexpected failures (bugs) also get a `ferry:` line, followed by the cause for a bug report,
 * instead of the runtime's log record.
 */
export const reportUnexpected = <A, E, R>(program: Effect.Effect<A, E, R>): Effect.Effect<A, E | Reported, R> =>
  program.pipe(
    Effect.catchCause((cause): Effect.Effect<never, E | Reported> => {
      const error = Cause.squash(cause)
      const expected = Cause.hasInterruptsOnly(cause) || error instanceof Reported || CliError.isCliError(error)
      if (expected) return Effect.failCause(cause)
      return Console.error(`ferry: unexpected error (a bug; please report it):\n${Cause.pretty(cause)}`).pipe(
        Effect.andThen(Effect.fail(new Reported({ code: ExitCode.failure }))),
      )
    }),
  )

/**
 * effect/cli ends an invalid invocation (unknown flag, missing argument, bad value) with
 * `CliError.ShowHelp` carrying the errors, exit code 1 by default; Ferry uses 2 like most Unix
 * tools. Everything else follows the runtime's rules (`Reported` carries its own code).
 */
export const teardown: Runtime.Teardown = (exit, onExit) => {
  if (Exit.isFailure(exit) && !Cause.hasInterruptsOnly(exit.cause)) {
    const error = Cause.squash(exit.cause)
    if (CliError.isCliError(error) && error._tag === "ShowHelp" && error.errors.length > 0) return onExit(ExitCode.usage)
  }
  Runtime.defaultTeardown(exit, onExit)
}

/**
 * effect/cli prints the whole help on stdout for an invalid invocation; Ferry prints the errors
 * and a pointer to --help on stderr, so stdout stays empty for scripts reading `--json`.
 */
export const usagePresenter: CliOutput.Presenter = {
  present: (event) =>
    event._tag === "InvalidInvocation"
      ? Console.error(
          [...event.errors.map((e) => `ferry: ${e.message}`), `Run '${event.commandPath.join(" ")} --help' for usage.`].join("\n"),
        )
      : CliOutput.defaultPresenter.present(event),
}
