import type { CheckIssue, CheckReport, EntityRef } from "@ferry/core"
import { describe, expect, it } from "vitest"
import { changeText, renderCheckReport } from "../src/CheckRender.ts"

const mailboxes: ReadonlyArray<EntityRef> = Array.from({ length: 40 }, (_, i) => ({
  id: `mailbox:user${i}@a-rather-long-domain-name-for-wrapping.example.com`,
  label: `user${i}@a-rather-long-domain-name-for-wrapping.example.com`,
  kind: "Mailbox",
}))

const issue = (fields: Partial<CheckIssue> & Pick<CheckIssue, "code" | "entities">): CheckIssue => ({
  title: "The data exists on the server and belongs to another user",
  message: "entities with such names already exist in the receiving panel and belong to another user, a long message",
  resolution: "they will not be imported",
  check: "other-owner",
  blocking: false,
  count: fields.entities.length,
  ...fields,
})

const report: CheckReport = {
  panel: "cpanel",
  formatVersion: "4",
  archive: { path: "/backups/cpmove-someone.tar.gz", container: "tar.gz", bytes: 1024 ** 3, entries: 31_000, contentBytes: 3 * 1024 ** 3 },
  options: { users: ["someone"], existing: "skip", ipMap: { "10.0.0.1": "203.0.113.10" }, dbMap: {} },
  blocked: false,
  critical: [
    issue({ code: "other-owner", entities: mailboxes }),
    issue({
      code: "postgresql-server-not-found",
      title: "PostgreSQL database server not found",
      entities: [
        { id: "database:postgresql:db1", label: "db1", kind: "Database" },
        { id: "dbuser:postgresql:u1", label: "u1", kind: "DatabaseUser" },
      ],
    }),
  ],
  warning: [
    issue({
      code: "php-version-not-found",
      title: "PHP 8.1 not found",
      message: "PHP 8.1 is not installed",
      resolution: "the sites will be imported with PHP 8.2",
      entities: [{ id: "site:example.com", label: "example.com", kind: "Site" }],
    }),
  ],
  changes: [{ id: "site:example.com", label: "example.com", kind: "Site", changes: [{ field: "php.version", from: "8.1", to: "8.2" }] }],
  skipped: [],
  newPasswords: [{ id: "mailbox:info@example.com", label: "info@example.com", kind: "Mailbox", service: "mail" }],
  confirm: [
    { label: "Databases", entity: "Database", count: 0, total: 1 },
    { label: "Mailboxes", entity: "Mailbox", count: 960, total: 1000 },
    { label: "CSR requests", entity: "Csr", count: 0, total: 0 },
  ],
  totals: { entities: 1100, import: 1000, importWithChanges: 58, skip: 42, criticalIssues: 2, warningIssues: 1, newPasswords: 1 },
}

const options = { color: false, width: 100, entitiesPerIssue: 5, panelName: "cPanel", target: "profile ./ferry.yaml", stateDir: "/state" }

describe("renderCheckReport", () => {
  const text = renderCheckReport(report, options)

  it("lists critical issues before warnings, each with its number and the first entities", () => {
    expect(text.indexOf("Critical issues (2)")).toBeLessThan(text.indexOf("Warnings (1)"))
    expect(text).toMatch(/The data exists on the server and belongs to another user {2}\[40\]/)
    expect(text).toContain("user0@a-rather-long-domain-name-for-wrapping.example.com")
    expect(text).not.toContain("user5@")
    expect(text).toContain("… and 35 more (use --json)")
    expect(text).toContain("db1 (database), u1 (database user)")
  })

  it("shows changes as 'PHP 8.1 → 8.2', new passwords without values, the Confirm list and the verdict", () => {
    expect(text).toMatch(/PHP 8\.1 → 8\.2 {2}\[1\]/)
    expect(text).toContain("New passwords (1)")
    expect(text).toMatch(/Mailboxes\s+960 of 1,000/)
    expect(text).toContain("42 of 1,100 entities will not be imported (2 critical issues)")
    expect(text).toContain("ip-map: 10.0.0.1 → 203.0.113.10")
    expect(text).toContain("profile ./ferry.yaml")
  })

  it("fits 100 columns and has no colour unless asked", () => {
    expect(Math.max(...text.split("\n").map((l) => l.length))).toBeLessThanOrEqual(100)
    expect(text).not.toMatch(/\x1b\[/)
    expect(renderCheckReport(report, { ...options, color: true })).toMatch(/\x1b\[31m/)
  })

  it("says Blocked when blocked, Ready when nothing is critical", () => {
    expect(renderCheckReport({ ...report, blocked: true }, options)).toContain("Blocked: the import cannot start")
    const ready = renderCheckReport({ ...report, critical: [], totals: { ...report.totals, skip: 0 } }, options)
    expect(ready).toContain("Critical issues: none")
    expect(ready).toContain("Ready: all 1,100 entities can be imported, 58 of them with changed settings.")
  })

  it("prints names from the backup without their control characters", () => {
    const hostile = renderCheckReport(
      {
        ...report,
        critical: [
          issue({
            code: "x",
            title: "Title\x1b[2J",
            entities: [{ id: "domain:evil", label: "evil\x1b[31m.example\u202e", kind: "Domain" }],
          }),
        ],
        changes: [{ id: "site:evil", label: "evil", kind: "Site", changes: [{ field: "php.version", from: "8.1\x07", to: "8.2" }] }],
      },
      options,
    )
    expect(hostile).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f\u202e]/)
    expect(hostile).toContain("evil\ufffd[31m.example\ufffd")
    expect(hostile).toContain("Title\ufffd[2J")
    expect(hostile).toContain("PHP 8.1\ufffd → 8.2")
  })

  it("words known fields as the seed does and others as they are", () => {
    expect(changeText({ field: "php.version", from: "8.1", to: "8.2" })).toBe("PHP 8.1 → 8.2")
    expect(changeText({ field: "server", from: "mariadb-10.0", to: "mariadb-main" })).toBe("database server mariadb-10.0 → mariadb-main")
    expect(changeText({ field: "quotaBytes", from: "unlimited", to: "524288000" })).toBe("mailbox quota unlimited → 500.0 MiB")
    expect(changeText({ field: "somethingNew", from: "", to: "x" })).toBe("somethingNew (none) → x")
  })
})
