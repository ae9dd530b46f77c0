import { Cursor, SqlSyntaxError, type Token, tokenizePostgres } from "./SqlLexer.ts"

/**
 * Readers for cPanel's `psql_users.sql` and `psql_grants.sql` (§5.7). Like `mysql.sql`, these are
 * never replayed (security rule 19): each line is checked against a narrow grammar and turned
 * into data; role attributes that would widen privileges are reported and dropped.
 */

export interface PostgresProblem {
  readonly line: number
  readonly message: string
}

export const postgresLimits = {
  maxLineLength: 64 * 1024,
  maxEntries: 10_000,
} as const

const namePattern = /^[A-Za-z0-9_.-]{1,63}$/

/** PostgreSQL folds unquoted identifiers to lower case; quoted ones are kept as written. */
const readName = (cursor: Cursor, what: string): string => {
  const token: Token = cursor.next()
  if (token.kind !== "word" && token.kind !== "ident") throw new SqlSyntaxError(`expected ${what}`)
  const name = token.kind === "word" ? token.text.toLowerCase() : token.text
  if (!namePattern.test(name)) throw new SqlSyntaxError(`${what} has characters outside [A-Za-z0-9_.-] or is empty`)
  return name
}

const isStoredHash = (value: string): boolean =>
  /^md5[0-9a-f]{32}$/.test(value) ||
  /^SCRAM-SHA-256\$\d{1,7}:[A-Za-z0-9+/=]{1,100}\$[A-Za-z0-9+/=]{1,100}:[A-Za-z0-9+/=]{1,100}$/.test(value)

/** Attributes that grant nothing beyond logging in to the user's own databases. */
const harmlessAttributes = new Set([
  "LOGIN",
  "NOLOGIN",
  "INHERIT",
  "NOINHERIT",
  "NOSUPERUSER",
  "NOCREATEDB",
  "NOCREATEROLE",
  "NOREPLICATION",
  "NOBYPASSRLS",
])
const widening = new Set(["SUPERUSER", "CREATEDB", "CREATEROLE", "REPLICATION", "BYPASSRLS"])

interface RoleStatement {
  readonly name: string
  readonly create: boolean
  /** undefined: no PASSWORD clause; null: PASSWORD NULL or a password that is not a stored hash. */
  readonly hash: string | null | undefined
  readonly notes: ReadonlyArray<string>
}

const readRoleStatement = (cursor: Cursor): RoleStatement => {
  const notes: Array<string> = []
  const create = cursor.isKeyword("CREATE")
  if (!create) cursor.keyword("ALTER")
  else cursor.next()
  if (!cursor.isKeyword("USER") && !cursor.isKeyword("ROLE")) throw new SqlSyntaxError("expected USER or ROLE")
  cursor.next()
  const name = readName(cursor, "a role name")
  if (cursor.isKeyword("WITH")) cursor.next()
  let hash: string | null | undefined
  while (!cursor.isPunct(";")) {
    const word = cursor.next()
    if (word.kind !== "word") throw new SqlSyntaxError("expected a role option")
    const option = word.text.toUpperCase()
    if (option === "ENCRYPTED" || option === "PASSWORD") {
      if (option === "ENCRYPTED") cursor.keyword("PASSWORD")
      if (cursor.isKeyword("NULL")) {
        cursor.next()
        hash = null
        continue
      }
      const value = cursor.next()
      if (value.kind !== "string") throw new SqlSyntaxError("expected a quoted password")
      if (isStoredHash(value.text)) {
        hash = value.text
      } else {
        hash = null
        notes.push(`the password of ${name} is not a stored md5/SCRAM hash; not carried over`)
      }
    } else if (option === "VALID") {
      cursor.keyword("UNTIL")
      if (cursor.next().kind !== "string") throw new SqlSyntaxError("expected a quoted date")
      notes.push(`VALID UNTIL of ${name} is not carried over`)
    } else if (option === "CONNECTION") {
      cursor.keyword("LIMIT")
      const limit = cursor.next()
      if (limit.kind !== "word" || !/^-?\d{1,9}$/.test(limit.text)) throw new SqlSyntaxError("expected a number")
      notes.push(`CONNECTION LIMIT of ${name} is not carried over`)
    } else if (widening.has(option)) {
      notes.push(`${option} of ${name} is not carried over`)
    } else if (!harmlessAttributes.has(option)) {
      throw new SqlSyntaxError("unsupported role option")
    }
  }
  cursor.punct(";")
  if (!cursor.done) throw new SqlSyntaxError("more than one statement on a line")
  return { name, create, hash, notes }
}

