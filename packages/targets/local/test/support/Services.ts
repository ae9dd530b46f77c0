import { execFileSync } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { type ContentRef, type Database, type DatabaseUser, type StepContext, StepFailed } from "@ferry/core"
import { Effect, Result } from "effect"
import { makeDatabasePart } from "../../src/import/DatabasePart.ts"
import type { DatabaseServerAccess, ImportEnv } from "../../src/import/ImportEnv.ts"
import { makeEntry, makeImportEnv } from "./ImportEnvFixture.ts"

/*
 * The real MariaDB and PostgreSQL that scripts/services.sh runs for the import tests. A missing
 * env file fails the test (never a skip): the database import is only tested against real servers.
 */

export const servicesDir = process.env.FERRY_SERVICES_DIR ?? "/tmp/ferry-services"

export interface TestServices {
  readonly mariadb: DatabaseServerAccess
  readonly postgres: DatabaseServerAccess
  readonly vars: Readonly<Record<string, string>>
}

let cached: TestServices | undefined

export const services = (): TestServices => {
  if (cached !== undefined) return cached
  const file = join(servicesDir, "env")
  if (!existsSync(file))
    throw new Error(
      `${file} is missing: start the test database servers with \`bash scripts/services.sh start\` (as root), then run the tests again`,
    )
  const vars: Record<string, string> = {}
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line)
    if (match !== null) vars[match[1] as string] = match[2] as string
  }
  const need = (name: string): string => {
    const value = vars[name]
    if (value === undefined || value === "") throw new Error(`${file} has no ${name}: run \`bash scripts/services.sh start\` again`)
    return value
  }
  cached = {
    mariadb: {
      id: "mariadb-main",
      engine: "mariadb",
      host: need("FERRY_TEST_MARIADB_HOST"),
      port: Number(need("FERRY_TEST_MARIADB_PORT")),
      adminUser: need("FERRY_TEST_MARIADB_USER"),
      adminPassword: need("FERRY_TEST_MARIADB_PASSWORD"),
    },
    postgres: {
      id: "pg15",
      engine: "postgresql",
      host: need("FERRY_TEST_POSTGRES_HOST"),
      port: Number(need("FERRY_TEST_POSTGRES_PORT")),
      adminUser: need("FERRY_TEST_POSTGRES_USER"),
      adminPassword: need("FERRY_TEST_POSTGRES_PASSWORD"),
    },
    vars,
  }
  return cached
}

/** The servers as the importer's `databaseServers`. */
export const serviceMap = (): ReadonlyMap<string, DatabaseServerAccess> => {
  const { mariadb, postgres } = services()
  return new Map([
    [mariadb.id, mariadb],
    [postgres.id, postgres],
  ])
}

/** A name no other test (or earlier run) uses: `<prefix>_<random>`. */
export const uniqueName = (prefix: string): string => `${prefix}_${Math.random().toString(36).slice(2, 10)}`

const run = (program: string, args: ReadonlyArray<string>, env: Record<string, string>, input: string): string =>
  execFileSync(program, args, {
    input,
    env: { PATH: "/usr/bin:/bin", LANG: "C.UTF-8", ...env },
    encoding: "utf8",
    stdio: ["pipe", "pipe", "pipe"],
  })

/** SQL as a MariaDB user (the administrator by default); rows of tab-separated fields. */
export const mysql = (
  sql: string,
  login?: { readonly user: string; readonly password: string; readonly database?: string },
): Array<Array<string>> => {
  const { mariadb } = services()
  const user = login?.user ?? mariadb.adminUser
  const out = run(
    "mariadb",
    [
      "--no-defaults",
      "--protocol=tcp",
      `--host=${mariadb.host}`,
      `--port=${mariadb.port}`,
      `--user=${user}`,
      "--batch",
      "--skip-column-names",
      ...(login?.database !== undefined ? [`--database=${login.database}`] : []),
    ],
    { MYSQL_PWD: login?.password ?? mariadb.adminPassword ?? "" },
    sql,
  )
  return out
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => l.split("\t"))
}

/** SQL as a PostgreSQL role (the administrator by default) in `database`; rows of `|`-separated fields. */
export const psql = (
  sql: string,
  database = "postgres",
  login?: { readonly user: string; readonly password: string },
): Array<Array<string>> => {
  const { postgres } = services()
  const out = run(
    "psql",
    [
      "-X",
      "-q",
      "-A",
      "-t",
      "-v",
      "ON_ERROR_STOP=1",
      `--host=${postgres.host}`,
      `--port=${postgres.port}`,
      `--username=${login?.user ?? postgres.adminUser}`,
      `--dbname=${database}`,
    ],
    { PGPASSWORD: login?.password ?? postgres.adminPassword ?? "" },
    sql,
  )
  return out
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => l.split("|"))
}

