import { Effect } from "effect"
import {
  type AdminSession,
  ClientError,
  clientFailure,
  mysqlAdmin,
  mysqlClientHosts,
  mysqlConnectArgs,
  mysqlProgram,
  mysqlString,
  nobody,
  quoteMysqlIdent,
  shortHash,
  spawnClient,
} from "./DbClient.ts"
import { MysqlDumpFilter, type OpenedDump, type Rewrites } from "./DumpFilter.ts"
import type { DatabaseServerAccess } from "./ImportEnv.ts"

/*
 * MariaDB / MySQL side of the database import (security rules 19–23). A dump is loaded into a
 * staging database by a per-load shadow account that holds privileges on that database only,
 * through a client running as `nobody` with `--binary-mode --local-infile=0`. The commit moves
 * the base tables into the live database with one RENAME TABLE, and re-creates triggers, views,
 * routines and events there (RENAME cannot move them across databases) with a locked per-
 * database owner account as DEFINER: the shadow account is dropped, and an administrator or a
 * tenant login as definer would either break the objects or widen what they can do.
 */

/** Privileges a database-level grant may carry; anything else in a backup is dropped. */
export const mysqlDatabasePrivileges = [
  "SELECT",
  "INSERT",
  "UPDATE",
  "DELETE",
  "CREATE",
  "DROP",
  "REFERENCES",
  "INDEX",
  "ALTER",
  "CREATE TEMPORARY TABLES",
  "LOCK TABLES",
  "EXECUTE",
  "CREATE VIEW",
  "SHOW VIEW",
  "CREATE ROUTINE",
  "ALTER ROUTINE",
  "EVENT",
  "TRIGGER",
] as const

export interface StageNames {
  readonly stage: string
  readonly shadow: string
}

/** A stored object re-created in the live database at commit (kept in the record while swapping). */
export interface StoredObject {
  readonly kind: "trigger" | "view" | "routine" | "event"
  readonly name: string
  readonly sqlMode: string
  /** The CREATE statement with the owner as definer (and the live database for views). */
  readonly create: string
}

const account = (user: string, host: string) => `${mysqlString(user)}@${mysqlString(host)}`
const charsetName = /^[A-Za-z0-9_]{1,64}$/

/** An account to create from the model: per host, a native hash or a (generated) password, and database grants. */
export interface MysqlUser {
  readonly name: string
  readonly hosts: ReadonlyArray<string>
  readonly auth: { readonly hash: string } | { readonly password: string }
  readonly grants: ReadonlyArray<{
    readonly database: string
    readonly privileges: ReadonlyArray<string>
    readonly hosts: ReadonlyArray<string>
  }>
}

export interface UserState {
  readonly exists: boolean
  /** Holds a global privilege or GRANT OPTION: never taken over by an import. */
  readonly privileged: boolean
}

export interface MariaDb {
  readonly admin: AdminSession
  readonly ownerAccount: (live: string) => string
  readonly databaseExists: (name: string) => Effect.Effect<boolean, ClientError>
  readonly dropStaging: (names: StageNames) => Effect.Effect<void, ClientError>
  readonly createStaging: (
    names: StageNames,
    password: string,
    options: { readonly charset?: string | undefined; readonly collation?: string | undefined },
  ) => Effect.Effect<void, ClientError>
  /** Streams a filtered SQL dump into the staging database as the shadow account. */
  readonly load: (names: StageNames, password: string, dump: OpenedDump) => Effect.Effect<Rewrites, ClientError>
  /** Stored objects of the staging database, rewritten for `live` (to keep before the swap). */
  readonly storedObjects: (names: StageNames, live: string) => Effect.Effect<Array<StoredObject>, ClientError>
  /** Moves the staging database into `live`; `replace` drops the old live database first. */
  readonly swap: (
    names: StageNames,
    live: string,
    objects: ReadonlyArray<StoredObject>,
    replace: boolean,
  ) => Effect.Effect<void, ClientError>
  /** Creates `live` empty (with its owner account) unless it exists; true when created. */
  readonly ensureDatabase: (
    live: string,
    options: { readonly charset?: string | undefined; readonly collation?: string | undefined },
  ) => Effect.Effect<boolean, ClientError>
  readonly userState: (name: string) => Effect.Effect<UserState, ClientError>
  /** CREATE USER IF NOT EXISTS + ALTER USER per host (idempotent), then the grants. */
  readonly applyUser: (user: MysqlUser) => Effect.Effect<void, ClientError>
}

