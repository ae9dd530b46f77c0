import { Redacted } from "effect"
import { describe, expect, it } from "vitest"
import {
  type Capabilities,
  Check,
  checkReport,
  defaultImportOptions,
  type Entity,
  type ImportOptions,
  type InspectResult,
  type Inventory,
  makePasswordHash,
  runChecks,
  type Snapshot,
} from "../src/index.ts"

const accountHash = "$6$saltsalt$AccountHashThatMustNeverAppearInTheCheckReport000000000000000000000000000000000000000"
const mailboxHash = "$1$abcdefgh$MailboxHashNeverPrinted00"
const dbUserHash = "md5PostgresHashNeverPrinted0123456789abcdef"
const cronSecret = "s3cr3t-cron-password"
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
    contact: {},
    status: "active",
    passwordHash: makePasswordHash("sha512-crypt", accountHash),
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
    _tag: "Site",
    id: "site:example.com",
    owner: "account:jack",
    source: source("userdata/example.com"),
    domain: "domain:example.com",
    docroot: "public_html",
    serverAliases: [],
    php: { enabled: true, version: "8.1" },
    protectedDirectories: [],
    webUsers: [],
    mimeTypes: [],
    redirects: [],
    errorPages: [],
    applications: [],
    extras: {},
  },
  { _tag: "MailDomain", id: "maildomain:example.com", owner: "account:jack", source: source("etc"), name: "example.com", enabled: true },
  {
    _tag: "Mailbox",
    id: "mailbox:info@example.com",
    owner: "account:jack",
    source: source("etc/example.com/shadow"),
    address: "info@example.com",
    localPart: "info",
    domain: "example.com",
    passwordHash: makePasswordHash("md5-crypt", mailboxHash),
    quotaBytes: null,
    storage: "maildir",
    enabled: true,
  },
  {
    _tag: "Forwarder",
    id: "forwarder:info@example.com",
    owner: "account:jack",
    source: source("va/example.com"),
    address: "info@example.com",
    scope: "address",
    targets: [{ kind: "address", value: "x@elsewhere.example" }],
  },
  {
    _tag: "Database",
    id: "database:postgresql:jack_pg",
    owner: "account:jack",
    source: source("psql/jack_pg.tar"),
    name: "jack_pg",
    engine: "postgresql",
  },
  {
    _tag: "DatabaseUser",
    id: "dbuser:postgresql:jack_pguser",
    owner: "account:jack",
    source: source("psql_users.sql"),
    name: "jack_pguser",
    engine: "postgresql",
    hosts: [],
    passwordHash: makePasswordHash("postgres-md5", dbUserHash),
    grants: [],
  },
  {
    _tag: "CronJob",
    id: "cron:jack:1",
    owner: "account:jack",
    source: source("cron/jack"),
    schedule: "0 3 * * *",
    command: `mysqldump -ujack -p${cronSecret} jack_db > /home/jack/db.sql`,
    user: "jack",
    enabled: true,
  },
  {
    _tag: "SslCertificate",
    id: "ssl:example.com",
    owner: "account:jack",
    source: source("apache_tls/example.com"),
    name: "example.com",
    certificatePem: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    privateKey: Redacted.make(privateKey),
    chainPem: [],
    subject: "CN=example.com",
    issuer: "CN=example.com",
    domains: ["example.com"],
    notBefore: "2024-01-01T00:00:00Z",
    notAfter: "2025-01-01T00:00:00Z",
    fingerprintSha256: "00",
    selfSigned: true,
    keyMatches: true,
  },
]

const snapshot: Snapshot = {
  source: {
    panel: "cpanel",
    formatVersion: "4",
    archive: { path: "/backups/cpmove-jack.tar.gz", container: "tar.gz", bytes: 1000, entries: 42, contentBytes: 5000 },
    hostname: "old.example.net",
  },
  entities,
  content: [],
  notes: [],
}

const inspect: InspectResult = {
  detection: { _tag: "Detected", adapter: "cpanel", root: "", facts: {} },
  snapshot,
}

