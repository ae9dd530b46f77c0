import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as nodePath from "node:path"
import { builtinChecks, type CheckReport } from "@ferry/core"
import { realCpanelFixtures, realFixtureSymlinks, treeFromDirectory, withTop, writeArchive } from "@ferry/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { profileYamlText } from "./support/Profiles.ts"
import { longestLine, memo, runFerry, testChecksEntry } from "./support/RunFerry.ts"

const fixture = `${realCpanelFixtures()}/JackDeDobb__IlliniWildCards`
/** The fixture's only PostgreSQL entity: the account's own PostgreSQL login. */
const postgresUser = "dbuser:postgresql:illiniwi"
const hasBuiltin = (id: string) => builtinChecks.some((check) => check.id === id)
const builtinPostgresCheck = hasBuiltin("postgresql-server")

let dir: string
let backup: string
let stateDir: string
let fullProfile: string
let noPostgresProfile: string
let noDiskProfile: string

beforeAll(async () => {
  dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), "ferry-check-cli-"))
  const tree = await treeFromDirectory(fixture, { symlinks: realFixtureSymlinks })
  backup = await writeArchive(withTop("cpmove-illiniwi", tree), nodePath.join(dir, "cpmove-illiniwi.tar.gz"), "tar.gz")
  stateDir = nodePath.join(dir, "state")
  const profile = async (name: string, text: string) => {
    const path = nodePath.join(dir, name)
    await fs.writeFile(path, text)
    return path
  }
  fullProfile = await profile("full.yaml", profileYamlText())
  // The task's server: no PostgreSQL, PHP 8.2 and 8.3 only.
  noPostgresProfile = await profile("no-postgresql.yaml", profileYamlText({ postgresql: false, php: ["8.2", "8.3"] }))
  noDiskProfile = await profile("no-disk.yaml", profileYamlText({ diskFree: 1000 }))
})

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true })
})

const check = (profile: string, extra: ReadonlyArray<string> = [], entry?: string) =>
  runFerry(["check", backup, "--config", profile, "--state-dir", stateDir, ...extra], entry !== undefined ? { entry } : {})

const fullJson = memo(() => check(fullProfile, ["--json"]))
const noPostgresJson = memo(() => check(noPostgresProfile, ["--json"]))
const noPostgresHuman = memo(() => check(noPostgresProfile))
const testNoPostgresJson = memo(() => check(noPostgresProfile, ["--json"], testChecksEntry))
const testNoPostgresHuman = memo(() => check(noPostgresProfile, [], testChecksEntry))

const parse = (stdout: string): CheckReport => JSON.parse(stdout) as CheckReport

describe("ferry check --json", () => {
  it("prints exactly the check report, and exits 0 when nothing is critical", async () => {
    const run = await fullJson()
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    const report = parse(run.stdout)
    expect(run.stdout).toBe(`${JSON.stringify(report, null, 2)}\n`)
    const required = [
      "panel",
      "archive",
      "options",
      "blocked",
      "critical",
      "warning",
      "changes",
      "skipped",
      "newPasswords",
      "confirm",
      "totals",
    ]
    const optional = ["panelVersion", "formatVersion", "hostname"]
    expect(Object.keys(report)).toEqual(expect.arrayContaining(required))
    expect(Object.keys(report).filter((key) => !required.includes(key) && !optional.includes(key))).toEqual([])
    expect(report.panel).toBe("cpanel")
    expect(report.archive.path).toBe(backup)
    expect(report.blocked).toBe(false)
    expect(report.critical).toEqual([])
    expect(report.options).toEqual({ existing: "skip", ipMap: {}, dbMap: {} })
    expect(report.totals.entities).toBe(12)
    expect(report.confirm.find((c) => c.label === "Database users")).toEqual({
      label: "Database users",
      entity: "DatabaseUser",
      count: 4,
      total: 4,
    })
  })

  it("never prints a password hash", async () => {
    const run = await fullJson()
    expect(run.stdout).not.toContain("REDACTEDHASH")
    expect(run.stdout).not.toMatch(/\$6\$|\*[0-9A-F]{40}/)
  })

  it("carries the import options as applied", async () => {
    const run = await check(fullProfile, [
      "--json",
      "--users",
      "illiniwi,someone",
      "--existing",
      "replace",
      "--only",
      "mail",
      "--ip-map",
      "10.0.0.1=203.0.113.10",
      "--ip-map",
      "2001:db8::1=2001:db8::10",
      "--db-map",
      "localhost=mariadb-main",
    ])
    expect(run.stderr).toBe("")
    expect(parse(run.stdout).options).toEqual({
      users: ["illiniwi", "someone"],
      existing: "replace",
      only: "mail",
      ipMap: { "10.0.0.1": "203.0.113.10", "2001:db8::1": "2001:db8::10" },
      dbMap: { localhost: "mariadb-main" },
    })
  })
})

