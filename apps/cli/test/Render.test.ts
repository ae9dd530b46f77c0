import type { InspectReport, ParseNote } from "@ferry/core"
import { describe, expect, it } from "vitest"
import { renderReport } from "../src/Render.ts"

const note = (severity: ParseNote["severity"], i: number): ParseNote => ({
  severity,
  code: `${severity}-code`,
  subject: `file some/rather/long/path/inside/the/backup/number-${i}.conf`,
  path: `some/path/${i}`,
  message: "a message long enough to need wrapping on a terminal of one hundred columns, so it goes on and on",
})

const report: InspectReport = {
  panel: "cpanel",
  panelVersion: "11.58",
  formatVersion: "3",
  archive: {
    path: "/backup/cpmove-someone.tar.gz",
    container: "tar.gz",
    bytes: 1536 * 1024 ** 2,
    entries: 31_234,
    contentBytes: 3 * 1024 ** 3,
  },
  hostname: "server.example.com",
  accounts: [
    {
      login: "someone",
      kind: "client",
      owner: "a-reseller-with-an-extraordinarily-long-name-that-does-not-fit-in-any-sensible-column-at-all",
      status: "active",
      plan: "a_plan_with_a_very_long_name_as_hosting_companies_like_to_use_them",
      domains: 12,
      passwordScheme: "sha512-crypt",
    },
  ],
  counts: {
    Account: 1,
    Domain: 12,
    Site: 4,
    MailDomain: 4,
    Mailbox: 15,
    Forwarder: 0,
    Autoresponder: 0,
    MailFilter: 0,
    MailingList: 0,
    Database: 4,
    DatabaseUser: 2,
    DnsZone: 4,
    FtpUser: 0,
    CronJob: 1,
    SslCertificate: 0,
    Csr: 0,
  },
  confirm: [
    { label: "Databases", entity: "Database", count: 4 },
    { label: "Database users", entity: "DatabaseUser", count: 2 },
    { label: "Domain names", entity: "DnsZone", count: 4 },
    { label: "Mailboxes", entity: "Mailbox", count: 15 },
    { label: "Mail domains", entity: "MailDomain", count: 4 },
    { label: "FTP users", entity: "FtpUser", count: 0 },
    { label: "CRON jobs", entity: "CronJob", count: 1 },
    { label: "SSL certificates", entity: "SslCertificate", count: 0 },
    { label: "CSR requests", entity: "Csr", count: 0 },
  ],
  content: {
    web: { refs: 4, bytes: 1024 ** 3, files: 16_000 },
    mail: { refs: 15, bytes: 1024 ** 3, files: 15_000 },
    "database-dump": { refs: 4, bytes: 1024 ** 3, files: 4 },
    "mailing-list": { refs: 0, bytes: 0, files: 0 },
    home: { refs: 1, bytes: 2048, files: 3 },
    other: { refs: 0, bytes: 0, files: 0 },
  },
  notes: {
    total: 13,
    bySeverity: { error: 1, warning: 12, info: 0 },
    items: [note("error", 0), ...Array.from({ length: 12 }, (_, i) => note("warning", i + 1))],
  },
}

const render = (color: boolean) => renderReport(report, { color, width: 100, notesPerSeverity: 8, panelName: "cPanel" })

describe("renderReport", () => {
  it("keeps every line within the width", () => {
    const lines = render(false).split("\n")
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(100)
  })

  it("lists the Confirm entities first, then the other kinds that are present", () => {
    const text = render(false)
    const order = [
      "Databases",
      "Database users",
      "Domain names",
      "Mailboxes",
      "Mail domains",
      "FTP users",
      "CRON jobs",
      "SSL certificates",
      "CSR requests",
      "Accounts",
      "Domains",
      "Sites",
    ]
    const positions = order.map((label) => text.indexOf(`  ${label}  `))
    expect(positions.every((p) => p > 0)).toBe(true)
    expect([...positions].sort((a, b) => a - b)).toEqual(positions)
    expect(text).not.toContain("Forwarders")
  })

  it("shows the first notes per severity and says how many more there are", () => {
    const text = render(false)
    expect(text).toContain("Errors (1)")
    expect(text).toContain("Warnings (12)")
    expect(text).toContain("number-8.conf")
    expect(text).not.toContain("number-9.conf")
    expect(text).toContain("… and 4 more (use --json)")
  })

  it("shows sizes in binary units and the header facts", () => {
    const text = render(false)
    expect(text).toContain("cPanel 11.58 backup · archive format 3")
    expect(text).toContain("tar.gz, 1.5 GiB, 31,234 entries, 3.0 GiB of files")
    expect(text).toContain("server.example.com")
  })

  it("uses ANSI escapes only when colour is on", () => {
    expect(render(false)).not.toMatch(/\x1b\[/)
    expect(render(true)).toMatch(/\x1b\[/)
  })
})
