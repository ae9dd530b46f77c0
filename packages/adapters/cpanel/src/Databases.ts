import { asRecord, asString, type Database, makePasswordHash, mysqlScheme, parseJson } from "@ferry/core"
import { type Assembly, noteAt, noteInvalidDatabaseName, type SeenFile } from "./Collected.ts"
import { parseMysqlCreate } from "./MysqlCreate.ts"
import { type MysqlUserGrants, parseMysqlAuthJson, parseMysqlGrants } from "./MysqlGrants.ts"
import { isSqlName, listForMessage } from "./Paths.ts"
import { buildPostgres } from "./Postgres.ts"

type Grant = { database: string; privileges: ReadonlyArray<string>; host?: string }

/** `mysql/<db>.create` and `mysql/<db>.sql`, in either order (pitfall 15). */
const buildMysqlDatabases = (a: Assembly): Set<string> => {
  const byName = new Map<string, { create?: SeenFile; dump?: SeenFile }>()
  for (const file of a.meta.children("mysql")) {
    const base = file.rel.slice("mysql/".length)
    const match = /^(.+)\.(create|sql)$/.exec(base)
    if (base === "roundcube.sql" || base === "roundcube.create") {
      a.meta.markUsed(file.rel)
      const placeholder = (file.text ?? "").startsWith("-- Roundcube database place holder file")
      noteAt(
        a,
        "info",
        "roundcube-data",
        `file ${file.rel}`,
        file.rel,
        placeholder
          ? "placeholder for the shared Roundcube database; nothing to import"
          : `this account's rows of the shared Roundcube webmail database (${file.size} bytes): not a user database, not imported`,
      )
      continue
    }
    if (!match || file.type !== "file") continue
    const name = match[1] as string
    a.meta.markUsed(file.rel)
    if (!isSqlName(name)) {
      noteInvalidDatabaseName(a, file.rel)
      continue
    }
    const entry = byName.get(name) ?? {}
    if (match[2] === "create") entry.create = file
    else entry.dump = file
    byName.set(name, entry)
  }
  for (const [name, { create, dump }] of [...byName].sort(([x], [y]) => x.localeCompare(y))) {
    const id = `database:mysql:${name}`
    const header = create?.text !== undefined ? parseMysqlCreate(create.text) : undefined
    if (create && !header) noteAt(a, "warning", "file-too-large", id, create.rel, "the .create file is larger than Ferry reads")
    if (!create)
      noteAt(
        a,
        "warning",
        "database-create-missing",
        id,
        (dump as SeenFile).rel,
        `no ${name}.create; the database is created with the server's defaults`,
      )
    if (header && !header.hasCreateDatabase) {
      noteAt(
        a,
        "info",
        "database-create-empty",
        id,
        (create as SeenFile).rel,
        `${name}.create has no CREATE DATABASE (pkgacct --dbbackup=name); defaults apply`,
      )
    }
    if (header?.database !== undefined && header.database !== name) {
      noteAt(
        a,
        "warning",
        "database-name-mismatch",
        id,
        (create as SeenFile).rel,
        `${name}.create names the database ${header.database}; the file name is used`,
      )
    }
    if (!dump)
      noteAt(
        a,
        "warning",
        "database-dump-missing",
        id,
        (create as SeenFile).rel,
        `no ${name}.sql in the backup; the database is created empty`,
      )
    const dumpRef = dump
      ? a.builder.declareContent({ id: `content:dump:mysql:${name}`, kind: "database-dump", path: dump.path })
      : undefined
    const database: Database = {
      _tag: "Database",
      id,
      owner: a.accountId,
      source: { path: (create ?? (dump as SeenFile)).path },
      name,
      engine: "mysql",
      ...(header?.charset ? { charset: header.charset } : {}),
      ...(header?.collation ? { collation: header.collation } : {}),
      ...(header?.serverVersion ? { sourceServerVersion: header.serverVersion } : {}),
      ...(dumpRef ? { dump: dumpRef, dumpFormat: "sql" as const } : {}),
    }
    a.builder.add(database)
  }
  return new Set(byName.keys())
}