describe("ferry check against a server without PostgreSQL and with PHP 8.2/8.3 only", () => {
  it("reports the PostgreSQL user as critical once the built-in check exists (exit 6), else nothing (exit 0)", async () => {
    const run = await noPostgresJson()
    const report = parse(run.stdout)
    if (builtinPostgresCheck) {
      expect(run.code).toBe(6)
      const issue = report.critical.find((i) => i.code === "postgresql-server-not-found")
      expect(issue?.count).toBe(1)
      expect(issue?.entities).toEqual([{ id: postgresUser, label: "illiniwi", kind: "DatabaseUser" }])
      expect(report.skipped.map((s) => s.id)).toContain(postgresUser)
      expect(report.confirm.find((c) => c.entity === "DatabaseUser")).toMatchObject({ count: 3, total: 4 })
    } else {
      expect(run.code).toBe(0)
      expect(report.critical).toEqual([])
    }
  })

  it("with a check that skips PostgreSQL: exit 6, the entity in the list behind the number", async () => {
    const run = await testNoPostgresJson()
    expect(run.stderr).toBe("")
    expect(run.code).toBe(6)
    const report = parse(run.stdout)
    const issue = report.critical.find((i) => i.entities.some((e) => e.id === postgresUser))
    expect(issue?.count).toBe(issue?.entities.length)
    expect(report.skipped).toContainEqual(expect.objectContaining({ id: postgresUser, kind: "DatabaseUser", finding: issue?.code }))
    expect(report.totals.skip).toBeGreaterThanOrEqual(1)
    expect(report.blocked).toBe(false)
  })

  it("prints critical issues, the count, the entities and the Confirm list on 100 columns", async () => {
    const run = await testNoPostgresHuman()
    expect(run.code).toBe(6)
    expect(run.stdout).toMatch(/Critical issues \(\d+\)/)
    expect(run.stdout).toContain("illiniwi")
    expect(run.stdout).toMatch(/Database users\s+3 of 4/)
    expect(run.stdout).toContain("will not be imported")
    expect(longestLine(run.stdout)).toBeLessThanOrEqual(100)
    expect(run.stdout).not.toMatch(/\x1b\[/)
  })

  it("prints the same report with the built-in checks only, without colour", async () => {
    const run = await noPostgresHuman()
    expect(run.code).toBe(builtinPostgresCheck ? 6 : 0)
    expect(run.stdout).toContain("Confirm")
    expect(run.stdout).toContain(`profile ${noPostgresProfile}`)
    expect(longestLine(run.stdout)).toBeLessThanOrEqual(100)
    expect(run.stdout).not.toMatch(/\x1b\[/)
  })
})

describe("ferry check: warnings and blocking issues", () => {
  it("exit 0 with warnings only, and the change shown as PHP old → new", async () => {
    const onlyPhp83 = nodePath.join(dir, "php83.yaml")
    await fs.writeFile(onlyPhp83, profileYamlText({ php: ["8.3"] }))
    const json = await check(onlyPhp83, ["--json"], testChecksEntry)
    const report = parse(json.stdout)
    expect(report.warning.map((w) => w.code)).toContain("test-php-version")
    expect(report.changes).toContainEqual(expect.objectContaining({ id: "site:illiniwildcards.tk", kind: "Site" }))
    expect(json.code).toBe(report.critical.length === 0 ? 0 : 6)
    const human = await check(onlyPhp83, [], testChecksEntry)
    expect(human.stdout).toMatch(/Warnings \(\d+\)/)
    expect(human.stdout).toMatch(/PHP (\(none\)|\d+\.\d+) → 8\.3/)
  })

  it("exit 7 when a blocking issue stops the import", async () => {
    const run = await check(noDiskProfile, ["--json"], testChecksEntry)
    expect(run.code).toBe(7)
    const report = parse(run.stdout)
    expect(report.blocked).toBe(true)
    expect(report.critical).toContainEqual(expect.objectContaining({ blocking: true }))
    const human = await check(noDiskProfile, [], testChecksEntry)
    expect(human.code).toBe(7)
    expect(human.stdout).toContain("Blocked")
  })
})

describe("ferry check with the built-in checks and the accounts in --state-dir", () => {
  it("an account that exists on the target: critical with --existing skip (exit 6), a warning with replace", async () => {
    const ownState = nodePath.join(dir, "state-with-illiniwi")
    const added = await runFerry(["accounts", "add", "illiniwi", "--kind", "client", "--state-dir", ownState])
    expect(added.code).toBe(0)
    const run = (existing: string) =>
      runFerry(["check", backup, "--config", fullProfile, "--state-dir", ownState, "--existing", existing, "--json"])
    const skip = await run("skip")
    const replace = await run("replace")
    const skipReport = parse(skip.stdout)
    const replaceReport = parse(replace.stdout)
    if (hasBuiltin("existing-user")) {
      expect(skip.code).toBe(6)
      expect(skipReport.critical.find((i) => i.code === "data-exists")?.entities.map((e) => e.id)).toEqual(["account:illiniwi"])
      // Everything the account owns stays out with it.
      expect(skipReport.totals.skip).toBe(skipReport.totals.entities)
      expect(replace.code).toBe(0)
      expect(replaceReport.warning.find((i) => i.code === "data-exists")?.entities.map((e) => e.id)).toEqual(["account:illiniwi"])
    } else {
      expect([skip.code, replace.code]).toEqual([0, 0])
    }
  })

  it("a selected user the backup does not hold blocks the import (exit 7)", async () => {
    const run = await check(fullProfile, ["--users", "illiniwi,nobody", "--json"])
    const report = parse(run.stdout)
    if (hasBuiltin("select-users")) {
      expect(run.code).toBe(7)
      expect(report.blocked).toBe(true)
      expect(report.critical.find((i) => i.code === "selected-user-missing")?.blocking).toBe(true)
    } else {
      expect(run.code).toBe(0)
    }
  })
})

describe("ferry check: usage and target errors", () => {
  it("2: an --ip-map value that is not OLD=NEW with two IP addresses", async () => {
    for (const value of ["10.0.0.1", "10.0.0.1=", "10.0.0.1=not-an-ip", "=10.0.0.2"]) {
      const run = await check(fullProfile, ["--ip-map", value])
      expect(run.code, value).toBe(2)
      expect(run.stdout).toBe("")
      expect(run.stderr).toContain("ip-map")
    }
  })

  it("2: the same source IP mapped twice", async () => {
    const run = await check(fullProfile, ["--ip-map", "10.0.0.1=10.0.0.2", "--ip-map", "10.0.0.1=10.0.0.3"])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain("10.0.0.1 is given twice")
  })

  it("2: --users with an empty login, --existing with an unknown choice", async () => {
    expect((await check(fullProfile, ["--users", "a,,b"])).code).toBe(2)
    expect((await check(fullProfile, ["--existing", "merge"])).code).toBe(2)
  })

  it("9: a profile that cannot be read, before the backup is read", async () => {
    const missing = nodePath.join(dir, "missing.yaml")
    const run = await check(missing)
    expect(run.code).toBe(9)
    expect(run.stdout).toBe("")
    expect(run.stderr).toMatch(/^ferry: .*missing\.yaml/)
  })

  it("5: a backup that does not exist", async () => {
    const run = await runFerry(["check", nodePath.join(dir, "nope.tar.gz"), "--config", fullProfile, "--state-dir", stateDir])
    expect(run.code).toBe(5)
  })

  it("--help lists the flags, the exit codes and examples", async () => {
    const run = await runFerry(["check", "--help"])
    expect(run.code).toBe(0)
    for (const text of ["--ip-map", "--db-map", "--existing", "--state-dir", "Exit codes", "6  check", "ferry check cpmove-user.tar.gz"]) {
      expect(run.stdout).toContain(text)
    }
  })
})
