import { asRecord, parseJson } from "@ferry/core"
import { Cursor, SqlSyntaxError, tokenizeMysql } from "./SqlLexer.ts"

/**
 * Readers for cPanel's MySQL metadata: `mysql.sql` (GRANT lines) and `mysql.sql-auth.json`
 * (`MysqlCreate.ts` reads the header of `mysql/<db>.create`). The grant file is never replayed (security rule 19): each line is
 * tokenised, checked against a narrow grammar and turned into data; anything else becomes a problem.
 */

export interface MysqlGrant {
  readonly database: string
  readonly privileges: ReadonlyArray<string>
  /** Set when the name holds unescaped `%`/`_` wildcards; `database` is then the pattern as written. */
  readonly wildcard?: true
}

export interface MysqlUserGrants {
  readonly user: string
  readonly host: string
  readonly hash?: string
  /** Privileges on `*.*` other than `USAGE` (which means "no privileges"). */
  readonly globalPrivileges: ReadonlyArray<string>
  readonly grants: ReadonlyArray<MysqlGrant>
}

export interface LineProblem {
  readonly line: number
  readonly message: string
}

export const mysqlGrantLimits = {
  maxLineLength: 64 * 1024,
  maxUserHosts: 10_000,
} as const

/* Validation ------------------------------------------------------------------------------- */

const staticPrivileges = new Set(
  (
    "ALL PRIVILEGES|ALTER|ALTER ROUTINE|BINLOG ADMIN|BINLOG MONITOR|BINLOG REPLAY|CONNECTION ADMIN|CREATE|" +
    "CREATE ROLE|CREATE ROUTINE|CREATE TABLESPACE|CREATE TEMPORARY TABLES|CREATE USER|CREATE VIEW|DELETE|" +
    "DELETE HISTORY|DROP|DROP ROLE|EVENT|EXECUTE|FEDERATED ADMIN|FILE|GRANT OPTION|INDEX|INSERT|LOCK TABLES|PROCESS|" +
    "PROXY|READ_ONLY ADMIN|REFERENCES|RELOAD|REPLICA MONITOR|REPLICATION CLIENT|REPLICATION MASTER ADMIN|" +
    "REPLICATION SLAVE|REPLICATION SLAVE ADMIN|SELECT|SET USER|SHOW CREATE ROUTINE|SHOW DATABASES|SHOW VIEW|" +
    "SHUTDOWN|SLAVE MONITOR|SUPER|TRIGGER|UPDATE|USAGE"
  ).split("|"),
)

/** MySQL 8 dynamic privileges are single upper-case words joined by `_` (`SET_USER_ID`). */
const isPrivilege = (name: string): boolean => staticPrivileges.has(name) || /^[A-Z]+(?:_[A-Z]+)+$/.test(name)

const userPattern = /^[A-Za-z0-9_.-]{1,80}$/
const hostPattern = /^[A-Za-z0-9_.%:/-]{1,255}$/
/** The database names Ferry accepts from grant and dump files. */
export const databaseLiteral = /^[A-Za-z0-9_$-]{1,64}$/

/**
 * A database name as `SHOW GRANTS` writes it: `\_` and `\%` are literal, bare `_`/`%` are
 * wildcards. Literal names come back unescaped; patterns come back as written, flagged.
 */
const readDatabaseName = (raw: string): { readonly database: string; readonly wildcard: boolean } => {
  let literal = ""
  let wildcard = false
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string
    if (c === "\\") {
      const next = raw[i + 1]
      if (next !== "_" && next !== "%" && next !== "\\") throw new SqlSyntaxError("unsupported escape in a database name")
      literal += next
      i++
    } else {
      if (c === "_" || c === "%") wildcard = true
      literal += c
    }
  }
  // cPanel always escapes `_`; a bare one still matches any character in MySQL, so it is flagged too.
  if (wildcard) {
    if (!/^[A-Za-z0-9_$%\\-]{1,128}$/.test(raw)) throw new SqlSyntaxError("database name has characters outside [A-Za-z0-9_$-]")
    return { database: raw, wildcard: true }
  }
  if (!databaseLiteral.test(literal)) throw new SqlSyntaxError("database name has characters outside [A-Za-z0-9_$-]")
  return { database: literal, wildcard: false }
}

