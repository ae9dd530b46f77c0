import { chmodSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { databaseServersFrom, loadDatabaseServers } from "../../src/import/DatabaseServers.ts"
import { parseProfileFile, profileCapabilities } from "../../src/Profile.ts"
import { exampleProfile, failure, tempDir } from "../Support.ts"

const profile = (text: string) =>
  Effect.gen(function* () {
    const file = yield* parseProfileFile(text, "ferry.yaml")
    return { file, capabilities: yield* profileCapabilities(file, { root: tempDir() }) }
  })

const passwordFile = (mode: number, body = "s3cret\n") => {
  const path = join(tempDir(), "admin.password")
  writeFileSync(path, body)
  chmodSync(path, mode)
  return path
}

const yaml = (admin: string) => `format: 1
mysql:
  - id: maria
    engine: mariadb
    version: "10.11.6"
    host: 127.0.0.1
    port: 3306
    admin: ${admin}
postgresql:
  - id: pg
    version: "15.8"
    host: /var/run/postgresql
    port: 5433
    admin: { user: ferry_admin, passwordEnv: PG_PW }
`

describe("database servers", () => {
  it.effect("admin entries of ferry.yaml: a password file nobody else reads, an environment variable, a socket host", () =>
    Effect.gen(function* () {
      const path = passwordFile(0o600)
      const { file, capabilities } = yield* profile(yaml(`{ user: ferry_admin, passwordFile: ${path} }`))
      const servers = yield* databaseServersFrom({ capabilities, profile: file, env: { PG_PW: "pg-secret" } })
      assert.deepStrictEqual(servers.get("maria"), {
        id: "maria",
        engine: "mariadb",
        host: "127.0.0.1",
        port: 3306,
        adminUser: "ferry_admin",
        adminPassword: "s3cret",
      })
      assert.deepStrictEqual(servers.get("pg"), {
        id: "pg",
        engine: "postgresql",
        host: "localhost",
        port: 5433,
        socket: "/var/run/postgresql",
        adminUser: "ferry_admin",
        adminPassword: "pg-secret",
      })
    }),
  )

  it.effect("a world-readable password file, an unset passwordEnv and both sources at once are refused", () =>
    Effect.gen(function* () {
      const open = passwordFile(0o644)
      const { file, capabilities } = yield* profile(yaml(`{ user: ferry_admin, passwordFile: ${open} }`))
      const error = yield* failure(databaseServersFrom({ capabilities, profile: file, env: { PG_PW: "x" } }))
      assert.match(error.detail, /readable by everyone/)
      const unset = yield* failure(databaseServersFrom({ capabilities, profile: file, env: {} }))
      assert.match(unset.detail, /readable by everyone|PG_PW/)
      const { file: ok } = yield* profile(yaml(`{ user: ferry_admin, passwordFile: ${passwordFile(0o640)} }`))
      assert.match((yield* failure(databaseServersFrom({ capabilities, profile: ok, env: {} }))).detail, /PG_PW, which is not set/)
      const both = yield* failure(parseProfileFile(yaml(`{ user: a, passwordFile: /x, passwordEnv: Y }`), "ferry.yaml"))
      assert.match(both.detail, /set only one of passwordFile and passwordEnv/)
      const badUser = yield* failure(parseProfileFile(yaml(`{ user: "a'b" }`), "ferry.yaml"))
      assert.match(badUser.detail, /admin\.user/)
    }),
  )

  it.effect("the environment: URLs without passwords, a password file, the default server id", () =>
    Effect.gen(function* () {
      const { file, capabilities } = yield* profile(yaml(`{ user: someone }`))
      const servers = yield* databaseServersFrom({
        capabilities,
        profile: file,
        env: {
          PG_PW: "unused",
          FERRY_MARIADB_URL: "mysql://root@localhost?socket=/run/mysqld/mysqld.sock",
          FERRY_POSTGRES_URL: "postgresql://ferry@db.internal:6432",
          FERRY_POSTGRES_PASSWORD_FILE: passwordFile(0o600, "from-file\nignored\n"),
        },
      })
      assert.deepStrictEqual(servers.get("maria"), {
        id: "maria",
        engine: "mariadb",
        host: "localhost",
        port: 3306,
        socket: "/run/mysqld/mysqld.sock",
        adminUser: "root",
      })
      assert.deepStrictEqual(servers.get("pg"), {
        id: "pg",
        engine: "postgresql",
        host: "db.internal",
        port: 6432,
        adminUser: "ferry",
        adminPassword: "from-file",
      })
      const noServers = yield* profile("format: 1\n")
      const named = yield* databaseServersFrom({
        capabilities: noServers.capabilities,
        env: { FERRY_MARIADB_URL: "mariadb://admin@10.0.0.5", FERRY_MARIADB_PASSWORD: "pw", FERRY_MARIADB_SERVER: "db1" },
      })
      assert.deepStrictEqual([...named.keys()], ["db1"])
      assert.strictEqual(named.get("db1")?.engine, "mariadb")
      const leaked = yield* failure(
        databaseServersFrom({ capabilities: noServers.capabilities, env: { FERRY_MARIADB_URL: "mysql://root:hunter2@localhost" } }),
      )
      assert.match(leaked.detail, /holds a password/)
      assert.notInclude(leaked.message, "hunter2")
      const wrong = yield* failure(databaseServersFrom({ capabilities: noServers.capabilities, env: { FERRY_POSTGRES_URL: "http://x@y" } }))
      assert.match(wrong.detail, /scheme/)
    }),
  )

  it.effect("ferry.example.yaml declares admin access as documented", () =>
    Effect.gen(function* () {
      const capabilities = yield* profileCapabilities((yield* profile("format: 1\n")).file, { root: tempDir() })
      const error = yield* failure(loadDatabaseServers({ capabilities, profile: exampleProfile, env: {} }))
      // The example's password file does not exist on a test machine; the error names it.
      assert.match(error.message, /mariadb-admin\.password/)
    }),
  )
})
