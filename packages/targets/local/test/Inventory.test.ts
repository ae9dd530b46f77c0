import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { openInventory } from "../src/index.ts"
import { failure, tempDir } from "./Support.ts"

describe("inventory", () => {
  it.effect("records what the target holds and reads it back", () =>
    Effect.gen(function* () {
      const { accounts, record, inventory } = yield* openInventory(tempDir())
      yield* accounts.add({ login: "r1", kind: "reseller", owner: null, limits: { clients: 5 } })
      yield* accounts.add({ login: "bob", kind: "client", owner: "r1" })
      yield* record.domain("example.com", "bob")
      yield* record.domain("admin.example", "admin")
      yield* record.mailbox("info@example.com", "bob")
      yield* record.database("bob_wp", "bob", "mysql")
      yield* record.database("bob_wp", "bob", "postgresql")
      yield* record.databaseUser("bob_wp", "bob", "mysql")
      yield* record.ftpUser("bob_ftp", "bob")
      assert.deepStrictEqual(yield* inventory, {
        accounts: [
          { login: "admin", kind: "admin", owner: null, limits: {}, permissions: {}, ipPool: [] },
          { login: "r1", kind: "reseller", owner: "admin", limits: { clients: 5 }, permissions: {}, ipPool: [] },
          { login: "bob", kind: "client", owner: "r1", limits: {}, permissions: {}, ipPool: [] },
        ],
        domains: [
          { name: "admin.example", owner: "admin" },
          { name: "example.com", owner: "bob" },
        ],
        mailboxes: [{ name: "info@example.com", owner: "bob" }],
        databases: [
          { name: "bob_wp", owner: "bob", engine: "mysql" },
          { name: "bob_wp", owner: "bob", engine: "postgresql" },
        ],
        databaseUsers: [{ name: "bob_wp", owner: "bob", engine: "mysql" }],
        ftpUsers: [{ name: "bob_ftp", owner: "bob" }],
      })
    }),
  )

  it.effect("recording is idempotent for the same owner and refuses another owner's name", () =>
    Effect.gen(function* () {
      const { accounts, record, inventory } = yield* openInventory(tempDir())
      yield* accounts.add({ login: "bob", kind: "client", owner: null })
      yield* accounts.add({ login: "eve", kind: "client", owner: null })
      yield* record.domain("example.com", "bob")
      yield* record.domain("example.com", "bob")
      // Domain and mailbox names compare without case.
      const taken = yield* failure(record.domain("Example.COM", "eve"))
      assert.strictEqual(taken.detail, "domain Example.COM: already recorded for bob")
      yield* record.mailbox("Info@example.com", "bob")
      assert.strictEqual(
        (yield* failure(record.mailbox("info@EXAMPLE.com", "eve"))).detail,
        "mailbox info@EXAMPLE.com: already recorded for bob",
      )
      yield* record.database("shop", "bob", "mysql")
      assert.strictEqual((yield* failure(record.database("shop", "eve", "mysql"))).detail, "mysql database shop: already recorded for bob")
      yield* record.database("shop", "eve", "postgresql")
      assert.strictEqual((yield* failure(record.ftpUser("x", "ghost"))).detail, "FTP user x: owner ghost does not exist")
      assert.strictEqual((yield* failure(record.domain("", "bob"))).detail, "domain : not a valid name")
      assert.strictEqual((yield* failure(record.domain("a\nb", "bob"))).detail, "domain a\nb: not a valid name")
      const held = yield* inventory
      assert.deepStrictEqual(held.domains, [{ name: "example.com", owner: "bob" }])
      assert.deepStrictEqual(
        held.databases.map((db) => `${db.engine}:${db.name}:${db.owner}`),
        ["mysql:shop:bob", "postgresql:shop:eve"],
      )
    }),
  )

  it.effect("the database is closed with the scope", () =>
    Effect.gen(function* () {
      const stateDir = tempDir()
      const store = yield* Effect.scoped(openInventory(stateDir))
      const error = yield* failure(store.accounts.list)
      assert.strictEqual(error._tag, "TargetError")
      assert.match(error.detail, /listing accounts: .*not open/i)
    }),
  )
})