/** Statement lines of a file: comments and blank lines skipped, long lines reported. */
const statementLines = function* (
  sql: string,
  problems: Array<PostgresProblem>,
): Generator<{ readonly line: number; readonly text: string }> {
  const lines = sql.split("\n")
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index] as string
    const text = (raw.endsWith("\r") ? raw.slice(0, -1) : raw).trim()
    if (raw.length > postgresLimits.maxLineLength) {
      problems.push({ line: index + 1, message: `line longer than ${postgresLimits.maxLineLength} characters; ignored` })
      continue
    }
    if (text === "" || /^--/.test(text)) continue
    yield { line: index + 1, text }
  }
}

const statementKind = (text: string): string =>
  /^([A-Za-z]{1,20})(?:\s+([A-Za-z]{1,20}))?/.exec(text)?.slice(1).filter(Boolean).join(" ").toUpperCase() ?? ""

/**
 * `psql_users.sql`: `CREATE USER "u" WITH PASSWORD E'md5…';`, also `CREATE ROLE` and
 * `ALTER USER|ROLE … PASSWORD`. A later `ALTER … PASSWORD` replaces the hash. Never throws.
 */
export const parsePostgresUsers = (
  sql: string,
): {
  readonly users: ReadonlyArray<{ readonly name: string; readonly hash?: string }>
  readonly problems: ReadonlyArray<PostgresProblem>
} => {
  const problems: Array<PostgresProblem> = []
  const users = new Map<string, { name: string; hash: string | undefined }>()
  for (const { line, text } of statementLines(sql, problems)) {
    const kind = statementKind(text)
    if (!/^(?:CREATE|ALTER) (?:USER|ROLE)$/.test(kind)) {
      problems.push({
        line,
        message: kind === "" ? "not a CREATE/ALTER USER statement; ignored" : `${kind} statement ignored (never executed)`,
      })
      continue
    }
    let statement: RoleStatement
    try {
      statement = readRoleStatement(new Cursor(tokenizePostgres(text)))
    } catch (e) {
      if (!(e instanceof SqlSyntaxError)) throw e
      problems.push({ line, message: `${kind} not understood (${e.message}); ignored` })
      continue
    }
    for (const note of statement.notes) problems.push({ line, message: note })
    let user = users.get(statement.name)
    if (user !== undefined && statement.create) {
      problems.push({ line, message: `${statement.name} is created a second time; ignored` })
      continue
    }
    if (user === undefined) {
      if (users.size >= postgresLimits.maxEntries) {
        problems.push({ line, message: `more than ${postgresLimits.maxEntries} users; ignored` })
        continue
      }
      user = { name: statement.name, hash: undefined }
      users.set(statement.name, user)
    }
    if (statement.hash !== undefined) user.hash = statement.hash ?? undefined
  }
  return {
    users: [...users.values()].map((u) => ({ name: u.name, ...(u.hash !== undefined ? { hash: u.hash } : {}) })),
    problems,
  }
}

const databasePrivileges: Record<string, string> = {
  ALL: "ALL PRIVILEGES",
  "ALL PRIVILEGES": "ALL PRIVILEGES",
  CONNECT: "CONNECT",
  CREATE: "CREATE",
  TEMPORARY: "TEMPORARY",
  TEMP: "TEMPORARY",
}

