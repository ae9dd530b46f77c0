import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as nodePath from "node:path"
import {
  builtinChecks,
  type Capabilities,
  defaultImportOptions,
  type Entity,
  type ImportOptions,
  type Inventory,
  type InventoryAccount,
  type Plan,
  runChecks,
  type Site,
  type Snapshot,
} from "@ferry/core"
import {
  inspectWith,
  realCpanelFixtures,
  smallCpanelSpec,
  treeFromDirectory,
  withTop,
  writeArchive,
  writeCpanelBackup,
} from "@ferry/testing"
import { Result } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { cpanelAdapter } from "../src/index.ts"

/*
 * The conflict-check pipeline over real cPanel backups (packed from the shared fixtures) and the
 * generated one: one test per line of the ispmanager seed's Check step, each against a realistic
 * receiving server.
 */

const GiB = 1024 ** 3

/** nginx, PHP 7.4–8.3, MariaDB 10.11 + MySQL 8.0, PostgreSQL 15, Python 3.11, Node.js 20, Pure-FTPd, BIND, Postfix + Dovecot. */
const fullProfile: Capabilities = {
  webServer: { kind: "nginx", version: "1.24.0" },
  php: { versions: ["7.4", "8.1", "8.2", "8.3"], modes: ["fpm", "cgi"], default: "8.3", defaultMode: "fpm" },
  mysql: [
    { id: "mariadb-main", engine: "mariadb", version: "10.11.6", default: true },
    { id: "mysql-80", engine: "mysql", version: "8.0.36", default: false },
  ],
  postgresql: [{ id: "pg15", engine: "postgresql", version: "15.8", default: true }],
  python: { versions: ["3.11"], default: "3.11" },
  nodejs: { versions: ["20"], default: "20" },
  ftp: { kind: "pure-ftpd" },
  dns: { kind: "bind" },
  mail: { mta: "postfix", imap: "dovecot" },
  diskFreeBytes: 100 * GiB,
  ips: ["192.0.2.10", "198.51.100.5"],
  passwordSchemes: {
    system: ["md5-crypt", "sha256-crypt", "sha512-crypt", "bcrypt", "yescrypt"],
    mail: ["des-crypt", "md5-crypt", "sha256-crypt", "sha512-crypt", "bcrypt", "yescrypt", "plain"],
    ftp: ["des-crypt", "md5-crypt", "sha256-crypt", "sha512-crypt", "bcrypt", "yescrypt"],
    mysql: ["mysql-native", "mysql-old"],
    postgresql: ["postgres-md5", "postgres-scram"],
    web: ["des-crypt", "md5-crypt", "sha256-crypt", "sha512-crypt", "bcrypt", "yescrypt"],
  },
}

/** The issue's realistic server: no PostgreSQL, PHP 8.2/8.3 only, no Python or Node.js. */
const noPostgresProfile: Capabilities = {
  ...fullProfile,
  php: { versions: ["8.2", "8.3"], modes: ["fpm"], default: "8.3", defaultMode: "fpm" },
  mysql: [{ id: "mariadb-main", engine: "mariadb", version: "10.11.6", default: true }],
  postgresql: [],
  python: { versions: [] },
  nodejs: { versions: [] },
}

const inventoryAccount = (login: string, kind: InventoryAccount["kind"], owner: string | null, more: Partial<InventoryAccount> = {}) => ({
  login,
  kind,
  owner,
  limits: {},
  permissions: {},
  ipPool: [],
  ...more,
})

/** carol (under the reseller `resell`) may have 2 domains, 2 mailboxes, 1 database, and has no DNS or cron access. */
const inventory: Inventory = {
  accounts: [
    inventoryAccount("admin", "admin", null),
    inventoryAccount("resell", "reseller", "admin", { limits: { clients: 5, domains: 10 } }),
    inventoryAccount("carol", "client", "resell", {
      limits: { domains: 2, mailboxes: 2, databases: 1 },
      permissions: { manageDns: false, manageCron: false },
    }),
    inventoryAccount("someone", "client", "admin"),
  ],
  domains: [
    { name: "carol.example", owner: "carol" },
    { name: "someone.example", owner: "someone" },
  ],
  mailboxes: [{ name: "info@carol.example", owner: "carol" }],
  databases: [],
  databaseUsers: [],
  ftpUsers: [],
}

/** The same panel, where illiniwi already has an account and `someone` holds uniprev.com.br. */
const crowded: Inventory = {
  ...inventory,
  accounts: [...inventory.accounts, inventoryAccount("illiniwi", "client", "admin")],
  domains: [...inventory.domains, { name: "uniprev.com.br", owner: "someone" }],
}

