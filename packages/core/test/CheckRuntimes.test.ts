import { describe, expect, it } from "vitest"
import { account, action, database, decision, domain, issue, issues, run, site, snapshot, without } from "./support/Entities.ts"
import { fullProfile, noPostgresProfile } from "./support/Profiles.ts"

const sites = (...specs: ReadonlyArray<[string, Parameters<typeof site>[2]]>) =>
  snapshot([
    account("jack"),
    ...specs.flatMap(([name, over]) => [domain(name, "jack", { site: `site:${name}` }), site(name, "jack", over)]),
  ])

describe("php-mode", () => {
  const snap = sites(
    ["a.example", { php: { enabled: true, version: "8.2", mode: "module" } }],
    ["b.example", { php: { enabled: true, mode: "fpm" } }],
  )

  it("a mode the target lacks becomes its default mode (warning)", () => {
    const plan = run(snap)
    expect(issue(plan, "php-mode-not-found")).toMatchObject({
      severity: "warning",
      title: "PHP mode not found",
      resolution: "the sites will be imported with a different PHP mode: fpm",
      entities: ["site:a.example"],
    })
    expect(decision(plan, "site:a.example")).toMatchObject({
      action: "import-with-changes",
      changes: [{ field: "php.mode", from: "module", to: "fpm" }],
    })
    expect(action(plan, "site:b.example")).toBe("import")
  })

  it("removing the check keeps the mode", () => {
    expect(action(run(snap, { checks: without("php-mode") }), "site:a.example")).toBe("import")
  })
})

describe("php-version", () => {
  const snap = sites(
    ["a.example", { php: { enabled: true, version: "8.1" } }],
    ["b.example", { php: { enabled: true, version: "7.4" } }],
    ["c.example", { php: { enabled: true } }],
    ["d.example", { php: { enabled: false, version: "5.6" } }],
  )

  it("PHP 8.1 on a server with 8.2 and 8.3 only: the next newer version within the major release, 8.2", () => {
    const plan = run(snap, { capabilities: noPostgresProfile })
    const [eightOne, sevenFour] = issues(plan, "php-version-not-found")
    expect(eightOne).toMatchObject({
      severity: "warning",
      title: "PHP 8.1 not found",
      resolution: "the sites will be imported with a newer PHP version within the same major release: PHP 8.2",
      entities: ["site:a.example"],
    })
    expect(decision(plan, "site:a.example").changes).toEqual([{ field: "php.version", from: "8.1", to: "8.2" }])
    // No newer 7.x: the default version.
    expect(sevenFour).toMatchObject({
      title: "PHP 7.4 not found",
      resolution: "the sites will be imported with the default version, PHP 8.3 (no newer 7.x version is installed)",
    })
    expect(decision(plan, "site:b.example").changes).toEqual([{ field: "php.version", from: "7.4", to: "8.3" }])
    // No version stated, or PHP off: nothing to report.
    expect(action(plan, "site:c.example")).toBe("import")
    expect(action(plan, "site:d.example")).toBe("import")
  })

  it("installed versions raise nothing; no PHP at all imports the sites without PHP", () => {
    expect(issues(run(snap), "php-version-not-found")).toEqual([])
    const none = run(snap, { capabilities: { ...fullProfile, php: { versions: [], modes: [] } } })
    expect(issues(none, "php-version-not-found").map((i) => i.title)).toEqual(["PHP 8.1 not found", "PHP 7.4 not found", "PHP not found"])
    expect(decision(none, "site:c.example").changes).toEqual([{ field: "php", from: "default", to: "none" }])
  })

  it("removing the check keeps PHP 8.1", () => {
    expect(action(run(snap, { capabilities: noPostgresProfile, checks: without("php-version") }), "site:a.example")).toBe("import")
  })
})

