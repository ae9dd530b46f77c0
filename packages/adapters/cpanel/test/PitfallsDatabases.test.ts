import { Redacted } from "effect"
import { describe, expect, it } from "vitest"
import { content, entity, fixtureTree, ids, illini, inspectTree, minimalAccount, notes, uniprev } from "./Support.ts"

const create = (db: string, options = "DEFAULT CHARACTER SET latin1", withCreate = true) =>
  [
    "-- MySQL dump 10.19  Distrib 10.6.12-MariaDB, for Linux (x86_64)",
    "--",
    `-- Host: localhost    Database: ${db}`,
    "-- ------------------------------------------------------",
    "-- Server version\t8.0.36",
    "",
    ...(withCreate ? [`CREATE DATABASE /*!32312 IF NOT EXISTS*/ \`${db}\` /*!40100 ${options} */;`, "", `USE \`${db}\`;`] : []),
    "",
  ].join("\n")

const grants = (
  user: string,
  host: string,
  db: string,
  privileges = "ALL PRIVILEGES",
  hash = "*0123456789ABCDEF0123456789ABCDEF01234567",
) =>
  `GRANT USAGE ON *.* TO '${user}'@'${host}' IDENTIFIED BY PASSWORD '${hash}';\nGRANT ${privileges} ON \`${db.replace(/_/g, "\\_")}\`.* TO '${user}'@'${host}';\n`

