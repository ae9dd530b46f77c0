import { closeSync, fstatSync, openSync, readSync } from "node:fs"
import { type Capabilities, type Database, type DatabaseServer, StepFailed, TargetError } from "@ferry/core"
import { Effect } from "effect"
import { loadProfileFile } from "../Profile.ts"
import type { ProfileFile } from "../ProfileFile.ts"
import type { DatabaseServerAccess, ImportEnv } from "./ImportEnv.ts"

/*
 * Which database servers the importer may write to, and how it logs in: `admin` entries of the
 * ferry.yaml servers, and the environment (FERRY_MARIADB_URL / FERRY_POSTGRES_URL), which wins
 * for the same server id. Credentials never come from a backup. Passwords are read from a file
 * only its owner may read, or from an environment variable; they never appear in a URL, because
 * URLs end up in process lists and shell histories.
 */

export type Env = Readonly<Record<string, string | undefined>>

export interface DatabaseServersInput {
  readonly capabilities: Capabilities
  /** The ferry.yaml document; its `mysql`/`postgresql` entries may carry `admin` and `socket`. */
  readonly profile?: ProfileFile
  /** Default: process.env. */
  readonly env?: Env
}

const maxPasswordBytes = 4096

/** The first line of a password file nobody else can read (no world bits; a group such as root:ferry 0640 is fine). */
export const readPasswordFile = (path: string, what: string): Effect.Effect<string, TargetError> =>
  Effect.try({
    try: () => {
      const fd = openSync(path, "r")
      try {
        const stat = fstatSync(fd)
        if (!stat.isFile()) throw new Error("is not a regular file")
        if ((stat.mode & 0o007) !== 0)
          throw new Error(`is readable by everyone (mode ${(stat.mode & 0o777).toString(8)}); run chmod 600 on it`)
        const buffer = Buffer.alloc(maxPasswordBytes + 1)
        const read = readSync(fd, buffer, 0, buffer.length, 0)
        if (read > maxPasswordBytes) throw new Error(`is larger than ${maxPasswordBytes} bytes`)
        const password = buffer.subarray(0, read).toString("utf8").split(/\r?\n/)[0] ?? ""
        if (password === "") throw new Error("is empty")
        return password
      } finally {
        closeSync(fd)
      }
    },
    catch: (cause) =>
      new TargetError({ target: path, detail: `${what}: the password file ${cause instanceof Error ? cause.message : String(cause)}` }),
  })

const fail = (target: string, detail: string) => Effect.fail(new TargetError({ target, detail }))

type Entry = NonNullable<ProfileFile["mysql"] | ProfileFile["postgresql"]>[number]

const fromProfileEntry = (entry: Entry, engine: DatabaseServerAccess["engine"], env: Env) =>
  Effect.gen(function* () {
    const admin = entry.admin
    if (admin === undefined) return undefined
    const what = `ferry.yaml server ${entry.id}`
    let password: string | undefined
    if (admin.passwordFile !== undefined) password = yield* readPasswordFile(admin.passwordFile, what)
    if (admin.passwordEnv !== undefined) {
      password = env[admin.passwordEnv]
      if (password === undefined || password === "")
        return yield* fail(what, `admin.passwordEnv names ${admin.passwordEnv}, which is not set`)
    }
    const socketHost = entry.host?.startsWith("/") === true ? entry.host : undefined
    const socket = entry.socket ?? socketHost
    const access: DatabaseServerAccess = {
      id: entry.id,
      engine,
      host: socketHost !== undefined || entry.host === undefined ? "localhost" : entry.host,
      port: entry.port ?? (engine === "postgresql" ? 5432 : 3306),
      ...(socket !== undefined ? { socket } : {}),
      adminUser: admin.user,
      ...(password !== undefined ? { adminPassword: password } : {}),
    }
    return access
  })

interface EnvFamily {
  readonly prefix: "FERRY_MARIADB" | "FERRY_POSTGRES"
  readonly protocols: ReadonlyArray<string>
  readonly servers: ReadonlyArray<DatabaseServer>
  readonly defaultPort: number
}