const capabilities = {} as Capabilities
const inventory: Inventory = { accounts: [], domains: [], mailboxes: [], databases: [], databaseUsers: [], ftpUsers: [] }

/** Stand-ins for built-in checks: no PostgreSQL, PHP 8.1 missing, mail hashes unusable, blocking disk. */
const noPostgres = Check.make({
  id: "test-postgres",
  title: "PostgreSQL",
  run: (ctx) => {
    const dbs = ctx.active("Database").filter((d) => d.engine === "postgresql")
    const users = ctx.active("DatabaseUser").filter((u) => u.engine === "postgresql")
    return [
      {
        code: "postgresql-missing",
        severity: "critical",
        title: "PostgreSQL database server not found",
        message: "no PostgreSQL server on the target",
        resolution: "PostgreSQL databases will not be imported",
        effects: [...dbs, ...users].map((e) => ({ entity: e.id, action: "skip" as const })),
      },
    ]
  },
})

const php = Check.make({
  id: "test-php",
  title: "PHP",
  run: (ctx) => [
    {
      code: "php-version-missing",
      severity: "warning",
      title: "PHP 8.1 not found",
      message: "PHP 8.1 is not installed",
      resolution: "the sites will be imported with PHP 8.2",
      effects: ctx
        .active("Site")
        .map((s) => ({ entity: s.id, action: "change" as const, changes: [{ field: "php.version", from: "8.1", to: "8.2" }] })),
    },
  ],
})

const mailHashes = Check.make({
  id: "test-mail-hash",
  title: "Mail passwords",
  run: (ctx) => [
    {
      code: "mail-password-scheme",
      severity: "warning",
      title: "Mail password hashes not accepted",
      message: "md5-crypt is not accepted by the mail server",
      resolution: "new passwords are generated",
      effects: ctx.active("Mailbox").map((m) => ({ entity: m.id, action: "new-password" as const, service: "mail" })),
    },
  ],
})

const skipMailbox = Check.make({
  id: "test-mailbox-exists",
  title: "Existing mailboxes",
  run: () => [
    {
      code: "mailbox-exists",
      severity: "critical",
      title: "The data exists on the server and belongs to another user",
      message: "info@example.com exists",
      resolution: "not imported",
      effects: [{ entity: "mailbox:info@example.com", action: "skip" }],
    },
  ],
})

const blockingDisk = Check.make({
  id: "test-disk",
  title: "Disk",
  run: () => [
    {
      code: "disk-space",
      severity: "critical",
      title: "Not enough disk space",
      message: "5 GiB needed, 1 GiB free",
      resolution: "free disk space",
      effects: [],
      blocking: true,
    },
  ],
})

const options: ImportOptions = { ...defaultImportOptions, users: ["jack"], ipMap: { "10.0.0.1": "192.0.2.1" }, dbMap: {} }

const reportWith = (checks: ReadonlyArray<Check.Check>) =>
  checkReport(inspect, runChecks({ snapshot, capabilities, inventory, options, checks }), options)

