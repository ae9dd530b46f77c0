import { describe, expect, it } from "vitest"
import {
  builtinChecks,
  type Capabilities,
  Check,
  confirmList,
  type Entity,
  type ImportOptions,
  makePasswordHash,
  type PasswordScheme,
} from "../src/index.ts"
import {
  account,
  action,
  autoresponder,
  certificate,
  content,
  csr,
  database,
  databaseUser,
  decision,
  domain,
  forwarder,
  hostingAccount,
  issue,
  issues,
  mailbox,
  mailFilter,
  mailingList,
  run,
  site,
  snapshot,
} from "./support/Entities.ts"
import { fullProfile, noPostgresProfile, panelInventory } from "./support/Profiles.ts"

const skipAccount = (login: string, keepDependents = false) =>
  Check.make({
    id: "test-skip",
    title: "test",
    run: () => [
      {
        code: "test-skip",
        severity: "critical",
        title: "test",
        message: "test",
        resolution: "not imported",
        effects: [{ entity: `account:${login}`, action: "skip", ...(keepDependents ? { keepDependents: true } : {}) }],
      },
    ],
  })

const everything = (login: string, name: string): Array<Entity> => [
  ...hostingAccount(login, name),
  domain(`blog.${name}`, login, { kind: "subdomain", parent: `domain:${name}` }),
  site(`blog.${name}`, login),
  forwarder(`sales@${name}`, login, [{ kind: "address", value: `info@${name}` }]),
  autoresponder(`info@${name}`, login),
  mailFilter(`info@${name}`, login),
  mailingList("news", name, login),
  certificate(name, login),
  csr(name, login),
]

describe("cascade", () => {
  const snap = snapshot([...everything("jack", "jack.example"), ...everything("jill", "jill.example")])

  it("skipping an account skips everything that hangs off it", () => {
    const plan = run(snap, { checks: [skipAccount("jack")] })
    const jack = plan.decisions.filter((d) => d.id.includes("jack"))
    expect(jack).toHaveLength(18)
    expect(decision(plan, "account:jack")).toMatchObject({ action: "skip", findings: ["test-skip"] })
    for (const d of jack.filter((d) => d.id !== "account:jack"))
      expect(d).toMatchObject({ action: "skip", findings: ["dependency-skipped"] })
    expect(issue(plan, "dependency-skipped").count).toBe(17)
    expect(plan.decisions.filter((d) => d.id.includes("jill")).every((d) => d.action === "import")).toBe(true)
  })

  it("skipping a domain skips its site, subdomains, mail domain and mail, not the account's other data", () => {
    const skipDomain = Check.make({
      id: "d",
      title: "d",
      run: () => [
        {
          code: "d",
          severity: "critical",
          title: "d",
          message: "d",
          resolution: "d",
          effects: [{ entity: "domain:jack.example", action: "skip" }],
        },
      ],
    })
    const plan = run(snap, { checks: [skipDomain] })
    for (const id of [
      "site:jack.example",
      "domain:blog.jack.example",
      "site:blog.jack.example",
      "maildomain:jack.example",
      "mailbox:info@jack.example",
      "forwarder:sales@jack.example",
      "autoresponder:info@jack.example",
      "mailfilter:info@jack.example:rules",
      "mailinglist:news@jack.example",
      "dnszone:jack.example",
    ])
      expect(action(plan, id)).toBe("skip")
    for (const id of ["account:jack", "database:mysql:jack_wp", "ftpuser:upload@jack.example", "cron:jack:1", "ssl:jack.example"])
      expect(action(plan, id)).toBe("import")
  })

  it("keepDependents skips the account alone", () => {
    const plan = run(snap, { checks: [skipAccount("jack", true)] })
    expect(action(plan, "account:jack")).toBe("skip")
    expect(plan.decisions.filter((d) => d.action === "skip").map((d) => d.id)).toEqual(["account:jack"])
    expect(issues(plan, "dependency-skipped")).toEqual([])
  })
})

