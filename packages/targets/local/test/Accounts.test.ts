import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { type AccountError, openInventory } from "../src/index.ts"
import { failure, tempDir } from "./Support.ts"

const store = () => openInventory(tempDir())

/** The reason and detail of an account operation that must fail with an AccountError. */
const refusal = <A, R>(effect: Effect.Effect<A, unknown, R>) =>
  failure(effect).pipe(
    Effect.map((error) => {
      assert.strictEqual((error as { _tag?: string })._tag, "AccountError")
      const { reason, detail, login } = error as AccountError
      return { reason, detail, login }
    }),
  )

describe("accounts", () => {
  it.effect("the administrator exists from the first open", () =>
    Effect.gen(function* () {
      const { accounts } = yield* store()
      assert.deepStrictEqual(yield* accounts.list, [
        { login: "admin", kind: "admin", owner: null, limits: {}, permissions: {}, ipPool: [] },
      ])
    }),
  )

  it.effect("add, show, list, set, del", () =>
    Effect.gen(function* () {
      const { accounts } = yield* store()
      const added = yield* accounts.add({
        login: "r1",
        kind: "reseller",
        owner: "admin",
        limits: { domains: 10, diskBytes: null, mailboxQuotaBytes: 1073741824 },
        permissions: { manageDns: true, shellAccess: false },
        ipPool: ["192.0.2.10", "2001:db8::1", "192.0.2.10"],
      })
      assert.deepStrictEqual(added, {
        login: "r1",
        kind: "reseller",
        owner: "admin",
        limits: { domains: 10, diskBytes: null, mailboxQuotaBytes: 1073741824 },
        permissions: { manageDns: true, shellAccess: false },
        ipPool: ["192.0.2.10", "2001:db8::1"],
      })
      assert.deepStrictEqual(yield* accounts.show("r1"), added, "limits and permissions come back as stored, null (unlimited) included")
      const client = yield* accounts.add({ login: "bob", kind: "client", owner: "r1" })
      assert.deepStrictEqual(client, { login: "bob", kind: "client", owner: "r1", limits: {}, permissions: {}, ipPool: [] })
      assert.deepStrictEqual(
        (yield* accounts.list).map((account) => account.login),
        ["admin", "r1", "bob"],
      )

      const changed = yield* accounts.set("bob", { limits: { domains: 1 }, permissions: { manageMail: true }, ipPool: ["192.0.2.11"] })
      assert.deepStrictEqual(changed, {
        login: "bob",
        kind: "client",
        owner: "r1",
        limits: { domains: 1 },
        permissions: { manageMail: true },
        ipPool: ["192.0.2.11"],
      })
      assert.deepStrictEqual(yield* accounts.show("bob"), changed)
      // Fields not in the patch stay.
      assert.deepStrictEqual((yield* accounts.set("bob", { ipPool: [] })).limits, { domains: 1 })

      yield* accounts.del("bob")
      assert.deepStrictEqual(yield* refusal(accounts.show("bob")), { reason: "not-found", detail: "no such account", login: "bob" })
      assert.deepStrictEqual(
        (yield* accounts.list).map((account) => account.login),
        ["admin", "r1"],
      )
    }),
  )

  it.effect("a null owner means the administrator", () =>
    Effect.gen(function* () {
      const { accounts } = yield* store()
      assert.strictEqual((yield* accounts.add({ login: "r1", kind: "reseller", owner: null })).owner, "admin")
      assert.strictEqual((yield* accounts.add({ login: "c1", kind: "client", owner: null })).owner, "admin")
    }),
  )

  it.effect("logins are validated", () =>
    Effect.gen(function* () {
      const { accounts } = yield* store()
      for (const login of ["", "Bob", "9lives", "-dash", "a.b", "x".repeat(33), "bob smith", "bob\n"]) {
        assert.strictEqual(
          (yield* refusal(accounts.add({ login, kind: "client", owner: null }))).reason,
          "invalid-login",
          JSON.stringify(login),
        )
      }
      for (const login of ["_svc", "a", "web-1", "x".repeat(32)]) {
        assert.strictEqual((yield* accounts.add({ login, kind: "client", owner: null })).login, login)
      }
    }),
  )

  it.effect("hierarchy: one admin, resellers under it, clients under it or a reseller", () =>
    Effect.gen(function* () {
      const { accounts } = yield* store()
      yield* accounts.add({ login: "r1", kind: "reseller", owner: null })
      yield* accounts.add({ login: "c1", kind: "client", owner: "r1" })

      assert.deepStrictEqual(yield* refusal(accounts.add({ login: "root2", kind: "admin", owner: null })), {
        login: "root2",
        reason: "not-allowed",
        detail: "there is exactly one administrator (admin); it is created with the inventory",
      })
      assert.strictEqual((yield* refusal(accounts.add({ login: "r1", kind: "client", owner: null }))).reason, "exists")
      assert.strictEqual((yield* refusal(accounts.add({ login: "admin", kind: "client", owner: null }))).reason, "exists")
      assert.deepStrictEqual(yield* refusal(accounts.add({ login: "c2", kind: "client", owner: "ghost" })), {
        login: "c2",
        reason: "invalid-owner",
        detail: "owner ghost does not exist",
      })
      assert.deepStrictEqual(yield* refusal(accounts.add({ login: "r2", kind: "reseller", owner: "r1" })), {
        login: "r2",
        reason: "invalid-owner",
        detail: "a reseller is owned by the administrator, not by r1 (reseller)",
      })
      assert.deepStrictEqual(yield* refusal(accounts.add({ login: "c2", kind: "client", owner: "c1" })), {
        login: "c2",
        reason: "invalid-owner",
        detail: "c1 is a client; clients are owned by the administrator or a reseller",
      })
      assert.deepStrictEqual(
        (yield* accounts.list).map((account) => account.login),
        ["admin", "r1", "c1"],
        "refused adds leave nothing behind",
      )
    }),
  )

  it.effect("set re-validates the owner", () =>
    Effect.gen(function* () {
      const { accounts } = yield* store()
      yield* accounts.add({ login: "r1", kind: "reseller", owner: null })
      yield* accounts.add({ login: "r2", kind: "reseller", owner: null })
      yield* accounts.add({ login: "c1", kind: "client", owner: "r1" })
      yield* accounts.add({ login: "c2", kind: "client", owner: null })
      // CHANGE-OWNER: a client moves between the administrator and resellers.
      assert.strictEqual((yield* accounts.set("c1", { owner: "r2" })).owner, "r2")
      assert.strictEqual((yield* accounts.set("c1", { owner: null })).owner, "admin")
      assert.strictEqual((yield* refusal(accounts.set("c1", { owner: "ghost" }))).reason, "invalid-owner")
      assert.strictEqual((yield* refusal(accounts.set("c1", { owner: "c2" }))).reason, "invalid-owner")
      assert.strictEqual((yield* refusal(accounts.set("c1", { owner: "c1" }))).detail, "an account cannot own itself")
      assert.strictEqual((yield* refusal(accounts.set("r1", { owner: "r2" }))).reason, "invalid-owner")
      assert.strictEqual((yield* refusal(accounts.set("ghost", { limits: {} }))).reason, "not-found")
      assert.strictEqual((yield* accounts.show("c1")).owner, "admin", "a refused set changes nothing")
    }),
  )

  it.effect("only the administrator's clients convert to resellers", () =>
    Effect.gen(function* () {
      const { accounts } = yield* store()
      yield* accounts.add({ login: "r1", kind: "reseller", owner: null })
      yield* accounts.add({ login: "mine", kind: "client", owner: null })
      yield* accounts.add({ login: "theirs", kind: "client", owner: "r1" })
      const converted = yield* accounts.set("mine", { kind: "reseller" })
      assert.deepStrictEqual([converted.kind, converted.owner], ["reseller", "admin"])
      // The converted reseller can own clients now.
      assert.strictEqual((yield* accounts.add({ login: "sub", kind: "client", owner: "mine" })).owner, "mine")
      assert.deepStrictEqual(yield* refusal(accounts.set("theirs", { kind: "reseller" })), {
        login: "theirs",
        reason: "not-allowed",
        detail: "only the administrator's clients can become resellers; theirs belongs to r1",
      })
      assert.strictEqual((yield* refusal(accounts.set("r1", { kind: "client" }))).detail, "a reseller cannot become a client")
      assert.strictEqual((yield* refusal(accounts.set("r1", { kind: "admin" }))).reason, "not-allowed")
      assert.strictEqual((yield* refusal(accounts.set("admin", { kind: "reseller" }))).reason, "not-allowed")
      assert.strictEqual((yield* refusal(accounts.set("admin", { owner: "r1" }))).detail, "the administrator has no owner")
      // The administrator's own limits and IPs can be set.
      assert.deepStrictEqual((yield* accounts.set("admin", { ipPool: ["192.0.2.1"] })).ipPool, ["192.0.2.1"])
    }),
  )

  it.effect("accounts with children cannot be deleted; the administrator never", () =>
    Effect.gen(function* () {
      const { accounts, record } = yield* store()
      yield* accounts.add({ login: "r1", kind: "reseller", owner: null })
      yield* accounts.add({ login: "c1", kind: "client", owner: "r1" })
      yield* accounts.add({ login: "c2", kind: "client", owner: "r1" })
      assert.deepStrictEqual(yield* refusal(accounts.del("r1")), {
        login: "r1",
        reason: "has-children",
        detail: "owns 2 accounts; delete or move them first",
      })
      yield* record.domain("c1.example", "c1")
      yield* record.mailbox("info@c1.example", "c1")
      yield* record.database("c1_wp", "c1", "mysql")
      yield* record.databaseUser("c1_wp", "c1", "mysql")
      yield* record.ftpUser("c1ftp", "c1")
      assert.strictEqual(
        (yield* refusal(accounts.del("c1"))).detail,
        "owns 1 domain, 1 mailbox, 1 database, 1 database user, 1 FTP user; delete or move them first",
      )
      assert.deepStrictEqual(yield* refusal(accounts.del("admin")), {
        login: "admin",
        reason: "not-allowed",
        detail: "the administrator cannot be deleted",
      })
      assert.strictEqual((yield* refusal(accounts.del("ghost"))).reason, "not-found")
      yield* accounts.del("c2")
      assert.deepStrictEqual(
        (yield* accounts.list).map((account) => account.login),
        ["admin", "r1", "c1"],
      )
    }),
  )

  it.effect("limits, permissions and IP pools are checked before they are stored", () =>
    Effect.gen(function* () {
      const { accounts } = yield* store()
      assert.deepStrictEqual(yield* refusal(accounts.add({ login: "c1", kind: "client", owner: null, limits: { domains: Number.NaN } })), {
        login: "c1",
        reason: "not-allowed",
        detail: "limits.domains: expected a non-negative number or null",
      })
      assert.strictEqual(
        (yield* refusal(accounts.add({ login: "c1", kind: "client", owner: null, limits: { domains: -1 } }))).detail,
        "limits.domains: expected a non-negative number or null",
      )
      const unknownLimit = { widgets: 3 } as unknown as Record<string, number>
      assert.match(
        (yield* refusal(accounts.add({ login: "c1", kind: "client", owner: null, limits: unknownLimit }))).detail,
        /^limits\.widgets: /,
      )
      const notBoolean = { manageDns: "yes" } as unknown as Record<string, boolean>
      assert.match(
        (yield* refusal(accounts.add({ login: "c1", kind: "client", owner: null, permissions: notBoolean }))).detail,
        /^permissions\.manageDns: /,
      )
      assert.strictEqual(
        (yield* refusal(accounts.add({ login: "c1", kind: "client", owner: null, ipPool: ["192.0.2.300"] }))).detail,
        'ipPool: "192.0.2.300" is not an IP address',
      )
      assert.deepStrictEqual(
        (yield* accounts.list).map((account) => account.login),
        ["admin"],
      )
    }),
  )

  it.effect("error messages name the login", () =>
    Effect.gen(function* () {
      const { accounts } = yield* store()
      const error = yield* failure(accounts.show("ghost"))
      assert.strictEqual(error.message, "ghost: no such account")
    }),
  )
})
