import { randomBytes } from "node:crypto"
import {
  type Database,
  type DatabaseUser,
  postgresScheme,
  type StepContext,
  StepFailed,
  type StepResult,
  type TargetError,
} from "@ferry/core"
import { Effect, Redacted } from "effect"
import { serverFor } from "./DatabaseServers.ts"
import { type ClientError, isMysqlHost } from "./DbClient.ts"
import { databaseUser, orFailStep, replacesExisting, resolveOwner } from "./Identifiers.ts"
import type { DatabaseServerAccess, ImportEnv } from "./ImportEnv.ts"
import { generatedPasswordKey, generatedPasswordKind, generatedPasswordOf, recordGeneratedPassword } from "./LocalImporter.ts"
import { makeMariaDb, mysqlDatabasePrivileges } from "./MariaDb.ts"
import { makePostgres } from "./Postgres.ts"

/*
 * Database users are created from Ferry's model only (security rule 19): never by replaying a
 * source grant file. A user gets database-level grants on databases of the same import that exist
 * on its server, with privileges from an allow-list (no FILE, SUPER, PROCESS, GRANT OPTION, …).
 * A name that exists on the server and was not imported by Ferry is refused unless the plan says
 * "replace existing"; an account with global privileges (root, the administrator, a superuser
 * role) is never taken over, whatever the plan says.
 */

export const databaseUserRecordKind = "database-user"

const reservedUser = (name: string, server: DatabaseServerAccess): boolean =>
  name === server.adminUser ||
  /^(root|mysql|mariadb\.sys|debian-sys-maint|postgres|public|admin)$/i.test(name) ||
  /^(ferry_|pg_)/i.test(name)

const inventoryFailure = (step: string) => (error: TargetError) =>
  new StepFailed({ step, code: "inventory", reason: `the inventory could not be updated: ${error.detail}` })

const newPassword = (): string => {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
  return [...randomBytes(20)].map((b) => alphabet[b % alphabet.length]).join("")
}

const normalise = (privilege: string) => privilege.trim().toUpperCase().replace(/\s+/g, " ")

/** Database-level MySQL privileges from the allow-list; the rest is reported. */
export const mysqlPrivileges = (
  privileges: ReadonlyArray<string>,
  engine: DatabaseServerAccess["engine"],
): { readonly kept: Array<string>; readonly dropped: Array<string> } => {
  const allowed: ReadonlyArray<string> = [...mysqlDatabasePrivileges, ...(engine === "mariadb" ? ["DELETE HISTORY"] : [])]
  const kept = new Set<string>()
  const dropped: Array<string> = []
  for (const raw of privileges) {
    const p = normalise(raw)
    if (p === "ALL" || p === "ALL PRIVILEGES") for (const a of allowed) kept.add(a)
    else if (allowed.includes(p)) kept.add(p)
    else if (p !== "USAGE" && !dropped.includes(p)) dropped.push(p)
  }
  return { kept: allowed.filter((a) => kept.has(a)), dropped }
}

interface ServerGroup {
  readonly server: DatabaseServerAccess
  readonly grants: Array<{ readonly database: string; readonly privileges: ReadonlyArray<string>; readonly host?: string | undefined }>
}

