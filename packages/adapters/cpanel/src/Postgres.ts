import { makePasswordHash, postgresScheme } from "@ferry/core"
import { type Assembly, noteAt, noteInvalidDatabaseName } from "./Collected.ts"
import { isSqlName, listForMessage } from "./Paths.ts"
import { parsePostgresGrants, parsePostgresUsers } from "./PostgresUsers.ts"

/** PostgreSQL: `psql/<db>.tar` dumps (pg_dump tar format), `psql_users.sql`, `psql_grants.sql` (§5.7). */
export const buildPostgres = (a: Assembly): void => {
  const databases = new Set<string>()
  for (const file of a.meta.children("psql")) {
    const match = /^psql\/(.+)\.tar$/.exec(file.rel)
    if (!match || file.type !== "file") continue
    a.meta.markUsed(file.rel)
    const name = match[1] as string
    const id = `database:postgresql:${name}`
    if (!isSqlName(name)) {
      noteInvalidDatabaseName(a, file.rel)
      continue
    }
    databases.add(name)
    const dump = a.builder.declareContent({ id: `content:dump:postgresql:${name}`, kind: "database-dump", path: file.path })
    a.builder.add({
      _tag: "Database",
      id,
      owner: a.accountId,
      source: { path: file.path },
      name,
      engine: "postgresql",
      dump,
      dumpFormat: "pg-tar",
    })
  }

  const usersFile = a.meta.get("psql_users.sql")
  const grantsFile = a.meta.get("psql_grants.sql")
  const users = usersFile?.text !== undefined ? parsePostgresUsers(usersFile.text) : { users: [], problems: [] }
  const grants = grantsFile?.text !== undefined ? parsePostgresGrants(grantsFile.text) : { grants: [], problems: [] }
  for (const p of users.problems) noteAt(a, "warning", "psql-user-line", "psql_users.sql", "psql_users.sql", `line ${p.line}: ${p.message}`)
  for (const p of grants.problems)
    noteAt(a, "warning", "psql-grant-line", "psql_grants.sql", "psql_grants.sql", `line ${p.line}: ${p.message}`)

  const known = new Set<string>()
  for (const user of users.users) {
    const id = `dbuser:postgresql:${user.name}`
    if (!isSqlName(user.name)) {
      noteAt(
        a,
        "error",
        "database-user-invalid",
        `PostgreSQL user ${JSON.stringify(user.name.slice(0, 80))}`,
        "psql_users.sql",
        "the user name holds characters Ferry does not accept; skipped",
      )
      continue
    }
    known.add(user.name)
    const own = grants.grants.filter((g) => g.user === user.name)
    const absent = own.filter((g) => !databases.has(g.database)).map((g) => g.database)
    if (absent.length > 0) {
      noteAt(
        a,
        "warning",
        "psql-grant-dropped",
        id,
        "psql_grants.sql",
        `grants of ${user.name} on databases not in this backup were dropped: ${listForMessage(absent)}`,
      )
    }
    if (user.name === a.login) {
      noteAt(
        a,
        "info",
        "psql-account-user",
        id,
        "psql_users.sql",
        `${user.name} is the cPanel account's own PostgreSQL login; the receiving panel may manage it with the account`,
      )
    }
    if (!user.hash)
      noteAt(a, "warning", "psql-password-missing", id, "psql_users.sql", `${user.name} has no stored password; a new one is needed`)
    a.builder.add({
      _tag: "DatabaseUser",
      id,
      owner: a.accountId,
      source: { path: `${a.prefix}psql_users.sql` },
      name: user.name,
      engine: "postgresql",
      hosts: [],
      ...(user.hash ? { passwordHash: makePasswordHash(postgresScheme(user.hash), user.hash) } : {}),
      grants: own.filter((g) => databases.has(g.database)).map((g) => ({ database: g.database, privileges: [...g.privileges] })),
    })
  }
  const orphans = [...new Set(grants.grants.map((g) => g.user).filter((u) => !known.has(u)))]
  if (orphans.length > 0) {
    noteAt(
      a,
      "warning",
      "psql-grant-orphan",
      "psql_grants.sql",
      "psql_grants.sql",
      `grants for users not in psql_users.sql were ignored: ${listForMessage(orphans)}`,
    )
  }
}
