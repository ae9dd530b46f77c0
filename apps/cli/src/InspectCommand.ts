import { type Adapter, Inspector, inspectReport } from "@ferry/core"
import { Console, Effect } from "effect"
import { Argument, Command, Flag, TerminalCapabilities } from "effect/cli"
import { exitCodesHelp, helpText, report } from "./ExitCodes.ts"
import { stderrProgress } from "./Progress.ts"
import { renderReport } from "./Render.ts"

const notesPerSeverity = 8

/** `ferry inspect <backup>`: read a backup and report what an import would bring over. */
export const inspectCommand = (adapters: ReadonlyArray<Adapter.Adapter>) =>
  Command.make(
    "inspect",
    {
      backup: Argument.String("backup").pipe(
        Argument.withDescription("A backup file (.tar, .tar.gz, .tar.zst) or an extracted backup directory"),
      ),
      panel: Flag.Literals("panel", ["auto", ...adapters.map((a) => a.id)]).pipe(
        Flag.withDefault("auto"),
        Flag.withDescription("The panel that made the backup; auto detects it from the contents"),
      ),
      json: Flag.Boolean("json").pipe(
        Flag.withDefault(false),
        Flag.withDescription("Print the report as JSON on stdout (and nothing else)"),
      ),
    },
    Effect.fn("InspectCommand.run")(
      function* ({ backup, panel, json }) {
        const inspector = yield* Inspector
        const progress = yield* stderrProgress
        const result = yield* inspector.inspect(backup, { panel, onProgress: progress.update })
        progress.clear()
        const inspected = inspectReport(result)
        if (json) return yield* Console.log(JSON.stringify(inspected, null, 2))
        const { canColor } = yield* TerminalCapabilities.TerminalCapabilities
        const panelName = adapters.find((a) => a.id === inspected.panel)?.displayName
        yield* Console.log(
          renderReport(inspected, {
            color: canColor,
            width: (process.stdout.isTTY && process.stdout.columns) || 100,
            notesPerSeverity,
            ...(panelName !== undefined ? { panelName } : {}),
          }),
        )
      },
      Effect.scoped,
      Effect.catchTags({ ArchiveError: report, InspectError: report, AdapterError: report }),
    ),
  ).pipe(
    Command.withDescription(
      helpText([
        "Read a hosting-panel backup without extracting it and report what it holds: accounts,",
        "domains, mail, databases, certificates, content sizes, and anything Ferry could not map.",
        "Progress is shown on stderr when it is a terminal.",
        "",
        ...exitCodesHelp,
      ]),
    ),
    Command.withShortDescription("Report what a backup holds"),
    Command.withExamples([
      { command: "ferry inspect cpmove-user.tar.gz", description: "Inspect a cPanel account backup" },
      {
        command: "ferry inspect /backup/2024-01-10/accounts/user.tar.gz --json",
        description: "Print the report as JSON, e.g. for scripts",
      },
      { command: "ferry inspect ./extracted-backup-dir --panel cpanel", description: "Read an extracted backup as cPanel" },
    ]),
  )