describe("cPanel pitfalls 14–19 (§8): dumps, grants, hosts, roundcube, DNS", () => {
  it("pitfall 14: dumps are never read or rewritten here; MySQL 8 collations are kept as the source had them", async () => {
    const dump = "/*!999999\\- enable the sandbox mode */ \nCREATE DEFINER=`root`@`localhost` PROCEDURE p() SELECT 1;\n"
    const tree = minimalAccount({
      "mysql/exuser_wp.create": create("exuser_wp", "DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_ai_ci"),
      "mysql/exuser_wp.sql": dump,
    })
    const { snapshot } = await inspectTree(tree)
    const db = entity(snapshot, "Database", "database:mysql:exuser_wp")
    expect(db).toMatchObject({
      charset: "utf8mb4",
      collation: "utf8mb4_0900_ai_ci",
      sourceServerVersion: "8.0.36",
      dump: "content:dump:mysql:exuser_wp",
      dumpFormat: "sql",
    })
    expect(content(snapshot, "content:dump:mysql:exuser_wp")).toMatchObject({
      kind: "database-dump",
      path: "cpmove-exuser/mysql/exuser_wp.sql",
      bytes: dump.length,
      files: 1,
    })
  })

  it("pitfall 15: .sql may precede .create, .create may lack CREATE DATABASE, either may be missing", async () => {
    const tree = minimalAccount({
      "mysql/exuser_a.sql": "INSERT INTO t VALUES (1);\n",
      "mysql/exuser_a.create": create("exuser_a"),
      "mysql/exuser_b.create": create("exuser_b", "", false),
      "mysql/exuser_c.sql": "SELECT 1;\n",
    })
    const { snapshot } = await inspectTree(tree)
    expect(ids(snapshot, "Database")).toEqual(["database:mysql:exuser_a", "database:mysql:exuser_b", "database:mysql:exuser_c"])
    expect(entity(snapshot, "Database", "database:mysql:exuser_a")).toMatchObject({
      charset: "latin1",
      dump: "content:dump:mysql:exuser_a",
    })
    expect(notes(snapshot, "database-create-empty").map((n) => n.subject)).toEqual(["database:mysql:exuser_b"])
    expect(notes(snapshot, "database-dump-missing").map((n) => n.subject)).toEqual(["database:mysql:exuser_b"])
    expect(notes(snapshot, "database-create-missing").map((n) => n.subject)).toEqual(["database:mysql:exuser_c"])
    expect(entity(snapshot, "Database", "database:mysql:exuser_c").dump).toBe("content:dump:mysql:exuser_c")
  })

  it("pitfall 16: MySQL 8 users keep their plugin and stored hash from mysql.sql-auth.json", async () => {
    const sha2 = Buffer.concat([
      Buffer.from("$A$005$"),
      Buffer.from([0x01, 0x02, 0xff, 0x10]),
      Buffer.from("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefg"),
    ])
    const tree = minimalAccount({
      "mysql/exuser_wp.create": create("exuser_wp"),
      "mysql.sql": `-- cPanel mysql backup\n${grants("exuser_wp", "localhost", "exuser_wp")}${grants("exuser_app", "localhost", "exuser_wp", "SELECT, INSERT", "*AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")}`,
      "mysql.sql-auth.json": JSON.stringify({
        exuser_wp: { localhost: { auth_plugin: "caching_sha2_password", pass_hash: sha2.toString("hex").toUpperCase() } },
        exuser_app: {
          localhost: {
            auth_plugin: "mysql_native_password",
            pass_hash: Buffer.from("*BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB").toString("hex"),
          },
        },
      }),
    })
    const { snapshot } = await inspectTree(tree)
    const wp = entity(snapshot, "DatabaseUser", "dbuser:mysql:exuser_wp")
    expect(wp.authPlugin).toBe("caching_sha2_password")
    expect(wp.passwordHash?.scheme).toBe("caching-sha2")
    expect(Redacted.value(wp.passwordHash!.value)).toBe(`0x${sha2.toString("hex")}`)
    const app = entity(snapshot, "DatabaseUser", "dbuser:mysql:exuser_app")
    expect(app.authPlugin).toBe("mysql_native_password")
    expect(Redacted.value(app.passwordHash!.value)).toBe("*BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB")
    expect(app.grants).toEqual([{ database: "exuser_wp", privileges: ["SELECT", "INSERT"] }])
    expect(JSON.stringify(snapshot)).not.toContain("BBBBBBBB")
  })

  it("pitfall 17: one user on many hosts is one user; source hosts and absent DBs are dropped", async () => {
    const real = await inspectTree(await fixtureTree(uniprev), "cpmove-uniprev")
    const user = entity(real.snapshot, "DatabaseUser", "dbuser:mysql:uniprev_user")
    expect(user.hosts).toHaveLength(17)
    expect(notes(real.snapshot, "mysql-grant-dropped").find((n) => n.subject === "dbuser:mysql:uniprev_user")?.message).toContain(
      "uniprev_bd",
    )

    const tree = minimalAccount({
      "meta/hostname": "server1.example.net",
      "mysql/exuser_a.create": create("exuser_a"),
      "mysql/exuser_b.create": create("exuser_b"),
      "mysql.sql": [
        "-- cPanel mysql backup",
        grants("exuser", "localhost", "exuser_a"),
        grants("exuser", "server1.example.net", "exuser_a"),
        grants("exuser_app", "localhost", "exuser_a"),
        grants("exuser_app", "%", "exuser_a", "SELECT"),
        grants("exuser_app", "localhost", "exuser_b"),
        grants("exuser_app", "localhost", "exuser_gone"),
      ].join(""),
      "mysql_host_notes.json": '{"203.0.113.7":"office"}',
    })
    const { snapshot } = await inspectTree(tree)
    const owner = entity(snapshot, "DatabaseUser", "dbuser:mysql:exuser")
    expect(owner.hosts).toEqual(["localhost"])
    expect(owner.grants).toEqual([{ database: "exuser_a", privileges: ["ALL PRIVILEGES"] }])
    expect(notes(snapshot, "mysql-account-user").map((n) => n.subject)).toEqual(["dbuser:mysql:exuser"])
    expect(notes(snapshot, "mysql-source-hosts")[0]?.message).toContain("server1.example.net")
    const app = entity(snapshot, "DatabaseUser", "dbuser:mysql:exuser_app")
    expect(app.hosts).toEqual(["localhost", "%"])
    expect(app.grants).toEqual([
      { database: "exuser_a", privileges: ["ALL PRIVILEGES"], host: "localhost" },
      { database: "exuser_a", privileges: ["SELECT"], host: "%" },
      { database: "exuser_b", privileges: ["ALL PRIVILEGES"], host: "localhost" },
    ])
    expect(notes(snapshot, "mysql-grant-dropped").find((n) => n.subject === "dbuser:mysql:exuser_app")?.message).toContain("exuser_gone")
    expect(notes(snapshot, "mysql-remote-hosts")[0]?.message).toContain("203.0.113.7 (office)")
  })

  it("pitfall 18: mysql.sql is data, never replayed; roundcube.sql is not a user database", async () => {
    const real = await inspectTree(await fixtureTree(illini), "cpmove-illiniwi")
    expect(notes(real.snapshot, "roundcube-data")[0]?.message).toContain("placeholder")
    const tree = minimalAccount({
      "mysql/roundcube.sql": `INSERT INTO users VALUES (1,'exuser');\n${"-- padding\n".repeat(1000)}`,
      "mysql.sql":
        "-- cPanel mysql backup\nDROP DATABASE mysql;\nGRANT ALL PRIVILEGES ON *.* TO 'exuser_x'@'localhost' WITH GRANT OPTION;\n",
    })
    const { snapshot } = await inspectTree(tree)
    expect(ids(snapshot, "Database")).toEqual([])
    expect(notes(snapshot, "roundcube-data")[0]?.message).toContain("not a user database")
    expect(notes(snapshot, "mysql-grant-line").length + notes(snapshot, "mysql-global-privileges").length).toBeGreaterThanOrEqual(2)
    for (const user of snapshot.entities.filter((e) => e._tag === "DatabaseUser")) expect(user.grants).toEqual([])
  })

  it("pitfall 19: zones keep MX and relative names; tabs, split TXT and validation records are handled", async () => {
    const real = await inspectTree(await fixtureTree(illini), "cpmove-illiniwi")
    const zone = entity(real.snapshot, "DnsZone", "dnszone:illiniwildcards.tk")
    expect(zone.records.find((r) => r.type === "MX")).toMatchObject({ priority: 0 })
    expect(zone.records.find((r) => r.name === "mail.illiniwildcards.tk")?.type).toBe("CNAME")
    const tree = minimalAccount({
      "dnszones/example.com.db": [
        "$TTL 14400",
        "@\t86400\tIN\tSOA\tns1.example.net. hostmaster.example.net. (",
        "\t\t2024010101 3600 1800 1209600 86400 )",
        "example.com.\tIN\tMX\t10\tmail.example.com.",
        "www\tIN\tCNAME\texample.com.",
        'default._domainkey IN TXT "v=DKIM1; k=rsa; p=AAAA" "BBBB"',
        '_acme-challenge IN TXT "token"',
        "broken IN A not-an-ip",
        "",
      ].join("\n"),
    })
    const { snapshot } = await inspectTree(tree)
    const synthetic = entity(snapshot, "DnsZone", "dnszone:example.com")
    expect(synthetic.soa?.serial).toBe(2024010101)
    expect(synthetic.records.find((r) => r.type === "MX")).toMatchObject({ name: "example.com", priority: 10 })
    expect(synthetic.records.find((r) => r.name === "www.example.com")?.type).toBe("CNAME")
    expect(notes(snapshot, "zone-validation-records")).toHaveLength(1)
    expect(notes(snapshot, "zone-record")).toHaveLength(1)
  })
})
