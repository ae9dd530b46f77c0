import type { Adapter, CheckReport } from "@ferry/core"
import { Console, Effect } from "effect"
import { Command, Flag, TerminalCapabilities } from "effect/cli"
import { checkFlags, runCheck } from "./CheckFlags.ts"
import { renderCheckReport } from "./CheckRender.ts"
import { ExitCode, exitCodesHelp, exitWith, helpText, report } from "./ExitCodes.ts"
import { describeSource, type ProfileSource } from "./TargetOptions.ts"

const entitiesPerIssue = 5

/** The human check report for this terminal (`ferry import` shows the same before it asks). */
export const checkReportText = Effect.fn("CheckCommand.reportText")(function* (
  adapters: ReadonlyArray<Adapter.Adapter>,
  checked: CheckReport,
  source: ProfileSource,
  stateDir: string,
) {
  const { canColor } = yield* TerminalCapabilities.TerminalCapabilities
  const panelName = adapters.find((a) => a.id === checked.panel)?.displayName
  return renderCheckReport(checked, {
    color: canColor,
    width: (process.stdout.isTTY && process.stdout.columns) || 100,
    entitiesPerIssue,
    target: describeSource(source),
    stateDir,
    ...(panelName !== undefined ? { panelName } : {}),
  })
})

/** `ferry check <backup>`: the Check and Confirm steps of an import, against the receiving server. */
export const checkCommand = (adapters: ReadonlyArray<Adapter.Adapter>) =>
  Command.make(
    "check",
    {
      ...checkFlags(adapters),
      json: Flag.Boolean("json").pipe(
        Flag.withDefault(false),
        Flag.withDescription("Print the check report as JSON on stdout (and nothing else)"),
      ),
    },
    Effect.fn("CheckCommand.run")(
      function* (flags) {
        const { source, report: checked } = yield* runCheck(flags)
        if (flags.json) yield* Console.log(JSON.stringify(checked, null, 2))
        else yield* Console.log(yield* checkReportText(adapters, checked, source, flags.stateDir))
        yield* exitWith(checked.blocked ? ExitCode.blocked : checked.critical.length > 0 ? ExitCode.critical : ExitCode.ok)
      },
      Effect.scoped,
      Effect.catchTags({ ArchiveError: report, InspectError: report, AdapterError: report, TargetError: report }),
    ),
  ).pipe(
    Command.withDescription(
      helpText([
        "Check a backup against the receiving server before importing it (ispmanager's Check and",
        "Confirm steps). Lists the critical issues (entities that will not be imported) and the",
        "warnings (entities imported with changed settings, e.g. PHP 8.1 → 8.2), each with the",
        "number of entities behind it, then what will be imported. Nothing is changed.",
        "",
        "The receiving server is described by --config (default ./ferry.yaml if present, else",
        "detected on --root; write one with 'ferry target --detect --write ferry.yaml'); its existing",
        "accounts come from --state-dir (see 'ferry accounts').",
        "",
        ...exitCodesHelp,
      ]),
    ),
    Command.withShortDescription("Check what an import would do, before importing"),
    Command.withExamples([
      { command: "ferry check cpmove-user.tar.gz", description: "Check a cPanel backup against this server" },
      {
        command: "ferry check backup.tar.gz --users alice,bob --existing replace --owner reseller1",
        description: "Two accounts, replacing existing ones, owned by a reseller",
      },
      {
        command: "ferry check backup.tar.gz --ip-map 203.0.113.5=198.51.100.7 --db-map localhost=mariadb-main",
        description: "Map a source IP and a source database server",
      },
      { command: "ferry check backup.tar.gz --config ferry.yaml --json", description: "The report as JSON, for scripts" },
    ]),
  )
