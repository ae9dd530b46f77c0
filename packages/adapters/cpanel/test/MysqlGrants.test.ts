import { readFileSync } from "node:fs"
import { join } from "node:path"
import { SafeParseError } from "@ferry/core"
import { realCpanelFixtures } from "@ferry/testing"
import { describe, expect, it } from "vitest"
import { parseMysqlCreate } from "../src/MysqlCreate.ts"
import { parseMysqlAuthJson, parseMysqlGrants } from "../src/MysqlGrants.ts"

const fixtures = realCpanelFixtures()
const readFixture = (...parts: Array<string>): string => readFileSync(join(fixtures, ...parts), "utf8")
const zeroHash = `*${"0".repeat(40)}`

const uniprevHosts = [
  "%",
  "172.31.18.167",
  "172.31.19.211",
  "172.31.31.0",
  "187.191.96.123",
  "187.33.4.225",
  "189.1.161.169",
  "189.1.168.26",
  "201.33.255.73",
  "52.2.72.168",
  "52.20.108.219",
  "52.205.187.117",
  "cpanel.linkway.net.br",
  "cpanel4.linkway.net.br",
  "cpanel6.linksan.com.br",
  "cpanel7.linksan.com.br",
  "cpanel8.linkway.net.br",
  "localhost",
]

const databasesOf = (grants: ReadonlyArray<{ readonly database: string }>): Array<string> => grants.map((g) => g.database).sort()

describe("parseMysqlGrants on real cPanel backups", () => {
  it("reads IlliniWildCards: three users on three hosts each", () => {
    const { users, problems } = parseMysqlGrants(readFixture("JackDeDobb__IlliniWildCards", "mysql.sql.redacted"))
    expect(problems).toEqual([])
    expect(users.map((u) => `${u.user}@${u.host}`)).toEqual([
      "illiniwi@72.29.127.28",
      "illiniwi@dal107.hawkhost.com",
      "illiniwi@localhost",
      "illiniwi_Squad17@72.29.127.28",
      "illiniwi_Squad17@dal107.hawkhost.com",
      "illiniwi_Squad17@localhost",
      "illiniwi_votepage@72.29.127.28",
      "illiniwi_votepage@dal107.hawkhost.com",
      "illiniwi_votepage@localhost",
    ])
    expect(users[0]).toEqual({
      user: "illiniwi",
      host: "72.29.127.28",
      hash: zeroHash,
      globalPrivileges: [],
      grants: [
        { database: "illiniwi_votepage", privileges: ["ALL PRIVILEGES"] },
        { database: "illiniwi_submissions", privileges: ["ALL PRIVILEGES"] },
      ],
    })
    expect(users[5]).toEqual({
      user: "illiniwi_Squad17",
      host: "localhost",
      hash: zeroHash,
      globalPrivileges: [],
      grants: [{ database: "illiniwi_submissions", privileges: ["ALL PRIVILEGES"] }],
    })
    for (const u of users.filter((x) => x.user === "illiniwi_votepage")) {
      expect(u.grants).toEqual([{ database: "illiniwi_votepage", privileges: ["ALL PRIVILEGES"] }])
    }
  })

  it("reads uniprev: four users (one mixed-case) on 18 hosts, cptmpdb grants on four of them", () => {
    const { users, problems } = parseMysqlGrants(readFixture("ragnermoura__uniprev", "mysql.sql.redacted"))
    expect(problems).toEqual([])
    expect(users).toHaveLength(72)
    const byUser = new Map<string, Array<(typeof users)[number]>>()
    for (const u of users) byUser.set(u.user, [...(byUser.get(u.user) ?? []), u])
    expect([...byUser.keys()]).toEqual(["uniprev", "uniprev_ARKUS", "uniprev_div", "uniprev_user"])
    for (const list of byUser.values()) {
      expect(list.map((u) => u.host).sort()).toEqual([...uniprevHosts].sort())
      for (const u of list) {
        expect(u.hash).toBe(zeroHash)
        expect(u.globalPrivileges).toEqual([])
        for (const g of u.grants) expect(g.privileges).toEqual(["ALL PRIVILEGES"])
      }
    }
    const owner = byUser.get("uniprev") ?? []
    const withTemp = owner.filter((u) => u.grants.some((g) => g.database === "cptmpdb_uniprev_qczvTDo3rkS5gK6B"))
    expect(withTemp.map((u) => u.host)).toEqual(["172.31.18.167", "52.20.108.219", "cpanel7.linksan.com.br", "localhost"])
    expect(databasesOf(owner.find((u) => u.host === "localhost")?.grants ?? [])).toEqual([
      "cptmpdb_uniprev_qczvTDo3rkS5gK6B",
      "uniprev_2016",
      "uniprev_bd",
      "uniprev_blog",
      "uniprev_funeraria",
      "uniprev_lab",
    ])
    expect(databasesOf(owner.find((u) => u.host === "%")?.grants ?? [])).toEqual([
      "uniprev_2016",
      "uniprev_bd",
      "uniprev_blog",
      "uniprev_funeraria",
      "uniprev_lab",
    ])
    for (const u of byUser.get("uniprev_ARKUS") ?? []) {
      expect(databasesOf(u.grants)).toEqual(["uniprev_2016", "uniprev_bd", "uniprev_blog", "uniprev_funeraria", "uniprev_lab"])
    }
    for (const u of byUser.get("uniprev_div") ?? [])
      expect(u.grants).toEqual([{ database: "uniprev_2016", privileges: ["ALL PRIVILEGES"] }])
    for (const u of byUser.get("uniprev_user") ?? []) {
      expect(databasesOf(u.grants)).toEqual(["uniprev_bd", "uniprev_funeraria", "uniprev_lab"])
    }
  })
})

