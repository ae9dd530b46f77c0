import {
  type Adapter,
  CheckPipeline,
  type CheckReport,
  checkReport,
  type ImportOptions,
  Inspector,
  type InspectResult,
  type Plan,
} from "@ferry/core"
import { type LocalTarget, makeLocalTarget } from "@ferry/target-local"
import { Effect, FileSystem, Option, Result } from "effect"
import { Argument, Flag } from "effect/cli"
import { ExitCode, Reported } from "./ExitCodes.ts"
import { checkedList, entriesToRecord, type Parsed, parseDbPair, parsedFlag, parseIpPair, parseLogin, parseUsers } from "./FlagValues.ts"
import { stderrProgress } from "./Progress.ts"
import { configFlag, type ProfileSource, resolveProfile, rootFlag, stateDirFlag } from "./TargetOptions.ts"

/* The flags `ferry check` and `ferry import` share, and the check both of them run. */

const pairMap = (name: string, metavar: string, description: string, parse: typeof parseIpPair) =>
  checkedList(
    parsedFlag(Flag.String(name), name, parse).pipe(Flag.atLeast(0), Flag.withMetavar(metavar), Flag.withDescription(description)),
    name,
    (pairs) => Result.map(entriesToRecord(pairs), (record): Record<string, string> => ({ ...record }) as Record<string, string>),
  )

const secretName = /^[a-z][a-z0-9-]{0,63}$/

/** "backup-password=/root/pw.txt": a secret's name and the file holding its value. */
export const parseSecretPair = (text: string): Parsed<readonly [string, string]> => {
  const eq = text.indexOf("=")
  const name = text.slice(0, eq)
  const file = text.slice(eq + 1)
  if (eq <= 0 || file === "" || !secretName.test(name)) return Result.fail("NAME=FILE, e.g. backup-password=/root/backup-password.txt")
  return Result.succeed([name, file])
}

/**
 * `--secret NAME=FILE`: the value is read from a file, never taken from the command line (where
 * `ps` shows it). A job never stores secrets, so `ferry jobs resume` needs them again.
 */
export const secretsFlag = checkedList(
  parsedFlag(Flag.String("secret"), "secret", parseSecretPair).pipe(
    Flag.atLeast(0),
    Flag.withMetavar("NAME=FILE"),
    Flag.withDescription(
      "A secret the backup needs, read from FILE: backup-password (encrypted .aes backups), plesk-secret-key (repeatable)",
    ),
  ),
  "secret",
  (pairs) => Result.map(entriesToRecord(pairs), (record): Record<string, string> => ({ ...record }) as Record<string, string>),
)

/** The secrets' values from their files (one trailing newline dropped); an unreadable file ends with exit 5. */
export const readSecrets = Effect.fn("CheckFlags.readSecrets")(function* (files: Readonly<Record<string, string>>) {
  const fs = yield* FileSystem.FileSystem
  const secrets: Record<string, string> = {}
  for (const [name, file] of Object.entries(files)) {
    const text = yield* fs.readFileString(file).pipe(
      Effect.catch((error) =>
        Effect.andThen(
          Effect.sync(() => process.stderr.write(`ferry: cannot read the secret ${name} from ${file}: ${error.message}\n`)),
          Effect.fail(new Reported({ code: ExitCode.notReadable })),
        ),
      ),
    )
    secrets[name] = text.replace(/\r?\n$/, "")
  }
  return Object.keys(secrets).length > 0 ? secrets : undefined
})

export const checkFlags = (adapters: ReadonlyArray<Adapter.Adapter>) => ({
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
  secrets: secretsFlag,
  config: configFlag,
  stateDir: stateDirFlag,
  root: rootFlag,
})

export interface CheckFlagValues {
  readonly backup: string
  readonly users: Option.Option<ReadonlyArray<string>>
  readonly existing: ImportOptions["existing"]
  readonly only: Option.Option<"mail" | "hosting">
  readonly owner: Option.Option<string>
  readonly ipMap: Record<string, string>
  readonly dbMap: Record<string, string>
  readonly panel: string
  readonly secrets: Record<string, string>
  readonly config: Option.Option<string>
  readonly stateDir: string
  readonly root: string
}

export const importOptionsOf = (flags: CheckFlagValues): ImportOptions => ({
  ...(Option.isSome(flags.users) ? { users: flags.users.value } : {}),
  existing: flags.existing,
  ...(Option.isSome(flags.only) ? { only: flags.only.value } : {}),
  ...(Option.isSome(flags.owner) ? { owner: flags.owner.value } : {}),
  ipMap: flags.ipMap,
  dbMap: flags.dbMap,
})

export interface Checked {
  readonly source: ProfileSource
  readonly target: LocalTarget
  readonly inspected: InspectResult
  readonly options: ImportOptions
  readonly plan: Plan
  readonly report: CheckReport
  readonly secrets: Readonly<Record<string, string>> | undefined
}

/** Open the receiving server, read the backup (progress on stderr) and check it: what check and import share. */
export const runCheck = Effect.fn("CheckFlags.runCheck")(function* (flags: CheckFlagValues) {
  const source = yield* resolveProfile(flags.config, flags.root)
  // The target first: a mistake in ferry.yaml should not wait for a multi-GB backup to be read.
  const target = yield* makeLocalTarget({
    root: flags.root,
    stateDir: flags.stateDir,
    ...(source._tag === "profile" ? { profile: source.path } : {}),
  })
  const secrets = yield* readSecrets(flags.secrets)
  const inspector = yield* Inspector
  const inspected = yield* Effect.scoped(
    Effect.gen(function* () {
      const progress = yield* stderrProgress
      return yield* inspector.inspect(flags.backup, {
        panel: flags.panel,
        onProgress: progress.update,
        ...(secrets !== undefined ? { read: { secrets } } : {}),
      })
    }),
  )
  const options = importOptionsOf(flags)
  const plan = yield* (yield* CheckPipeline).check(inspected.snapshot, target, options)
  return { source, target, inspected, options, plan, report: checkReport(inspected, plan, options), secrets } satisfies Checked
})
