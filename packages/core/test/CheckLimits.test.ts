import { describe, expect, it } from "vitest"
import {
  account,
  action,
  content,
  decision,
  domain,
  ftpUser,
  hostingAccount,
  issue,
  issues,
  mailbox,
  mailDomain,
  run,
  site,
  skipped,
  snapshot,
  without,
} from "./support/Entities.ts"
import { panelInventory } from "./support/Profiles.ts"

const inventory = panelInventory
const GiB = 1024 ** 3

describe("limits", () => {
  it("a new account is created with its own limits: entities beyond them, in snapshot order, stay out", () => {
    const snap = snapshot([
      account("jack", { limits: { mailboxes: 1, databases: null, ftpUsers: 0 } }),
      domain("jack.example", "jack"),
      mailDomain("jack.example", "jack"),
      mailbox("a@jack.example", "jack"),
      mailbox("b@jack.example", "jack"),
      ftpUser("up@jack.example", "jack"),
    ])
    const plan = run(snap, { inventory })
    const found = issues(plan, "limit-exceeded")
    expect(found.map((f) => f.entities)).toEqual([["mailbox:b@jack.example"], ["ftpuser:up@jack.example"]])
    expect(found[0]).toMatchObject({
      severity: "critical",
      title: "The user's limit exceeded",
      message: "jack may have 1 mailboxes; over the limit: b@jack.example",
      resolution: "entities that exceed the limit will not be imported",
    })
    expect(decision(plan, "mailbox:b@jack.example")).toMatchObject({ action: "skip", findings: ["limit-exceeded"] })
    expect(action(plan, "mailbox:a@jack.example")).toBe("import")
  })

  it("replacing an existing account counts what it already has; a name it has is replaced, not added", () => {
    // carol on the target: domains 2 (has carol.example), mailboxes 2 (has info@carol.example).
    const snap = snapshot([
      account("carol"),
      domain("carol.example", "carol"),
      domain("new1.example", "carol", { kind: "addon" }),
      domain("new2.example", "carol", { kind: "addon" }),
      mailDomain("carol.example", "carol"),
      mailbox("info@carol.example", "carol"),
      mailbox("a@carol.example", "carol"),
      mailbox("b@carol.example", "carol"),
    ])
    const plan = run(snap, { inventory, options: { existing: "replace" } })
    const found = issues(plan, "limit-exceeded")
    expect(found.map((f) => [f.message, f.entities])).toEqual([
      ["carol may have 2 domains and already has 1 on the receiving server; over the limit: new2.example", ["domain:new2.example"]],
      [
        "carol may have 2 mailboxes and already has 1 on the receiving server; over the limit: b@carol.example",
        ["mailbox:b@carol.example"],
      ],
    ])
    expect(action(plan, "mailbox:info@carol.example")).not.toBe("skip")
    expect(action(plan, "domain:new1.example")).not.toBe("skip")
  })

  it("the reseller above binds its clients together (clients, domains)", () => {
    // resell may have 2 clients (has carol) and 3 domains (carol has 1).
    const snap = snapshot([
      ...hostingAccount("jack", "jack.example"),
      ...hostingAccount("jill", "jill.example"),
      domain("jack.net", "jack", { kind: "addon" }),
      domain("jack.org", "jack", { kind: "addon" }),
    ])
    const plan = run(snap, { inventory, options: { owner: "resell" } })
    const found = issues(plan, "limit-exceeded")
    expect(found.map((f) => [f.message, f.entities])).toEqual([
      ["resell may have 2 clients and already has 1 on the receiving server; over the limit: jill", ["account:jill"]],
      ["resell may have 3 domains and already has 1 on the receiving server; over the limit: jack.org", ["domain:jack.org"]],
    ])
    expect(action(plan, "mailbox:info@jill.example")).toBe("skip")
    expect(action(plan, "domain:jack.net")).not.toBe("skip")
  })

  it("a domain left out no longer counts its mailboxes", () => {
    const snap = snapshot([
      account("jack", { limits: { domains: 1, mailboxes: 1 } }),
      domain("jack.example", "jack"),
      domain("extra.example", "jack", { kind: "addon" }),
      mailDomain("extra.example", "jack"),
      mailDomain("jack.example", "jack"),
      mailbox("info@extra.example", "jack"),
      mailbox("info@jack.example", "jack"),
    ])
    const plan = run(snap, { inventory })
    expect(issue(plan, "limit-exceeded").entities).toEqual(["domain:extra.example"])
    expect(action(plan, "mailbox:info@jack.example")).toBe("import")
    expect(decision(plan, "mailbox:info@extra.example").findings).toEqual(["dependency-skipped"])
  })

  it("disk quota and mailbox quota: warnings, nothing left out", () => {
    const snap = snapshot(
      [
        account("jack", { limits: { diskBytes: 1000, mailboxQuotaBytes: GiB } }),
        domain("jack.example", "jack", { site: "site:jack.example" }),
        site("jack.example", "jack", { content: "content:web:jack.example" }),
        mailDomain("jack.example", "jack"),
        mailbox("info@jack.example", "jack", { content: "content:mail:info@jack.example", quotaBytes: null }),
        mailbox("small@jack.example", "jack", { quotaBytes: 1024 }),
      ],
      [
        content("content:web:jack.example", "web", 4000),
        content("content:mail:info@jack.example", "mail", 1000),
        content("content:home:jack", "home", 500),
      ],
    )
    const plan = run(snap, { inventory })
    expect(issue(plan, "disk-quota-exceeded")).toMatchObject({ severity: "warning", count: 0 })
    expect(issue(plan, "disk-quota-exceeded").message).toBe("jack imports 5.4 KiB (5500 bytes) of content, over its disk quota of 1000 B")
    expect(decision(plan, "mailbox:info@jack.example").changes).toEqual([{ field: "quotaBytes", from: "unlimited", to: String(GiB) }])
    expect(action(plan, "mailbox:small@jack.example")).toBe("import")
    expect(skipped(plan)).toEqual([])
  })

  it("removing the check imports everything over the limits", () => {
    const snap = snapshot([account("jack", { limits: { ftpUsers: 0 } }), ftpUser("up@jack.example", "jack")])
    expect(action(run(snap, { inventory }), "ftpuser:up@jack.example")).toBe("skip")
    expect(action(run(snap, { inventory, checks: without("limits") }), "ftpuser:up@jack.example")).toBe("import")
  })
})