/* One GRANT statement ---------------------------------------------------------------------- */

interface ParsedGrant {
  readonly privileges: ReadonlyArray<string>
  readonly target: { readonly kind: "global" } | { readonly kind: "database"; readonly database: string; readonly wildcard: boolean }
  readonly users: ReadonlyArray<{ readonly user: string; readonly host: string; readonly hash?: string }>
  readonly notes: ReadonlyArray<string>
}

const readPrivileges = (cursor: Cursor): Array<string> => {
  const privileges: Array<string> = []
  for (;;) {
    const words: Array<string> = []
    while (cursor.peek()?.kind === "word" && !cursor.isKeyword("ON")) words.push(cursor.next().text.toUpperCase())
    if (cursor.isPunct("(")) throw new SqlSyntaxError("column-level grants are not supported")
    let name = words.join(" ")
    if (name === "ALL") name = "ALL PRIVILEGES"
    if (name === "") throw new SqlSyntaxError("missing privilege name")
    if (!isPrivilege(name)) throw new SqlSyntaxError("unknown privilege")
    if (!privileges.includes(name)) privileges.push(name)
    if (!cursor.isPunct(",")) return privileges
    cursor.next()
  }
}

const readName = (cursor: Cursor, what: string): string => {
  const token = cursor.next()
  if (token.kind === "punct") throw new SqlSyntaxError(`expected ${what}`)
  return token.text
}

const readTarget = (cursor: Cursor): ParsedGrant["target"] => {
  if (cursor.isKeyword("FUNCTION") || cursor.isKeyword("PROCEDURE") || cursor.isKeyword("PACKAGE")) {
    throw new SqlSyntaxError("routine-level grants are not supported")
  }
  if (cursor.isKeyword("TABLE")) cursor.next()
  const first = cursor.next()
  if (first.kind === "punct" && first.text === "*") {
    if (!cursor.isPunct(".")) throw new SqlSyntaxError("grants on the default database (ON *) are not supported")
    cursor.next()
    cursor.punct("*")
    return { kind: "global" }
  }
  if (first.kind === "string" || first.kind === "punct") throw new SqlSyntaxError("expected a database name")
  if (!cursor.isPunct(".")) throw new SqlSyntaxError("table-level grants are not supported")
  cursor.next()
  if (!cursor.isPunct("*")) throw new SqlSyntaxError("table-level grants are not supported")
  cursor.next()
  const { database, wildcard } = readDatabaseName(first.text)
  return { kind: "database", database, wildcard }
}

const readAuth = (cursor: Cursor, notes: Array<string>): string | undefined => {
  cursor.keyword("IDENTIFIED")
  if (cursor.isKeyword("BY")) {
    cursor.next()
    if (cursor.isKeyword("PASSWORD")) {
      cursor.next()
      const hash = cursor.next()
      if (hash.kind !== "string") throw new SqlSyntaxError("expected a quoted password hash")
      return hash.text
    }
    const secret = cursor.next()
    if (secret.kind !== "string") throw new SqlSyntaxError("expected a quoted password")
    notes.push("plain-text password in IDENTIFIED BY; not carried over")
    return undefined
  }
  if (cursor.isKeyword("WITH") || cursor.isKeyword("VIA")) {
    cursor.next()
    const plugin = readName(cursor, "an authentication plugin").toLowerCase()
    if (!cursor.isKeyword("AS") && !cursor.isKeyword("USING")) return undefined
    cursor.next()
    if (cursor.isKeyword("PASSWORD")) throw new SqlSyntaxError("PASSWORD() with a plain-text password is not supported")
    const value = cursor.next()
    if (value.kind !== "string") throw new SqlSyntaxError("expected a quoted authentication string")
    if (plugin === "mysql_native_password") return value.text
    notes.push(
      `authentication plugin ${/^[a-z0-9_]{1,64}$/.test(plugin) ? plugin : "(invalid name)"} in the grant; its hash is only taken from mysql.sql-auth.json`,
    )
    return undefined
  }
  throw new SqlSyntaxError("unsupported IDENTIFIED clause")
}