describe("mysql-version", () => {
  const snap = snapshot([
    account("jack"),
    database("old", "jack", { sourceServerVersion: "10.0.27-MariaDB-cll-lve" }),
    database("same", "jack", { sourceServerVersion: "10.11.2-MariaDB" }),
    database("mysql8", "jack", { sourceServerVersion: "8.0.30" }),
    database("remote", "jack", { sourceServer: "db1.example.net" }),
    database("pg", "jack", { engine: "postgresql", sourceServerVersion: "13.4" }),
  ])

  it("X.X MySQL database server not found: the default server, named in the plan", () => {
    const plan = run(snap)
    expect(issue(plan, "mysql-version-not-found")).toMatchObject({
      severity: "warning",
      title: "10.0 MySQL database server not found",
      resolution: "the MySQL databases will be imported to the default database server, mariadb-main (mariadb 10.11.6)",
      entities: ["database:mysql:old"],
    })
    expect(decision(plan, "database:mysql:old").changes).toEqual([{ field: "server", from: "mariadb-10.0", to: "mariadb-main" }])
    expect(action(plan, "database:mysql:same")).toBe("import")
    // A server of the same version that is not the default is chosen.
    expect(decision(plan, "database:mysql:mysql8").changes).toEqual([{ field: "server", from: "mysql-8.0", to: "mysql-80" }])
    // Version unknown, two servers: the default, with a warning.
    expect(issue(plan, "db-server-unmapped")).toMatchObject({
      title: "Database servers without a mapping",
      entities: ["database:mysql:remote"],
    })
    expect(decision(plan, "database:mysql:remote").changes).toEqual([{ field: "server", from: "db1.example.net", to: "mariadb-main" }])
    expect(action(plan, "database:postgresql:pg")).toBe("import")
  })

  it("the database-server map wins; a map to an unknown server blocks", () => {
    const mapped = run(snap, { options: { dbMap: { "db1.example.net": "mysql-80", "mariadb-10.0": "mysql-80" } } })
    expect(decision(mapped, "database:mysql:remote").changes).toEqual([{ field: "server", from: "db1.example.net", to: "mysql-80" }])
    expect(decision(mapped, "database:mysql:old").changes).toEqual([{ field: "server", from: "mariadb-10.0", to: "mysql-80" }])
    expect(issues(mapped, "mysql-version-not-found")).toEqual([])
    expect(mapped.blocked).toBe(false)

    const unknown = run(snap, { options: { dbMap: { "db1.example.net": "galera" } } })
    expect(issue(unknown, "db-map-unknown-server")).toMatchObject({ blocking: true, severity: "critical" })
    expect(unknown.blocked).toBe(true)
    const wrongEngine = run(snap, { options: { dbMap: { "db1.example.net": "pg15" } } })
    expect(issue(wrongEngine, "db-map-wrong-engine").blocking).toBe(true)
  })

  it("removing the check leaves the server unnamed", () => {
    expect(action(run(snap, { checks: without("mysql-version") }), "database:mysql:old")).toBe("import")
  })
})

describe("python-version", () => {
  const snap = sites(["py.example", { python: { version: "3.8" } }], ["ok.example", { python: { version: "3.11.4" } }])

  it("Python X.X not found: the default version", () => {
    const plan = run(snap)
    expect(issue(plan, "python-version-not-found")).toMatchObject({
      severity: "warning",
      title: "Python 3.8 not found",
      resolution: "the sites using this version of Python will be imported with the default Python version, 3.11",
      entities: ["site:py.example"],
    })
    expect(decision(plan, "site:py.example").changes).toEqual([{ field: "python.version", from: "3.8", to: "3.11" }])
    expect(action(plan, "site:ok.example")).toBe("import")
  })

  it("no Python at all: without a handler", () => {
    const plan = run(snap, { capabilities: noPostgresProfile })
    expect(issues(plan, "python-version-not-found").map((i) => i.resolution)).toEqual([
      "the sites using Python will be imported without a handler (Python is missing)",
      "the sites using Python will be imported without a handler (Python is missing)",
    ])
    expect(decision(plan, "site:ok.example").changes).toEqual([{ field: "python", from: "3.11.4", to: "none" }])
  })

  it("removing the check keeps Python 3.8", () => {
    expect(action(run(snap, { checks: without("python-version") }), "site:py.example")).toBe("import")
  })
})

describe("nodejs", () => {
  const snap = sites(["node.example", { nodejs: { version: "18.19.0" } }], ["plain.example", {}])

  it("Node.js not found: the sites using it are imported without a handler", () => {
    const plan = run(snap, { capabilities: noPostgresProfile })
    expect(issue(plan, "nodejs-not-found")).toMatchObject({
      severity: "warning",
      title: "Node.js not found",
      resolution: "the sites using this handler will be imported without a handler",
      entities: ["site:node.example"],
    })
    expect(decision(plan, "site:node.example").changes).toEqual([{ field: "nodejs", from: "18.19.0", to: "none" }])
    expect(action(plan, "site:plain.example")).toBe("import")
  })

  it("another Node.js version installed: the default one", () => {
    const plan = run(snap)
    expect(issue(plan, "nodejs-version-not-found").title).toBe("Node.js 18 not found")
    expect(decision(plan, "site:node.example").changes).toEqual([{ field: "nodejs.version", from: "18.19.0", to: "20" }])
  })

  it("removing the check keeps the handler", () => {
    expect(action(run(snap, { capabilities: noPostgresProfile, checks: without("nodejs") }), "site:node.example")).toBe("import")
  })
})
