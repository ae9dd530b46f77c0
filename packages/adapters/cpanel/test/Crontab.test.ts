import { readFileSync } from "node:fs"
import { realCpanelFixtures } from "@ferry/testing"
import { describe, expect, it } from "vitest"
import { parseCrontab } from "../src/Crontab.ts"

describe("parseCrontab", () => {
  it("reads the real uniprev crontab (a single newline) as empty", () => {
    const text = readFileSync(`${realCpanelFixtures()}/ragnermoura__uniprev/cron/uniprev`, "utf8")
    expect(text).toBe("\n")
    expect(parseCrontab(text)).toEqual({ jobs: [], env: [], problems: [] })
    expect(parseCrontab("")).toEqual({ jobs: [], env: [], problems: [] })
  })

  it("reads a typical cPanel crontab with env lines, comments and ea-php commands", () => {
    const text = [
      'MAILTO=""',
      'SHELL="/bin/bash"',
      "# WordPress cron",
      "*/5 * * * * /usr/local/bin/ea-php74 /home/ex/public_html/wp-cron.php >/dev/null 2>&1",
      "",
      "  0\t3 * * 1-5   /opt/cpanel/ea-php81/root/usr/bin/php -q /home/ex/jobs/report.php  ",
      "30 2 1,15 jan-jun/2 mon,wed,fri cd /home/ex && ./backup.sh % 2>&1",
      "@daily /home/ex/bin/cleanup",
      "MAILTO = 'ops@example.com'",
      "0 0 * * 7 echo sunday",
    ].join("\n")
    const { jobs, env, problems } = parseCrontab(text)
    expect(problems).toEqual([])
    expect(env).toEqual([
      { line: 1, name: "MAILTO", value: "" },
      { line: 2, name: "SHELL", value: "/bin/bash" },
      { line: 9, name: "MAILTO", value: "ops@example.com" },
    ])
    expect(jobs).toEqual([
      { line: 4, schedule: "*/5 * * * *", command: "/usr/local/bin/ea-php74 /home/ex/public_html/wp-cron.php >/dev/null 2>&1" },
      { line: 6, schedule: "0 3 * * 1-5", command: "/opt/cpanel/ea-php81/root/usr/bin/php -q /home/ex/jobs/report.php" },
      { line: 7, schedule: "30 2 1,15 jan-jun/2 mon,wed,fri", command: "cd /home/ex && ./backup.sh % 2>&1" },
      { line: 8, schedule: "@daily", command: "/home/ex/bin/cleanup" },
      { line: 10, schedule: "0 0 * * 7", command: "echo sunday" },
    ])
  })

  it("accepts every macro and rejects unknown or empty ones", () => {
    const macros = ["@reboot", "@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"]
    const { jobs, problems } = parseCrontab(
      [...macros.map((m) => `${m} run`), "@Daily run", "@every5m run", "@hourly", "@hourly   "].join("\n"),
    )
    expect(jobs.map((j) => j.schedule)).toEqual(macros)
    expect(problems).toEqual([
      { line: 9, message: 'unknown schedule macro "@Daily"; ignored' },
      { line: 10, message: 'unknown schedule macro "@every5m"; ignored' },
      { line: 11, message: "@hourly entry without a command; ignored" },
      { line: 12, message: "@hourly entry without a command; ignored" },
    ])
  })

  it.each([
    ["60 * * * * x", 'minute "60" is out of range 0-59'],
    ["* 24 * * * x", 'hour "24" is out of range 0-23'],
    ["* * 0 * * x", 'day of month "0" is out of range 1-31'],
    ["* * * 13 * x", 'month "13" is out of range 1-12'],
    ["* * * * 8 x", 'day of week "8" is out of range 0-7'],
    ["*/0 * * * * x", 'invalid step in minute "*/0"'],
    ["5/10 * * * * x", 'a step needs a range or * in minute "5/10"'],
    ["10-5 * * * * x", 'minute range "10-5" runs backwards'],
    ["1-2-3 * * * * x", 'invalid minute range "1-2-3"'],
    ["* * * smarch * x", 'month "smarch" is out of range 1-12'],
    ["1,,2 * * * * x", 'invalid minute ""'],
    ["-*/5 * * * * x", 'minute "-*/5" is out of range 0-59'],
    ["0~30 * * * * x", 'minute "0~30" is out of range 0-59'],
    ["60 25 * * * x", 'minute "60" is out of range 0-59; hour "25" is out of range 0-23'],
  ])("refuses the schedule in %j", (line, reason) => {
    expect(parseCrontab(line)).toEqual({ jobs: [], env: [], problems: [{ line: 1, message: `invalid schedule: ${reason}; ignored` }] })
  })

  it("refuses lines that are neither jobs nor settings", () => {
    const { jobs, problems } = parseCrontab("* * * *\n0 0 * * *\n0 0 * * *   \nFOO-BAR=1\n")
    expect(jobs).toEqual([])
    expect(problems).toEqual([
      { line: 1, message: "not a cron job (five time fields and a command) or a NAME=value setting; ignored" },
      { line: 2, message: "job without a command; ignored" },
      { line: 3, message: "job without a command; ignored" },
      { line: 4, message: "not a cron job (five time fields and a command) or a NAME=value setting; ignored" },
    ])
  })
})