const readGrant = (cursor: Cursor): ParsedGrant => {
  const notes: Array<string> = []
  cursor.keyword("GRANT")
  const privileges = readPrivileges(cursor)
  cursor.keyword("ON")
  const target = readTarget(cursor)
  cursor.keyword("TO")
  const users: Array<{ user: string; host: string; hash?: string }> = []
  for (;;) {
    const user = readName(cursor, "a user name")
    let host = "%"
    if (cursor.isPunct("@")) {
      cursor.next()
      host = readName(cursor, "a host name")
    }
    if (!userPattern.test(user)) throw new SqlSyntaxError("user name has characters outside [A-Za-z0-9_.-] or is empty")
    if (!hostPattern.test(host)) throw new SqlSyntaxError("host name has characters outside [A-Za-z0-9_.%:/-] or is empty")
    const hash = cursor.isKeyword("IDENTIFIED") ? readAuth(cursor, notes) : undefined
    users.push({ user, host, ...(hash !== undefined ? { hash } : {}) })
    if (!cursor.isPunct(",")) break
    cursor.next()
  }
  if (cursor.isKeyword("REQUIRE")) {
    cursor.next()
    cursor.keyword("NONE")
  }
  const extra = [...privileges]
  if (cursor.isKeyword("WITH")) {
    cursor.next()
    while (cursor.peek()?.kind === "word") {
      if (cursor.isKeyword("GRANT")) {
        cursor.next()
        cursor.keyword("OPTION")
        if (!extra.includes("GRANT OPTION")) extra.push("GRANT OPTION")
      } else {
        if (!/^MAX_[A-Z_]{1,40}$/.test(cursor.next().text.toUpperCase())) throw new SqlSyntaxError("unsupported WITH option")
        const value = cursor.next()
        if (value.kind !== "word" || !/^\d{1,12}(?:\.\d{1,6})?$/.test(value.text)) throw new SqlSyntaxError("expected a number")
        notes.push("resource limits (WITH MAX_…) are not carried over")
      }
    }
  }
  cursor.punct(";")
  if (!cursor.done) throw new SqlSyntaxError("more than one statement on a line")
  return { privileges: extra, target, users, notes }
}

/* The file --------------------------------------------------------------------------------- */

interface UserAccumulator {
  readonly user: string
  readonly host: string
  hash: string | undefined
  readonly globalPrivileges: Array<string>
  readonly grants: Map<string, { database: string; privileges: Array<string>; wildcard: boolean }>
}

const firstKeyword = (line: string): string => /^\s*([A-Za-z]{1,20})/.exec(line)?.[1]?.toUpperCase() ?? ""

/**
 * Parse cPanel's `mysql.sql`: one result per user@host (user case-sensitive, host compared
 * case-insensitively), several GRANT lines merged. Global privileges and wildcard patterns are
 * carried in the data (`globalPrivileges`, `wildcard`) for the caller to judge; `problems` list
 * only what was not read or not kept. Never throws; never echoes line text (it may hold
 * passwords) into problems.
 */
