import { readFileSync } from "node:fs"
import { realCpanelFixtures } from "@ferry/testing"
import { describe, expect, it } from "vitest"
import { parsePostgresGrants, parsePostgresUsers } from "../src/PostgresUsers.ts"

const fixture = `${realCpanelFixtures()}/JackDeDobb__IlliniWildCards`
const md5 = `md5${"0".repeat(32)}`
const scram = "SCRAM-SHA-256$4096:c2FsdHNhbHQ=$c3RvcmVka2V5c3RvcmVka2V5:c2VydmVya2V5c2VydmVya2V5"

describe("parsePostgresUsers", () => {
  it("reads the real psql_users.sql", () => {
    expect(parsePostgresUsers(readFileSync(`${fixture}/psql_users.sql.redacted`, "utf8"))).toEqual({
      users: [{ name: "illiniwi", hash: md5 }],
      problems: [],
    })
  })

  it("reads CREATE ROLE, ALTER USER and SCRAM hashes; a later ALTER replaces the hash", () => {
    const sql = [
      "-- PostgreSQL users",
      `CREATE ROLE "ex_app" WITH LOGIN NOSUPERUSER NOCREATEDB ENCRYPTED PASSWORD '${scram}';`,
      `CREATE USER Ex_Mixed PASSWORD '${md5}';`,
      `CREATE USER "ex_nopass";`,
      `ALTER USER "ex_app" WITH PASSWORD E'md5${"1".repeat(32)}';`,
      `ALTER ROLE "ex_other" PASSWORD '${md5}';`,
      "",
    ].join("\r\n")
    expect(parsePostgresUsers(sql)).toEqual({
      users: [
        { name: "ex_app", hash: `md5${"1".repeat(32)}` },
        { name: "ex_mixed", hash: md5 },
        { name: "ex_nopass" },
        { name: "ex_other", hash: md5 },
      ],
      problems: [],
    })
  })

  it("drops plain-text passwords without echoing them, and PASSWORD NULL clears the hash", () => {
    const sql = [
      `CREATE USER "ex" WITH PASSWORD 'hunter2';`,
      `CREATE USER "ex2" PASSWORD '${md5}';`,
      `ALTER USER "ex2" PASSWORD NULL;`,
    ].join("\n")
    const result = parsePostgresUsers(sql)
    expect(result).toEqual({
      users: [{ name: "ex" }, { name: "ex2" }],
      problems: [{ line: 1, message: "the password of ex is not a stored md5/SCRAM hash; not carried over" }],
    })
    expect(JSON.stringify(result)).not.toContain("hunter2")
  })

  it("reports widening attributes and limits but keeps the user (security item 39)", () => {
    const sql = `ALTER ROLE "ex" WITH SUPERUSER CREATEROLE CONNECTION LIMIT 5 VALID UNTIL '2030-01-01' PASSWORD '${md5}';`
    expect(parsePostgresUsers(sql)).toEqual({
      users: [{ name: "ex", hash: md5 }],
      problems: [
        { line: 1, message: "SUPERUSER of ex is not carried over" },
        { line: 1, message: "CREATEROLE of ex is not carried over" },
        { line: 1, message: "CONNECTION LIMIT of ex is not carried over" },
        { line: 1, message: "VALID UNTIL of ex is not carried over" },
      ],
    })
  })

  it("reports a second CREATE of the same user", () => {
    const sql = `CREATE USER "ex" PASSWORD '${md5}';\nCREATE USER "ex" PASSWORD '${md5.replace(/0$/, "1")}';`
    expect(parsePostgresUsers(sql)).toEqual({
      users: [{ name: "ex", hash: md5 }],
      problems: [{ line: 2, message: "ex is created a second time; ignored" }],
    })
  })

  it.each([
    ["DROP DATABASE ex;", "DROP DATABASE statement ignored (never executed)"],
    ["COPY x FROM PROGRAM 'id';", "COPY X statement ignored (never executed)"],
    ["SET SESSION AUTHORIZATION postgres;", "SET SESSION statement ignored (never executed)"],
    ["\\! id", "not a CREATE/ALTER USER statement; ignored"],
    [
      `CREATE USER "a""b" PASSWORD '${md5}';`,
      "CREATE USER not understood (a role name has characters outside [A-Za-z0-9_.-] or is empty); ignored",
    ],
    [`CREATE USER "ex" PASSWORD '${md5}'; DROP TABLE t;`, "CREATE USER not understood (more than one statement on a line); ignored"],
    [`CREATE USER "ex" PASSWORD '${md5}' -- c`, "CREATE USER not understood (comment or operator inside a statement); ignored"],
    [`CREATE USER "ex" IN ROLE postgres;`, "CREATE USER not understood (unsupported role option); ignored"],
    [`ALTER USER "ex" RENAME TO "root";`, "ALTER USER not understood (unsupported role option); ignored"],
    [`CREATE USER "ex" PASSWORD $$x$$;`, "CREATE USER not understood (unexpected character U+0024); ignored"],
    [`CREATE USER "ex" PASSWORD U&'x';`, "CREATE USER not understood (unsupported string prefix); ignored"],
    [`CREATE USER "ex" PASSWORD E'\\155d5';`, "CREATE USER not understood (numeric escapes in E'…' strings are not supported); ignored"],
    [`CREATE USER "ex" PASSWORD 'open`, "CREATE USER not understood (unterminated quoted string); ignored"],
    [`CREATE USER "ex" PASSWORD '${md5}'`, "CREATE USER not understood (statement ends too early); ignored"],
    [
      `CREATE USER "ex\u0000" PASSWORD '${md5}';`,
      "CREATE USER not understood (a role name has characters outside [A-Za-z0-9_.-] or is empty); ignored",
    ],
    [`CREATE TABLE t (a int);`, "CREATE TABLE statement ignored (never executed)"],
  ])("refuses %j", (line, message) => {
    expect(parsePostgresUsers(line)).toEqual({ users: [], problems: [{ line: 1, message }] })
  })

  it("skips over-long lines", () => {
    expect(parsePostgresUsers(`CREATE USER "${"a".repeat(70_000)}";\nCREATE USER "ok";`)).toEqual({
      users: [{ name: "ok" }],
      problems: [{ line: 1, message: "line longer than 65536 characters; ignored" }],
    })
  })
})