const hashHex = (text: string) => Buffer.from(text, "utf8").toString("hex")

export const makeMariaDb = (server: DatabaseServerAccess, runningAsRoot: boolean): MariaDb => {
  const admin = mysqlAdmin(server)
  const privileges = [...mysqlDatabasePrivileges, ...(server.engine === "mariadb" ? ["DELETE HISTORY"] : [])].join(", ")
  /** One locked definer account per server and live database. */
  const ownerAccount = (live: string) => `ferry_owner_${shortHash(`${server.id}/${live}`)}`

  const charsetClause = (options: { readonly charset?: string | undefined; readonly collation?: string | undefined }) =>
    `${options.charset !== undefined && charsetName.test(options.charset) ? ` CHARACTER SET ${options.charset}` : ""}${
      options.collation !== undefined && charsetName.test(options.collation) ? ` COLLATE ${options.collation}` : ""
    }`

  /** A CREATE statement run as the administrator without the client parsing it. */
  const createStatement = (sql: string): string =>
    server.engine === "mariadb"
      ? `EXECUTE IMMEDIATE CONVERT(0x${hashHex(sql)} USING utf8mb4);\n`
      : `DELIMITER ${delimiterFor(sql)}\n${sql}${delimiterFor(sql)}\nDELIMITER ;\n`

  const ownerSql = (live: string) => {
    const owner = account(ownerAccount(live), "localhost")
    return `CREATE USER IF NOT EXISTS ${owner} ACCOUNT LOCK;\nGRANT ${privileges} ON ${quoteMysqlIdent(live)}.* TO ${owner};\n`
  }

  return {
    admin,
    ownerAccount,
    databaseExists: (name) =>
      Effect.map(
        admin.query(`SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ${mysqlString(name)};`),
        (rows) => rows.length > 0,
      ),
    dropStaging: (names) =>
      admin.exec(
        `DROP DATABASE IF EXISTS ${quoteMysqlIdent(names.stage)};\n${["localhost", "127.0.0.1", "::1", "%"]
          .map((host) => `DROP USER IF EXISTS ${account(names.shadow, host)};`)
          .join("\n")}\n`,
      ),
    createStaging: (names, password, options) =>
      admin.exec(
        [
          `CREATE DATABASE ${quoteMysqlIdent(names.stage)}${charsetClause(options)};`,
          ...mysqlClientHosts(server).flatMap((host) => [
            `CREATE USER ${account(names.shadow, host)} IDENTIFIED BY ${mysqlString(password)} WITH MAX_USER_CONNECTIONS 2;`,
            `GRANT ${privileges} ON ${quoteMysqlIdent(names.stage)}.* TO ${account(names.shadow, host)};`,
          ]),
          "",
        ].join("\n"),
        [password],
      ),
    load: (names, password, dump) =>
      Effect.gen(function* () {
        const filter = new MysqlDumpFilter({ targetIsMariaDb: server.engine === "mariadb" })
        dump.stream.on("error", (error) => filter.destroy(error))
        const out = yield* Effect.promise(() =>
          spawnClient({
            program: mysqlProgram(),
            args: [
              "--no-defaults",
              ...mysqlConnectArgs(server, names.shadow),
              `--database=${names.stage}`,
              "--batch",
              "--binary-mode",
              "--local-infile=0",
              "--max-allowed-packet=1073741824",
              "--default-character-set=utf8mb4",
              "--silent",
            ],
            env: { MYSQL_PWD: password },
            stdin: dump.stream.pipe(filter),
            ...(runningAsRoot ? { user: nobody() } : {}),
            secrets: [password],
            stdoutLimit: 64 * 1024,
          }),
        )
        if (out.code !== 0 || out.inputError !== undefined)
          return yield* new ClientError({ program: mysqlProgram(), detail: clientFailure(out) })
        return filter.rewrites
      }),
    storedObjects: (names, live) =>
      Effect.gen(function* () {
        const stage = mysqlString(names.stage)
        const listed = yield* admin.query(
          [
            `SELECT 'trigger', TRIGGER_NAME, '' FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ${stage} ORDER BY EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, ACTION_ORDER;`,
            `SELECT 'view', TABLE_NAME, '' FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ${stage};`,
            `SELECT 'routine', ROUTINE_NAME, ROUTINE_TYPE FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ${stage};`,
            `SELECT 'event', EVENT_NAME, '' FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ${stage};`,
          ].join("\n"),
        )
        const objects = listed.map(([kind, name, type]) => ({ kind: kind as StoredObject["kind"], name: name ?? "", type: type ?? "" }))
        for (const o of objects)
          if (o.kind === "routine" && o.type !== "PROCEDURE" && o.type !== "FUNCTION")
            return yield* new ClientError({ program: "mariadb", detail: `the dump holds a ${o.type} (${o.name}), which Ferry cannot move` })
        if (objects.length === 0) return []
        const q = (name: string) => `${quoteMysqlIdent(names.stage)}.${quoteMysqlIdent(name)}`
        const rows = yield* admin.query(
          objects
            .map((o) =>
              o.kind === "trigger"
                ? `SHOW CREATE TRIGGER ${q(o.name)};`
                : o.kind === "view"
                  ? `SHOW CREATE VIEW ${q(o.name)};`
                  : o.kind === "event"
                    ? `SHOW CREATE EVENT ${q(o.name)};`
                    : `SHOW CREATE ${o.type} ${q(o.name)};`,
            )
            .join("\n"),
        )
        if (rows.length !== objects.length)
          return yield* new ClientError({ program: "mariadb", detail: "could not read the definitions of the stored objects" })
        const definer = new RegExp(
          `^CREATE\\s+((?:ALGORITHM=\\w+\\s+)?)DEFINER=${escapeRegExp(quoteMysqlIdent(names.shadow))}@\`[^\`]*\`\\s+`,
        )
        const owner = `${quoteMysqlIdent(ownerAccount(live))}@\`localhost\``
        const result: Array<StoredObject> = []
        for (const [index, o] of objects.entries()) {
          const row = rows[index] ?? []
          const text = (o.kind === "view" ? row[1] : o.kind === "event" ? row[3] : row[2]) ?? ""
          const sqlMode = o.kind === "view" ? "" : (row[1] ?? "")
          const match = definer.exec(text)
          if (match === null || !/^[A-Z0-9_,]*$/.test(sqlMode))
            return yield* new ClientError({ program: "mariadb", detail: `the ${o.kind} ${o.name} has an unexpected definition` })
          let create = `CREATE OR REPLACE ${match[1]}DEFINER=${owner} ${text.slice(match[0].length)}`
          if (o.kind === "view") create = create.replaceAll(`${quoteMysqlIdent(names.stage)}.`, `${quoteMysqlIdent(live)}.`)
          result.push({ kind: o.kind, name: o.name, sqlMode, create })
        }
        return result
      }),
    swap: (names, live, objects, replace) =>
      Effect.gen(function* () {
        const tables = yield* admin.query(
          `SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ${mysqlString(names.stage)} AND TABLE_TYPE <> 'VIEW' ORDER BY TABLE_NAME;`,
        )
        const charset = yield* admin.query(
          `SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ${mysqlString(names.stage)};`,
        )
        // A resumed swap may find the staging database already gone (killed after the move).
        const triggers = charset.length > 0 ? objects.filter((o) => o.kind === "trigger") : []
        const stage = quoteMysqlIdent(names.stage)
        const target = quoteMysqlIdent(live)
        const [cs, coll] = charset[0] ?? []
        const script = [
          "SET SESSION sql_mode = DEFAULT;",
          ...(replace ? [`DROP DATABASE IF EXISTS ${target};`] : []),
          `CREATE DATABASE IF NOT EXISTS ${target}${charsetClause({ charset: cs, collation: coll })};`,
          ownerSql(live),
          ...triggers.map((t) => `DROP TRIGGER IF EXISTS ${stage}.${quoteMysqlIdent(t.name)};`),
          ...(tables.length > 0
            ? [
                `RENAME TABLE ${tables.map(([t]) => `${stage}.${quoteMysqlIdent(t ?? "")} TO ${target}.${quoteMysqlIdent(t ?? "")}`).join(", ")};`,
              ]
            : []),
          `USE ${target};`,
          ...orderForCreation(objects, live).map(
            (o) => `SET SESSION sql_mode = ${o.sqlMode === "" ? "DEFAULT" : mysqlString(o.sqlMode)};\n${createStatement(o.create)}`,
          ),
          "SET SESSION sql_mode = DEFAULT;",
          `DROP DATABASE IF EXISTS ${stage};`,
          ...["localhost", "127.0.0.1", "::1", "%"].map((host) => `DROP USER IF EXISTS ${account(names.shadow, host)};`),
          "",
        ].join("\n")
        yield* admin.exec(script)
      }),
    ensureDatabase: (live, options) =>
      Effect.gen(function* () {
        const exists =
          (yield* admin.query(`SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ${mysqlString(live)};`)).length > 0
        yield* admin.exec(`CREATE DATABASE IF NOT EXISTS ${quoteMysqlIdent(live)}${charsetClause(options)};\n${ownerSql(live)}`)
        return !exists
      }),
    userState: (name) =>
      Effect.gen(function* () {
        const hosts = yield* admin.query(`SELECT Host FROM mysql.user WHERE User = ${mysqlString(name)};`)
        const grantee = `'${name}'@`
        const privileges = yield* admin.query(
          `SELECT GRANTEE, PRIVILEGE_TYPE, IS_GRANTABLE FROM information_schema.USER_PRIVILEGES WHERE GRANTEE LIKE ${mysqlString(`${grantee}%`)};`,
        )
        const privileged = privileges.some(
          ([who, type, grantable]) => who?.startsWith(grantee) === true && (type !== "USAGE" || grantable === "YES"),
        )
        return { exists: hosts.length > 0, privileged }
      }),
    applyUser: (user) => {
      const secrets = "hash" in user.auth ? [user.auth.hash] : [user.auth.password]
      const identified =
        "hash" in user.auth
          ? server.engine === "mariadb"
            ? `IDENTIFIED BY PASSWORD ${mysqlString(user.auth.hash)}`
            : `IDENTIFIED WITH mysql_native_password AS ${mysqlString(user.auth.hash)}`
          : `IDENTIFIED BY ${mysqlString(user.auth.password)}`
      const statements = user.hosts.flatMap((host) => [
        `CREATE USER IF NOT EXISTS ${account(user.name, host)} ${identified};`,
        `ALTER USER ${account(user.name, host)} ${identified};`,
      ])
      for (const grant of user.grants)
        for (const host of grant.hosts)
          if (grant.privileges.length > 0)
            statements.push(`GRANT ${grant.privileges.join(", ")} ON ${quoteMysqlIdent(grant.database)}.* TO ${account(user.name, host)};`)
      return admin.exec(`${statements.join("\n")}\n`, secrets)
    },
  }
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

const delimiterFor = (sql: string): string => {
  let delimiter = "$$ferry$$"
  while (sql.includes(delimiter)) delimiter = `$$ferry${Math.random().toString(36).slice(2)}$$`
  return delimiter
}

/**
 * Creation order in the live database: routines (views may call functions), triggers, views with
 * the views they read first (SHOW CREATE VIEW names every table as `db`.`name`), events.
 */
export const orderForCreation = (objects: ReadonlyArray<StoredObject>, live: string): Array<StoredObject> => {
  const views = objects.filter((o) => o.kind === "view")
  const ordered: Array<StoredObject> = []
  const placed = new Set<string>()
  const visit = (view: StoredObject, path: Set<string>) => {
    if (placed.has(view.name) || path.has(view.name)) return
    path.add(view.name)
    for (const other of views)
      if (other !== view && view.create.includes(`${quoteMysqlIdent(live)}.${quoteMysqlIdent(other.name)}`)) visit(other, path)
    placed.add(view.name)
    ordered.push(view)
  }
  for (const view of views) visit(view, new Set())
  return [
    ...objects.filter((o) => o.kind === "routine"),
    ...objects.filter((o) => o.kind === "trigger"),
    ...ordered,
    ...objects.filter((o) => o.kind === "event"),
  ]
}