describe("parseMysqlGrants grammar", () => {
  it("reads privilege lists, WITH GRANT OPTION and merges lines of the same user@host", () => {
    const sql = [
      "-- cPanel mysql backup",
      "GRANT USAGE ON *.* TO 'ex_shop'@'%' IDENTIFIED BY PASSWORD '*2A3841BC0D5F6E7A8B9C0D1E2F3A4B5C6D7E8F90';",
      "GRANT SELECT, INSERT, UPDATE, DELETE ON `ex\\_shop`.* TO 'ex_shop'@'%';",
      "grant select, create temporary tables, lock tables, show view on `ex\\_shop`.* to 'ex_shop'@'%';",
      "GRANT ALL ON `ex\\_blog`.* TO 'ex_shop'@'%' WITH GRANT OPTION;",
      "GRANT ALL PRIVILEGES ON ex_plain.* TO ex_shop@localhost;",
      "",
      "# a comment",
    ].join("\n")
    const { users, problems } = parseMysqlGrants(sql)
    expect(users).toEqual([
      {
        user: "ex_shop",
        host: "%",
        hash: "*2A3841BC0D5F6E7A8B9C0D1E2F3A4B5C6D7E8F90",
        globalPrivileges: [],
        grants: [
          {
            database: "ex_shop",
            privileges: ["SELECT", "INSERT", "UPDATE", "DELETE", "CREATE TEMPORARY TABLES", "LOCK TABLES", "SHOW VIEW"],
          },
          { database: "ex_blog", privileges: ["ALL PRIVILEGES", "GRANT OPTION"] },
        ],
      },
      {
        user: "ex_shop",
        host: "localhost",
        globalPrivileges: [],
        grants: [{ database: "ex_plain", privileges: ["ALL PRIVILEGES"], wildcard: true }],
      },
    ])
    expect(problems).toEqual([])
  })

  it("keeps wildcard patterns as written and flags them", () => {
    const { users, problems } = parseMysqlGrants("GRANT ALL PRIVILEGES ON `ex\\_%`.* TO 'ex'@'localhost';\n")
    expect(users[0]?.grants).toEqual([{ database: "ex\\_%", privileges: ["ALL PRIVILEGES"], wildcard: true }])
    expect(problems).toEqual([])
  })

  it("compares hosts case-insensitively, users case-sensitively", () => {
    const sql = [
      "GRANT ALL PRIVILEGES ON `a\\_one`.* TO 'ex_A'@'LocalHost';",
      "GRANT ALL PRIVILEGES ON `a\\_two`.* TO 'ex_A'@'localhost';",
      "GRANT ALL PRIVILEGES ON `a\\_two`.* TO 'ex_a'@'localhost';",
    ].join("\n")
    const { users } = parseMysqlGrants(sql)
    expect(users.map((u) => [u.user, u.host, databasesOf(u.grants)])).toEqual([
      ["ex_A", "LocalHost", ["a_one", "a_two"]],
      ["ex_a", "localhost", ["a_two"]],
    ])
  })

  it("reads several users in one TO list, CRLF endings and a quoted ' in a hash string", () => {
    const sql = "GRANT SELECT ON `ex\\_db`.* TO 'ex_r'@'localhost', \"ex_w\"@`10.0.0.%` IDENTIFIED BY PASSWORD '*AB''CD';\r\n"
    const { users } = parseMysqlGrants(sql)
    expect(users).toEqual([
      { user: "ex_r", host: "localhost", globalPrivileges: [], grants: [{ database: "ex_db", privileges: ["SELECT"] }] },
      { user: "ex_w", host: "10.0.0.%", hash: "*AB'CD", globalPrivileges: [], grants: [{ database: "ex_db", privileges: ["SELECT"] }] },
    ])
  })

  it("takes a native hash from IDENTIFIED WITH … AS and reports other plugins", () => {
    const sql = [
      "GRANT USAGE ON *.* TO 'ex_a'@'localhost' IDENTIFIED WITH mysql_native_password AS '*1111111111111111111111111111111111111111';",
      "GRANT USAGE ON *.* TO 'ex_b'@'localhost' IDENTIFIED WITH caching_sha2_password AS '$A$005$xyz';",
    ].join("\n")
    const { users, problems } = parseMysqlGrants(sql)
    expect(users.map((u) => u.hash)).toEqual([`*${"1".repeat(40)}`, undefined])
    expect(problems).toEqual([
      { line: 2, message: "authentication plugin caching_sha2_password in the grant; its hash is only taken from mysql.sql-auth.json" },
    ])
  })

  it("keeps the first of two different hashes and reports the second", () => {
    const sql = [
      "GRANT USAGE ON *.* TO 'ex'@'localhost' IDENTIFIED BY PASSWORD '*1111111111111111111111111111111111111111';",
      "GRANT USAGE ON *.* TO 'ex'@'localhost' IDENTIFIED BY PASSWORD '*2222222222222222222222222222222222222222';",
      "GRANT USAGE ON *.* TO 'ex'@'localhost' IDENTIFIED BY PASSWORD '';",
    ].join("\n")
    const { users, problems } = parseMysqlGrants(sql)
    expect(users[0]?.hash).toBe(`*${"1".repeat(40)}`)
    expect(problems).toEqual([
      { line: 2, message: "second, different password hash for 'ex'@'localhost'; the first one is kept" },
      { line: 3, message: "empty password hash for 'ex'@'localhost'; not carried over" },
    ])
  })

  it("records resource limits as a problem but keeps the grant", () => {
    const { users, problems } = parseMysqlGrants("GRANT USAGE ON *.* TO 'ex'@'%' WITH MAX_USER_CONNECTIONS 5 MAX_QUERIES_PER_HOUR 100;")
    expect(users.map((u) => u.user)).toEqual(["ex"])
    expect(problems).toEqual([
      { line: 1, message: "resource limits (WITH MAX_…) are not carried over" },
      { line: 1, message: "resource limits (WITH MAX_…) are not carried over" },
    ])
  })
})