/** Stored authentication string: text when printable, else `0x<hex>` (binary plugins). */
const decodeAuth = (hex: string): string => {
  const bytes = Buffer.from(hex, "hex")
  return bytes.every((b) => b >= 0x20 && b < 0x7f) ? bytes.toString("latin1") : `0x${hex.toLowerCase()}`
}

/** Per-database grants, one without `host` when every kept host has the same privileges. */
const mergeGrants = (
  rows: ReadonlyArray<{ host: string; database: string; privileges: ReadonlyArray<string> }>,
  hosts: ReadonlyArray<string>,
): Array<Grant> => {
  const byDb = new Map<string, Map<string, ReadonlyArray<string>>>()
  for (const row of rows) {
    const perHost = byDb.get(row.database) ?? new Map<string, ReadonlyArray<string>>()
    perHost.set(row.host, [...new Set([...(perHost.get(row.host) ?? []), ...row.privileges])])
    byDb.set(row.database, perHost)
  }
  const grants: Array<Grant> = []
  for (const [database, perHost] of byDb) {
    const shapes = new Set([...perHost.values()].map((p) => [...p].sort().join(",")))
    if (shapes.size === 1 && perHost.size === hosts.length)
      grants.push({ database, privileges: [...perHost.values()][0] as ReadonlyArray<string> })
    else for (const [host, privileges] of perHost) grants.push({ database, privileges, host })
  }
  return grants
}

