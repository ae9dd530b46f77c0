import { isIP } from "node:net"
import type { DatabaseSync } from "node:sqlite"
import {
  type InventoryAccount,
  InventoryAccount as InventoryAccountSchema,
  Limits,
  Permissions,
  parseJson,
  type TargetError,
} from "@ferry/core"
import { Effect, Result, Schema, SchemaIssue } from "effect"
import { type Connection, query, transaction } from "./Sqlite.ts"

/*
 * Accounts on the receiving server, in the Plesk hierarchy (seed: client operator): exactly one
 * administrator, resellers owned by it, clients owned by it or by a reseller. Limits and
 * permissions are stored as given; the executor applies them.
 */

export type AccountKind = InventoryAccount["kind"]

export interface AccountInput {
  readonly login: string
  readonly kind: AccountKind
  /** Login of the owner; null for a reseller or client means the administrator. */
  readonly owner: string | null
  readonly limits?: Limits
  readonly permissions?: Permissions
  readonly ipPool?: ReadonlyArray<string>
}

export type AccountPatch = Partial<Omit<AccountInput, "login">>

export class AccountError extends Schema.TaggedError<AccountError>()("AccountError", {
  login: Schema.String,
  reason: Schema.Literals(["exists", "not-found", "invalid-owner", "invalid-login", "has-children", "not-allowed"]),
  detail: Schema.String,
}) {
  override get message(): string {
    return `${this.login}: ${this.detail}`
  }
}

export interface AccountStore {
  readonly add: (input: AccountInput) => Effect.Effect<InventoryAccount, AccountError | TargetError>
  readonly list: Effect.Effect<ReadonlyArray<InventoryAccount>, TargetError>
  readonly show: (login: string) => Effect.Effect<InventoryAccount, AccountError | TargetError>
  /** Each field given replaces the stored one; `kind` client → reseller is CONVERT-TO-RESELLER. */
  readonly set: (login: string, patch: AccountPatch) => Effect.Effect<InventoryAccount, AccountError | TargetError>
  readonly del: (login: string) => Effect.Effect<void, AccountError | TargetError>
}

export const adminLogin = "admin"
export const loginPattern = /^[a-z_][a-z0-9_-]{0,31}$/

interface AccountRow {
  readonly login: string
  readonly kind: string
  readonly owner: string | null
  readonly limits: string
  readonly permissions: string
  readonly ip_pool: string
}

const decodeAccount = Schema.decodeUnknownSync(InventoryAccountSchema)

const fromRow = (row: AccountRow): InventoryAccount =>
  decodeAccount({
    login: row.login,
    kind: row.kind,
    owner: row.owner,
    limits: parseJson(row.limits),
    permissions: parseJson(row.permissions),
    ipPool: parseJson(row.ip_pool),
  })

const selectAccount = (db: DatabaseSync, login: string): InventoryAccount | undefined => {
  const row = db.prepare("SELECT * FROM accounts WHERE login = ?").get(login) as AccountRow | undefined
  return row === undefined ? undefined : fromRow(row)
}

const fail = (login: string, reason: AccountError["reason"], detail: string): Result.Result<never, AccountError> =>
  Result.fail(new AccountError({ login, reason, detail }))

const formatIssue = SchemaIssue.makeFormatterStandardSchemaV1()
const finiteLimits = Limits.check(
  Schema.makeFilter((limits) =>
    Object.entries(limits).flatMap(([key, value]) =>
      value === null || value === undefined || (Number.isFinite(value) && value >= 0)
        ? []
        : [{ path: [key], issue: "expected a non-negative number or null" }],
    ),
  ),
)

const firstProblem = (field: string, issue: SchemaIssue.Issue): string => {
  const first = formatIssue(issue).issues[0]
  const key = first?.path?.map((segment) => String(typeof segment === "object" ? segment.key : segment)).join(".")
  return `${field}${key ? `.${key}` : ""}: ${first?.message ?? "invalid"}`
}

/** Limits, permissions and IPs as they will be stored, or the first problem. */
const checkSettings = (login: string, patch: AccountPatch): AccountError | undefined => {
  const options = { onExcessProperty: "error" } as const
  const limits = patch.limits === undefined ? undefined : Schema.decodeUnknownResult(finiteLimits)(patch.limits, options)
  if (limits !== undefined && Result.isFailure(limits)) {
    return new AccountError({ login, reason: "not-allowed", detail: firstProblem("limits", limits.failure.issue) })
  }
  const permissions = patch.permissions === undefined ? undefined : Schema.decodeUnknownResult(Permissions)(patch.permissions, options)
  if (permissions !== undefined && Result.isFailure(permissions)) {
    return new AccountError({ login, reason: "not-allowed", detail: firstProblem("permissions", permissions.failure.issue) })
  }
  const badIp = patch.ipPool?.find((ip) => isIP(ip) === 0)
  if (badIp !== undefined)
    return new AccountError({ login, reason: "not-allowed", detail: `ipPool: ${JSON.stringify(badIp)} is not an IP address` })
  return undefined
}

/** Owner rules: resellers belong to the administrator, clients to it or to a reseller. */
const checkOwner = (db: DatabaseSync, login: string, kind: AccountKind, ownerLogin: string): AccountError | undefined => {
  const problem = (detail: string) => new AccountError({ login, reason: "invalid-owner", detail })
  if (ownerLogin === login) return problem("an account cannot own itself")
  const ownerAccount = selectAccount(db, ownerLogin)
  if (ownerAccount === undefined) return problem(`owner ${ownerLogin} does not exist`)
  if (kind === "reseller" && ownerAccount.kind !== "admin") {
    return problem(`a reseller is owned by the administrator, not by ${ownerLogin} (${ownerAccount.kind})`)
  }
  if (kind === "client" && ownerAccount.kind === "client") {
    return problem(`${ownerLogin} is a client; clients are owned by the administrator or a reseller`)
  }
  return undefined
}

