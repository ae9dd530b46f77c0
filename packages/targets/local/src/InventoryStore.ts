import { chmodSync, mkdirSync } from "node:fs"
import { join } from "node:path"
import { DatabaseSync } from "node:sqlite"
import { type Inventory, TargetError } from "@ferry/core"
import { Effect, Result, type Scope } from "effect"
import { type AccountStore, adminLogin, makeAccountStore } from "./Accounts.ts"
import { migrate, schemaVersion } from "./Migrations.ts"
import { type Connection, query, transaction } from "./Sqlite.ts"

/*
 * What the receiving server already holds, in <stateDir>/ferry.db (SQLite through node:sqlite,
 * WAL, foreign keys on). The executor records each object it creates; the checks read the
 * inventory to find conflicts (a domain or database that exists, an owner that does not).
 */

export type DatabaseEngine = "mysql" | "postgresql"

export interface InventoryRecorder {
  readonly domain: (name: string, owner: string) => Effect.Effect<void, TargetError>
  /** A mailbox by its address, "info@example.com". */
  readonly mailbox: (name: string, owner: string) => Effect.Effect<void, TargetError>
  readonly database: (name: string, owner: string, engine: DatabaseEngine) => Effect.Effect<void, TargetError>
  readonly databaseUser: (name: string, owner: string, engine: DatabaseEngine) => Effect.Effect<void, TargetError>
  readonly ftpUser: (name: string, owner: string) => Effect.Effect<void, TargetError>
}

export interface InventoryStore {
  readonly file: string
  /** The open database, for the job journal and the import records kept in the same file. */
  readonly connection: Connection
  readonly accounts: AccountStore
  readonly inventory: Effect.Effect<Inventory, TargetError>
  /** Idempotent for the same owner; recording a name another account holds fails. */
  readonly record: InventoryRecorder
  readonly schemaVersion: Effect.Effect<number, TargetError>
}

export const databaseFileName = "ferry.db"

const openConnection = (stateDir: string): Effect.Effect<Connection, TargetError, Scope.Scope> => {
  const file = join(stateDir, databaseFileName)
  const failure = (detail: string) => (cause: unknown) =>
    new TargetError({ target: file, detail: `${detail}: ${cause instanceof Error ? cause.message : String(cause)}` })
  return Effect.acquireRelease(
    Effect.try({
      try: () => {
        // mkdir applies the mode only to directories it creates; an existing directory is the
        // operator's and is left as it is.
        mkdirSync(stateDir, { recursive: true, mode: 0o700 })
        return new DatabaseSync(file, { enableForeignKeyConstraints: true, timeout: 5000 })
      },
      catch: failure("cannot open the inventory database"),
    }),
    (db) => Effect.sync(() => db.isOpen && db.close()),
  ).pipe(
    Effect.flatMap((db) =>
      Effect.try({
        try: () => {
          // SQLite gives the -wal and -shm files the mode of the database file.
          chmodSync(file, 0o600)
          const mode = db.prepare("PRAGMA journal_mode = WAL").get() as { journal_mode: string }
          if (mode.journal_mode !== "wal") throw new Error(`journal mode is ${mode.journal_mode}, not wal`)
          db.exec("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL")
          return { db, file }
        },
        catch: failure("cannot prepare the inventory database"),
      }),
    ),
  )
}

const validName = (name: string) =>
  name.length > 0 && name.length <= 320 && [...name].every((char) => char.charCodeAt(0) > 0x1f && char.charCodeAt(0) !== 0x7f)

/** Records `name` for `owner` in `table`; `engine` is part of the key for database tables. */
const recorder = (connection: Connection, table: string, word: string) =>
  Effect.fn(`InventoryStore.record.${word}`)((name: string, owner: string, engine?: DatabaseEngine) => {
    const label = engine === undefined ? `${word} ${name}` : `${engine} ${word} ${name}`
    const failure = (detail: string) => Result.fail(new TargetError({ target: connection.file, detail: `${label}: ${detail}` }))
    return transaction(connection, `recording ${label}`, (db): Result.Result<void, TargetError> => {
      if (!validName(name)) return failure("not a valid name")
      if (db.prepare("SELECT 1 FROM accounts WHERE login = ?").get(owner) === undefined) return failure(`owner ${owner} does not exist`)
      const existing = (
        engine === undefined
          ? db.prepare(`SELECT owner FROM ${table} WHERE name = ?`).get(name)
          : db.prepare(`SELECT owner FROM ${table} WHERE name = ? AND engine = ?`).get(name, engine)
      ) as { owner: string } | undefined
      if (existing !== undefined) return existing.owner === owner ? Result.void : failure(`already recorded for ${existing.owner}`)
      if (engine === undefined) db.prepare(`INSERT INTO ${table} (name, owner) VALUES (?, ?)`).run(name, owner)
      else db.prepare(`INSERT INTO ${table} (name, engine, owner) VALUES (?, ?, ?)`).run(name, engine, owner)
      return Result.void
    })
  })

const readInventory = (connection: Connection, accounts: AccountStore) =>
  Effect.gen(function* () {
    const owned = (table: string) =>
      query(connection, `reading ${table}`, (db) =>
        (db.prepare(`SELECT name, owner FROM ${table} ORDER BY name`).all() as Array<{ name: string; owner: string }>).map(
          ({ name, owner }) => ({ name, owner }),
        ),
      )
    const withEngine = (table: string) =>
      query(connection, `reading ${table}`, (db) =>
        (
          db.prepare(`SELECT name, owner, engine FROM ${table} ORDER BY engine, name`).all() as Array<{
            name: string
            owner: string
            engine: DatabaseEngine
          }>
        ).map(({ name, owner, engine }) => ({ name, owner, engine })),
      )
    return {
      accounts: yield* accounts.list,
      domains: yield* owned("domains"),
      mailboxes: yield* owned("mailboxes"),
      databases: yield* withEngine("databases"),
      databaseUsers: yield* withEngine("database_users"),
      ftpUsers: yield* owned("ftp_users"),
    } satisfies Inventory
  })

/**
 * Opens (creating and migrating as needed) the inventory in `stateDir`, created 0700. The
 * administrator account exists from the first open. The database closes with the scope.
 */
export const openInventory = Effect.fn("InventoryStore.open")(function* (
  stateDir: string,
): Effect.fn.Return<InventoryStore, TargetError, Scope.Scope> {
  const connection = yield* openConnection(stateDir)
  yield* query(connection, "migrating the schema", (db) => migrate(db))
  yield* transaction(connection, "creating the administrator", (db) => {
    if (db.prepare("SELECT 1 FROM accounts WHERE kind = 'admin'").get() === undefined) {
      db.prepare("INSERT INTO accounts (login, kind, owner) VALUES (?, 'admin', NULL)").run(adminLogin)
    }
    return Result.void
  })
  const accounts = makeAccountStore(connection)
  const store: InventoryStore = {
    file: connection.file,
    connection,
    accounts,
    inventory: readInventory(connection, accounts),
    record: {
      domain: recorder(connection, "domains", "domain"),
      mailbox: recorder(connection, "mailboxes", "mailbox"),
      database: recorder(connection, "databases", "database"),
      databaseUser: recorder(connection, "database_users", "database user"),
      ftpUser: recorder(connection, "ftp_users", "FTP user"),
    },
    schemaVersion: query(connection, "reading the schema version", schemaVersion),
  }
  return store
})