describe("later checks", () => {
  it("do not report entities earlier checks skipped", () => {
    const snap = snapshot([
      ...hostingAccount("jack", "jack.example").map((e) =>
        e._tag === "DatabaseUser" ? { ...e, passwordHash: makePasswordHash("caching-sha2", "$A$005$x") } : e,
      ),
      site("old.jack.example", "jack", { domain: "domain:jack.example", php: { enabled: true, version: "5.6", mode: "module" } }),
    ])
    const noWebNoMysql: Capabilities = { ...fullProfile, webServer: { kind: "none" }, mysql: [] }
    const plan = run(snap, { capabilities: noWebNoMysql })
    expect(issue(plan, "web-server-not-found").entities).toEqual(["site:jack.example", "site:old.jack.example"])
    expect(issues(plan, "php-version-not-found")).toEqual([])
    expect(issues(plan, "php-mode-not-found")).toEqual([])
    expect(issues(plan, "password-unusable")).toEqual([])
    expect(decision(plan, "dbuser:mysql:jack_wp").findings).toEqual(["mysql-server-not-found"])
    // With the services present, the same entities are reported by the later checks.
    const full = run(snap)
    expect(issue(full, "php-version-not-found").entities).toEqual(["site:old.jack.example"])
    expect(issue(full, "password-unusable").entities).toEqual(["dbuser:mysql:jack_wp"])
  })
})

describe("blocked", () => {
  it("a blocking finding blocks the plan; the decisions are still made", () => {
    const snap = snapshot(hostingAccount("jack", "jack.example"), [content("content:web:jack.example", "web", 10 * 1024 ** 3)])
    const plan = run(snap, { capabilities: { ...fullProfile, diskFreeBytes: 1024 ** 3 } })
    expect(plan.blocked).toBe(true)
    expect(plan.issues.filter((i) => i.blocking).map((i) => i.code)).toEqual(["disk-space"])
    expect(plan.decisions).toHaveLength(10)
    expect(run(snap).blocked).toBe(false)
  })
})

describe("blocked (findings on skipped entities)", () => {
  it("a blocking finding still blocks when its entities were skipped by an earlier check", () => {
    const blockJack = Check.make({
      id: "block",
      title: "block",
      run: () => [
        {
          code: "block",
          severity: "critical",
          title: "block",
          message: "block",
          resolution: "fix it",
          effects: [{ entity: "account:jack", action: "skip" }],
          blocking: true,
        },
      ],
    })
    const plan = run(snapshot(hostingAccount("jack", "jack.example")), { checks: [skipAccount("jack"), blockJack] })
    expect(decision(plan, "account:jack").findings).toEqual(["test-skip"])
    expect(issue(plan, "block")).toMatchObject({ blocking: true, count: 0 })
    expect(plan.blocked).toBe(true)
  })
})

describe("confirm", () => {
  it("counts what will be imported, in the seed's Confirm order", () => {
    const snap = snapshot([
      ...everything("jack", "jack.example"),
      ...everything("jill", "jill.example"),
      database("jill_pg", "jill", { engine: "postgresql" }),
    ])
    const plan = run(snap, { capabilities: noPostgresProfile, options: { users: ["jill"] } })
    expect(plan.confirm).toEqual([
      { label: "Databases", entity: "Database", count: 1 },
      { label: "Database users", entity: "DatabaseUser", count: 1 },
      { label: "Domain names", entity: "DnsZone", count: 1 },
      { label: "Mailboxes", entity: "Mailbox", count: 1 },
      { label: "Mail domains", entity: "MailDomain", count: 1 },
      { label: "FTP users", entity: "FtpUser", count: 1 },
      { label: "CRON jobs", entity: "CronJob", count: 1 },
      { label: "SSL certificates", entity: "SslCertificate", count: 1 },
      { label: "CSR requests", entity: "Csr", count: 1 },
    ])
    expect(plan.confirm.map((c) => c.label)).toEqual(confirmList.map((c) => c.label))
    expect(plan.summary.skip).toBe(19)
    expect(plan.summary.import + plan.summary.importWithChanges + plan.summary.skip).toBe(snap.entities.length)
  })
})