/** pg_dump of `database` as the administrator, in `format` (p, c, t). */
export const pgDump = (database: string, format: "p" | "c" | "t"): Buffer => {
  const { postgres } = services()
  return execFileSync(
    "pg_dump",
    [
      `--format=${format}`,
      `--host=${postgres.host}`,
      `--port=${postgres.port}`,
      `--username=${postgres.adminUser}`,
      `--dbname=${database}`,
    ],
    { env: { PATH: "/usr/bin:/bin", PGPASSWORD: postgres.adminPassword ?? "" }, maxBuffer: 256 * 1024 * 1024 },
  )
}

/** mariadb-dump of `database` as the administrator (what a cPanel backup holds), as bytes. */
export const mysqlDump = (database: string): Buffer => {
  const { mariadb } = services()
  return execFileSync(
    "mariadb-dump",
    [
      "--no-defaults",
      "--protocol=tcp",
      `--host=${mariadb.host}`,
      `--port=${mariadb.port}`,
      `--user=${mariadb.adminUser}`,
      "--routines",
      "--events",
      "--triggers",
      "--databases",
      database,
    ],
    { env: { PATH: "/usr/bin:/bin", MYSQL_PWD: mariadb.adminPassword ?? "" }, maxBuffer: 256 * 1024 * 1024 },
  )
}

/* Importer harness ---------------------------------------------------------------------------- */

export const database = (name: string, engine: "mysql" | "postgresql", extra: Partial<Database> = {}): Database => ({
  _tag: "Database",
  id: `database:${engine}:${name}`,
  owner: "account:bob",
  source: { path: `${engine}/${name}` },
  name,
  engine,
  dump: `content:dump:${engine}:${name}`,
  dumpFormat: "sql",
  ...extra,
})

export const databaseUser = (name: string, engine: "mysql" | "postgresql", extra: Partial<DatabaseUser> = {}): DatabaseUser => ({
  _tag: "DatabaseUser",
  id: `dbuser:${engine}:${name}`,
  owner: "account:bob",
  source: { path: `${engine}/users` },
  name,
  engine,
  hosts: engine === "mysql" ? ["localhost", "127.0.0.1"] : [],
  grants: [],
  ...extra,
})

/** An ImportEnv wired to the test servers, with the account `bob` the test entities belong to. */
export const databaseEnv = Effect.gen(function* () {
  const env = yield* makeImportEnv({ databaseServers: serviceMap() })
  yield* env.store.accounts.add({ login: "bob", kind: "client", owner: null })
  return env
})

/**
 * What the executor does with a dump ref: open the sink, write the file, commit; on a failure the
 * sink is discarded and the step fails.
 */
export const importDump = (env: ImportEnv, db: Database, body: string | Uint8Array, ctx: StepContext) =>
  Effect.gen(function* () {
    const { content } = databasePart(env)
    const ref: ContentRef = { id: db.dump ?? "dump", kind: "database-dump", path: `mysql/${db.name}.sql`, excludes: [], bytes: 0, files: 1 }
    const sink = yield* content(ref, db, ctx)
    const written = yield* Effect.result(
      sink
        .write(`${db.name}.sql`, makeEntry(ref.path, { body }))
        .pipe(
          Effect.mapError((e) =>
            e._tag === "StepFailed" ? e : new StepFailed({ step: ref.id, code: "archive-entry", reason: e.message }),
          ),
        ),
    )
    if (Result.isFailure(written)) {
      yield* sink.discard
      return yield* Effect.fail(written.failure)
    }
    const committed = yield* Effect.result(sink.commit)
    if (Result.isFailure(committed)) {
      yield* sink.discard
      return yield* Effect.fail(committed.failure)
    }
    return committed.success
  })

/** Runs a settings step of the database part. */
export const applyEntity = (env: ImportEnv, entity: Database | DatabaseUser, ctx: StepContext) => {
  const part = databasePart(env)
  return entity._tag === "Database" ? part.database(entity, ctx) : part.user(entity, ctx)
}

/** The handlers of the database part, which must all be there. */
export const databasePart = (env: ImportEnv) => {
  const part = makeDatabasePart(env)
  const content = part.content?.["database-dump"]
  const database = part.apply?.Database
  const user = part.apply?.DatabaseUser
  if (content === undefined || database === undefined || user === undefined) throw new Error("the database part lacks a handler")
  return { content, database, user }
}
