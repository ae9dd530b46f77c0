import { execFile } from "node:child_process"
import * as fs from "node:fs/promises"
import * as nodePath from "node:path"
import { run } from "../Measure.ts"

/*
 * The test MariaDB of `scripts/services.sh start`, reached with the `mariadb` client as its
 * `ferry_admin` account: the baseline loads dumps through it and the benchmark checks and drops
 * databases with it. The password travels in MYSQL_PWD, never in argv.
 */

export interface MariaDbServer {
  readonly host: string
  readonly port: number
  readonly socket: string | undefined
  readonly user: string
  readonly password: string
}

export const servicesDir = process.env["FERRY_SERVICES_DIR"] ?? "/tmp/ferry-services"

/** `<servicesDir>/env` as written by scripts/services.sh; waits up to `waitSeconds` for it. */
export const readServer = async (waitSeconds: number, log: (message: string) => void): Promise<MariaDbServer> => {
  const envPath = nodePath.join(servicesDir, "env")
  const deadline = Date.now() + waitSeconds * 1000
  let said = false
  for (;;) {
    const text = await fs.readFile(envPath, "utf8").catch(() => undefined)
    if (text !== undefined) {
      const env = Object.fromEntries(
        text
          .split("\n")
          .map((line) => /^([A-Z_]+)=(.*)$/.exec(line.trim()))
          .filter((m) => m !== null)
          .map((m) => [m[1], m[2]]),
      )
      const get = (key: string): string | undefined => env[`FERRY_TEST_MARIADB_${key}`]
      const host = get("HOST")
      const port = Number(get("PORT"))
      const user = get("USER")
      const password = get("PASSWORD")
      if (host !== undefined && Number.isInteger(port) && user !== undefined && password !== undefined) {
        const socket = get("SOCKET")
        return { host, port, socket: socket === "" ? undefined : socket, user, password }
      }
    }
    if (Date.now() > deadline) throw new Error(`no MariaDB settings in ${envPath}: run scripts/services.sh start (as root) first`)
    if (!said) log(`waiting for ${envPath} (scripts/services.sh start) …`)
    said = true
    await new Promise((resolve) => setTimeout(resolve, 5000))
  }
}

const clientArgs = (server: MariaDbServer): ReadonlyArray<string> => [
  "--no-defaults",
  "--protocol=tcp",
  `--host=${server.host}`,
  `--port=${server.port}`,
  `--user=${server.user}`,
]

const clientEnv = (server: MariaDbServer): NodeJS.ProcessEnv => ({ ...process.env, MYSQL_PWD: server.password })

/** Run SQL statements (names below are the benchmark's own, never from an archive); tab-separated rows. */
export const query = (server: MariaDbServer, sql: string, database?: string): Promise<ReadonlyArray<ReadonlyArray<string>>> =>
  new Promise((resolve, reject) => {
    execFile(
      "mariadb",
      [...clientArgs(server), "--batch", "--skip-column-names", `--execute=${sql}`, ...(database === undefined ? [] : ["--", database])],
      { env: clientEnv(server), maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`mariadb: ${sql.slice(0, 200)}: ${stderr.trim() || error.message}`))
        else
          resolve(
            stdout
              .split("\n")
              .filter((line) => line !== "")
              .map((line) => line.split("\t")),
          )
      },
    )
  })

/** `mariadb DB < FILE`: what an admin runs to load a dump by hand. Returns seconds. */
export const loadDump = async (server: MariaDbServer, database: string, file: string): Promise<number> => {
  const result = await run("mariadb", [...clientArgs(server), "--", database], { stdinPath: file, env: clientEnv(server) })
  if (result.code !== 0) throw new Error(`mariadb ${database} < ${file} failed (${result.code}): ${result.stderr.trim()}`)
  return result.seconds
}

const quoteName = (name: string): string => {
  if (!/^[A-Za-z0-9_]{1,64}$/.test(name)) throw new Error(`unexpected database or user name: ${name}`)
  return `\`${name}\``
}

export const createDatabase = (server: MariaDbServer, name: string) =>
  query(server, `CREATE DATABASE ${quoteName(name)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci`)

/** Databases whose names start with `prefix` (letters, digits and _ only). */
export const databasesLike = async (server: MariaDbServer, prefix: string): Promise<ReadonlyArray<string>> => {
  quoteName(prefix)
  const rows = await query(
    server,
    `SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE '${prefix.replace(/_/g, "\\_")}%'`,
  )
  return rows.map((row) => row[0] ?? "").filter((name) => name !== "")
}

/** Accounts (user@host) whose user names start with `prefix`. */
export const usersLike = async (server: MariaDbServer, prefix: string): Promise<ReadonlyArray<readonly [string, string]>> => {
  quoteName(prefix)
  const rows = await query(server, `SELECT user, host FROM mysql.user WHERE user LIKE '${prefix.replace(/_/g, "\\_")}%'`)
  return rows.map((row) => [row[0] ?? "", row[1] ?? ""] as const)
}

/** Drop every database and account the benchmark (or a Ferry run of it) created under `prefix`. */
export const dropAll = async (server: MariaDbServer, prefix: string): Promise<void> => {
  for (const db of await databasesLike(server, prefix)) await query(server, `DROP DATABASE IF EXISTS ${quoteName(db)}`)
  for (const [user, host] of await usersLike(server, prefix)) await dropUser(server, user, host)
}

const dropUser = async (server: MariaDbServer, user: string, host: string): Promise<void> => {
  if (!/^[A-Za-z0-9_.:%-]{1,255}$/.test(host)) throw new Error(`unexpected host in mysql.user: ${host}`)
  await query(server, `DROP USER IF EXISTS ${quoteName(user)}@'${host}'`)
}

/** Drop exactly these accounts, on every host they exist for. */
export const dropUsers = async (server: MariaDbServer, users: ReadonlyArray<string>): Promise<void> => {
  for (const user of users) {
    quoteName(user)
    for (const row of await query(server, `SELECT host FROM mysql.user WHERE user = '${user}'`)) await dropUser(server, user, row[0] ?? "")
  }
}

/** Rows of each table of `database`, counted (information_schema only estimates for InnoDB). */
export const rowCounts = async (
  server: MariaDbServer,
  database: string,
  tables: ReadonlyArray<string>,
): Promise<Record<string, number>> => {
  quoteName(database)
  const present = new Set(
    (await query(server, `SELECT table_name FROM information_schema.tables WHERE table_schema = '${database}'`)).map((r) => r[0]),
  )
  const counts: Record<string, number> = {}
  for (const table of tables) {
    if (!present.has(table)) continue
    const rows = await query(server, `SELECT COUNT(*) FROM ${quoteName(database)}.${quoteName(table)}`)
    counts[table] = Number(rows[0]?.[0] ?? Number.NaN)
  }
  return counts
}

/** Data + index bytes of a database as InnoDB reports them. */
export const databaseBytes = async (server: MariaDbServer, database: string): Promise<number> => {
  quoteName(database)
  const rows = await query(
    server,
    `SELECT COALESCE(SUM(data_length + index_length), 0) FROM information_schema.tables WHERE table_schema = '${database}'`,
  )
  return Number(rows[0]?.[0] ?? 0)
}

/** "10.11.19" from `SELECT VERSION()` ("10.11.19-MariaDB-0+deb12u1"). */
export const serverVersion = async (server: MariaDbServer): Promise<string> => {
  const text = (await query(server, "SELECT VERSION()"))[0]?.[0] ?? ""
  const match = /^\d+\.\d+\.\d+/.exec(text)
  if (match === null) throw new Error(`unexpected server version: ${text}`)
  return match[0]
}
