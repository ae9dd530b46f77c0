import { execFileSync } from "node:child_process"
import { createHash } from "node:crypto"
import { existsSync, readFileSync } from "node:fs"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as nodePath from "node:path"
import {
  AdapterRegistry,
  Archive,
  ContentRouter,
  type Entity,
  type EntityOf,
  type EntityTag,
  Inspector,
  type InspectResult,
  type Snapshot,
} from "@ferry/core"
import { Effect, Layer } from "effect"
import { adapters } from "../../src/Adapters.ts"
import { profileYamlText } from "../support/Profiles.ts"

/*
 * What the end-to-end import tests share: the real test database servers (scripts/services.sh),
 * a ferry.yaml whose servers carry administrator access to them, the snapshot read by the same
 * adapters as the CLI, and the archive's own view of the web content to compare a target with.
 */

const servicesDir = process.env.FERRY_SERVICES_DIR ?? "/tmp/ferry-services"

export interface ServiceVars {
  readonly mariadb: { readonly host: string; readonly port: number; readonly user: string; readonly password: string }
  readonly postgres: { readonly host: string; readonly port: number; readonly user: string; readonly password: string }
}

let cachedVars: ServiceVars | undefined

/** The test servers; a missing env file fails the test (never a skip). */
export const serviceVars = (): ServiceVars => {
  if (cachedVars !== undefined) return cachedVars
  const file = nodePath.join(servicesDir, "env")
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`bash scripts/services.sh start\`, then the tests again`)
  const vars: Record<string, string> = {}
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line)
    if (match !== null) vars[match[1] as string] = match[2] as string
  }
  const need = (name: string): string => {
    const value = vars[name]
    if (value === undefined || value === "") throw new Error(`${file} has no ${name}`)
    return value
  }
  cachedVars = {
    mariadb: {
      host: need("FERRY_TEST_MARIADB_HOST"),
      port: Number(need("FERRY_TEST_MARIADB_PORT")),
      user: need("FERRY_TEST_MARIADB_USER"),
      password: need("FERRY_TEST_MARIADB_PASSWORD"),
    },
    postgres: {
      host: need("FERRY_TEST_POSTGRES_HOST"),
      port: Number(need("FERRY_TEST_POSTGRES_PORT")),
      user: need("FERRY_TEST_POSTGRES_USER"),
      password: need("FERRY_TEST_POSTGRES_PASSWORD"),
    },
  }
  return cachedVars
}

const runClient = (program: string, args: ReadonlyArray<string>, env: Record<string, string>, input: string): string =>
  execFileSync(program, args, { input, env: { PATH: "/usr/bin:/bin", LANG: "C.UTF-8", ...env }, encoding: "utf8", stdio: "pipe" })

const rowsOf = (out: string, separator: string): Array<Array<string>> =>
  out
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => l.split(separator))

/** SQL on the MariaDB test server (as the administrator unless `login` is given). */
export const mysql = (sql: string, login?: { readonly user: string; readonly password: string }): Array<Array<string>> => {
  const { mariadb } = serviceVars()
  const args = ["--no-defaults", "--protocol=tcp", `--host=${mariadb.host}`, `--port=${mariadb.port}`]
  const out = runClient(
    "mariadb",
    [...args, `--user=${login?.user ?? mariadb.user}`, "--batch", "--skip-column-names"],
    {
      MYSQL_PWD: login?.password ?? mariadb.password,
    },
    sql,
  )
  return rowsOf(out, "\t")
}

export const psql = (sql: string, database = "postgres"): Array<Array<string>> => {
  const { postgres } = serviceVars()
  const args = ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", `--host=${postgres.host}`, `--port=${postgres.port}`]
  return rowsOf(
    runClient("psql", [...args, `--username=${postgres.user}`, `--dbname=${database}`], { PGPASSWORD: postgres.password }, sql),
    "|",
  )
}

const sqlString = (s: string) => `'${s.replaceAll("\\", "\\\\").replaceAll("'", "''")}'`
const ident = (s: string) => `\`${s.replaceAll("`", "``")}\``
const pgIdent = (s: string) => `"${s.replaceAll('"', '""')}"`

export const mysqlDatabases = (): Array<string> => mysql("SHOW DATABASES").map((r) => r[0] as string)