const fixtures: Record<"illini" | "quantify" | "uniprev" | "generated", Snapshot> = {} as never

beforeAll(async () => {
  const dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), "ferry-checks-"))
  const real = async (set: string, user: string, symlinks: ReadonlyArray<string> = []) => {
    const tree = await treeFromDirectory(nodePath.join(realCpanelFixtures(), set), { symlinks })
    return writeArchive(withTop(`cpmove-${user}`, tree), nodePath.join(dir, `cpmove-${user}.tar.gz`), "tar.gz")
  }
  const inspect = async (path: string) => {
    const result = await inspectWith([cpanelAdapter], path)
    if (Result.isFailure(result)) throw new Error(result.failure.message)
    return result.success.snapshot
  }
  fixtures.illini = await inspect(await real("JackDeDobb__IlliniWildCards", "illiniwi", ["homedir/mail/.contactus@illiniwildcards_tk"]))
  fixtures.quantify = await inspect(await real("jstandfast__quantifyuniversity", "quantify"))
  fixtures.uniprev = await inspect(await real("ragnermoura__uniprev", "uniprev"))
  fixtures.generated = await inspect((await writeCpanelBackup(smallCpanelSpec, nodePath.join(dir, "cpmove-synth.tar.gz"), "tar.gz")).path)
})

const check = (
  snapshot: Snapshot,
  capabilities: Capabilities = fullProfile,
  options: Partial<ImportOptions> = {},
  target: Inventory = inventory,
): Plan => runChecks({ snapshot, capabilities, inventory: target, options: { ...defaultImportOptions, ...options }, checks: builtinChecks })

const issue = (plan: Plan, code: string) => {
  const found = plan.issues.filter((i) => i.code === code)
  if (found.length !== 1) throw new Error(`expected one ${code}, got: ${plan.issues.map((i) => i.code).join(", ")}`)
  return found[0] as Plan["issues"][number]
}
const decision = (plan: Plan, id: string) => {
  const found = plan.decisions.find((d) => d.id === id)
  if (!found) throw new Error(`no decision ${id}`)
  return found
}
const skippedBy = (plan: Plan, code: string) => plan.decisions.filter((d) => d.findings.includes(code)).map((d) => d.id)

/** cPanel backups name no PHP handler or app runtimes; these set them as the source panel had them. */
const withSite = (snapshot: Snapshot, id: string, change: (site: Site) => Site): Snapshot => ({
  ...snapshot,
  entities: snapshot.entities.map((e: Entity) => (e._tag === "Site" && e.id === id ? change(e) : e)),
})

