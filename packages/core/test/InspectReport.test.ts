import { Redacted } from "effect"
import { describe, expect, it } from "vitest"
import type { Detection, InspectResult } from "../src/index.ts"
import { type Entity, entityTags, formatBytes, inspectReport, makePasswordHash, type Snapshot } from "../src/index.ts"

const accountHash = "$6$saltsalt$hT1mYfakeSha512CryptValueThatMustNeverAppearInAnyReportOutputAtAll00000000000000000000"
const mailboxHash = "$1$abcdefgh$MailboxHashNeverPrinted00"
const dbUserHash = "*0123456789ABCDEF0123456789ABCDEF01234567"
const privateKey = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n"

const source = (path: string) => ({ path })

const entities: ReadonlyArray<Entity> = [
  {
    _tag: "Account",
    id: "account:jack",
    owner: null,
    source: source("cp/jack"),
    kind: "client",
    login: "jack",
    contact: { email: "jack@example.com" },
    status: "active",
    passwordHash: makePasswordHash("sha512-crypt", accountHash),
    limits: {},
    permissions: {},
    ipPool: [],
    plan: "default",
    extras: { sourceOwner: "root" },
  },
  {
    _tag: "Account",
    id: "account:jill",
    owner: "account:reseller",
    source: source("cp/jill"),
    kind: "client",
    login: "jill",
    contact: {},
    status: "suspended",
    limits: {},
    permissions: {},
    ipPool: [],
    extras: {},
  },
  {
    _tag: "Domain",
    id: "domain:example.com",
    owner: "account:jack",
    source: source("userdata/main"),
    name: "example.com",
    kind: "main",
    ips: [],
  },
  {
    _tag: "Domain",
    id: "domain:shop.example.com",
    owner: "account:jack",
    source: source("userdata/main"),
    name: "shop.example.com",
    kind: "subdomain",
    ips: [],
  },
  {
    _tag: "Domain",
    id: "domain:jill.test",
    owner: "account:jill",
    source: source("userdata/main"),
    name: "jill.test",
    kind: "main",
    ips: [],
  },
  {
    _tag: "Mailbox",
    id: "mailbox:info@example.com",
    owner: "account:jack",
    source: source("homedir/etc/example.com/shadow"),
    address: "info@example.com",
    localPart: "info",
    domain: "example.com",
    passwordHash: makePasswordHash("md5-crypt", mailboxHash),
    quotaBytes: null,
    storage: "maildir",
    enabled: true,
  },
  {
    _tag: "DatabaseUser",
    id: "dbuser:mysql:jack_app",
    owner: "account:jack",
    source: source("mysql.sql"),
    name: "jack_app",
    engine: "mysql",
    hosts: ["localhost"],
    passwordHash: makePasswordHash("mysql-native", dbUserHash),
    grants: [],
  },
  {
    _tag: "Database",
    id: "db:mysql:jack_app",
    owner: "account:jack",
    source: source("mysql/jack_app.sql"),
    name: "jack_app",
    engine: "mysql",
  },
  {
    _tag: "Database",
    id: "db:mysql:jack_wp",
    owner: "account:jack",
    source: source("mysql/jack_wp.sql"),
    name: "jack_wp",
    engine: "mysql",
  },
  {
    _tag: "SslCertificate",
    id: "ssl:example.com",
    owner: "account:jack",
    source: source("sslcerts/example.com.crt"),
    name: "example.com",
    certificatePem: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    privateKey: Redacted.make(privateKey),
    chainPem: [],
    subject: "CN=example.com",
    issuer: "CN=example.com",
    domains: ["example.com"],
    notBefore: "2024-01-01T00:00:00.000Z",
    notAfter: "2025-01-01T00:00:00.000Z",
    fingerprintSha256: "AA:BB",
    selfSigned: true,
    keyMatches: true,
  },
  {
    _tag: "DnsZone",
    id: "zone:example.com",
    owner: "account:jack",
    source: source("dnszones/example.com.db"),
    name: "example.com",
    records: [],
  },
]

const snapshot: Snapshot = {
  source: {
    panel: "cpanel",
    formatVersion: "3",
    archive: { path: "/backups/cpmove-jack.tar.gz", container: "tar.gz", bytes: 1234, entries: 56, contentBytes: 7890 },
    hostname: "server.example.com",
  },
  entities,
  content: [
    { id: "web:jack", kind: "web", path: "homedir/public_html/", excludes: [], bytes: 1000, files: 10 },
    { id: "mail:info@example.com", kind: "mail", path: "homedir/mail/example.com/info/", excludes: [], bytes: 300, files: 3 },
    { id: "mail:sales@example.com", kind: "mail", path: "homedir/mail/example.com/sales/", excludes: [], bytes: 200, files: 2 },
    { id: "dump:jack_app", kind: "database-dump", path: "mysql/jack_app.sql", excludes: [], bytes: 50, files: 1 },
  ],
  notes: [
    { severity: "warning", code: "unknown-file", subject: "file extra.conf", path: "extra.conf", message: "not a file Ferry knows" },
    { severity: "info", code: "skipped-log", subject: "file logs/x", path: "logs/x", message: "access logs are not imported" },
    {
      severity: "warning",
      code: "weak-hash",
      subject: "mailbox:info@example.com",
      path: "homedir/etc/example.com/shadow",
      message: "md5-crypt",
    },
  ],
}

