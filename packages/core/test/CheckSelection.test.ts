import { describe, expect, it } from "vitest"
import {
  account,
  action,
  certificate,
  csr,
  database,
  databaseUser,
  decision,
  domain,
  forwarder,
  ftpUser,
  hostingAccount,
  issue,
  issues,
  mailbox,
  mailDomain,
  mailingList,
  run,
  site,
  skipped,
  snapshot,
  without,
} from "./support/Entities.ts"
import { fullProfile, panelInventory } from "./support/Profiles.ts"

describe("select-users", () => {
  const snap = snapshot([...hostingAccount("jack", "jack.example"), ...hostingAccount("jill", "jill.example")])

  it("skips accounts that are not selected, with everything they own", () => {
    const plan = run(snap, { options: { users: ["jack"] } })
    const found = issue(plan, "not-selected")
    expect(found).toMatchObject({ severity: "critical", title: "Not selected", entities: ["account:jill"], blocking: false })
    expect(found.resolution).toBe("not imported, with everything these accounts own")
    for (const id of ["domain:jill.example", "site:jill.example", "mailbox:info@jill.example", "database:mysql:jill_wp", "cron:jill:1"])
      expect(decision(plan, id)).toMatchObject({ action: "skip", findings: ["dependency-skipped"] })
    expect(action(plan, "account:jack")).toBe("import")
    expect(action(plan, "mailbox:info@jack.example")).toBe("import")
  })

  it("a login the backup does not have blocks the import", () => {
    const plan = run(snap, { options: { users: ["jack", "jonny"] } })
    expect(issue(plan, "selected-user-missing")).toMatchObject({ blocking: true, count: 0 })
    expect(issue(plan, "selected-user-missing").message).toContain("jonny")
    expect(plan.blocked).toBe(true)
  })

  it("a client picked out of a reseller keeps its data; the reseller's own data stays out", () => {
    const reseller = [account("resl", { kind: "reseller" }), domain("resl.example", "resl"), site("resl.example", "resl")]
    const client = hostingAccount("kim", "kim.example", { owner: "account:resl" })
    const plan = run(snapshot([...reseller, ...client]), { options: { users: ["kim"] }, inventory: panelInventory })
    expect(action(plan, "account:resl")).toBe("skip")
    expect(action(plan, "domain:resl.example")).toBe("skip")
    expect(action(plan, "site:resl.example")).toBe("skip")
    expect(action(plan, "mailbox:info@kim.example")).toBe("import")
    // Its owner is not imported: the target's administrator receives it.
    expect(decision(plan, "account:kim").changes).toEqual([{ field: "owner", from: "resl", to: "admin" }])
  })

  it("removing the check imports every account", () => {
    const plan = run(snap, { options: { users: ["jack"] }, checks: without("select-users") })
    expect(action(plan, "account:jill")).toBe("import")
    expect(issues(plan, "not-selected")).toEqual([])
  })
})

describe("restriction", () => {
  const entities = [
    ...hostingAccount("jack", "jack.example"),
    domain("blog.jack.example", "jack", { kind: "subdomain", parent: "domain:jack.example" }),
    site("blog.jack.example", "jack"),
    domain("lists.jack.example", "jack", { kind: "subdomain", parent: "domain:jack.example" }),
    mailDomain("lists.jack.example", "jack"),
    domain("jack.test", "jack", { kind: "alias", parent: "domain:jack.example" }),
    forwarder("sales@jack.example", "jack", [{ kind: "address", value: "info@jack.example" }]),
    mailingList("news", "jack.example", "jack"),
    database("jack_pg", "jack", { engine: "postgresql" }),
    certificate("jack.example", "jack"),
    certificate("old.jack.example", "jack"),
    csr("jack.example", "jack"),
  ]
  const withCert = entities.map((e) =>
    e.id === "site:jack.example" && e._tag === "Site" ? { ...e, ssl: { enabled: true, certificate: "ssl:jack.example" } } : e,
  )
  const snap = snapshot(withCert)

  it('"only mail" keeps mail configuration, mail accounts and mailing lists; the account and its domains', () => {
    const plan = run(snap, { options: { only: "mail" } })
    const found = issue(plan, "outside-restriction")
    expect(found.severity).toBe("critical")
    expect(found.title).toBe('Outside the "only mail" restriction')
    expect(found.resolution).toBe(
      "not imported: only mail settings and content are migrated: domain-level mail configuration including domain keys, mail accounts and mailing lists",
    )
    expect([...found.entities].sort()).toEqual(
      [
        "site:jack.example",
        "database:mysql:jack_wp",
        "dbuser:mysql:jack_wp",
        "dnszone:jack.example",
        "ftpuser:upload@jack.example",
        "cron:jack:1",
        "domain:blog.jack.example",
        "site:blog.jack.example",
        "database:postgresql:jack_pg",
        "ssl:jack.example",
        "ssl:old.jack.example",
        "csr:jack.example",
      ].sort(),
    )
    for (const id of [
      "account:jack",
      "domain:jack.example",
      "domain:jack.test",
      "maildomain:jack.example",
      "mailbox:info@jack.example",
      "forwarder:sales@jack.example",
      "mailinglist:news@jack.example",
      // a subdomain that holds a mail domain is kept to hold it
      "domain:lists.jack.example",
      "maildomain:lists.jack.example",
    ])
      expect(action(plan, id)).not.toBe("skip")
  })

  it('"only hosting" keeps sites, databases, subdomains and the certificate a site serves', () => {
    const plan = run(snap, { options: { only: "hosting" } })
    const found = issue(plan, "outside-restriction")
    expect(found.resolution).toBe(
      "not imported: only web hosting data is migrated: web site content and hosting configuration, installed site applications, databases and subdomains",
    )
    expect([...found.entities].sort()).toEqual(
      [
        "maildomain:jack.example",
        "mailbox:info@jack.example",
        "dnszone:jack.example",
        "ftpuser:upload@jack.example",
        "cron:jack:1",
        "maildomain:lists.jack.example",
        "forwarder:sales@jack.example",
        "mailinglist:news@jack.example",
        "ssl:old.jack.example",
        "csr:jack.example",
      ].sort(),
    )
    for (const id of [
      "site:jack.example",
      "site:blog.jack.example",
      "domain:blog.jack.example",
      "domain:lists.jack.example",
      "database:mysql:jack_wp",
      "dbuser:mysql:jack_wp",
      "database:postgresql:jack_pg",
      "ssl:jack.example",
    ])
      expect(action(plan, id)).not.toBe("skip")
  })

  it("removing the check imports everything", () => {
    const plan = run(snap, { options: { only: "mail" }, checks: without("restriction") })
    expect(action(plan, "site:jack.example")).not.toBe("skip")
    expect(action(plan, "dnszone:jack.example")).toBe("import")
  })
})