describe("checkReport", () => {
  it("groups critical issues and warnings, with counts and the entities behind them", () => {
    const report = reportWith([noPostgres, php, mailHashes])
    expect(report.critical.map((i) => [i.code, i.count])).toEqual([["postgresql-missing", 2]])
    expect(report.critical[0]?.entities).toEqual([
      { id: "database:postgresql:jack_pg", label: "jack_pg", kind: "Database" },
      { id: "dbuser:postgresql:jack_pguser", label: "jack_pguser", kind: "DatabaseUser" },
    ])
    expect(report.warning.map((i) => [i.code, i.count])).toEqual([
      ["php-version-missing", 1],
      ["mail-password-scheme", 1],
    ])
    expect(report.warning[0]).toMatchObject({
      title: "PHP 8.1 not found",
      resolution: "the sites will be imported with PHP 8.2",
      check: "test-php",
      blocking: false,
    })
  })

  it("lists changes, skipped entities with their finding, and new passwords without values", () => {
    const report = reportWith([noPostgres, php, mailHashes])
    expect(report.changes).toEqual([
      { id: "site:example.com", label: "example.com", kind: "Site", changes: [{ field: "php.version", from: "8.1", to: "8.2" }] },
    ])
    expect(report.skipped.map((s) => [s.id, s.finding])).toEqual([
      ["database:postgresql:jack_pg", "postgresql-missing"],
      ["dbuser:postgresql:jack_pguser", "postgresql-missing"],
    ])
    expect(report.skipped[0]?.title).toBe("PostgreSQL database server not found")
    expect(report.newPasswords).toEqual([{ id: "mailbox:info@example.com", label: "info@example.com", kind: "Mailbox", service: "mail" }])
  })

  it("names the finding that skipped an entity, also for dependents skipped with their parent", () => {
    const report = reportWith([mailHashes, skipMailbox])
    // The mailbox got a new password first, then was skipped: the skip decides.
    expect(report.skipped.find((s) => s.id === "mailbox:info@example.com")?.finding).toBe("mailbox-exists")
    expect(report.skipped.find((s) => s.id === "forwarder:info@example.com")?.finding).toBe("dependency-skipped")
    expect(report.newPasswords).toEqual([])
  })

  it("counts what will be imported in the Confirm list, next to what the backup holds", () => {
    const report = reportWith([noPostgres])
    const confirm = Object.fromEntries(report.confirm.map((c) => [c.label, [c.count, c.total]]))
    expect(confirm["Databases"]).toEqual([0, 1])
    expect(confirm["Database users"]).toEqual([0, 1])
    expect(confirm["Mailboxes"]).toEqual([1, 1])
    expect(confirm["CRON jobs"]).toEqual([1, 1])
    expect(report.totals).toEqual({
      entities: entities.length,
      import: entities.length - 2,
      importWithChanges: 0,
      skip: 2,
      criticalIssues: 1,
      warningIssues: 0,
      newPasswords: 0,
    })
    expect(report.blocked).toBe(false)
  })

  it("is blocked by a blocking issue even without entities", () => {
    const report = reportWith([blockingDisk])
    expect(report.blocked).toBe(true)
    expect(report.critical).toEqual([expect.objectContaining({ code: "disk-space", blocking: true, count: 0, entities: [] })])
  })

  it("carries the backup facts and the options as applied", () => {
    const report = reportWith([])
    expect(report).toMatchObject({
      panel: "cpanel",
      formatVersion: "4",
      hostname: "old.example.net",
      archive: { path: "/backups/cpmove-jack.tar.gz", container: "tar.gz", entries: 42 },
      options: { users: ["jack"], existing: "skip", ipMap: { "10.0.0.1": "192.0.2.1" }, dbMap: {} },
      critical: [],
      warning: [],
      blocked: false,
    })
    expect(report.options).not.toHaveProperty("only")
  })

  it("is JSON-safe and holds no secret: no hash, no key, no cron command line", () => {
    const report = reportWith([noPostgres, php, mailHashes])
    const json = JSON.stringify(report)
    expect(JSON.parse(json)).toEqual(report)
    for (const secret of [accountHash, mailboxHash, dbUserHash, "PRIVATE KEY", cronSecret, "redacted"]) {
      expect(json).not.toContain(secret)
    }
    expect(report.skipped.length + report.changes.length).toBeGreaterThan(0)
  })

  it("names a cron job by schedule and program", () => {
    const skipCron = Check.make({
      id: "test-cron",
      title: "Cron",
      run: (ctx) => [
        {
          code: "cron-not-allowed",
          severity: "critical",
          title: "The user has limited access to functions",
          message: "cron is not allowed",
          resolution: "not imported",
          effects: ctx.active("CronJob").map((c) => ({ entity: c.id, action: "skip" as const })),
        },
      ],
    })
    const report = reportWith([skipCron])
    expect(report.critical[0]?.entities).toEqual([{ id: "cron:jack:1", label: "0 3 * * * mysqldump …", kind: "CronJob" }])
  })
})
