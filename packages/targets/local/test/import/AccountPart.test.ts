import { readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { type Account, type Domain, type Entity, makePasswordHash, type StepContext } from "@ferry/core"
import { Effect } from "effect"
import { makeAccountPart } from "../../src/import/AccountPart.ts"
import type { ImportEnv } from "../../src/import/ImportEnv.ts"
import { failure } from "../Support.ts"
import { applyWith, contentRef, contentWith, makeEntry, makeImportEnv, makeStepContext } from "../support/ImportEnvFixture.ts"

const hash = "$6$abcdefgh$ltjgWl6579NluT/Vi1nwEvcil.G5Nbc4NiXZaNGStk8PSwGfQv72N2CKPPrVACtLtip/cZ/1GM/O6IND4WQhG."

export const account = (login: string, more: Partial<Account> = {}): Account => ({
  _tag: "Account",
  id: `account:${login}`,
  owner: null,
  source: { path: "cp/x" },
  kind: "client",
  login,
  contact: {},
  status: "active",
  limits: { diskBytes: 1024 },
  permissions: {},
  ipPool: [],
  extras: {},
  ...more,
})

export const domain = (name: string, owner: string, more: Partial<Domain> = {}): Domain => ({
  _tag: "Domain",
  id: `domain:${name}`,
  owner,
  source: { path: "userdata/main" },
  name,
  kind: "main",
  ips: [],
  ...more,
})

const apply = (env: ImportEnv, entity: Entity, ctx: StepContext) => applyWith(makeAccountPart(env), entity, ctx)

const uidOf = (env: ImportEnv, login: string) =>
  (env.store.connection.db.prepare("SELECT uid FROM accounts WHERE login = ?").get(login) as { uid: number | null }).uid

describe("AccountPart", () => {
  it.effect("an account gets a row, a stable uid, a home and a system-user record; a re-run changes nothing", () =>
    Effect.gen(function* () {
      const env = yield* makeImportEnv()
      const bob = account("bob", { passwordHash: makePasswordHash("sha512-crypt", hash), ipPool: ["203.0.113.9"] })
      const carol = account("carol")
      const ctx = makeStepContext(bob, [bob, carol], [{ field: "ip", from: "203.0.113.9", to: "192.0.2.10" }])
      assert.strictEqual((yield* apply(env, bob, ctx)).outcome, "created")
      assert.strictEqual((yield* apply(env, carol, makeStepContext(carol))).outcome, "created")
      assert.strictEqual(uidOf(env, "bob"), 20000)
      assert.strictEqual(uidOf(env, "carol"), 20001)
      assert.strictEqual((yield* apply(env, bob, ctx)).outcome, "unchanged")
      assert.strictEqual(uidOf(env, "bob"), 20000)
      const stored = yield* env.store.accounts.show("bob")
      assert.deepStrictEqual(stored.ipPool, ["192.0.2.10"])
      assert.deepStrictEqual(stored.limits, { diskBytes: 1024 })
      const home = env.layout.home("bob")
      assert.strictEqual(statSync(home).mode & 0o7777, 0o711)
      if (env.runningAsRoot) assert.strictEqual(statSync(home).uid, 20000)
      assert.strictEqual(statSync(join(env.root, "home")).uid, process.getuid?.())
      const record = yield* env.records.get("system-user", "bob")
      assert.deepStrictEqual(record?.data, {
        uid: 20000,
        gid: 20000,
        home,
        shell: "/usr/sbin/nologin",
        status: "active",
        passwordHash: { scheme: "sha512-crypt", value: hash },
      })
      // A changed limit updates the row.
      const bigger = account("bob", { ...bob, limits: { diskBytes: 2048 } })
      assert.strictEqual((yield* apply(env, bigger, ctx)).outcome, "updated")
    }),
  )

  it.effect("the plan's new owner is honoured; the source administrator is not created", () =>
    Effect.gen(function* () {
      const env = yield* makeImportEnv()
      yield* env.store.accounts.add({ login: "res1", kind: "reseller", owner: null })
      const root = account("root", { kind: "admin" })
      const bob = account("bob", { owner: "account:root" })
      const moved = yield* apply(env, bob, makeStepContext(bob, [root, bob], [{ field: "owner", from: "root", to: "res1" }]))
      assert.strictEqual(moved.outcome, "created")
      assert.strictEqual((yield* env.store.accounts.show("bob")).owner, "res1")
      const admin = yield* apply(env, root, makeStepContext(root, [root, bob]))
      assert.strictEqual(admin.outcome, "unchanged")
      assert.match(admin.notes?.[0] ?? "", /not created/)
    }),
  )

  it.effect("hostile logins fail the step naming the rule", () =>
    Effect.gen(function* () {
      const env = yield* makeImportEnv()
      for (const login of ["a;b", "$(id)", "-rf", "root", "www-data"]) {
        const bad = account(login)
        const error = yield* failure(apply(env, bad, makeStepContext(bad)))
        assert.strictEqual(error.code, "invalid-name", login)
      }
      assert.deepStrictEqual(
        (yield* env.store.accounts.list).map((a) => a.login),
        ["admin"],
      )
    }),
  )

  it.effect("domains are recorded for their owner, normalised, idempotent", () =>
    Effect.gen(function* () {
      const env = yield* makeImportEnv()
      const bob = account("bob")
      yield* apply(env, bob, makeStepContext(bob))
      const d = domain("Example.COM.", "account:bob")
      assert.strictEqual((yield* apply(env, d, makeStepContext(d, [bob, d]))).outcome, "created")
      assert.strictEqual((yield* apply(env, d, makeStepContext(d, [bob, d]))).outcome, "unchanged")
      assert.deepStrictEqual((yield* env.store.inventory).domains, [{ name: "example.com", owner: "bob" }])
      const evil = domain("ex;ample.com", "account:bob")
      assert.strictEqual((yield* failure(apply(env, evil, makeStepContext(evil, [bob, evil])))).code, "invalid-name")
    }),
  )

  it.effect("home content lands in the home, owned by the account", () =>
    Effect.gen(function* () {
      const env = yield* makeImportEnv()
      const bob = account("bob")
      yield* apply(env, bob, makeStepContext(bob))
      const part = makeAccountPart(env)
      const sink = yield* contentWith(part, contentRef("content:home:bob", "home", "homedir/"), bob, makeStepContext(bob))
      yield* sink.write(".bashrc", makeEntry("homedir/.bashrc", { body: "x=1" }))
      yield* sink.write("www", makeEntry("homedir/www", { type: "symlink", linkTarget: "public_html" }))
      assert.strictEqual((yield* sink.commit).outcome, "created")
      const file = join(env.layout.home("bob"), ".bashrc")
      assert.strictEqual(readFileSync(file, "utf8"), "x=1")
      if (env.runningAsRoot) assert.strictEqual(statSync(file).uid, 20000)
      const lines = yield* (part.finish as NonNullable<typeof part.finish>)({ jobId: "j" })
      assert.match(lines[0]?.message ?? "", /1 system user is recorded .* not created/)
    }),
  )
})
