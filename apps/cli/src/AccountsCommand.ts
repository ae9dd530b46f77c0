import { type AccountInput, openInventory } from "@ferry/target-local"
import { Console, Effect, Option } from "effect"
import { Argument, Command, Flag, TerminalCapabilities } from "effect/cli"
import { renderAccount, renderAccountList } from "./AccountsRender.ts"
import { exitCodesHelp, helpText, report } from "./ExitCodes.ts"
import { checkedList, entriesToRecord, limitKeys, parsedFlag, parseIp, parseLimit, parsePermission, permissionKeys } from "./FlagValues.ts"
import { stateDirFlag } from "./TargetOptions.ts"
import { wrap } from "./Text.ts"

/*
 * `ferry accounts …`: the accounts of the receiving server (admins, resellers, clients with their
 * limits, permissions and IP pools) that `ferry check` checks owners, limits and conflicts against.
 */

const accounts = Command.make("accounts").pipe(Command.withSharedFlags({ stateDir: stateDirFlag }))

const renderOptions = Effect.gen(function* () {
  const { canColor } = yield* TerminalCapabilities.TerminalCapabilities
  return { color: canColor, width: (process.stdout.isTTY && process.stdout.columns) || 100 }
})

/** The store under `--state-dir`, for the length of the command. */
const store = Effect.gen(function* () {
  const { stateDir } = yield* accounts
  return (yield* openInventory(stateDir)).accounts
})

const catchExpected = Effect.catchTags({ AccountError: report, TargetError: report })

const loginArgument = Argument.String("login").pipe(Argument.withDescription("The account's login"))
const jsonFlag = Flag.Boolean("json").pipe(Flag.withDefault(false), Flag.withDescription("Print JSON on stdout (and nothing else)"))
const kindChoices = ["admin", "reseller", "client"] as const

const settingFlags = {
  owner: Flag.String("owner").pipe(
    Flag.optional,
    Flag.withMetavar("LOGIN"),
    Flag.withDescription("The admin or reseller that owns the account (default admin)"),
  ),
  limits: checkedList(
    parsedFlag(Flag.String("limit"), "limit", parseLimit).pipe(
      Flag.atLeast(0),
      Flag.withMetavar("KEY=VALUE"),
      Flag.withDescription("A limit: domains=10, mailboxes=unlimited, diskBytes=10GiB, expiresAt=2026-12-31 (repeatable)"),
    ),
    "limit",
    entriesToRecord,
  ),
  permissions: checkedList(
    parsedFlag(Flag.String("permission"), "permission", parsePermission).pipe(
      Flag.atLeast(0),
      Flag.withMetavar("KEY=on|off"),
      Flag.withDescription("A permission: manageDns=off, shellAccess=on, … (repeatable)"),
    ),
    "permission",
    entriesToRecord,
  ),
  ips: parsedFlag(Flag.String("ip"), "ip", parseIp).pipe(
    Flag.atLeast(0),
    Flag.withMetavar("IP"),
    Flag.withDescription("An address of the account's IP pool (repeatable)"),
  ),
}

const addCommand = Command.make(
  "add",
  {
    login: loginArgument,
    kind: Flag.Literals("kind", kindChoices).pipe(Flag.withDescription("admin, reseller or client")),
    ...settingFlags,
  },
  Effect.fn("AccountsCommand.add")(
    function* ({ login, kind, owner, limits, permissions, ips }) {
      const accountStore = yield* store
      const input: AccountInput = {
        login,
        kind,
        owner: Option.getOrNull(owner),
        limits,
        permissions,
        ipPool: ips,
      }
      const added = yield* accountStore.add(input)
      yield* Console.log(renderAccount(added, yield* renderOptions))
    },
    Effect.scoped,
    catchExpected,
  ),
).pipe(
  Command.withDescription("Add an account to the receiving server's inventory."),
  Command.withExamples([
    { command: "ferry accounts add reseller1 --kind reseller --owner admin --limit domains=100", description: "A reseller" },
    {
      command: "ferry accounts add alice --kind client --owner reseller1 --limit diskBytes=10GiB --permission shellAccess=off",
      description: "A client of that reseller with a disk limit, without shell access",
    },
  ]),
)

