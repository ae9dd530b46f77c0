import { existsSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { type Entity, type Mailbox, type MailDomain, makePasswordHash, type StepContext, type StepFailed } from "@ferry/core"
import { Effect, Redacted } from "effect"
import type { ImportEnv } from "../../src/import/ImportEnv.ts"
import { makeMailPart } from "../../src/import/MailPart.ts"
import { failure } from "../Support.ts"
import { makeImportEnv, makeStepContext } from "../support/ImportEnvFixture.ts"

/* Hashes of "secret" (openssl passwd, Python crypt). */
const md5 = "$1$abc$iCQ2D3nhptRYi27fDYv2s1"
const sha512 = "$6$abcdefgh$ltjgWl6579NluT/Vi1nwEvcil.G5Nbc4NiXZaNGStk8PSwGfQv72N2CKPPrVACtLtip/cZ/1GM/O6IND4WQhG."
const bcrypt = "$2b$05$abcdefghijklmnopqrstuuOQiyCxlgf/oeuTqixKmWdcYUh4Hjl0a"

/** A client account `login` with a uid, as the account part leaves it. */
export const addAccount = (env: ImportEnv, login: string, uid: number | null) =>
  Effect.gen(function* () {
    yield* env.store.accounts.add({ login, kind: "client", owner: null })
    env.store.connection.db.prepare("UPDATE accounts SET uid = ? WHERE login = ?").run(uid, login)
  })

const owner = { _tag: "Account", id: "account:bob", login: "bob" } as unknown as Entity

const mailDomain = (fields: Partial<MailDomain> = {}): MailDomain => ({
  _tag: "MailDomain",
  id: "maildomain:example.com",
  owner: "account:bob",
  source: { path: "x" },
  name: "example.com",
  enabled: true,
  ...fields,
})

const mailbox = (local: string, fields: Partial<Mailbox> = {}): Mailbox => ({
  _tag: "Mailbox",
  id: `mailbox:${local}@example.com`,
  owner: "account:bob",
  source: { path: "x" },
  address: `${local}@example.com`,
  localPart: local,
  domain: "example.com",
  passwordHash: makePasswordHash("md5-crypt", md5),
  quotaBytes: 1048576,
  storage: "maildir",
  enabled: true,
  ...fields,
})

const ctxOf = (entity: Entity, changes: StepContext["decision"]["changes"] = []) => makeStepContext(entity, [owner, entity], changes)

const setup = Effect.gen(function* () {
  const env = yield* makeImportEnv()
  yield* addAccount(env, "bob", 2001)
  yield* env.store.record.domain("example.com", "bob")
  const part = makeMailPart(env)
  const applyBox = (box: Mailbox, ctx: StepContext = ctxOf(box)) => part.apply.Mailbox(box, ctx)
  const applyDomain = (d: MailDomain, ctx: StepContext = ctxOf(d)) => part.apply.MailDomain(d, ctx)
  const passwd = () => readFileSync(env.layout.dovecotPasswd("example.com"), "utf8")
  const lines = () =>
    passwd()
      .split("\n")
      .filter((l) => l !== "" && !l.startsWith("#"))
  return { env, applyBox, applyDomain, passwd, lines }
})

describe("mail domains and mailboxes", () => {
  it.effect("a mailbox becomes one passwd-file line with the original hash; applying twice changes nothing", () =>
    Effect.gen(function* () {
      const { env, applyBox, passwd, lines } = yield* setup
      const box = mailbox("info")
      const first = yield* applyBox(box)
      assert.strictEqual(first.outcome, "created")
      const home = env.layout.maildir("example.com", "info")
      assert.deepStrictEqual(lines(), [`info@example.com:{MD5-CRYPT}${md5}:2001:2001::${home}::userdb_quota_rule=*:bytes=1048576`])
      assert.strictEqual(statSync(env.layout.dovecotPasswd("example.com")).mode & 0o777, 0o640)
      for (const sub of ["cur", "new", "tmp"]) assert.isTrue(statSync(join(home, sub)).isDirectory())
      assert.strictEqual(statSync(home).mode & 0o777, 0o700)
      const before = passwd()
      const second = yield* applyBox(box)
      assert.strictEqual(second.outcome, "unchanged")
      assert.strictEqual(passwd(), before)
      assert.deepStrictEqual((yield* env.store.inventory).mailboxes, [{ name: "info@example.com", owner: "bob" }])
    }),
  )

  it.effect("keeps each scheme with its prefix, honours the plan's quota and disables logins", () =>
    Effect.gen(function* () {
      const { applyBox, lines } = yield* setup
      yield* applyBox(mailbox("a", { passwordHash: makePasswordHash("sha512-crypt", sha512), quotaBytes: null }))
      yield* applyBox(mailbox("b", { passwordHash: makePasswordHash("bcrypt", bcrypt), enabled: false }))
      const c = mailbox("c")
      yield* applyBox(c, ctxOf(c, [{ field: "quotaBytes", from: "1048576", to: "5000" }]))
      const [a, b, cLine] = lines()
      assert.include(a, `a@example.com:{SHA512-CRYPT}${sha512}:2001:2001::`)
      assert.isTrue(a?.endsWith("::"))
      assert.include(b, `:{BLF-CRYPT}${bcrypt}:`)
      assert.isTrue(b?.endsWith("userdb_quota_rule=*:bytes=1048576 nologin"))
      assert.isTrue(cLine?.endsWith("userdb_quota_rule=*:bytes=5000"))
    }),
  )

  it.effect("item 43: unusable hashes get a recorded new password, the note never shows it", () =>
    Effect.gen(function* () {
      const { env, applyBox, lines, passwd } = yield* setup
      const cases: Array<[string, Mailbox["passwordHash"]]> = [
        ["colon", makePasswordHash("md5-crypt", "$1$abc$iCQ2D3nhptRYi2:fDYv2s1")],
        ["newline", makePasswordHash("sha512-crypt", `${sha512}\nroot@example.com:{PLAIN}x:0:0::/::`)],
        ["unknown", makePasswordHash("unknown", "0123abcd")],
        ["plesk", makePasswordHash("plesk-sym", "c2VjcmV0")],
        ["none", undefined],
      ]
      for (const [local, hash] of cases) {
        const box = mailbox(local, hash === undefined ? { passwordHash: undefined as never } : { passwordHash: hash })
        const { passwordHash: _, ...withoutHash } = box
        const result = yield* applyBox(hash === undefined ? (withoutHash as Mailbox) : box)
        assert.strictEqual(result.notes?.length, 1, local)
        assert.match(result.notes?.[0] ?? "", new RegExp(`mailbox ${local}@example.com has a new generated password`))
        const generated = yield* env.records.get("generated-password", `mail:${local}@example.com`)
        const password = (generated?.data as { password?: string } | undefined)?.password ?? ""
        assert.match(password, /^[A-Za-z0-9]{20}$/)
        assert.notInclude(result.notes?.[0] ?? "", password)
        assert.deepStrictEqual(generated?.data, {
          service: "mail",
          login: `${local}@example.com`,
          password,
          entity: `mailbox:${local}@example.com`,
        })
      }
      // One line per mailbox, every one a fresh SHA512-CRYPT; the injected line is not there.
      assert.strictEqual(lines().length, cases.length)
      for (const line of lines())
        assert.match(line, /^[a-z]+@example\.com:\{SHA512-CRYPT\}\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}:2001:2001::/)
      assert.notInclude(passwd(), "root@example.com")
      // A second run keeps the same generated password and salt: nothing changes.
      const before = passwd()
      const again = yield* applyBox(mailbox("colon", { passwordHash: makePasswordHash("md5-crypt", "$1$abc$iCQ2D3nhptRYi2:fDYv2s1") }))
      assert.strictEqual(again.outcome, "unchanged")
      assert.strictEqual(passwd(), before)
    }),
  )

  it.effect("a plain password is hashed, kept across runs, and a later real hash replaces the generated one", () =>
    Effect.gen(function* () {
      const { env, applyBox, lines } = yield* setup
      const plain = mailbox("p", { passwordHash: makePasswordHash("plain", "s:cr\net") })
      const first = yield* applyBox(plain)
      assert.isUndefined(first.notes)
      const line = lines()[0] ?? ""
      assert.match(line, /^p@example\.com:\{SHA512-CRYPT\}\$6\$/)
      assert.notInclude(line, "s:cr")
      assert.strictEqual((yield* applyBox(plain)).outcome, "unchanged")
      assert.strictEqual(lines()[0], line)

      yield* applyBox(mailbox("q", { passwordHash: makePasswordHash("unknown", "x") }))
      assert.isDefined(yield* env.records.get("generated-password", "mail:q@example.com"))
      const fixed = yield* applyBox(mailbox("q"))
      assert.strictEqual(fixed.outcome, "updated")
      assert.isUndefined(yield* env.records.get("generated-password", "mail:q@example.com"))
      assert.include(lines()[1], `{MD5-CRYPT}${md5}`)
    }),
  )

  it.effect("the plan's new password overrides a usable hash", () =>
    Effect.gen(function* () {
      const { applyBox, lines } = yield* setup
      const box = mailbox("n")
      const ctx = ctxOf(box)
      const result = yield* applyBox(box, { ...ctx, decision: { ...ctx.decision, newPasswords: ["mail"] } })
      assert.match(result.notes?.[0] ?? "", /the plan gives it a new password/)
      assert.include(lines()[0], "{SHA512-CRYPT}")
    }),
  )

  it.effect("refuses hostile names and owners without a uid", () =>
    Effect.gen(function* () {
      const { env, applyBox } = yield* setup
      for (const local of ["../../etc", "a/b", "|cmd", "a\nb", "-x"]) {
        const error: StepFailed = yield* failure(applyBox(mailbox(local)))
        assert.strictEqual(error.code, "invalid-name", local)
      }
      const badDomain: StepFailed = yield* failure(applyBox(mailbox("x", { domain: "example.com/../../etc" })))
      assert.strictEqual(badDomain.code, "invalid-name")
      yield* addAccount(env, "nouid", null)
      const orphan = mailbox("y", { owner: "account:nouid" })
      const noUid: StepFailed = yield* failure(applyBox(orphan, makeStepContext(orphan)))
      assert.strictEqual(noUid.code, "owner-no-uid")
    }),
  )

  it.effect("never adds a mailbox or mail domain to another account's domain", () =>
    Effect.gen(function* () {
      const { env, applyBox, applyDomain } = yield* setup
      yield* addAccount(env, "eve", 2002)
      yield* env.store.record.domain("victim.test", "eve")
      const hijack = mailbox("ceo", { domain: "victim.test", address: "ceo@victim.test" })
      const error: StepFailed = yield* failure(applyBox(hijack))
      assert.strictEqual(error.code, "domain-not-owned")
      assert.include(error.reason, "belongs to eve")
      const claim: StepFailed = yield* failure(applyDomain(mailDomain({ id: "maildomain:victim.test", name: "victim.test" })))
      assert.strictEqual(claim.code, "domain-not-owned")
      const unknown: StepFailed = yield* failure(applyBox(mailbox("x", { domain: "nowhere.test", address: "x@nowhere.test" })))
      assert.strictEqual(unknown.code, "mail-domain-missing")
      assert.isFalse(existsSync(env.layout.dovecotPasswd("victim.test")))
      assert.isFalse(existsSync(env.layout.maildir("victim.test", "ceo")))
    }),
  )

  it.effect("a mail domain records its settings, writes the DKIM key 0600 and the catch-all", () =>
    Effect.gen(function* () {
      const { env, applyDomain } = yield* setup
      const key = "-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEAx\n-----END PRIVATE KEY-----\n"
      const domain = mailDomain({
        dkim: { selector: "default", privateKey: Redacted.make(key), publicKey: "v=DKIM1; k=rsa; p=MFww" },
        catchAll: { action: "forward", target: "|/usr/bin/evil" },
      })
      const result = yield* applyDomain(domain, ctxOf(domain, [{ field: "catchAll", from: "forward to |/usr/bin/evil", to: "bounce" }]))
      assert.strictEqual(result.outcome, "created")
      const keyFile = env.layout.dkimKey("example.com", "default")
      assert.strictEqual(readFileSync(keyFile, "utf8"), key)
      assert.strictEqual(statSync(keyFile).mode & 0o777, 0o600)
      const aliases = readFileSync(env.layout.aliases("example.com"), "utf8")
      assert.include(aliases, "*: :fail: No such address here")
      assert.notInclude(aliases, "evil")
      const record = yield* env.records.get("mail-domain", "example.com")
      assert.deepStrictEqual(record?.data, {
        name: "example.com",
        enabled: true,
        catchAll: { action: "bounce" },
        dkim: { selector: "default", publicKey: "v=DKIM1; k=rsa; p=MFww", privateKeyFile: keyFile },
      })
      assert.isTrue(statSync(join(env.layout.maildir("example.com", "x"), "..")).isDirectory())
      assert.strictEqual((yield* applyDomain(domain, ctxOf(domain, [{ field: "catchAll", from: "x", to: "bounce" }]))).outcome, "unchanged")
    }),
  )
})