const writeAccount = (db: DatabaseSync, account: InventoryAccount, insert: boolean): void => {
  const values = [
    account.kind,
    account.owner,
    JSON.stringify(account.limits),
    JSON.stringify(account.permissions),
    JSON.stringify(account.ipPool),
    account.login,
  ] as const
  if (insert) {
    db.prepare("INSERT INTO accounts (kind, owner, limits, permissions, ip_pool, login) VALUES (?, ?, ?, ?, ?, ?)").run(...values)
  } else {
    db.prepare("UPDATE accounts SET kind = ?, owner = ?, limits = ?, permissions = ?, ip_pool = ? WHERE login = ?").run(...values)
  }
}

/** Tables whose rows an account owns, with the word used in messages. */
export const ownedTables = [
  ["accounts", "account"],
  ["domains", "domain"],
  ["mailboxes", "mailbox"],
  ["databases", "database"],
  ["database_users", "database user"],
  ["ftp_users", "FTP user"],
] as const

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : word.endsWith("x") ? "es" : "s"}`

export const makeAccountStore = (connection: Connection): AccountStore => {
  const add = Effect.fn("AccountStore.add")((input: AccountInput) =>
    transaction(connection, `adding account ${input.login}`, (db): Result.Result<InventoryAccount, AccountError> => {
      const { login, kind } = input
      if (!loginPattern.test(login)) {
        return fail(login, "invalid-login", "a login is 1-32 characters: a-z, 0-9, _ and -, not starting with a digit or -")
      }
      if (kind === "admin")
        return fail(login, "not-allowed", `there is exactly one administrator (${adminLogin}); it is created with the inventory`)
      if (selectAccount(db, login) !== undefined) return fail(login, "exists", "an account with this login exists")
      const invalid = checkSettings(login, input)
      if (invalid !== undefined) return Result.fail(invalid)
      const owner = input.owner ?? adminLogin
      const badOwner = checkOwner(db, login, kind, owner)
      if (badOwner !== undefined) return Result.fail(badOwner)
      const account: InventoryAccount = {
        login,
        kind,
        owner,
        limits: input.limits ?? {},
        permissions: input.permissions ?? {},
        ipPool: [...new Set(input.ipPool ?? [])],
      }
      writeAccount(db, account, true)
      return Result.succeed(account)
    }),
  )

  const list = query(connection, "listing accounts", (db) =>
    (db.prepare("SELECT * FROM accounts ORDER BY rowid").all() as unknown as Array<AccountRow>).map(fromRow),
  )

  const show = Effect.fn("AccountStore.show")(function* (login: string) {
    const account = yield* query(connection, `reading account ${login}`, (db) => selectAccount(db, login))
    if (account === undefined) return yield* new AccountError({ login, reason: "not-found", detail: "no such account" })
    return account
  })

  const set = Effect.fn("AccountStore.set")((login: string, patch: AccountPatch) =>
    transaction(connection, `changing account ${login}`, (db): Result.Result<InventoryAccount, AccountError> => {
      const current = selectAccount(db, login)
      if (current === undefined) return fail(login, "not-found", "no such account")
      const invalid = checkSettings(login, patch)
      if (invalid !== undefined) return Result.fail(invalid)
      const kind = patch.kind ?? current.kind
      let owner: string | null = null
      if (current.kind === "admin") {
        if (kind !== "admin") return fail(login, "not-allowed", "the administrator cannot become a reseller or a client")
        if (patch.owner !== undefined && patch.owner !== null) return fail(login, "not-allowed", "the administrator has no owner")
      } else {
        if (kind === "admin") return fail(login, "not-allowed", `there is exactly one administrator (${adminLogin})`)
        if (current.kind === "reseller" && kind === "client") return fail(login, "not-allowed", "a reseller cannot become a client")
        const ownerLogin = patch.owner !== undefined ? (patch.owner ?? adminLogin) : (current.owner ?? adminLogin)
        if (current.kind === "client" && kind === "reseller" && ownerLogin !== adminLogin) {
          // CONVERT-TO-RESELLER: only the administrator's own clients are upgraded.
          return fail(login, "not-allowed", `only the administrator's clients can become resellers; ${login} belongs to ${ownerLogin}`)
        }
        const badOwner = checkOwner(db, login, kind, ownerLogin)
        if (badOwner !== undefined) return Result.fail(badOwner)
        owner = ownerLogin
      }
      const account: InventoryAccount = {
        login,
        kind,
        owner,
        limits: patch.limits ?? current.limits,
        permissions: patch.permissions ?? current.permissions,
        ipPool: patch.ipPool !== undefined ? [...new Set(patch.ipPool)] : current.ipPool,
      }
      writeAccount(db, account, false)
      return Result.succeed(account)
    }),
  )

  const del = Effect.fn("AccountStore.del")((login: string) =>
    transaction(connection, `deleting account ${login}`, (db): Result.Result<void, AccountError> => {
      const current = selectAccount(db, login)
      if (current === undefined) return fail(login, "not-found", "no such account")
      if (current.kind === "admin") return fail(login, "not-allowed", "the administrator cannot be deleted")
      const owned = ownedTables.flatMap(([table, word]) => {
        const { count } = db.prepare(`SELECT count(*) AS count FROM ${table} WHERE owner = ?`).get(login) as { count: number }
        return count > 0 ? [plural(count, word)] : []
      })
      if (owned.length > 0) return fail(login, "has-children", `owns ${owned.join(", ")}; delete or move them first`)
      db.prepare("DELETE FROM accounts WHERE login = ?").run(login)
      return Result.void
    }),
  )

  return { add, list, show, set, del }
}