/* Property: over many random small snapshots, targets and options, every entity appears exactly once. */

const prng = (seed: number) => {
  let state = seed >>> 0
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0
    return state / 2 ** 32
  }
}

const randomCase = (seed: number) => {
  const random = prng(seed)
  const pick = <T>(items: ReadonlyArray<T>): T => items[Math.floor(random() * items.length)] as T
  const chance = (p: number) => random() < p
  const schemes: ReadonlyArray<PasswordScheme> = [
    "sha512-crypt",
    "md5-crypt",
    "plain",
    "unknown",
    "caching-sha2",
    "mysql-native",
    "plesk-sym",
  ]
  const logins = ["jack", "jill", "carol", "root", "kim", "dave"]
  const entities: Array<Entity> = []
  const made: Array<string> = []
  for (let a = 0; a < 1 + Math.floor(random() * 3); a++) {
    const login = pick(logins.filter((l) => !made.includes(l)))
    const owner = made.length > 0 && chance(0.3) ? `account:${pick(made)}` : null
    made.push(login)
    entities.push(
      account(login, {
        owner,
        kind: chance(0.2) ? "reseller" : "client",
        limits: chance(0.3) ? { mailboxes: Math.floor(random() * 2), domains: 1 + Math.floor(random() * 2) } : {},
        permissions: chance(0.3) ? { manageDns: chance(0.5), manageMail: chance(0.5) } : {},
        passwordHash: makePasswordHash(pick(schemes), "x"),
        ipPool: [pick(["192.0.2.10", "203.0.113.9"])],
      }),
    )
    const names = [`${login}.example`, pick(["dave.example", "shop.example", `${login}.net`])]
    for (const [i, name] of names.entries()) {
      if (i > 0 && !chance(0.6)) continue
      entities.push(domain(name, login, { kind: i === 0 ? "main" : "addon", ips: [pick(["192.0.2.10", "198.51.100.99"])] }))
      if (chance(0.5))
        entities.push(domain(`${pick(["www2", "mail", "blog"])}.${name}`, login, { kind: "subdomain", parent: `domain:${name}` }))
      if (chance(0.8))
        entities.push(
          site(name, login, {
            php: { enabled: true, version: pick(["5.6", "7.4", "8.1", "8.3"]), mode: pick(["fpm", "module", "lsapi"] as const) },
            ...(chance(0.2) ? { nodejs: { version: "18" } } : {}),
            ...(chance(0.2) ? { python: { version: "3.9" } } : {}),
          }),
        )
      if (chance(0.7)) {
        entities.push({
          _tag: "MailDomain",
          id: `maildomain:${name}`,
          owner: `account:${login}`,
          source: { path: "t" },
          name,
          enabled: true,
        })
        for (const local of ["info", "sales"].filter(() => chance(0.6)))
          entities.push(mailbox(`${local}@${name}`, login, { passwordHash: makePasswordHash(pick(schemes), "x") }))
        if (chance(0.4)) entities.push(forwarder(`fw@${name}`, login, [{ kind: pick(["address", "pipe"] as const), value: "x@y.example" }]))
      }
    }
    if (chance(0.6))
      entities.push(
        database(`${login}_db`, login, {
          engine: pick(["mysql", "postgresql"] as const),
          sourceServerVersion: pick(["8.0.1", "10.0.2-MariaDB", "10.11.1-MariaDB"]),
        }),
      )
    if (chance(0.5)) entities.push(databaseUser(`${login}_u`, login, { passwordHash: makePasswordHash(pick(schemes), "x") }))
  }
  const options: Partial<ImportOptions> = {
    existing: pick(["skip", "replace"] as const),
    ...(chance(0.3) ? { users: made.filter(() => chance(0.6)) } : {}),
    ...(chance(0.2) ? { only: pick(["mail", "hosting"] as const) } : {}),
    ...(chance(0.3) ? { owner: pick(["admin", "resell", "carol", "dave", "ghost"]) } : {}),
  }
  const capabilities: Capabilities = {
    ...pick([fullProfile, noPostgresProfile]),
    ...(chance(0.2) ? { webServer: { kind: "none" } } : {}),
    ...(chance(0.2) ? { mail: { mta: "postfix", imap: "none" } } : {}),
    ...(chance(0.2) ? { dns: { kind: "none" } } : {}),
  }
  // Ids are unique in a snapshot (the builder keeps the first); two accounts may draw the same domain.
  const unique = entities.filter((e, i) => entities.findIndex((o) => o.id === e.id) === i)
  return { snap: snapshot(unique), options, capabilities }
}

