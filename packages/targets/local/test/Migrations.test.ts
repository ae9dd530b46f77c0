import { statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { DatabaseSync } from "node:sqlite"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { databaseFileName, latestVersion, migrate, migrations, openInventory } from "../src/index.ts"
import { failure, tempDir } from "./Support.ts"

const tables = (db: DatabaseSync) =>
  (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map((row) => row.name)

const appliedVersions = (file: string) => {
  const db = new DatabaseSync(file, { readOnly: true })
  try {
    return (db.prepare("SELECT version FROM schema_migrations ORDER BY version").all() as Array<{ version: number }>).map(
      (row) => row.version,
    )
  } finally {
    db.close()
  }
}

describe("inventory schema", () => {
  it.effect("a fresh state directory gets every migration, WAL, foreign keys and private modes", () =>
    Effect.gen(function* () {
      const stateDir = join(tempDir(), "state", "nested")
      const store = yield* openInventory(stateDir)
      assert.strictEqual(yield* store.schemaVersion, latestVersion)
      assert.isAtLeast(latestVersion, 2)
      assert.strictEqual(statSync(stateDir).mode & 0o777, 0o700)
      assert.strictEqual(statSync(store.file).mode & 0o777, 0o600)
      assert.strictEqual(store.file, join(stateDir, databaseFileName))
      assert.deepStrictEqual(
        appliedVersions(store.file),
        migrations.map((migration) => migration.version),
      )
      const db = new DatabaseSync(store.file, { readOnly: true })
      try {
        assert.deepStrictEqual(tables(db), [
          "accounts",
          "database_users",
          "databases",
          "domains",
          "ftp_users",
          "job_log",
          "job_steps",
          "jobs",
          "mailboxes",
          "records",
          "schema_migrations",
        ])
        assert.deepStrictEqual(db.prepare("PRAGMA journal_mode").get(), { journal_mode: "wal" })
      } finally {
        db.close()
      }
      // Foreign keys are enforced on the store's own connection.
      const orphan = yield* failure(store.record.domain("example.com", "nobody"))
      assert.include(orphan.detail, "owner nobody does not exist")
    }),
  )

  it.effect("re-opening applies nothing and keeps the data", () =>
    Effect.gen(function* () {
      const stateDir = tempDir()
      yield* Effect.scoped(
        Effect.gen(function* () {
          const store = yield* openInventory(stateDir)
          yield* store.accounts.add({ login: "alice", kind: "client", owner: null })
        }),
      )
      const appliedBefore = appliedVersions(join(stateDir, databaseFileName))
      const store = yield* openInventory(stateDir)
      assert.deepStrictEqual(appliedVersions(store.file), appliedBefore)
      assert.deepStrictEqual(
        (yield* store.accounts.list).map((account) => account.login),
        ["admin", "alice"],
      )
    }),
  )

  it.effect("an inventory at migration 1 is upgraded in place", () =>
    Effect.gen(function* () {
      const stateDir = tempDir()
      const file = join(stateDir, databaseFileName)
      const old = new DatabaseSync(file)
      assert.deepStrictEqual(migrate(old, { upTo: 1 }), [1])
      old.prepare("INSERT INTO accounts (login, kind, owner) VALUES ('admin', 'admin', NULL)").run()
      old
        .prepare("INSERT INTO accounts (login, kind, owner, limits, ip_pool) VALUES ('r1', 'reseller', 'admin', ?, ?)")
        .run('{"domains":5}', '["192.0.2.7"]')
      old.prepare("INSERT INTO accounts (login, kind, owner) VALUES ('bob', 'client', 'r1')").run()
      assert.notInclude(tables(old), "domains")
      old.close()

      const store = yield* openInventory(stateDir)
      assert.strictEqual(yield* store.schemaVersion, latestVersion)
      assert.deepStrictEqual(
        appliedVersions(file),
        migrations.map((migration) => migration.version),
      )
      assert.deepStrictEqual(yield* store.accounts.show("r1"), {
        login: "r1",
        kind: "reseller",
        owner: "admin",
        limits: { domains: 5 },
        permissions: {},
        ipPool: ["192.0.2.7"],
      })
      assert.deepStrictEqual(
        (yield* store.accounts.list).map((account) => account.login),
        ["admin", "r1", "bob"],
      )
      // The tables of later migrations are there and usable.
      yield* store.record.domain("bob.example", "bob")
      assert.deepStrictEqual((yield* store.inventory).domains, [{ name: "bob.example", owner: "bob" }])
    }),
  )

  it.effect("a database from a newer Ferry is refused, not written to", () =>
    Effect.gen(function* () {
      const stateDir = tempDir()
      const file = join(stateDir, databaseFileName)
      const db = new DatabaseSync(file)
      migrate(db)
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'from the future', '2031-01-01T00:00:00.000Z')").run(
        latestVersion + 1,
      )
      db.close()
      const error = yield* failure(openInventory(stateDir))
      assert.strictEqual(error.target, file)
      assert.include(error.detail, `schema version ${latestVersion + 1}, newer than this Ferry knows (${latestVersion})`)
    }),
  )

  it("a failing migration leaves no trace: its statements and its row roll back together", () => {
    const db = new DatabaseSync(":memory:")
    const list = [
      { version: 1, name: "one", sql: "CREATE TABLE one (x TEXT) STRICT;" },
      { version: 2, name: "broken", sql: "CREATE TABLE two (x TEXT) STRICT; CREATE TABLE one (y TEXT);" },
    ]
    assert.throws(() => migrate(db, { migrations: list }), /already exists/)
    assert.deepStrictEqual(tables(db), ["one", "schema_migrations"])
    assert.deepStrictEqual(db.prepare("SELECT version FROM schema_migrations").all(), [{ version: 1 }])
    assert.isFalse(db.isTransaction)
    const fixed = [list[0]!, { version: 2, name: "fixed", sql: "CREATE TABLE two (x TEXT) STRICT;" }]
    assert.deepStrictEqual(migrate(db, { migrations: fixed }), [2])
    assert.deepStrictEqual(migrate(db, { migrations: fixed }), [])
    db.close()
  })

  it("migration versions are ascending and unique", () => {
    const versions = migrations.map((migration) => migration.version)
    assert.deepStrictEqual(
      versions,
      [...new Set(versions)].sort((a, b) => a - b),
    )
    assert.strictEqual(versions[0], 1)
  })

  it.effect("a state directory that cannot be created is a TargetError", () =>
    Effect.gen(function* () {
      const file = join(tempDir(), "a-file")
      writeFileSync(file, "")
      const error = yield* failure(openInventory(join(file, "state")))
      assert.strictEqual(error._tag, "TargetError")
      assert.match(error.detail, /cannot open the inventory database/)
    }),
  )
})
