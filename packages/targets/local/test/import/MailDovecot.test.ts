import { execFileSync } from "node:child_process"
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { type Entity, type Mailbox, makePasswordHash } from "@ferry/core"
import { Effect } from "effect"
import { makeMailPart } from "../../src/import/MailPart.ts"
import { tempDir } from "../Support.ts"
import { makeImportEnv, makeStepContext } from "../support/ImportEnvFixture.ts"

/*
 * The rendered passwd-file read by a real Dovecot (Debian's dovecot-core): an instance with no
 * listeners runs on a private base_dir, and `doveadm auth test` / `doveadm user` ask its auth
 * process. Needs root (Dovecot drops to its own users) and the dovecot binaries; skipped otherwise, except under CI (scripts/services.sh installs dovecot-core), where it fails.
 */

const dovecot = ["/usr/sbin/dovecot"].find(existsSync)
const doveadm = ["/usr/bin/doveadm"].find(existsSync)
const dovecotGroup = existsSync("/etc/group")
  ? readFileSync("/etc/group", "utf8")
      .split("\n")
      .find((l) => l.startsWith("dovecot:"))
  : undefined
const usable = dovecot !== undefined && doveadm !== undefined && process.getuid?.() === 0 && dovecotGroup !== undefined

const owner = { _tag: "Account", id: "account:bob", login: "bob" } as unknown as Entity
const mailbox = (local: string, fields: Partial<Mailbox>): Mailbox => ({
  _tag: "Mailbox",
  id: `mailbox:${local}@example.com`,
  owner: "account:bob",
  source: { path: "x" },
  address: `${local}@example.com`,
  localPart: local,
  domain: "example.com",
  quotaBytes: 1048576,
  storage: "maildir",
  enabled: true,
  ...fields,
})

/** Let the dovecot user walk down to `path` (test temp directories are 0700). */
const openPath = (path: string) => {
  for (let dir = dirname(path); dir !== "/" && dir.startsWith("/tmp/"); dir = dirname(dir)) chmodSync(dir, 0o755)
}

describe.skipIf(!usable && process.env.CI !== "true")("Dovecot reads the passwd-file", () => {
  it.effect("original hashes, hashed plain passwords and generated passwords log in; disabled ones carry nologin", () =>
    Effect.gen(function* () {
      const env = yield* makeImportEnv()
      mkdirSync(join(env.root, "etc"), { recursive: true })
      writeFileSync(join(env.root, "etc/group"), `${dovecotGroup}\n`)
      yield* env.store.accounts.add({ login: "bob", kind: "client", owner: null })
      env.store.connection.db.prepare("UPDATE accounts SET uid = 2001 WHERE login = 'bob'").run()
      yield* env.store.record.domain("example.com", "bob")
      const apply = makeMailPart(env).apply.Mailbox
      const boxes = [
        mailbox("md5", { passwordHash: makePasswordHash("md5-crypt", "$1$abc$iCQ2D3nhptRYi27fDYv2s1") }),
        mailbox("bcrypt", { passwordHash: makePasswordHash("bcrypt", "$2b$05$abcdefghijklmnopqrstuuOQiyCxlgf/oeuTqixKmWdcYUh4Hjl0a") }),
        mailbox("plain", { passwordHash: makePasswordHash("plain", "s3cret:with colon") }),
        mailbox("lost", { passwordHash: makePasswordHash("unknown", "???") }),
        mailbox("off", { passwordHash: makePasswordHash("md5-crypt", "$1$abc$iCQ2D3nhptRYi27fDYv2s1"), enabled: false }),
      ]
      for (const box of boxes) yield* apply(box, makeStepContext(box, [owner, box]))
      const generated = (yield* env.records.get("generated-password", "mail:lost@example.com"))?.data as { password: string }
      const passwd = env.layout.dovecotPasswd("example.com")
      openPath(passwd)

      const dir = tempDir()
      openPath(join(dir, "x"))
      const conf = join(dir, "dovecot.conf")
      writeFileSync(
        conf,
        [
          `base_dir = ${dir}/run`,
          `state_dir = ${dir}/state`,
          `log_path = ${dir}/log`,
          "protocols =",
          "ssl = no",
          "auth_failure_delay = 0",
          `passdb {\n  driver = passwd-file\n  args = ${passwd}\n}`,
          `userdb {\n  driver = passwd-file\n  args = ${passwd}\n}`,
          "",
        ].join("\n"),
      )
      const adm = (...args: Array<string>) => {
        try {
          return execFileSync(doveadm as string, ["-c", conf, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })
        } catch (error) {
          return String((error as { stdout?: string }).stdout ?? "")
        }
      }
      yield* Effect.acquireRelease(
        // The daemon keeps inherited pipes open: give it none, or execFileSync waits for it.
        Effect.sync(() => execFileSync(dovecot as string, ["-c", conf], { stdio: "ignore" })),
        () => Effect.sync(() => adm("stop")),
      )
      const auth = (user: string, password: string) => adm("auth", "test", "--", `${user}@example.com`, password)
      assert.include(auth("md5", "secret"), "auth succeeded")
      assert.include(auth("md5", "wrong"), "auth failed")
      assert.include(auth("bcrypt", "secret"), "auth succeeded")
      assert.include(auth("plain", "s3cret:with colon"), "auth succeeded")
      assert.include(auth("lost", generated.password), "auth succeeded")
      assert.include(auth("lost", "???"), "auth failed")
      assert.include(auth("off", "secret"), "nologin")
      const user = adm("user", "--", "md5@example.com")
      assert.match(user, /uid\s+2001/)
      assert.include(user, env.layout.maildir("example.com", "md5"))
      assert.match(user, /quota_rule\s+\*:bytes=1048576/)
    }),
  )
})