describe("the seed's Check step over real cPanel backups", () => {
  it("Web server not found — sites will not be imported (IlliniWildCards)", () => {
    const plan = check(fixtures.illini, { ...fullProfile, webServer: { kind: "none" } })
    expect(issue(plan, "web-server-not-found")).toMatchObject({
      entities: ["site:illiniwildcards.tk"],
      resolution: "Sites will not be imported.",
    })
    expect(decision(plan, "domain:illiniwildcards.tk").action).not.toBe("skip")
  })

  it("MySQL DBMS server not found — MySQL databases will not be imported (IlliniWildCards)", () => {
    const plan = check(fixtures.illini, { ...fullProfile, mysql: [] })
    expect(issue(plan, "mysql-server-not-found").entities).toEqual([
      "database:mysql:illiniwi_submissions",
      "database:mysql:illiniwi_votepage",
      "dbuser:mysql:illiniwi",
      "dbuser:mysql:illiniwi_Squad17",
      "dbuser:mysql:illiniwi_votepage",
    ])
    expect(decision(plan, "dbuser:postgresql:illiniwi").action).toBe("import")
    expect(plan.confirm.find((c) => c.entity === "Database")?.count).toBe(0)
  })

  it("PostgreSQL database server not found — on a server without PostgreSQL (IlliniWildCards' PostgreSQL user)", () => {
    const plan = check(fixtures.illini, noPostgresProfile)
    expect(issue(plan, "postgresql-server-not-found")).toMatchObject({
      entities: ["dbuser:postgresql:illiniwi"],
      resolution: "PostgreSQL databases will not be imported (nor their database users).",
    })
    expect(decision(plan, "database:mysql:illiniwi_votepage").action).not.toBe("skip")
  })

  it("FTP server not found — FTP users will not be imported (generated backup: the real ones have no extra FTP users)", () => {
    const plan = check(fixtures.generated, { ...fullProfile, ftp: { kind: "none" } })
    expect(issue(plan, "ftp-server-not-found")).toMatchObject({
      entities: ["ftpuser:ftpuser@synth.example"],
      resolution: "FTP users will not be imported.",
    })
  })

  it("DNS server not found — domain names will not be imported (IlliniWildCards' zone)", () => {
    const plan = check(fixtures.illini, { ...fullProfile, dns: { kind: "none" } })
    expect(issue(plan, "dns-server-not-found")).toMatchObject({
      entities: ["dnszone:illiniwildcards.tk"],
      resolution: "Domain names will not be imported.",
    })
    expect(plan.confirm.find((c) => c.label === "Domain names")?.count).toBe(0)
  })

  it("Mail server not found — mail domains, mailboxes and emails will not be imported (IlliniWildCards' mailbox)", () => {
    const plan = check(fixtures.illini, { ...fullProfile, mail: { mta: "postfix", imap: "none" } })
    expect(issue(plan, "mail-server-not-found").entities).toEqual(["maildomain:illiniwildcards.tk", "mailbox:contactus@illiniwildcards.tk"])
    expect(plan.confirm.find((c) => c.entity === "Mailbox")?.count).toBe(0)
  })

  it("PHP mode not found — the sites will be imported with a different PHP mode (uniprev, LSAPI on the source)", () => {
    const snapshot = withSite(fixtures.uniprev, "site:uniprev.com.br", (s) => ({ ...s, php: { ...s.php, mode: "lsapi" } }))
    const plan = check(snapshot, noPostgresProfile)
    expect(issue(plan, "php-mode-not-found").resolution).toBe("the sites will be imported with a different PHP mode: fpm")
    expect(decision(plan, "site:uniprev.com.br").changes).toContainEqual({ field: "php.mode", from: "lsapi", to: "fpm" })
  })

  it("X.X MySQL database server not found — imported to the default database server (IlliniWildCards, MariaDB 10.0)", () => {
    const plan = check(fixtures.illini)
    expect(issue(plan, "mysql-version-not-found")).toMatchObject({
      title: "10.0 MySQL database server not found",
      entities: ["database:mysql:illiniwi_submissions", "database:mysql:illiniwi_votepage"],
    })
    expect(decision(plan, "database:mysql:illiniwi_votepage").changes).toEqual([
      { field: "server", from: "mariadb-10.0", to: "mariadb-main" },
    ])
  })

  it("PHP X.X not found — 8.1 becomes 8.2 (generated), 7.3 the default (uniprev)", () => {
    const generated = check(fixtures.generated, noPostgresProfile)
    const eightOne = generated.issues.find((i) => i.title === "PHP 8.1 not found")
    expect(eightOne?.entities).toEqual(["site:synth.example", "site:sub1.synth-addon1.example"])
    expect(decision(generated, "site:synth.example").changes).toEqual([{ field: "php.version", from: "8.1", to: "8.2" }])
    expect(decision(generated, "site:synth-addon1.example").changes).toEqual([{ field: "php.version", from: "7.4", to: "8.3" }])
    const uniprev = check(fixtures.uniprev, noPostgresProfile)
    expect(issue(uniprev, "php-version-not-found").title).toBe("PHP 7.3 not found")
    expect(decision(uniprev, "site:uniprev.com.br").changes).toContainEqual({ field: "php.version", from: "7.3", to: "8.3" })
  })

  it("Python X.X not found — the default Python version, or no handler without Python (uniprev with a Python app)", () => {
    const snapshot = withSite(fixtures.uniprev, "site:blog.uniprev.com.br", (s) => ({ ...s, python: { version: "3.6" } }))
    expect(decision(check(snapshot), "site:blog.uniprev.com.br").changes).toEqual([{ field: "python.version", from: "3.6", to: "3.11" }])
    const none = check(snapshot, noPostgresProfile)
    expect(issue(none, "python-version-not-found").resolution).toBe(
      "the sites using Python will be imported without a handler (Python is missing)",
    )
    expect(decision(none, "site:blog.uniprev.com.br").changes).toContainEqual({ field: "python", from: "3.6", to: "none" })
  })

  it("Node.js not found — the sites using this handler will be imported without a handler (uniprev with a Node.js app)", () => {
    const snapshot = withSite(fixtures.uniprev, "site:diagnosticos.uniprev.com.br", (s) => ({ ...s, nodejs: { version: "16.20.2" } }))
    const plan = check(snapshot, noPostgresProfile)
    expect(issue(plan, "nodejs-not-found")).toMatchObject({
      entities: ["site:diagnosticos.uniprev.com.br"],
      resolution: "the sites using this handler will be imported without a handler",
    })
  })

  it("The data exists on the server — skip, or overwrite all entities and files (IlliniWildCards: illiniwi exists)", () => {
    const skip = check(fixtures.illini, fullProfile, {}, crowded)
    expect(issue(skip, "data-exists")).toMatchObject({ severity: "critical", entities: ["account:illiniwi"] })
    expect(skip.decisions.every((d) => d.action === "skip")).toBe(true)
    const replace = check(fixtures.illini, fullProfile, { existing: "replace" }, crowded)
    expect(issue(replace, "data-exists").severity).toBe("warning")
    expect(decision(replace, "account:illiniwi").changes).toContainEqual({ field: "existing", from: "keep", to: "replace" })
    expect(check(fixtures.illini).issues.filter((i) => i.code === "data-exists")).toEqual([])
  })

  it("The data exists on the server and belongs to another user — not imported (uniprev: uniprev.com.br is someone's)", () => {
    const plan = check(fixtures.uniprev, fullProfile, {}, crowded)
    expect(issue(plan, "belongs-to-another-user")).toMatchObject({ entities: ["domain:uniprev.com.br"] })
    // Its subdomains, sites and mail go with it.
    expect(skippedBy(plan, "dependency-skipped")).toEqual(
      expect.arrayContaining([
        "site:uniprev.com.br",
        "domain:blog.uniprev.com.br",
        "mailbox:arkus@uniprev.com.br",
        "forwarder:fapesp@uniprev.com.br",
      ]),
    )
    expect(decision(plan, "database:mysql:uniprev_blog").action).not.toBe("skip")
  })

  it("The user's limit exceeded — merged into carol (2 domains, 2 mailboxes): the rest stays out (generated)", () => {
    const plan = check(fixtures.generated, fullProfile, { owner: "carol" })
    const limits = plan.issues.filter((i) => i.code === "limit-exceeded")
    expect(limits.map((i) => [i.message, i.entities])).toEqual([
      [
        "carol may have 2 domains and already has 1 on the receiving server; over the limit: synth-addon1.example",
        ["domain:synth-addon1.example"],
      ],
      [
        "carol may have 2 mailboxes and already has 1 on the receiving server; over the limit: sales@synth.example",
        ["mailbox:sales@synth.example"],
      ],
    ])
    expect(decision(plan, "mailbox:info@synth.example").action).not.toBe("skip")
    expect(decision(plan, "database:mysql:synth_db1").action).not.toBe("skip")
  })

  it("The user has limited access to functions — carol has no DNS or cron access (generated)", () => {
    const plan = check(fixtures.generated, fullProfile, { owner: "carol" })
    const access = plan.issues.filter((i) => i.code === "access-denied")
    expect(access.map((i) => i.entities)).toEqual([
      ["dnszone:synth.example", "dnszone:synth-parked1.example"],
      ["cron:synth:1", "cron:synth:2"],
    ])
    expect(access[0]?.resolution).toBe("entities and settings that are missing the required access will not be imported")
  })
})