const fromEnv = (family: EnvFamily, env: Env) =>
  Effect.gen(function* () {
    const name = `${family.prefix}_URL`
    const raw = env[name]
    if (raw === undefined || raw === "") return undefined
    let url: URL
    try {
      url = new URL(raw)
    } catch {
      return yield* fail(name, `not a URL (expected ${family.protocols[0]}://user@host:port)`)
    }
    const protocol = url.protocol.replace(/:$/, "")
    if (!family.protocols.includes(protocol))
      return yield* fail(name, `the scheme must be one of ${family.protocols.map((p) => `${p}://`).join(", ")}`)
    if (url.password !== "")
      return yield* fail(name, `holds a password; put it in ${family.prefix}_PASSWORD or ${family.prefix}_PASSWORD_FILE instead`)
    const user = decodeURIComponent(url.username)
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.@-]{0,79}$/.test(user)) return yield* fail(name, "needs a user name (scheme://user@host:port)")
    const socket = url.searchParams.get("socket") ?? url.searchParams.get("host") ?? undefined
    if (socket !== undefined && !/^\/[^\0\r\n]{0,1023}$/.test(socket)) return yield* fail(name, "socket= must be an absolute path")
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1")
    if (host === "" && socket === undefined) return yield* fail(name, "needs a host or ?socket=/path")
    const port = url.port === "" ? family.defaultPort : Number(url.port)
    const id =
      env[`${family.prefix}_SERVER`] ??
      (family.servers.find((s) => s.default) ?? (family.servers.length === 1 ? family.servers[0] : undefined))?.id ??
      (family.prefix === "FERRY_MARIADB" ? "mariadb" : "postgresql")
    const known = family.servers.find((s) => s.id === id)
    const engine: DatabaseServerAccess["engine"] =
      family.prefix === "FERRY_POSTGRES" ? "postgresql" : (known?.engine ?? (protocol === "mariadb" ? "mariadb" : "mysql"))
    let password = env[`${family.prefix}_PASSWORD`]
    const file = env[`${family.prefix}_PASSWORD_FILE`]
    if (file !== undefined && file !== "") password = yield* readPasswordFile(file, `${family.prefix}_PASSWORD_FILE`)
    const access: DatabaseServerAccess = {
      id,
      engine,
      host: host === "" ? "localhost" : host,
      port,
      ...(socket !== undefined ? { socket } : {}),
      adminUser: user,
      ...(password !== undefined && password !== "" ? { adminPassword: password } : {}),
    }
    return access
  })

/**
 * The database servers Ferry may write to, by server id: `admin` entries of the profile, then
 * the environment (which replaces a profile entry of the same id).
 *
 *   FERRY_MARIADB_URL=mysql://user@host:port  (or mariadb://…, or mysql://root@localhost?socket=/run/mysqld/mysqld.sock)
 *   FERRY_MARIADB_PASSWORD=… | FERRY_MARIADB_PASSWORD_FILE=/path (mode 0600)
 *   FERRY_MARIADB_SERVER=<server id>  (default: the default MySQL/MariaDB server of the profile)
 *   FERRY_POSTGRES_URL=postgresql://user@host:port (or ?host=/var/run/postgresql), FERRY_POSTGRES_PASSWORD[_FILE], FERRY_POSTGRES_SERVER
 */
export const databaseServersFrom = Effect.fn("DatabaseServers.from")(function* (
  input: DatabaseServersInput,
): Effect.fn.Return<Map<string, DatabaseServerAccess>, TargetError> {
  const env = input.env ?? process.env
  const servers = new Map<string, DatabaseServerAccess>()
  for (const entry of input.profile?.mysql ?? []) {
    const access = yield* fromProfileEntry(entry, entry.engine, env)
    if (access !== undefined) servers.set(access.id, access)
  }
  for (const entry of input.profile?.postgresql ?? []) {
    const access = yield* fromProfileEntry(entry, "postgresql", env)
    if (access !== undefined) servers.set(access.id, access)
  }
  const families: ReadonlyArray<EnvFamily> = [
    { prefix: "FERRY_MARIADB", protocols: ["mysql", "mariadb"], servers: input.capabilities.mysql, defaultPort: 3306 },
    { prefix: "FERRY_POSTGRES", protocols: ["postgresql", "postgres"], servers: input.capabilities.postgresql, defaultPort: 5432 },
  ]
  for (const family of families) {
    const access = yield* fromEnv(family, env)
    if (access !== undefined) servers.set(access.id, access)
  }
  return servers
})

/** {@link databaseServersFrom} with the ferry.yaml read from `profile` (a path), when there is one. */
export const loadDatabaseServers = Effect.fn("DatabaseServers.load")(function* (input: {
  readonly capabilities: Capabilities
  readonly profile?: string
  readonly env?: Env
}): Effect.fn.Return<Map<string, DatabaseServerAccess>, TargetError> {
  const profile = input.profile !== undefined ? yield* loadProfileFile(input.profile) : undefined
  return yield* databaseServersFrom({
    capabilities: input.capabilities,
    ...(profile !== undefined ? { profile } : {}),
    ...(input.env !== undefined ? { env: input.env } : {}),
  })
})

/** The server a database goes to: the plan's `server` change, else the engine's default server. */
export const serverFor = (env: ImportEnv, step: string, engine: Database["engine"], changed: string | undefined) =>
  Effect.gen(function* () {
    const servers = engine === "mysql" ? env.capabilities.mysql : env.capabilities.postgresql
    const id = changed ?? (servers.find((s) => s.default) ?? (servers.length === 1 ? servers[0] : undefined))?.id
    const word = engine === "mysql" ? "MySQL/MariaDB" : "PostgreSQL"
    if (id === undefined)
      return yield* new StepFailed({ step, code: "database-server-unavailable", reason: `the receiving server has no ${word} server` })
    const access = env.databaseServers.get(id)
    if (access === undefined || (engine === "postgresql") !== (access.engine === "postgresql"))
      return yield* new StepFailed({
        step,
        code: "database-server-unavailable",
        reason: `the ${word} server ${id} is not set up for imports (give it an admin: entry in ferry.yaml, or set ${engine === "mysql" ? "FERRY_MARIADB_URL" : "FERRY_POSTGRES_URL"})`,
      })
    return access
  })