describe("parseMysqlGrants on hostile lines (security items 30, 34)", () => {
  it("never interprets statements other than GRANT", () => {
    const sql = [
      "CREATE USER 'evil'@'%' IDENTIFIED BY 'x';",
      "SET PASSWORD FOR 'root'@'localhost' = PASSWORD('owned');",
      "UPDATE mysql.user SET Super_priv='Y' WHERE User='ex';",
      "USE mysql;",
      "DROP DATABASE ex_wp;",
      "/*!50001 GRANT ALL ON *.* TO 'ex'@'%' */;",
      "\\! id",
    ].join("\n")
    const { users, problems } = parseMysqlGrants(sql)
    expect(users).toEqual([])
    expect(problems).toEqual([
      { line: 1, message: "CREATE statement is not a GRANT; ignored (never executed)" },
      { line: 2, message: "SET statement is not a GRANT; ignored (never executed)" },
      { line: 3, message: "UPDATE statement is not a GRANT; ignored (never executed)" },
      { line: 4, message: "USE statement is not a GRANT; ignored (never executed)" },
      { line: 5, message: "DROP statement is not a GRANT; ignored (never executed)" },
      { line: 6, message: "not a GRANT statement; ignored" },
      { line: 7, message: "not a GRANT statement; ignored" },
    ])
    expect(JSON.stringify(problems)).not.toContain("owned")
  })

  it("records global grants apart from database grants, for the caller to refuse", () => {
    const { users, problems } = parseMysqlGrants(
      "GRANT ALL PRIVILEGES ON *.* TO 'ex'@'%' WITH GRANT OPTION;\nGRANT FILE, SUPER ON *.* TO 'ex'@'%';",
    )
    expect(users).toEqual([{ user: "ex", host: "%", globalPrivileges: ["ALL PRIVILEGES", "GRANT OPTION", "FILE", "SUPER"], grants: [] }])
    expect(problems).toEqual([])
  })

  it.each([
    [
      "a backtick-breaking database name",
      "GRANT ALL ON `a``; DROP DATABASE x; --`.* TO 'ex'@'%';",
      "database name has characters outside [A-Za-z0-9_$-]",
    ],
    [
      "a quote in a user name",
      "GRANT ALL ON `ex\\_db`.* TO 'a\\'; DROP USER root; --'@'%';",
      "user name has characters outside [A-Za-z0-9_.-] or is empty",
    ],
    [
      "a newline escape in a host",
      "GRANT ALL ON `ex\\_db`.* TO 'ex'@'local\\nhost';",
      "host name has characters outside [A-Za-z0-9_.%:/-] or is empty",
    ],
    ["the anonymous user", "GRANT ALL ON `ex\\_db`.* TO ''@'%';", "user name has characters outside [A-Za-z0-9_.-] or is empty"],
    ["two statements on one line", "GRANT ALL ON `ex\\_db`.* TO 'ex'@'%'; DROP DATABASE ex_db;", "more than one statement on a line"],
    ["a trailing comment", "GRANT ALL ON `ex\\_db`.* TO 'ex'@'%'; -- hi", "comment or operator inside a statement"],
    ["an inline comment", "GRANT ALL ON `ex\\_db`.* /* x */ TO 'ex'@'%';", "comment or operator inside a statement"],
    ["a missing semicolon", "GRANT ALL ON `ex\\_db`.* TO 'ex'@'%'", "expected ';'"],
    ["an unknown privilege", "GRANT EVERYTHING ON `ex\\_db`.* TO 'ex'@'%';", "unknown privilege"],
    ["a table-level grant", "GRANT SELECT ON `ex\\_db`.`t` TO 'ex'@'%';", "table-level grants are not supported"],
    ["a column-level grant", "GRANT SELECT (a, b) ON `ex\\_db`.* TO 'ex'@'%';", "column-level grants are not supported"],
    ["a routine grant", "GRANT EXECUTE ON PROCEDURE `ex\\_db`.`p` TO 'ex'@'%';", "routine-level grants are not supported"],
    ["a default-database grant", "GRANT ALL ON * TO 'ex'@'%';", "grants on the default database (ON *) are not supported"],
    ["a role grant", "GRANT dba TO 'ex'@'%';", "unknown privilege"],
    ["an unterminated string", "GRANT ALL ON `ex\\_db`.* TO 'ex'@'%;", "unterminated quoted string"],
    ["an unterminated identifier", "GRANT ALL ON `ex_db.* TO 'ex'@'%';", "unterminated quoted identifier"],
    ["a NUL byte", "GRANT ALL ON `ex\\_db`.* TO 'ex'@'%';\0", "unexpected character U+0000"],
    ["a REQUIRE clause", "GRANT ALL ON `ex\\_db`.* TO 'ex'@'%' REQUIRE SSL;", "expected NONE"],
    [
      "PASSWORD() with a secret",
      "GRANT ALL ON `ex\\_db`.* TO 'ex'@'%' IDENTIFIED VIA ed25519 USING PASSWORD('secret');",
      "PASSWORD() with a plain-text password is not supported",
    ],
  ])("refuses %s", (_name, line, reason) => {
    const { users, problems } = parseMysqlGrants(line)
    expect(users).toEqual([])
    expect(problems).toEqual([{ line: 1, message: `GRANT not understood (${reason}); ignored` }])
    expect(problems[0]?.message).not.toContain("secret")
  })

  it("does not carry a plain-text password and does not echo it", () => {
    const { users, problems } = parseMysqlGrants("GRANT USAGE ON *.* TO 'ex'@'%' IDENTIFIED BY 'hunter2';")
    expect(users).toEqual([{ user: "ex", host: "%", globalPrivileges: [], grants: [] }])
    expect(problems).toEqual([{ line: 1, message: "plain-text password in IDENTIFIED BY; not carried over" }])
  })

  it("skips over-long lines and never throws on junk", () => {
    const long = `GRANT ALL ON \`ex\\_db\`.* TO '${"a".repeat(70_000)}'@'%';`
    expect(parseMysqlGrants(long).problems).toEqual([{ line: 1, message: "line longer than 65536 characters; ignored" }])
    let seed = 7
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648
      return seed / 2147483648
    }
    const alphabet = "GRANT ON TO *.`'\"\\,@();%_-/#\n\r\t\0 ab1"
    for (let n = 0; n < 300; n++) {
      let text = "GRANT "
      for (let k = 0; k < 60; k++) text += alphabet[Math.floor(random() * alphabet.length)]
      expect(() => parseMysqlGrants(text)).not.toThrow()
    }
  })
})