export const parseMysqlGrants = (
  sql: string,
): { readonly users: ReadonlyArray<MysqlUserGrants>; readonly problems: ReadonlyArray<LineProblem> } => {
  const problems: Array<LineProblem> = []
  const users = new Map<string, UserAccumulator>()
  const lines = sql.split("\n")
  for (let index = 0; index < lines.length; index++) {
    const lineNumber = index + 1
    const raw = lines[index] as string
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw
    if (line.length > mysqlGrantLimits.maxLineLength) {
      problems.push({ line: lineNumber, message: `line longer than ${mysqlGrantLimits.maxLineLength} characters; ignored` })
      continue
    }
    const trimmed = line.trim()
    if (trimmed === "" || /^--(?:\s|$)/.test(trimmed) || trimmed.startsWith("#")) continue
    const keyword = firstKeyword(trimmed)
    if (keyword !== "GRANT") {
      problems.push({
        line: lineNumber,
        message: keyword === "" ? "not a GRANT statement; ignored" : `${keyword} statement is not a GRANT; ignored (never executed)`,
      })
      continue
    }
    let grant: ParsedGrant
    try {
      grant = readGrant(new Cursor(tokenizeMysql(trimmed)))
    } catch (e) {
      if (!(e instanceof SqlSyntaxError)) throw e
      problems.push({ line: lineNumber, message: `GRANT not understood (${e.message}); ignored` })
      continue
    }
    for (const note of grant.notes) problems.push({ line: lineNumber, message: note })
    for (const { user, host, hash } of grant.users) {
      const key = `${user}\u0000${host.toLowerCase()}`
      let entry = users.get(key)
      if (entry === undefined) {
        if (users.size >= mysqlGrantLimits.maxUserHosts) {
          problems.push({ line: lineNumber, message: `more than ${mysqlGrantLimits.maxUserHosts} user@host pairs; ignored` })
          continue
        }
        entry = { user, host, hash: undefined, globalPrivileges: [], grants: new Map() }
        users.set(key, entry)
      }
      if (hash !== undefined) {
        if (hash === "") {
          problems.push({ line: lineNumber, message: `empty password hash for '${user}'@'${host}'; not carried over` })
        } else if (/[\0-\x1f\x7f]/.test(hash) || hash.length > 512) {
          problems.push({ line: lineNumber, message: `malformed password hash for '${user}'@'${host}'; not carried over` })
        } else if (entry.hash === undefined) {
          entry.hash = hash
        } else if (entry.hash !== hash) {
          problems.push({ line: lineNumber, message: `second, different password hash for '${user}'@'${host}'; the first one is kept` })
        }
      }
      const privileges = grant.privileges.filter((p) => p !== "USAGE")
      if (grant.target.kind === "global") {
        for (const p of privileges) if (!entry.globalPrivileges.includes(p)) entry.globalPrivileges.push(p)
        continue
      }
      const { database, wildcard } = grant.target
      if (privileges.length === 0) continue
      const existing = entry.grants.get(database)
      if (existing === undefined) {
        entry.grants.set(database, { database, privileges: [...privileges], wildcard })
      } else {
        for (const p of privileges) if (!existing.privileges.includes(p)) existing.privileges.push(p)
      }
    }
  }
  return {
    users: [...users.values()].map((entry) => ({
      user: entry.user,
      host: entry.host,
      ...(entry.hash !== undefined ? { hash: entry.hash } : {}),
      globalPrivileges: entry.globalPrivileges,
      grants: [...entry.grants.values()].map((g) => ({
        database: g.database,
        privileges: g.privileges,
        ...(g.wildcard ? { wildcard: true as const } : {}),
      })),
    })),
    problems,
  }
}

/* mysql.sql-auth.json ---------------------------------------------------------------------- */

/**
 * `{"user":{"host":{"auth_plugin":"…","pass_hash":"<HEX>"}}}` → user → host → auth. Entries of
 * any other shape are ignored; text that is not JSON throws `SafeParseError` (from `parseJson`).
 */
export const parseMysqlAuthJson = (
  text: string,
): ReadonlyMap<string, ReadonlyMap<string, { readonly plugin: string; readonly hashHex: string }>> => {
  const result = new Map<string, Map<string, { readonly plugin: string; readonly hashHex: string }>>()
  const root = asRecord(parseJson(text))
  if (root === undefined) return result
  for (const [user, hosts] of Object.entries(root)) {
    if (!userPattern.test(user)) continue
    const hostRecord = asRecord(hosts)
    if (hostRecord === undefined) continue
    for (const [host, auth] of Object.entries(hostRecord)) {
      if (!hostPattern.test(host)) continue
      const authRecord = asRecord(auth)
      const plugin = typeof authRecord?.["auth_plugin"] === "string" ? authRecord["auth_plugin"] : undefined
      const hashHex = typeof authRecord?.["pass_hash"] === "string" ? authRecord["pass_hash"] : undefined
      if (plugin === undefined || hashHex === undefined) continue
      if (!/^[a-z0-9_]{1,64}$/.test(plugin) || !/^(?:[0-9A-Fa-f]{2}){0,1024}$/.test(hashHex)) continue
      let byHost = result.get(user)
      if (byHost === undefined) {
        byHost = new Map()
        result.set(user, byHost)
      }
      byHost.set(host, { plugin, hashHex })
    }
  }
  return result
}