/** MySQL users from `mysql.sql` (+ `mysql.sql-auth.json`), deduplicated across hosts (pitfall 17). */
const buildMysqlUsers = (a: Assembly, databases: ReadonlySet<string>): void => {
  const file = a.meta.get("mysql.sql")
  if (!file) return
  if (file.text === undefined) {
    noteAt(a, "error", "file-too-large", "mysql.sql", file.rel, "mysql.sql is larger than Ferry reads; no database users were read")
    return
  }
  const parsed = parseMysqlGrants(file.text)
  for (const problem of parsed.problems)
    noteAt(a, "warning", "mysql-grant-line", "mysql.sql", file.rel, `line ${problem.line}: ${problem.message}`)
  const authFile = a.meta.get("mysql.sql-auth.json")
  let auth: ReturnType<typeof parseMysqlAuthJson> = new Map()
  if (authFile?.text !== undefined) {
    try {
      auth = parseMysqlAuthJson(authFile.text)
    } catch (e) {
      noteAt(a, "warning", "mysql-auth-invalid", "mysql.sql-auth.json", authFile.rel, e instanceof Error ? e.message : String(e))
    }
  }
  const byUser = new Map<string, Array<MysqlUserGrants>>()
  for (const row of parsed.users) byUser.set(row.user, [...(byUser.get(row.user) ?? []), row])
  const droppedHosts = new Set<string>()

  for (const [user, rows] of byUser) {
    const id = `dbuser:mysql:${user}`
    if (!isSqlName(user)) {
      noteAt(
        a,
        "error",
        "database-user-invalid",
        `MySQL user ${JSON.stringify(user.slice(0, 80))}`,
        file.rel,
        "the user name holds characters Ferry does not accept; skipped",
      )
      continue
    }
    const allHosts = [...new Set(rows.map((r) => r.host))]
    let hosts = allHosts.filter((h) => !a.sourceHosts.has(h.toLowerCase()))
    for (const h of allHosts) if (!hosts.includes(h)) droppedHosts.add(h)
    if (hosts.length === 0) hosts = ["localhost"]
    const kept = rows.filter((r) => hosts.includes(r.host))

    const hashes = [...new Set(rows.map((r) => r.hash).filter((h): h is string => h !== undefined && h !== ""))]
    if (hashes.length > 1)
      noteAt(a, "warning", "mysql-hash-differs", id, file.rel, `${user} has different passwords on different hosts; the first one is kept`)
    const authByHost = auth.get(user)
    const authEntry = authByHost?.get("localhost") ?? [...(authByHost?.values() ?? [])][0]
    if (authByHost && new Set([...authByHost.values()].map((e) => e.plugin)).size > 1) {
      noteAt(
        a,
        "warning",
        "mysql-plugin-differs",
        id,
        authFile?.rel ?? file.rel,
        `${user} uses different authentication plugins on different hosts; the localhost one is kept`,
      )
    }
    const hashValue = authEntry ? decodeAuth(authEntry.hashHex) : hashes[0]
    const plugin = authEntry?.plugin
    if (hashValue === undefined || hashValue === "")
      noteAt(a, "warning", "mysql-password-missing", id, file.rel, `${user} has no stored password; a new one is needed`)

    const global = [...new Set(kept.flatMap((r) => r.globalPrivileges))]
    if (global.length > 0) {
      noteAt(
        a,
        "warning",
        "mysql-global-privileges",
        id,
        file.rel,
        `${user} holds server-wide privileges (${global.join(", ")}); they are not carried over`,
      )
    }
    const rowsForGrants: Array<{ host: string; database: string; privileges: ReadonlyArray<string> }> = []
    const absent = new Set<string>()
    const patterns = new Set<string>()
    for (const row of kept) {
      for (const grant of row.grants) {
        if (grant.wildcard) patterns.add(grant.database)
        else if (!databases.has(grant.database)) absent.add(grant.database)
        else rowsForGrants.push({ host: row.host, database: grant.database, privileges: grant.privileges })
      }
    }
    if (absent.size > 0) {
      const onlyTemp = [...absent].every((d) => d.startsWith("cptmpdb_"))
      noteAt(
        a,
        onlyTemp ? "info" : "warning",
        "mysql-grant-dropped",
        id,
        file.rel,
        `grants of ${user} on databases not in this backup were dropped: ${listForMessage([...absent].sort())}`,
      )
    }
    if (patterns.size > 0) {
      noteAt(
        a,
        "warning",
        "mysql-grant-pattern",
        id,
        file.rel,
        `wildcard grants of ${user} are not carried over: ${listForMessage([...patterns])}`,
      )
    }
    if (user === a.login) {
      noteAt(
        a,
        "info",
        "mysql-account-user",
        id,
        file.rel,
        `${user} is the cPanel account's own MySQL login (same password as the account); the receiving panel may manage it with the account`,
      )
    }
    a.builder.add({
      _tag: "DatabaseUser",
      id,
      owner: a.accountId,
      source: { path: file.path },
      name: user,
      engine: "mysql",
      hosts,
      ...(plugin !== undefined ? { authPlugin: plugin } : {}),
      ...(hashValue ? { passwordHash: makePasswordHash(mysqlScheme(hashValue, plugin), hashValue) } : {}),
      grants: mergeGrants(rowsForGrants, hosts),
    })
  }
  if (droppedHosts.size > 0) {
    noteAt(
      a,
      "info",
      "mysql-source-hosts",
      "mysql.sql",
      file.rel,
      `grants for the source server's own names were not carried over: ${listForMessage([...droppedHosts])}`,
    )
  }

  const hostNotes = a.meta.get("mysql_host_notes.json")
  if (hostNotes?.text !== undefined) {
    try {
      const entries = Object.entries(asRecord(parseJson(hostNotes.text)) ?? {}).map(
        ([host, value]) => `${host}${asString(value) ? ` (${asString(value)?.slice(0, 80)})` : ""}`,
      )
      noteAt(
        a,
        "info",
        "mysql-remote-hosts",
        "mysql_host_notes.json",
        hostNotes.rel,
        entries.length > 0 ? `remote MySQL hosts allowed on the source: ${listForMessage(entries)}` : "no remote MySQL hosts",
      )
    } catch (e) {
      noteAt(a, "warning", "mysql-host-notes-invalid", "mysql_host_notes.json", hostNotes.rel, e instanceof Error ? e.message : String(e))
    }
  }
}

/** Databases, users and grants for MySQL and PostgreSQL (§5.6, §5.7). `mysql.sql` is never replayed. */
export const buildDatabases = (a: Assembly): void => {
  const databases = buildMysqlDatabases(a)
  buildMysqlUsers(a, databases)
  buildPostgres(a)
}