describe("parseMysqlAuthJson", () => {
  it("reads user → host → plugin and hash and ignores bad shapes", () => {
    const text = JSON.stringify({
      ex_wp: {
        localhost: { auth_plugin: "mysql_native_password", pass_hash: "2A38414243" },
        "%": { auth_plugin: "caching_sha2_password", pass_hash: "244124303035" },
        bad: "x",
        "evil host": { auth_plugin: "mysql_native_password", pass_hash: "00" },
      },
      ex_odd: { localhost: { auth_plugin: "mysql_native_password", pass_hash: "not hex" } },
      "ex;drop": { localhost: { auth_plugin: "mysql_native_password", pass_hash: "00" } },
      ex_list: [1, 2],
    })
    const result = parseMysqlAuthJson(text)
    expect([...result.keys()]).toEqual(["ex_wp"])
    expect([...(result.get("ex_wp") ?? new Map()).entries()]).toEqual([
      ["localhost", { plugin: "mysql_native_password", hashHex: "2A38414243" }],
      ["%", { plugin: "caching_sha2_password", hashHex: "244124303035" }],
    ])
  })

  it("drops prototype keys and returns nothing for a non-object", () => {
    const result = parseMysqlAuthJson('{"__proto__":{"localhost":{"auth_plugin":"x","pass_hash":"00"}},"ok":{}}')
    expect([...result.keys()]).toEqual([])
    expect(({} as Record<string, unknown>)["localhost"]).toBeUndefined()
    expect(parseMysqlAuthJson("[1,2,3]").size).toBe(0)
  })

  it("throws SafeParseError for text that is not JSON", () => {
    expect(() => parseMysqlAuthJson("{nope")).toThrow(SafeParseError)
  })
})

