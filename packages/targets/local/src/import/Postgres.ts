import { Effect } from "effect"
import {
  type AdminSession,
  ClientError,
  clientFailure,
  nobody,
  pgConnectArgs,
  pgString,
  postgresAdmin,
  psqlSupportsRestrict,
  quotePgIdent,
  randomSecret,
  shortHash,
  spawnClient,
} from "./DbClient.ts"
import type { OpenedDump, Rewrites } from "./DumpFilter.ts"
import type { DatabaseServerAccess } from "./ImportEnv.ts"
import type { StageNames } from "./MariaDb.ts"
import { PgDumpFilter } from "./PgDumpFilter.ts"

/*
 * PostgreSQL side of the database import (security rules 20, 23, 24; checklist items 38–40).
 * A dump is loaded into a staging database owned by a per-load shadow role (NOSUPERUSER
 * NOCREATEDB NOCREATEROLE NOINHERIT) through `psql -X -v ON_ERROR_STOP=1 --single-transaction`
 * running as `nobody`, after the plain-dump filter; custom and tar archives are first turned into
 * a script by `pg_restore --no-owner --no-privileges` (as `nobody`, no connection) and then take
 * the same path, so one filter and one unprivileged login see every statement. The commit renames
 * the staging database and hands everything to a NOLOGIN owner role per database, never to the
 * administrator: a SECURITY DEFINER function owned by a superuser would run as one.
 */

/** A login role to create from the model: a verbatim md5/SCRAM hash or a (generated) password, and its databases. */
export interface PgUser {
  readonly name: string
  readonly password: string
  readonly grants: ReadonlyArray<{ readonly database: string; readonly full: boolean }>
}

export interface Postgres {
  readonly admin: AdminSession
  readonly ownerRole: (live: string) => string
  readonly databaseExists: (name: string) => Effect.Effect<boolean, ClientError>
  readonly dropStaging: (names: StageNames) => Effect.Effect<void, ClientError>
  readonly createStaging: (names: StageNames, password: string) => Effect.Effect<void, ClientError>
  readonly load: (names: StageNames, password: string, dump: OpenedDump) => Effect.Effect<Rewrites, ClientError>
  readonly swap: (names: StageNames, live: string, replace: boolean) => Effect.Effect<void, ClientError>
  readonly ensureDatabase: (live: string) => Effect.Effect<boolean, ClientError>
  readonly userState: (name: string) => Effect.Effect<{ readonly exists: boolean; readonly privileged: boolean }, ClientError>
  /**
   * CREATE or ALTER ROLE … LOGIN with the password, then per database CONNECT and TEMPORARY, or,
   * for full access, ALL on the database and membership of its owner role (which owns the tables).
   */
  readonly applyUser: (user: PgUser) => Effect.Effect<void, ClientError>
}

const roleAttributes = "NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS"