describe("parsePostgresGrants", () => {
  it("reads the real, empty psql_grants.sql", () => {
    expect(parsePostgresGrants(readFileSync(`${fixture}/psql_grants.sql`, "utf8"))).toEqual({ grants: [], problems: [] })
  })

  it("reads database grants, merging per user and database", () => {
    const sql = [
      'GRANT ALL ON DATABASE "ex_shop" TO "ex_app";',
      'GRANT CONNECT, TEMP ON DATABASE ex_blog, "ex_shop" TO ex_ro, GROUP "ex_app";',
      'GRANT ALL PRIVILEGES ON DATABASE "ex_blog" TO "ex_app" WITH GRANT OPTION;',
    ].join("\n")
    expect(parsePostgresGrants(sql)).toEqual({
      grants: [
        { user: "ex_app", database: "ex_shop", privileges: ["ALL PRIVILEGES", "CONNECT", "TEMPORARY"] },
        { user: "ex_ro", database: "ex_blog", privileges: ["CONNECT", "TEMPORARY"] },
        { user: "ex_ro", database: "ex_shop", privileges: ["CONNECT", "TEMPORARY"] },
        { user: "ex_app", database: "ex_blog", privileges: ["CONNECT", "TEMPORARY", "ALL PRIVILEGES"] },
      ],
      problems: [{ line: 3, message: "WITH GRANT OPTION is not carried over" }],
    })
  })

  it.each([
    ['GRANT ALL ON TABLE "t" TO "ex";', "GRANT not understood (only grants ON DATABASE are read); ignored"],
    ['GRANT ALL ON DATABASE "ex" TO PUBLIC;', "GRANT not understood (grants to PUBLIC are not read); ignored"],
    ['GRANT SELECT ON DATABASE "ex" TO "ex";', "GRANT not understood (not a database privilege); ignored"],
    ['GRANT postgres TO "ex";', "GRANT not understood (not a database privilege); ignored"],
    ['GRANT ALL ON DATABASE "ex" TO "ex"; ALTER USER ex SUPERUSER;', "GRANT not understood (more than one statement on a line); ignored"],
    ['REVOKE ALL ON DATABASE "ex" FROM "ex";', "REVOKE ALL statement ignored (never executed)"],
    ["ALTER ROLE ex SUPERUSER;", "ALTER ROLE statement ignored (never executed)"],
  ])("refuses %j", (line, message) => {
    expect(parsePostgresGrants(line)).toEqual({ grants: [], problems: [{ line: 1, message }] })
  })

  it("never throws on random input", () => {
    let seed = 5
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648
      return seed / 2147483648
    }
    const alphabet = [
      "GRANT ",
      "CREATE USER ",
      "ALTER ROLE ",
      "'",
      '"',
      "E'",
      "\\",
      ";",
      ",",
      "(",
      ")",
      "$",
      "-",
      " ",
      "\n",
      "\r",
      "\0",
      "ex",
      "ON DATABASE ",
      "TO ",
      "PASSWORD ",
    ]
    for (let n = 0; n < 300; n++) {
      let text = ""
      for (let k = 0; k < 30; k++) text += alphabet[Math.floor(random() * alphabet.length)]
      expect(() => parsePostgresGrants(text)).not.toThrow()
      expect(() => parsePostgresUsers(text)).not.toThrow()
    }
  })
})