const listCommand = Command.make(
  "list",
  { json: jsonFlag },
  Effect.fn("AccountsCommand.list")(
    function* ({ json }) {
      const list = yield* (yield* store).list
      if (json) return yield* Console.log(JSON.stringify(list, null, 2))
      yield* Console.log(renderAccountList(list, yield* renderOptions))
    },
    Effect.scoped,
    catchExpected,
  ),
).pipe(
  Command.withDescription("List the accounts of the receiving server."),
  Command.withExamples([{ command: "ferry accounts list --json", description: "All accounts as JSON" }]),
)

const showCommand = Command.make(
  "show",
  { login: loginArgument, json: jsonFlag },
  Effect.fn("AccountsCommand.show")(
    function* ({ login, json }) {
      const account = yield* (yield* store).show(login)
      if (json) return yield* Console.log(JSON.stringify(account, null, 2))
      yield* Console.log(renderAccount(account, yield* renderOptions))
    },
    Effect.scoped,
    catchExpected,
  ),
).pipe(
  Command.withDescription("Show one account: kind, owner, IP pool, limits, permissions."),
  Command.withExamples([{ command: "ferry accounts show alice", description: "Show alice" }]),
)

const setCommand = Command.make(
  "set",
  {
    login: loginArgument,
    kind: Flag.Literals("kind", kindChoices).pipe(Flag.optional, Flag.withDescription("A new kind")),
    ...settingFlags,
  },
  Effect.fn("AccountsCommand.set")(
    function* ({ login, kind, owner, limits, permissions, ips }) {
      const accountStore = yield* store
      // --limit and --permission change the keys they name; the others keep their values.
      const current = yield* accountStore.show(login)
      const patch: Partial<Omit<AccountInput, "login">> = {
        ...(Option.isSome(kind) ? { kind: kind.value } : {}),
        ...(Option.isSome(owner) ? { owner: owner.value } : {}),
        ...(Object.keys(limits).length > 0 ? { limits: { ...current.limits, ...limits } } : {}),
        ...(Object.keys(permissions).length > 0 ? { permissions: { ...current.permissions, ...permissions } } : {}),
        ...(ips.length > 0 ? { ipPool: ips } : {}),
      }
      const updated = yield* accountStore.set(login, patch)
      yield* Console.log(renderAccount(updated, yield* renderOptions))
    },
    Effect.scoped,
    catchExpected,
  ),
).pipe(
  Command.withDescription(
    helpText(["Change an account. --limit and --permission change only the keys they name; --ip replaces", "the whole IP pool."]),
  ),
  Command.withExamples([
    { command: "ferry accounts set alice --limit mailboxes=unlimited --permission manageDns=on", description: "Raise a limit" },
    { command: "ferry accounts set alice --owner reseller2", description: "Move alice to another reseller" },
  ]),
)

const delCommand = Command.make(
  "del",
  { login: loginArgument },
  Effect.fn("AccountsCommand.del")(
    function* ({ login }) {
      yield* (yield* store).del(login)
      yield* Console.log(`Deleted ${login}`)
    },
    Effect.scoped,
    catchExpected,
  ),
).pipe(
  Command.withDescription("Delete an account (one that owns no other accounts)."),
  Command.withExamples([{ command: "ferry accounts del alice", description: "Delete alice" }]),
)

export const accountsCommand = accounts.pipe(
  Command.withDescription(
    helpText([
      "Manage the receiving server's accounts: admins, resellers and clients with their limits,",
      "permissions and IP pools. 'ferry check' checks owners, limits and existing logins against",
      "them. They are kept in --state-dir ($FERRY_STATE_DIR, else ~/.local/state/ferry).",
      "",
      "The administrator, admin, comes with the inventory; resellers and clients without --owner",
      "belong to it.",
      "",
      ...wrap(`Limit keys (--limit KEY=VALUE): ${limitKeys.join(", ")}.`, 94, 0),
      ...wrap(
        "Counts are whole numbers, sizes (*Bytes) take units such as 10GiB or 500MB, expiresAt a date (YYYY-MM-DD), any key unlimited.",
        94,
        0,
      ),
      "",
      ...wrap(`Permission keys (--permission KEY=on|off): ${permissionKeys.join(", ")}.`, 94, 0),
      "",
      ...exitCodesHelp,
    ]),
  ),
  Command.withShortDescription("Manage the receiving server's accounts"),
  Command.withSubcommands([addCommand, listCommand, showCommand, setCommand, delCommand]),
)