const readGrantStatement = (
  cursor: Cursor,
  notes: Array<string>,
): { privileges: Array<string>; databases: Array<string>; users: Array<string> } => {
  cursor.keyword("GRANT")
  const privileges: Array<string> = []
  for (;;) {
    const words: Array<string> = []
    while (cursor.peek()?.kind === "word" && !cursor.isKeyword("ON")) words.push(cursor.next().text.toUpperCase())
    const privilege = databasePrivileges[words.join(" ")]
    if (privilege === undefined) throw new SqlSyntaxError(words.length === 0 ? "expected a privilege" : "not a database privilege")
    if (!privileges.includes(privilege)) privileges.push(privilege)
    if (!cursor.isPunct(",")) break
    cursor.next()
  }
  cursor.keyword("ON")
  if (!cursor.isKeyword("DATABASE")) throw new SqlSyntaxError("only grants ON DATABASE are read")
  cursor.next()
  const databases = [readName(cursor, "a database name")]
  while (cursor.isPunct(",")) {
    cursor.next()
    databases.push(readName(cursor, "a database name"))
  }
  cursor.keyword("TO")
  const users: Array<string> = []
  for (;;) {
    if (cursor.isKeyword("GROUP")) cursor.next()
    if (cursor.isKeyword("PUBLIC")) throw new SqlSyntaxError("grants to PUBLIC are not read")
    users.push(readName(cursor, "a role name"))
    if (!cursor.isPunct(",")) break
    cursor.next()
  }
  if (cursor.isKeyword("WITH")) {
    cursor.next()
    cursor.keyword("GRANT")
    cursor.keyword("OPTION")
    notes.push("WITH GRANT OPTION is not carried over")
  }
  cursor.punct(";")
  if (!cursor.done) throw new SqlSyntaxError("more than one statement on a line")
  return { privileges, databases, users }
}

/**
 * `psql_grants.sql`: `GRANT ALL ON DATABASE "db" TO "u";` and privilege lists of CONNECT,
 * CREATE, TEMPORARY. One result per user and database, privileges merged. Never throws.
 */
export const parsePostgresGrants = (
  sql: string,
): {
  readonly grants: ReadonlyArray<{ readonly user: string; readonly database: string; readonly privileges: ReadonlyArray<string> }>
  readonly problems: ReadonlyArray<PostgresProblem>
} => {
  const problems: Array<PostgresProblem> = []
  const grants = new Map<string, { user: string; database: string; privileges: Array<string> }>()
  for (const { line, text } of statementLines(sql, problems)) {
    const kind = statementKind(text)
    if (kind.split(" ")[0] !== "GRANT") {
      problems.push({ line, message: kind === "" ? "not a GRANT statement; ignored" : `${kind} statement ignored (never executed)` })
      continue
    }
    const notes: Array<string> = []
    let statement: ReturnType<typeof readGrantStatement>
    try {
      statement = readGrantStatement(new Cursor(tokenizePostgres(text)), notes)
    } catch (e) {
      if (!(e instanceof SqlSyntaxError)) throw e
      problems.push({ line, message: `GRANT not understood (${e.message}); ignored` })
      continue
    }
    for (const note of notes) problems.push({ line, message: note })
    for (const user of statement.users) {
      for (const database of statement.databases) {
        const key = `${user}\u0000${database}`
        const existing = grants.get(key)
        if (existing !== undefined) {
          for (const p of statement.privileges) if (!existing.privileges.includes(p)) existing.privileges.push(p)
        } else if (grants.size >= postgresLimits.maxEntries) {
          problems.push({ line, message: `more than ${postgresLimits.maxEntries} grants; ignored` })
        } else {
          grants.set(key, { user, database, privileges: [...statement.privileges] })
        }
      }
    }
  }
  return { grants: [...grants.values()], problems }
}