describe("every entity of every fixture appears exactly once in the plan", () => {
  const scenarios: ReadonlyArray<[string, Capabilities, Partial<ImportOptions>, Inventory?]> = [
    ["full profile", fullProfile, {}],
    ["no PostgreSQL, PHP 8.2/8.3", noPostgresProfile, {}],
    ["replace existing", fullProfile, { existing: "replace" }],
    ["merged into a client", fullProfile, { owner: "carol" }],
    ["under a reseller, only mail", noPostgresProfile, { owner: "resell", only: "mail" }],
    [
      "only hosting, nothing installed",
      { ...noPostgresProfile, webServer: { kind: "none" }, mysql: [], mail: { mta: "none", imap: "none" } },
      { only: "hosting" },
    ],
    ["existing data, replace", fullProfile, { existing: "replace" }, crowded],
    ["existing data, skip", fullProfile, { existing: "skip" }, crowded],
  ]
  for (const name of ["illini", "quantify", "uniprev", "generated"] as const)
    for (const [label, capabilities, options, target] of scenarios)
      it(`${name}: ${label}`, () => {
        const snapshot = fixtures[name]
        const plan = check(snapshot, capabilities, options, target)
        expect(plan.decisions.map((d) => d.id)).toEqual(snapshot.entities.map((e) => e.id))
        expect(plan.summary.import + plan.summary.importWithChanges + plan.summary.skip).toBe(snapshot.entities.length)
        for (const d of plan.decisions) if (d.action === "skip") expect(d.findings.length).toBeGreaterThan(0)
        expect(JSON.stringify(plan)).not.toContain("REDACTEDSALT")
      })
})