export const makePostgres = (server: DatabaseServerAccess, runningAsRoot: boolean): Postgres => {
  const admin = postgresAdmin(server)
  const ownerRole = (live: string) => `ferry_owner_${shortHash(`${server.id}/${live}`)}`
  const exists = (sql: string) => Effect.map(admin.query(sql), (rows) => rows.length > 0)
  const databaseExists = (name: string) => exists(`SELECT 1 FROM pg_database WHERE datname = ${pgString(name)};`)
  const roleExists = (name: string) => exists(`SELECT 1 FROM pg_roles WHERE rolname = ${pgString(name)};`)
  const ensureOwner = (live: string) =>
    Effect.gen(function* () {
      const owner = ownerRole(live)
      if (!(yield* roleExists(owner))) yield* admin.exec(`CREATE ROLE ${quotePgIdent(owner)} NOLOGIN ${roleAttributes};`)
      return owner
    })
  const settle = (live: string, owner: string) =>
    admin.exec(
      `ALTER DATABASE ${quotePgIdent(live)} OWNER TO ${quotePgIdent(owner)};\nREVOKE ALL ON DATABASE ${quotePgIdent(live)} FROM PUBLIC;`,
    )

  return {
    admin,
    ownerRole,
    databaseExists,
    dropStaging: (names) =>
      admin.exec(`DROP DATABASE IF EXISTS ${quotePgIdent(names.stage)} WITH (FORCE);\nDROP ROLE IF EXISTS ${quotePgIdent(names.shadow)};`),
    createStaging: (names, password) =>
      Effect.gen(function* () {
        yield* admin.exec(
          [
            "SET password_encryption = 'scram-sha-256';",
            `CREATE ROLE ${quotePgIdent(names.shadow)} LOGIN PASSWORD ${pgString(password)} ${roleAttributes} CONNECTION LIMIT 3;`,
            `CREATE DATABASE ${quotePgIdent(names.stage)} OWNER ${quotePgIdent(names.shadow)} TEMPLATE template0;`,
            `REVOKE ALL ON DATABASE ${quotePgIdent(names.stage)} FROM PUBLIC;`,
          ].join("\n"),
          [password],
        )
        // A NOINHERIT role does not use pg_database_owner's rights on `public`: give it the schema.
        yield* postgresAdmin(server, names.stage).exec(`ALTER SCHEMA public OWNER TO ${quotePgIdent(names.shadow)};`)
      }),
    load: (names, password, dump) =>
      Effect.gen(function* () {
        const restrict = yield* Effect.promise(() => psqlSupportsRestrict())
        const user = runningAsRoot ? { user: nobody() } : {}
        const abort = new AbortController()
        let restored: Promise<void> | undefined
        let filter: PgDumpFilter
        if (dump.format === "sql") {
          filter = new PgDumpFilter(restrict ? { restrictKey: randomSecret() } : {})
          dump.stream.on("error", (error) => filter.destroy(error))
          dump.stream.pipe(filter)
        } else {
          // The archive becomes a script (no connection, no owners, no privileges); it ends only
          // when pg_restore exits cleanly, so a broken archive never reaches COMMIT.
          let finish: (result: Promise<void>) => void = () => {}
          const gate = new Promise<void>((resolve, reject) => {
            finish = (result) => result.then(resolve, reject)
          })
          filter = new PgDumpFilter({ ...(restrict ? { restrictKey: randomSecret() } : {}), beforeEnd: () => gate })
          const output = spawnClient({
            program: "pg_restore",
            args: ["--no-owner", "--no-privileges", "--exit-on-error", "--file=-"],
            stdin: dump.stream,
            stdoutTo: (stdout) => stdout.pipe(filter),
            ...user,
            secrets: [password],
            signal: abort.signal,
          })
          restored = output.then((out) => {
            if (out.code !== 0 || out.inputError !== undefined) throw new Error(`pg_restore: ${clientFailure(out)}`)
          })
          finish(restored)
          restored.catch(() => {})
        }
        const out = yield* Effect.promise(() =>
          spawnClient({
            program: "psql",
            args: [
              "-X",
              "-q",
              "-v",
              "ON_ERROR_STOP=1",
              "-v",
              "VERBOSITY=terse",
              "--single-transaction",
              "--file=-",
              ...pgConnectArgs(server, names.shadow, names.stage),
            ],
            env: { PGPASSWORD: password, PGAPPNAME: "ferry-load", PGCONNECT_TIMEOUT: "30" },
            stdin: filter,
            ...user,
            secrets: [password],
            stdoutLimit: 64 * 1024,
          }),
        )
        abort.abort()
        if (out.code !== 0 || out.inputError !== undefined) return yield* new ClientError({ program: "psql", detail: clientFailure(out) })
        if (restored !== undefined)
          yield* Effect.tryPromise({ try: () => restored, catch: (e) => new ClientError({ program: "pg_restore", detail: String(e) }) })
        return filter.rewrites
      }),
    swap: (names, live, replace) =>
      Effect.gen(function* () {
        const owner = ownerRole(live)
        const [state] = yield* admin.query(
          `SELECT (SELECT count(*) FROM pg_database WHERE datname = ${pgString(names.stage)}), (SELECT count(*) FROM pg_roles WHERE rolname = ${pgString(owner)}), (SELECT count(*) FROM pg_roles WHERE rolname = ${pgString(names.shadow)});`,
        )
        const [staged, ownerThere, shadowThere] = (state ?? []).map((n) => n !== "0")
        // Each step checks what is there, so a swap killed half way is finished by running it again.
        const first = [
          ...(staged
            ? [
                `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname IN (${pgString(names.stage)}, ${pgString(live)}) AND pid <> pg_backend_pid();`,
                ...(replace ? [`DROP DATABASE IF EXISTS ${quotePgIdent(live)} WITH (FORCE);`] : []),
                `ALTER DATABASE ${quotePgIdent(names.stage)} RENAME TO ${quotePgIdent(live)};`,
              ]
            : []),
          ...(ownerThere ? [] : [`CREATE ROLE ${quotePgIdent(owner)} NOLOGIN ${roleAttributes};`]),
        ]
        if (first.length > 0) yield* admin.exec(first.join("\n"))
        if (shadowThere)
          yield* postgresAdmin(server, live).exec(
            `REASSIGN OWNED BY ${quotePgIdent(names.shadow)} TO ${quotePgIdent(owner)};\nDROP OWNED BY ${quotePgIdent(names.shadow)};`,
          )
        yield* admin.exec(
          [
            `DROP ROLE IF EXISTS ${quotePgIdent(names.shadow)};`,
            `ALTER DATABASE ${quotePgIdent(live)} OWNER TO ${quotePgIdent(owner)};`,
            `REVOKE ALL ON DATABASE ${quotePgIdent(live)} FROM PUBLIC;`,
          ].join("\n"),
        )
      }),
    ensureDatabase: (live) =>
      Effect.gen(function* () {
        const owner = yield* ensureOwner(live)
        if (yield* databaseExists(live)) return false
        yield* admin.exec(`CREATE DATABASE ${quotePgIdent(live)} OWNER ${quotePgIdent(owner)} TEMPLATE template0;`)
        yield* settle(live, owner)
        return true
      }),
    userState: (name) =>
      Effect.map(
        admin.query(
          `SELECT r.rolsuper OR r.rolcreaterole OR r.rolcreatedb OR r.rolreplication OR r.rolbypassrls OR EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid AND (g.rolsuper OR g.rolname LIKE 'pg\\_%')) FROM pg_roles r WHERE r.rolname = ${pgString(name)};`,
        ),
        (rows) => ({ exists: rows.length > 0, privileged: rows.some(([flag]) => flag === "t") }),
      ),
    applyUser: (user) =>
      Effect.gen(function* () {
        const role = quotePgIdent(user.name)
        const verb = (yield* roleExists(user.name)) ? "ALTER" : "CREATE"
        const statements = [
          "SET password_encryption = 'scram-sha-256';",
          `${verb} ROLE ${role} LOGIN PASSWORD ${pgString(user.password)} NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT;`,
        ]
        for (const grant of user.grants) {
          const db = quotePgIdent(grant.database)
          if (grant.full) {
            const owner = yield* ensureOwner(grant.database)
            statements.push(`GRANT ALL ON DATABASE ${db} TO ${role};`, `GRANT ${quotePgIdent(owner)} TO ${role};`)
          } else statements.push(`GRANT CONNECT, TEMPORARY ON DATABASE ${db} TO ${role};`)
        }
        yield* admin.exec(statements.join("\n"), [user.password])
      }),
  }
}
