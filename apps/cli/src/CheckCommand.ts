import { type Adapter, CheckPipeline, checkReport, type ImportOptions, Inspector } from "@ferry/core"
import { makeLocalTarget } from "@ferry/target-local"
import { Console, Effect, Option, Result } from "effect"
import { Argument, Command, Flag, TerminalCapabilities } from "effect/cli"
import { renderCheckReport } from "./CheckRender.ts"
import { ExitCode, exitCodesHelp, exitWith, helpText, report } from "./ExitCodes.ts"
import { checkedList, entriesToRecord, parseDbPair, parsedFlag, parseIpPair, parseLogin, parseUsers } from "./FlagValues.ts"
import { stderrProgress } from "./Progress.ts"
import { configFlag, describeSource, resolveProfile, rootFlag, stateDirFlag } from "./TargetOptions.ts"

const entitiesPerIssue = 5

const pairMap = (name: string, metavar: string, description: string, parse: typeof parseIpPair) =>
  checkedList(
    parsedFlag(Flag.String(name), name, parse).pipe(Flag.atLeast(0), Flag.withMetavar(metavar), Flag.withDescription(description)),
    name,
    (pairs) => Result.map(entriesToRecord(pairs), (record): Record<string, string> => ({ ...record }) as Record<string, string>),
  )

/** `ferry check <backup>`: the Check and Confirm steps of an import, against the receiving server. */
export const checkCommand = (adapters: ReadonlyArray<Adapter.Adapter>) =>
  Command.make(
    "check",
    {
      backup: Argument.String("backup").pipe(
        Argument.withDescription("A backup file (.tar, .tar.gz, .tar.zst) or an extracted backup directory"),
      ),
      users: parsedFlag(Flag.String("users"), "users", parseUsers).pipe(
        Flag.optional,
        Flag.withMetavar("LOGIN,…"),
        Flag.withDescription("Import only these source accounts (comma-separated logins); default all"),
      ),
      existing: Flag.Literals("existing", ["replace", "skip"]).pipe(
        Flag.withDefault("skip"),
        Flag.withDescription("An account whose login exists on the target: replace its data, or skip it"),
      ),
      only: Flag.Literals("only", ["mail", "hosting"]).pipe(
        Flag.optional,
        Flag.withDescription("Import only mail (mail domains, mailboxes, lists) or only hosting (sites, databases, …)"),
      ),
      owner: parsedFlag(Flag.String("owner"), "owner", parseLogin).pipe(
        Flag.optional,
        Flag.withMetavar("LOGIN"),
        Flag.withDescription("New owner on the target: an admin or reseller, or a client to receive the domains only"),
      ),
      ipMap: pairMap("ip-map", "OLD=NEW", "Replace a source IP address with a target one (repeatable)", parseIpPair),
      dbMap: pairMap(
        "db-map",
        "SOURCE=TARGET",
        "Send databases of a source server (host or version) to a target server id (repeatable)",
        parseDbPair,
      ),
      panel: Flag.Literals("panel", ["auto", ...adapters.map((a) => a.id)]).pipe(
        Flag.withDefault("auto"),
        Flag.withDescription("The panel that made the backup; auto detects it from the contents"),
      ),
      config: configFlag,
      stateDir: stateDirFlag,
      root: rootFlag,
      json: Flag.Boolean("json").pipe(
        Flag.withDefault(false),
        Flag.withDescription("Print the check report as JSON on stdout (and nothing else)"),
      ),
    },
    Effect.fn("CheckCommand.run")(
      function* (flags) {
        const source = yield* resolveProfile(flags.config, flags.root)
        // The target first: a mistake in ferry.yaml should not wait for a multi-GB backup to be read.
        const target = yield* makeLocalTarget({
          root: flags.root,
          stateDir: flags.stateDir,
          ...(source._tag === "profile" ? { profile: source.path } : {}),
        })
        const inspector = yield* Inspector
        const progress = yield* stderrProgress
        const inspected = yield* inspector.inspect(flags.backup, { panel: flags.panel, onProgress: progress.update })
        progress.clear()
        const options: ImportOptions = {
          ...(Option.isSome(flags.users) ? { users: flags.users.value } : {}),
          existing: flags.existing,
          ...(Option.isSome(flags.only) ? { only: flags.only.value } : {}),
          ...(Option.isSome(flags.owner) ? { owner: flags.owner.value } : {}),
          ipMap: flags.ipMap,
          dbMap: flags.dbMap,
        }
        const pipeline = yield* CheckPipeline
        const plan = yield* pipeline.check(inspected.snapshot, target, options)
        const checked = checkReport(inspected, plan, options)
        if (flags.json) yield* Console.log(JSON.stringify(checked, null, 2))
        else {
          const { canColor } = yield* TerminalCapabilities.TerminalCapabilities
          const panelName = adapters.find((a) => a.id === checked.panel)?.displayName
          yield* Console.log(
            renderCheckReport(checked, {
              color: canColor,
              width: (process.stdout.isTTY && process.stdout.columns) || 100,
              entitiesPerIssue,
              target: describeSource(source),
              stateDir: flags.stateDir,
              ...(panelName !== undefined ? { panelName } : {}),
            }),
          )
        }
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