describe("permissions", () => {
  it("merged into a client without DNS and cron access: zones and cron jobs stay out", () => {
    // carol: manageDns false, manageCron false.
    const plan = run(snapshot(hostingAccount("zed", "zed.example")), { inventory, options: { owner: "carol" } })
    const found = issues(plan, "access-denied")
    expect(found.map((f) => [f.message, f.entities])).toEqual([
      ["the receiving user has no access to DNS management (manageDns): zed.example", ["dnszone:zed.example"]],
      ["the receiving user has no access to cron jobs (manageCron): */5 * * * * php cron.php", ["cron:zed:1"]],
    ])
    expect(found[0]).toMatchObject({
      severity: "critical",
      title: "The user has limited access to functions",
      resolution: "entities and settings that are missing the required access will not be imported",
    })
    expect(action(plan, "mailbox:info@zed.example")).not.toBe("skip")
  })

  it("the source account's own permissions travel with it; a mail domain takes its mail along", () => {
    const snap = snapshot([
      ...hostingAccount("jack", "jack.example", { permissions: { manageMail: false, manageSubdomains: false, manageWebUsers: false } }),
      domain("blog.jack.example", "jack", { kind: "subdomain", parent: "domain:jack.example" }),
      domain("jack.net", "jack", { kind: "alias", parent: "domain:jack.example" }),
      site("protected.jack.example", "jack", {
        domain: "domain:jack.example",
        webUsers: [{ login: "editor" }],
        protectedDirectories: [{ path: "admin", users: [{ login: "boss" }] }],
      }),
    ])
    const plan = run(snap, { inventory })
    const found = issues(plan, "access-denied")
    expect(found.map((f) => f.entities)).toEqual([["domain:blog.jack.example"], ["maildomain:jack.example"]])
    expect(decision(plan, "mailbox:info@jack.example").findings).toEqual(["dependency-skipped"])
    expect(action(plan, "domain:jack.net")).not.toBe("skip")
    expect(issue(plan, "access-denied-settings").severity).toBe("warning")
    expect(decision(plan, "site:protected.jack.example").changes).toEqual([{ field: "webUsers", from: "2", to: "0" }])
  })

  it("removing the check imports them", () => {
    const plan = run(snapshot(hostingAccount("zed", "zed.example")), {
      inventory,
      options: { owner: "carol" },
      checks: without("permissions"),
    })
    expect(action(plan, "dnszone:zed.example")).not.toBe("skip")
    expect(action(plan, "cron:zed:1")).not.toBe("skip")
  })
})
