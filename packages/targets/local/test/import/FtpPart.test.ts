import { existsSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { type Entity, type FtpUser, makePasswordHash, type StepFailed } from "@ferry/core"
import { Effect } from "effect"
import { type FtpUserData, makeFtpPart, pureFtpdLine } from "../../src/import/FtpPart.ts"
import { failure } from "../Support.ts"
import { makeImportEnv, makeStepContext, testCapabilities } from "../support/ImportEnvFixture.ts"

const md5 = "$1$abc$iCQ2D3nhptRYi27fDYv2s1"
const owner = { _tag: "Account", id: "account:bob", login: "bob" } as unknown as Entity

const ftpUser = (login: string, fields: Partial<FtpUser> = {}): FtpUser => ({
  _tag: "FtpUser",
  id: `ftpuser:${login}`,
  owner: "account:bob",
  source: { path: "x" },
  login,
  passwordHash: makePasswordHash("md5-crypt", md5),
  homeDir: "public_html/uploads",
  ...fields,
})

const setup = (ftp: (typeof testCapabilities)["ftp"]["kind"] = "pure-ftpd") =>
  Effect.gen(function* () {
    const env = yield* makeImportEnv({ capabilities: { ...testCapabilities, ftp: { kind: ftp } } })
    yield* env.store.accounts.add({ login: "bob", kind: "client", owner: null })
    env.store.connection.db.prepare("UPDATE accounts SET uid = 2001 WHERE login = 'bob'").run()
    const part = makeFtpPart(env)
    const run = (user: FtpUser) => part.apply.FtpUser(user, makeStepContext(user, [owner, user]))
    const file = ftp === "proftpd" ? env.layout.proftpdPasswd : env.layout.pureFtpdPasswd
    const lines = () =>
      readFileSync(file, "utf8")
        .split("\n")
        .filter((l) => l !== "" && !l.startsWith("#"))
    return { env, run, lines, file, part }
  })

describe("FTP users", () => {
  it.effect("Pure-FTPd: one line in pure-pw format, chrooted in the account's home; twice → unchanged", () =>
    Effect.gen(function* () {
      const { env, run, lines, file, part } = yield* setup()
      const user = ftpUser("bob_up@example.com", { quotaBytes: 10485760 })
      assert.strictEqual((yield* run(user)).outcome, "created")
      const home = join(env.layout.home("bob"), "public_html/uploads")
      assert.deepStrictEqual(lines(), [`bob_up@example.com:${md5}:2001:2001::${home}/./:::::::10485760:::::`])
      // pure-pw's parser: six fields, then twelve (size quota is the seventh of them).
      const fields = (lines()[0] ?? "").split(":").slice(md5.split(":").length + 5)
      assert.strictEqual(fields.length, 12)
      assert.isTrue(statSync(home).isDirectory())
      assert.strictEqual(statSync(file).mode & 0o777, 0o600)
      const before = readFileSync(file, "utf8")
      assert.strictEqual((yield* run(user)).outcome, "unchanged")
      assert.strictEqual(readFileSync(file, "utf8"), before)
      assert.deepStrictEqual((yield* env.store.inventory).ftpUsers, [{ name: "bob_up@example.com", owner: "bob" }])
      const finish = yield* part.finish({ jobId: "j" })
      assert.include(finish[0]?.message ?? "", "pure-pw mkdb")
    }),
  )

  it.effect("ProFTPD: passwd layout with /bin/false; an empty homeDir is the home itself", () =>
    Effect.gen(function* () {
      const { env, run, lines } = yield* setup("proftpd")
      yield* run(ftpUser("bob", { homeDir: "" }))
      assert.deepStrictEqual(lines(), [`bob:${md5}:2001:2001::${env.layout.home("bob")}:/bin/false`])
    }),
  )

  it.effect("no FTP server: the Pure-FTPd file is written and the step says so", () =>
    Effect.gen(function* () {
      const { env, run } = yield* setup("none")
      const result = yield* run(ftpUser("bob"))
      assert.include((result.notes ?? []).join(), "no Pure-FTPd or ProFTPD")
      assert.isTrue(existsSync(env.layout.pureFtpdPasswd))
    }),
  )

  it.effect("item 28: a directory leaving the home fails the step; bad logins are refused", () =>
    Effect.gen(function* () {
      const { env, run } = yield* setup()
      for (const homeDir of ["../eve", "a/../../eve", "/etc", "public_html/../../.."]) {
        const error: StepFailed = yield* failure(run(ftpUser("bob", { homeDir })))
        assert.strictEqual(error.code, "home-outside", homeDir)
      }
      for (const login of ["a:b", "a b", "-x", "a\nb"]) {
        const error: StepFailed = yield* failure(run(ftpUser(login)))
        assert.strictEqual(error.code, "invalid-name", login)
      }
      assert.isFalse(existsSync(env.layout.pureFtpdPasswd))
    }),
  )

  it.effect("item 43: an unusable hash gets a recorded SHA512-CRYPT password", () =>
    Effect.gen(function* () {
      const { env, run, lines } = yield* setup()
      const result = yield* run(ftpUser("bob", { passwordHash: makePasswordHash("sha512-crypt", "$6$x$y:z") }))
      assert.include((result.notes ?? []).join(), "FTP user bob has a new generated password")
      assert.match(lines()[0] ?? "", /^bob:\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}:2001:2001::/)
      const record = yield* env.records.get("generated-password", "ftp:bob")
      assert.strictEqual((record?.data as { service?: string } | undefined)?.service, "ftp")
    }),
  )

  it("writes an unlimited quota as an empty field", () => {
    const user: FtpUserData = {
      login: "u",
      scheme: "md5-crypt",
      hash: md5,
      uid: 5,
      gid: 6,
      home: "/h/",
      quotaBytes: null,
      generated: false,
    }
    assert.strictEqual(pureFtpdLine(user), `u:${md5}:5:6::/h/./::::::::::::`)
  })
})