export const applyDatabaseUser = (env: ImportEnv, user: DatabaseUser, ctx: StepContext) =>
  Effect.gen(function* () {
    const step = user.id
    const owner = yield* orFailStep(step, resolveOwner(user, ctx))
    const notes: Array<string> = []
    const replace = replacesExisting(user, ctx)
    const service = user.engine === "postgresql" ? "postgresql" : "mysql"
    const databases = ctx.snapshot.entities.filter((e): e is Database => e._tag === "Database" && e.engine === user.engine)
    const groups = new Map<string, ServerGroup>()
    for (const grant of user.grants) {
      const db = databases.find((d) => d.name === grant.database)
      const decision = db === undefined ? undefined : ctx.decisionOf(db.id)
      if (db === undefined || decision === undefined || decision.action === "skip") {
        notes.push(`database user ${user.name}: the grant on ${grant.database} is not carried over (that database is not imported)`)
        continue
      }
      const server = yield* serverFor(env, step, db.engine, decision.changes.findLast((c) => c.field === "server")?.to)
      const group = groups.get(server.id) ?? { server, grants: [] }
      group.grants.push(grant)
      groups.set(server.id, group)
    }
    if (groups.size === 0) {
      const server = yield* serverFor(env, step, user.engine, ctx.decision.changes.findLast((c) => c.field === "server")?.to)
      groups.set(server.id, { server, grants: [] })
    }

    let created = false
    let changed = false
    let generated: string | undefined
    const password = Effect.gen(function* () {
      if (generated !== undefined) return generated
      const previous = yield* Effect.mapError(generatedPasswordOf(env.records, user.id, service), inventoryFailure(step))
      generated = previous?.password ?? newPassword()
      return generated
    })

    for (const { server, grants } of groups.values()) {
      const name = yield* orFailStep(step, databaseUser(user.name, server.engine))
      const label = `database user ${name} on ${server.id}`
      const refused = (error: ClientError) => new StepFailed({ step, code: "database-unavailable", reason: `${label}: ${error.detail}` })
      if (reservedUser(name, server))
        return yield* new StepFailed({ step, code: "reserved-name", reason: `${label}: the name is reserved on the receiving server` })
      const key = `${server.id}/${name}`
      const record = yield* Effect.mapError(env.records.get(databaseUserRecordKind, key), inventoryFailure(step))
      const pg = server.engine === "postgresql" ? makePostgres(server, env.runningAsRoot) : undefined
      const maria = pg === undefined ? makeMariaDb(server, env.runningAsRoot) : undefined
      const state = yield* Effect.mapError(pg?.userState(name) ?? (maria as NonNullable<typeof maria>).userState(name), refused)
      if (state.privileged)
        return yield* new StepFailed({
          step,
          code: "database-user-privileged",
          reason: `${label} exists with server-wide privileges; Ferry never takes such an account over`,
        })
      if (state.exists && record === undefined && !replace)
        return yield* new StepFailed({
          step,
          code: "database-user-exists",
          reason: `${label} already exists and was not imported by Ferry; choose "replace existing" to take it over`,
        })

      // The hash from the backup when this server keeps it as it is, else a generated password.
      const hash = user.passwordHash
      const raw = hash === undefined ? undefined : Redacted.value(hash.value)
      const keep =
        !ctx.decision.newPasswords.includes(service) &&
        raw !== undefined &&
        (pg !== undefined
          ? (hash?.scheme === "postgres-md5" || hash?.scheme === "postgres-scram") && postgresScheme(raw) !== "unknown"
          : hash?.scheme === "mysql-native" && /^\*[0-9A-Fa-f]{40}$/.test(raw))

      const present: Array<{ database: string; privileges: ReadonlyArray<string>; host?: string | undefined }> = []
      for (const grant of grants) {
        const exists = yield* Effect.mapError(
          pg?.databaseExists(grant.database) ?? (maria as NonNullable<typeof maria>).databaseExists(grant.database),
          refused,
        )
        if (exists) present.push(grant)
        else notes.push(`${label}: the grant on ${grant.database} is not carried over (the database is not on ${server.id})`)
      }

      // Recorded before the account is made: a run killed in between finds its own user again.
      const put = yield* Effect.mapError(
        env.records.put(databaseUserRecordKind, key, owner, {
          server: server.id,
          engine: server.engine,
          name,
          hosts: pg === undefined ? user.hosts : [],
          grants: present.map((g) => g.database),
          generated: !keep,
        }),
        inventoryFailure(step),
      )
      if (pg !== undefined) {
        const full = (privileges: ReadonlyArray<string>) =>
          privileges.map(normalise).some((p) => p === "ALL" || p === "ALL PRIVILEGES" || p === "CREATE")
        yield* Effect.mapError(
          pg.applyUser({
            name,
            password: keep ? (raw as string) : yield* password,
            grants: present.map((g) => ({ database: g.database, full: full(g.privileges) })),
          }),
          refused,
        )
      } else if (maria !== undefined) {
        const valid = user.hosts.filter(isMysqlHost)
        const invalid = user.hosts.filter((h) => !isMysqlHost(h))
        if (invalid.length > 0)
          notes.push(
            `${label}: hosts not carried over (not a host name, IP or pattern): ${invalid.map((h) => JSON.stringify(h)).join(", ")}`,
          )
        if (valid.length === 0 && user.hosts.length > 0)
          return yield* new StepFailed({ step, code: "invalid-name", reason: `${label}: none of its hosts can be used` })
        const hosts = valid.length > 0 ? valid : ["localhost"]
        const mapped = present.map((g) => {
          const { kept, dropped } = mysqlPrivileges(g.privileges, server.engine)
          if (dropped.length > 0) notes.push(`${label}: privileges on ${g.database} not carried over: ${dropped.join(", ")}`)
          const host = g.host !== undefined && isMysqlHost(g.host) ? [g.host] : hosts
          return { database: g.database, privileges: kept, hosts: host }
        })
        yield* Effect.mapError(
          maria.applyUser({
            name,
            hosts,
            auth: keep ? { hash: (raw as string).toUpperCase() } : { password: yield* password },
            grants: mapped,
          }),
          refused,
        )
      }
      if (!state.exists) created = true
      else if (put !== "unchanged") changed = true
    }

    const key = generatedPasswordKey(user.id, service)
    if (generated !== undefined) {
      yield* Effect.mapError(
        recordGeneratedPassword(env.records, owner, { entity: user.id, service, login: user.name, password: generated }),
        inventoryFailure(step),
      )
      const why =
        user.passwordHash === undefined ? "the backup has no password for it" : `its ${user.passwordHash.scheme} hash cannot be used here`
      notes.push(`database user ${user.name} has a new generated password (${why}); it is listed with the job's generated passwords`)
    } else yield* Effect.mapError(env.records.remove(generatedPasswordKind, key), inventoryFailure(step))
    yield* Effect.mapError(env.store.record.databaseUser(user.name, owner, user.engine), inventoryFailure(step))
    return { outcome: created ? "created" : changed ? "updated" : "unchanged", notes } satisfies StepResult
  })