const detection: Detection = { _tag: "Detected", adapter: "cpanel", root: "cpmove-jack", panelVersion: "11.58", facts: { user: "jack" } }
const result: InspectResult = { detection, snapshot }

describe("inspectReport", () => {
  const report = inspectReport(result)

  it("takes the panel and archive from the snapshot, versions from the detection when the snapshot has none", () => {
    expect(report.panel).toBe("cpanel")
    expect(report.panelVersion).toBe("11.58")
    expect(report.formatVersion).toBe("3")
    expect(report.hostname).toBe("server.example.com")
    expect(report.archive).toEqual({
      path: "/backups/cpmove-jack.tar.gz",
      container: "tar.gz",
      bytes: 1234,
      entries: 56,
      contentBytes: 7890,
    })
  })

  it("summarises accounts with their owner, domains and password scheme", () => {
    expect(report.accounts).toEqual([
      { login: "jack", kind: "client", owner: "root", status: "active", plan: "default", domains: 2, passwordScheme: "sha512-crypt" },
      { login: "jill", kind: "client", owner: "account:reseller", status: "suspended", domains: 1 },
    ])
  })

  it("counts every entity kind, zeros included, in the model's order", () => {
    expect(Object.keys(report.counts)).toEqual([...entityTags])
    expect(report.counts.Account).toBe(2)
    expect(report.counts.Domain).toBe(3)
    expect(report.counts.Database).toBe(2)
    expect(report.counts.FtpUser).toBe(0)
    expect(report.counts.Csr).toBe(0)
  })

  it("lists the ispmanager Confirm entities in the seed's order", () => {
    expect(report.confirm.map((item) => [item.label, item.count])).toEqual([
      ["Databases", 2],
      ["Database users", 1],
      ["Domain names", 1],
      ["Mailboxes", 1],
      ["Mail domains", 0],
      ["FTP users", 0],
      ["CRON jobs", 0],
      ["SSL certificates", 1],
      ["CSR requests", 0],
    ])
  })

  it("totals content per kind", () => {
    expect(report.content.web).toEqual({ refs: 1, bytes: 1000, files: 10 })
    expect(report.content.mail).toEqual({ refs: 2, bytes: 500, files: 5 })
    expect(report.content["database-dump"]).toEqual({ refs: 1, bytes: 50, files: 1 })
    expect(report.content.home).toEqual({ refs: 0, bytes: 0, files: 0 })
  })

  it("counts notes by severity and keeps them in order", () => {
    expect(report.notes.total).toBe(3)
    expect(report.notes.bySeverity).toEqual({ error: 0, warning: 2, info: 1 })
    expect(report.notes.items.map((n) => n.code)).toEqual(["unknown-file", "skipped-log", "weak-hash"])
  })

  it("is JSON-safe and never contains a password hash or a private key", () => {
    const json = JSON.stringify(report)
    expect(JSON.parse(json)).toEqual(report)
    for (const secret of [
      accountHash,
      mailboxHash,
      dbUserHash,
      "BEGIN PRIVATE KEY",
      "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7",
    ]) {
      expect(json).not.toContain(secret)
    }
    expect(json).not.toContain("<redacted>")
  })

  it("omits optional keys instead of writing undefined", () => {
    const bare = inspectReport({
      detection: { _tag: "Detected", adapter: "x", root: "", facts: {} },
      snapshot: { ...snapshot, source: { panel: "x", archive: snapshot.source.archive }, entities: [], content: [], notes: [] },
    })
    expect(Object.keys(bare)).not.toContain("panelVersion")
    expect(Object.keys(bare)).not.toContain("formatVersion")
    expect(Object.keys(bare)).not.toContain("hostname")
    expect(bare.accounts).toEqual([])
    expect(Object.values(bare.counts).every((n) => n === 0)).toBe(true)
  })
})

describe("formatBytes", () => {
  it("uses binary units with one decimal", () => {
    expect(formatBytes(0)).toBe("0 B")
    expect(formatBytes(1023)).toBe("1023 B")
    expect(formatBytes(1024)).toBe("1.0 KiB")
    expect(formatBytes(1536)).toBe("1.5 KiB")
    expect(formatBytes(1.5 * 1024 ** 3)).toBe("1.5 GiB")
    expect(formatBytes(1024 ** 2 - 1)).toBe("1.0 MiB")
    expect(formatBytes(3 * 1024 ** 4)).toBe("3.0 TiB")
    expect(formatBytes(-2048)).toBe("-2.0 KiB")
  })
})