describe("parseCrontab on hostile crontabs (security item 44)", () => {
  it("reports SHELL, PATH and BASH_ENV settings as plain data, never expanded", () => {
    const text = [
      "SHELL=/tmp/evil.sh",
      'PATH="/tmp:$PATH"',
      "BASH_ENV=/home/ex/.evil",
      "LD_PRELOAD=/tmp/x.so",
      "@reboot /home/ex/miner",
    ].join("\n")
    const { jobs, env, problems } = parseCrontab(text)
    expect(problems).toEqual([])
    expect(env).toEqual([
      { line: 1, name: "SHELL", value: "/tmp/evil.sh" },
      { line: 2, name: "PATH", value: "/tmp:$PATH" },
      { line: 3, name: "BASH_ENV", value: "/home/ex/.evil" },
      { line: 4, name: "LD_PRELOAD", value: "/tmp/x.so" },
    ])
    expect(jobs).toEqual([{ line: 5, schedule: "@reboot", command: "/home/ex/miner" }])
  })

  it("refuses CR, NUL, other control characters and unbalanced quotes", () => {
    const text = [
      "* * * * * /bin/true\r",
      "MAILTO=root\r",
      "* * * * * /bin/true\0; rm -rf ~",
      "* * * * * echo \x1b[2J",
      'MAILTO="x',
      "NAME='a'b'",
      "* * * * * /bin/ok",
    ].join("\n")
    const { jobs, env, problems } = parseCrontab(text)
    expect(jobs).toEqual([{ line: 7, schedule: "* * * * *", command: "/bin/ok" }])
    expect(env).toEqual([])
    expect(problems).toEqual([
      { line: 1, message: "line contains a carriage return; ignored" },
      { line: 2, message: "line contains a carriage return; ignored" },
      { line: 3, message: "line contains a NUL byte; ignored" },
      { line: 4, message: "line contains control characters; ignored" },
      { line: 5, message: "unbalanced quotes in the value of MAILTO; ignored" },
      { line: 6, message: "unbalanced quotes in the value of NAME; ignored" },
    ])
  })

  it("refuses huge lines and caps the number of entries", () => {
    const huge = `* * * * * echo ${"A".repeat(5000)}`
    expect(parseCrontab(`${huge}\n0 1 * * * ok`)).toEqual({
      jobs: [{ line: 2, schedule: "0 1 * * *", command: "ok" }],
      env: [],
      problems: [{ line: 1, message: "line longer than 4096 characters; ignored" }],
    })
    const many = Array.from({ length: 10_002 }, () => "* * * * * x").join("\n")
    const result = parseCrontab(many)
    expect(result.jobs).toHaveLength(10_000)
    expect(result.problems).toEqual([
      { line: 10_001, message: "more than 10000 entries; ignored" },
      { line: 10_002, message: "more than 10000 entries; ignored" },
    ])
  })

  it("treats a system-crontab user column as part of the command, never as a user", () => {
    const { jobs } = parseCrontab("* * * * * root /bin/sh -c id")
    expect(jobs).toEqual([{ line: 1, schedule: "* * * * *", command: "root /bin/sh -c id" }])
  })
})