/** Table → row count of a MariaDB database (exact counts, not the estimates of information_schema). */
export const mysqlRowCounts = (db: string): Record<string, number> => {
  const tables = mysql(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = ${sqlString(db)} AND table_type = 'BASE TABLE' ORDER BY table_name`,
  ).map((r) => r[0] as string)
  const out: Record<string, number> = {}
  for (const table of tables) out[table] = Number(mysql(`SELECT COUNT(*) FROM ${ident(db)}.${ident(table)}`)[0]?.[0])
  return out
}

/** Table → `CHECKSUM TABLE … EXTENDED` of a MariaDB database. */
export const mysqlChecksums = (db: string): Record<string, string> => {
  const tables = Object.keys(mysqlRowCounts(db))
  const out: Record<string, string> = {}
  for (const table of tables) out[table] = mysql(`CHECKSUM TABLE ${ident(db)}.${ident(table)} EXTENDED`)[0]?.[1] ?? ""
  return out
}

const ownerHash = (server: string, db: string) => createHash("sha256").update(`${server}/${db}`).digest("hex").slice(0, 8)

/**
 * Drop what an import of `snapshot` creates on the test servers: its databases, its database
 * users and the per-database definer accounts (`ferry_owner_<hash of server/db>`, MariaDb.ts).
 */
export const dropImported = (snapshot: Snapshot): void => {
  for (const db of entities(snapshot, "Database")) {
    if (db.engine === "mysql") {
      mysql(`DROP DATABASE IF EXISTS ${ident(db.name)}`)
      mysql(`DROP USER IF EXISTS ${sqlString(`ferry_owner_${ownerHash("mariadb-main", db.name)}`)}@'localhost'`)
    } else {
      psql(`DROP DATABASE IF EXISTS ${pgIdent(db.name)} WITH (FORCE)`)
      psql(`DROP ROLE IF EXISTS ${pgIdent(`ferry_owner_${ownerHash("pg15", db.name)}`)}`)
    }
  }
  for (const user of entities(snapshot, "DatabaseUser")) {
    if (user.engine === "mysql") {
      const hosts = mysql(`SELECT host FROM mysql.user WHERE user = ${sqlString(user.name)}`).map((r) => r[0] as string)
      for (const host of hosts) mysql(`DROP USER IF EXISTS ${sqlString(user.name)}@${sqlString(host)}`)
    } else psql(`DROP ROLE IF EXISTS ${pgIdent(user.name)}`)
  }
}

/** Staging databases and shadow accounts a finished import must not leave (DatabasePart.ts). */
export const leftovers = (): Array<string> => [
  ...mysqlDatabases().filter((d) => d.startsWith("ferry_stage_")),
  ...mysql("SELECT user FROM mysql.user WHERE user LIKE 'ferry\\_shadow\\_%'").map((r) => `mysql user ${r[0]}`),
  ...psql("SELECT datname FROM pg_database WHERE datname LIKE 'ferry_stage_%'").map((r) => `pg database ${r[0]}`),
  ...psql("SELECT rolname FROM pg_roles WHERE rolname LIKE 'ferry_shadow_%'").map((r) => `pg role ${r[0]}`),
]

/* A receiving server --------------------------------------------------------------------------- */

export interface E2eServer {
  readonly dir: string
  readonly profile: string
  readonly newRoot: (name: string) => Promise<string>
  readonly stateDir: (name: string) => string
}

/** A temp directory with a ferry.yaml whose servers point at the test instances with admin access. */
export const makeE2eServer = async (prefix: string): Promise<E2eServer> => {
  const dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), prefix))
  const { mariadb, postgres } = serviceVars()
  const mysqlPw = nodePath.join(dir, "mariadb.password")
  const pgPw = nodePath.join(dir, "postgres.password")
  await fs.writeFile(mysqlPw, `${mariadb.password}\n`, { mode: 0o600 })
  await fs.writeFile(pgPw, `${postgres.password}\n`, { mode: 0o600 })
  const lines = profileYamlText().split("\n")
  const access = (host: string, port: number, user: string, file: string) => [
    `    host: ${host}`,
    `    port: ${port}`,
    `    admin: { user: ${user}, passwordFile: ${file} }`,
  ]
  const out: Array<string> = []
  for (const line of lines) {
    out.push(line)
    if (line === '    version: "10.11.6"') out.push(...access(mariadb.host, mariadb.port, mariadb.user, mysqlPw))
    if (line === '    version: "15.8"') out.push(...access(postgres.host, postgres.port, postgres.user, pgPw))
  }
  const profile = nodePath.join(dir, "ferry.yaml")
  await fs.writeFile(profile, out.join("\n"))
  return {
    dir,
    profile,
    newRoot: async (name) => {
      const root = nodePath.join(dir, `root-${name}`)
      await fs.mkdir(root)
      return root
    },
    stateDir: (name) => nodePath.join(dir, `state-${name}`),
  }
}

/* The snapshot and the archive's view of it ---------------------------------------------------- */

const inspectLayer = Inspector.layer.pipe(Layer.provide(AdapterRegistry.layer(adapters)))

export const inspectBackup = (archive: string): Promise<InspectResult> =>
  Effect.runPromise(Inspector.use((inspector) => inspector.inspect(archive)).pipe(Effect.provide(inspectLayer)))

export const entities = <T extends EntityTag>(snapshot: Snapshot, tag: T): Array<EntityOf<T>> =>
  snapshot.entities.filter((e: Entity): e is EntityOf<T> => e._tag === tag)

export const loginOf = (owner: string | null): string => (owner ?? "").replace(/^account:/, "")

/**
 * The regular files the sites' web content brings, by path relative to the target root
 * (`home/<login>/<docroot>/<rel>`) → sha256, routed exactly as the executor routes archive
 * entries. Symlinks are left out (FileSink may refuse them); a hard link inside the same content
 * is a copy of its target (FileSink materialises it).
 */
export const expectedWebFiles = async (archive: string, snapshot: Snapshot): Promise<Map<string, string>> => {
  const sites = entities(snapshot, "Site").filter((s) => s.content !== undefined)
  const webRefs = new Map(sites.map((s) => [s.content as string, s]))
  const router = new ContentRouter(snapshot.content, new Set(snapshot.content.map((c) => c.id)), snapshot.nested ?? [])
  const out = new Map<string, string>()
  const byArchivePath = new Map<string, string>()
  const visit = (entry: Parameters<Parameters<Archive.ArchiveHandle["scan"]>[0]>[0]): Effect.Effect<void> =>
    Effect.gen(function* () {
      if (entry.type !== "file" && entry.type !== "hardlink") return
      const route = router.route(entry.path, true)
      if (route._tag !== "write") return
      const site = webRefs.get(route.ref.id)
      if (site === undefined) return
      const target = nodePath.posix.join("home", loginOf(site.owner), site.docroot, route.rel)
      if (entry.type === "hardlink") {
        const digest = byArchivePath.get(entry.linkTarget ?? "")
        if (digest !== undefined) out.set(target, digest)
        return
      }
      const bytes = yield* Effect.orDie(entry.readBytes(512 * 1024 * 1024))
      const digest = createHash("sha256").update(bytes).digest("hex")
      byArchivePath.set(entry.path, digest)
      out.set(target, digest)
    })
  await Effect.runPromise(Effect.flatMap(Archive.open(archive), (handle) => handle.scan(visit)).pipe(Effect.orDie))
  return out
}

/* Dovecot passwd-files ------------------------------------------------------------------------- */

/** Dovecot's prefix per scheme, as the passwd-file must carry it (Dovecot.ts, `doveadm pw -l`). */
export const dovecotPrefix: Readonly<Record<string, string>> = {
  "md5-crypt": "{MD5-CRYPT}",
  "sha256-crypt": "{SHA256-CRYPT}",
  "sha512-crypt": "{SHA512-CRYPT}",
  bcrypt: "{BLF-CRYPT}",
  "des-crypt": "{DES-CRYPT}",
  yescrypt: "{CRYPT}",
}

/** Lines of a file that are not comments or blank. */
export const contentLines = async (path: string): Promise<Array<string>> =>
  (await fs.readFile(path, "utf8")).split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#"))

/** Every file under `root` matching `pattern`, relative. */
export const filesMatching = async (root: string, pattern: RegExp): Promise<Array<string>> => {
  const out: Array<string> = []
  const walk = async (dir: string, prefix: string): Promise<void> => {
    for (const d of await fs.readdir(dir, { withFileTypes: true })) {
      const rel = prefix === "" ? d.name : `${prefix}/${d.name}`
      if (d.isDirectory()) await walk(nodePath.join(dir, d.name), rel)
      else if (d.isFile() && pattern.test(rel)) out.push(rel)
    }
  }
  await walk(root, "")
  return out.sort()
}

/** A cheap listing of system directories an import into a temp root must not touch. */
export const systemListing = async (): Promise<string> => {
  const dirs = ["/home", "/etc/nginx", "/etc/nginx/sites-enabled", "/etc/dovecot", "/etc/bind", "/var/mail", "/var/spool/cron/crontabs"]
  const parts: Array<string> = []
  for (const dir of dirs) {
    const names = await fs.readdir(dir).catch(() => ["<absent>"])
    const stat = await fs.stat(dir).catch(() => undefined)
    parts.push(`${dir} ${stat?.mtimeMs ?? "-"}: ${names.sort().join(",")}`)
  }
  return parts.join("\n")
}