describe("every entity exactly once", () => {
  it("holds for 300 random snapshots, targets and options", () => {
    const seen = new Set<string>()
    for (let seed = 1; seed <= 300; seed++) {
      const { snap, options, capabilities } = randomCase(seed)
      const plan = run(snap, { options, capabilities, inventory: panelInventory })
      const context = `seed ${seed}`
      expect(
        plan.decisions.map((d) => d.id),
        context,
      ).toEqual(snap.entities.map((e) => e.id))
      expect(new Set(plan.decisions.map((d) => d.id)).size, context).toBe(snap.entities.length)
      const { import: imported, importWithChanges, skip } = plan.summary
      expect(imported + importWithChanges + skip, context).toBe(snap.entities.length)
      for (const d of plan.decisions) {
        if (d.action === "skip") {
          expect(d.findings.length, context).toBeGreaterThan(0)
          expect(d.changes, context).toEqual([])
          expect(d.newPasswords, context).toEqual([])
        }
        if (d.action === "import-with-changes") expect(d.changes.length + d.newPasswords.length, context).toBeGreaterThan(0)
        if (d.action === "import") expect(d.changes, context).toEqual([])
      }
      // Each listed entity exists, and no issue lists one twice.
      const ids = new Set(snap.entities.map((e) => e.id))
      for (const i of plan.issues) {
        expect(
          i.entities.every((id) => ids.has(id)),
          context,
        ).toBe(true)
        expect(new Set(i.entities).size, context).toBe(i.entities.length)
        expect(i.count, context).toBe(i.entities.length)
      }
      // A skipped entity's dependants are skipped too.
      const skippedIds = new Set(plan.decisions.filter((d) => d.action === "skip").map((d) => d.id))
      for (const e of snap.entities)
        if (e._tag === "Mailbox" && skippedIds.has(`maildomain:${e.domain}`)) expect(skippedIds.has(e.id), context).toBe(true)
      expect(plan.blocked, context).toBe(plan.issues.some((i) => i.blocking))
      for (const i of plan.issues) seen.add(i.code)
    }
    // The random cases reach most checks, so the invariant is tested where it matters.
    expect(seen.size).toBeGreaterThanOrEqual(20)
  })

  it("the built-in checks have stable, unique ids in the documented order", () => {
    expect(builtinChecks.map((c) => c.id)).toEqual([
      "select-users",
      "restriction",
      "reserved-names",
      "web-server",
      "mysql-server",
      "postgresql-server",
      "ftp-server",
      "dns-server",
      "mail-server",
      "existing-user",
      "other-owner",
      "new-owner",
      "limits",
      "permissions",
      "php-mode",
      "php-version",
      "mysql-version",
      "python-version",
      "nodejs",
      "ip-mapping",
      "password-schemes",
      "mail-forward-targets",
      "disk-space",
    ])
  })
})