describe("reserved-names", () => {
  it("reserved logins and service subdomains are skipped, never renamed", () => {
    const snap = snapshot([
      ...hostingAccount("root", "root.example"),
      ...hostingAccount("jack", "jack.example"),
      domain("webmail.jack.example", "jack", { kind: "subdomain", parent: "domain:jack.example" }),
      domain("cpcontacts.jack.example", "jack", { kind: "subdomain", parent: "domain:jack.example" }),
      domain("shop.jack.example", "jack", { kind: "subdomain", parent: "domain:jack.example" }),
    ])
    const plan = run(snap)
    const reserved = issues(plan, "reserved-name")
    expect(reserved.flatMap((i) => i.entities)).toEqual(["account:root", "domain:webmail.jack.example", "domain:cpcontacts.jack.example"])
    expect(reserved[0]?.message).toBe("the login root is reserved for the system or the panel on the target")
    expect(reserved[1]?.message).toContain("collides with the webmail. service name")
    expect(reserved.every((i) => i.severity === "critical" && i.resolution.startsWith("not imported"))).toBe(true)
    expect(action(plan, "mailbox:info@root.example")).toBe("skip")
    expect(action(plan, "domain:shop.jack.example")).toBe("import")
    // Never renamed: no decision carries a changed name.
    expect(plan.decisions.flatMap((d) => d.changes).filter((c) => c.field === "name" || c.field === "login")).toEqual([])
  })

  it("the same login or domain twice in one snapshot skips all copies", () => {
    const snap = snapshot([
      account("jack"),
      account("Jack", { id: "account:Jack" }),
      domain("dup.example", "jack"),
      domain("DUP.example", "jack", { id: "domain:DUP.example" }),
    ])
    const plan = run(snap)
    const dups = issues(plan, "duplicate-name")
    expect(dups.map((d) => d.entities)).toEqual([
      ["account:jack", "account:Jack"],
      ["domain:dup.example", "domain:DUP.example"],
    ])
    expect(dups[0]?.resolution).toContain("never renames")
    expect(skipped(plan).sort()).toEqual(["account:Jack", "account:jack", "domain:DUP.example", "domain:dup.example"].sort())
  })

  it("identifiers outside the allow-lists are refused with a reason per entity", () => {
    const snap = snapshot([
      account("jack"),
      account("Bad;User", { id: "account:bad" }),
      domain("jack.example", "jack"),
      domain("bad_domain.example", "jack", { kind: "addon" }),
      mailDomain("jack.example", "jack"),
      mailbox("ok.name+tag@jack.example", "jack"),
      mailbox("x|id@jack.example", "jack"),
      database("jack-wp", "jack"),
      database("jack_ok", "jack"),
      databaseUser("u".repeat(33), "jack"),
      databaseUser("p".repeat(64), "jack", { engine: "postgresql" }),
      ftpUser("-rf@jack.example", "jack"),
    ])
    const plan = run(snap)
    const refused = issues(plan, "invalid-name")
    expect(refused.map((i) => i.entities[0])).toEqual([
      "account:bad",
      "domain:bad_domain.example",
      "mailbox:x|id@jack.example",
      "database:mysql:jack-wp",
      `dbuser:mysql:${"u".repeat(33)}`,
      `dbuser:postgresql:${"p".repeat(64)}`,
      "ftpuser:-rf@jack.example",
    ])
    expect(refused[0]?.message).toContain("a system user name must be")
    expect(refused[2]?.message).toContain("a mailbox name may hold only")
    expect(refused[4]?.message).toContain("longer than 32 characters (33)")
    expect(refused[5]?.message).toContain("longer than 63 characters (64)")
    expect(action(plan, "mailbox:ok.name+tag@jack.example")).toBe("import")
    expect(action(plan, "database:mysql:jack_ok")).not.toBe("skip")
  })

  it("MySQL user names follow the target: 80 characters on a MariaDB-only server", () => {
    const snap = snapshot([account("jack"), databaseUser("u".repeat(33), "jack")])
    const mariadbOnly = { ...fullProfile, mysql: fullProfile.mysql.filter((s) => s.engine === "mariadb") }
    expect(action(run(snap, { capabilities: mariadbOnly }), `dbuser:mysql:${"u".repeat(33)}`)).toBe("import")
    expect(action(run(snap), `dbuser:mysql:${"u".repeat(33)}`)).toBe("skip")
  })

  it("removing the check lets reserved names through", () => {
    const plan = run(snapshot(hostingAccount("root", "root.example")), { checks: without("reserved-names") })
    expect(action(plan, "account:root")).toBe("import")
  })
})