describe("parseMysqlCreate", () => {
  it("reads the real .create files", () => {
    expect(parseMysqlCreate(readFixture("ragnermoura__uniprev", "mysql", "uniprev_blog.create"))).toEqual({
      database: "uniprev_blog",
      charset: "latin1",
      serverVersion: "10.3.24-MariaDB",
      hasCreateDatabase: true,
    })
    expect(parseMysqlCreate(readFixture("JackDeDobb__IlliniWildCards", "mysql", "illiniwi_submissions.create"))).toEqual({
      database: "illiniwi_submissions",
      charset: "latin1",
      serverVersion: "10.0.27-MariaDB-cll-lve",
      hasCreateDatabase: true,
    })
  })

  it("reads a MySQL 8 header with collation and encryption comment", () => {
    const text = [
      "-- MySQL dump 10.13  Distrib 8.0.30, for Linux (x86_64)",
      "--",
      "-- Host: localhost    Database: ex_wp",
      "-- Server version\t8.0.30",
      "",
      "CREATE DATABASE /*!32312 IF NOT EXISTS*/ `ex_wp` /*!40100 DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_ai_ci */ /*!80016 DEFAULT ENCRYPTION='N' */;",
      "",
      "USE `ex_wp`;",
    ].join("\r\n")
    expect(parseMysqlCreate(text)).toEqual({
      database: "ex_wp",
      charset: "utf8mb4",
      collation: "utf8mb4_0900_ai_ci",
      serverVersion: "8.0.30",
      hasCreateDatabase: true,
    })
  })

  it("reports a dump without CREATE DATABASE (pkgacct --dbbackup=name)", () => {
    const text =
      "-- MySQL dump 10.19\n--\n-- Host: localhost    Database: ex_shop\n-- Server version\t10.6.12-MariaDB\n\n/*!40101 SET NAMES utf8mb4 */;\n"
    expect(parseMysqlCreate(text)).toEqual({ database: "ex_shop", serverVersion: "10.6.12-MariaDB", hasCreateDatabase: false })
  })

  it("ignores unsafe names and odd CREATE lines", () => {
    expect(
      parseMysqlCreate("-- Host: localhost    Database: a;b\nCREATE DATABASE `x``y` /*!40100 DEFAULT CHARACTER SET latin1 */;\n"),
    ).toEqual({
      hasCreateDatabase: true,
    })
    expect(parseMysqlCreate("")).toEqual({ hasCreateDatabase: false })
  })
})
