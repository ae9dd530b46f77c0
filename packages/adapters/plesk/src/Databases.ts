import type { DatabaseEngine, PasswordHash } from "@ferry/core"
import { type Assembly, isSqlName, noteAt } from "./Context.ts"
import type { XNode } from "./Xml.ts"

interface UserDraft {
  readonly node: XNode
  readonly engine: DatabaseEngine
  readonly name: string
  readonly owner: string | null
  passwordHash?: PasswordHash
  readonly hosts: Set<string>
  readonly databases: Array<string>
}

/** Database users of the whole backup: a user granted on several databases is one entity. */
export class DatabaseUsers {
  private readonly drafts = new Map<string, UserDraft>()

  draft(node: XNode, engine: DatabaseEngine, name: string, owner: string | null): UserDraft {
    const key = `${engine}:${name}`
    let draft = this.drafts.get(key)
    if (draft === undefined) {
      draft = { node, engine, name, owner, hosts: new Set(), databases: [] }
      this.drafts.set(key, draft)
    }
    return draft
  }

  build(a: Assembly): void {
    for (const draft of this.drafts.values()) {
      a.builder.add({
        _tag: "DatabaseUser",
        id: `dbuser:${draft.engine}:${draft.name}`,
        owner: draft.owner,
        source: { path: draft.node.file, detail: draft.node.path },
        name: draft.name,
        engine: draft.engine,
        hosts: draft.hosts.size > 0 ? [...draft.hosts] : ["localhost"],
        ...(draft.passwordHash !== undefined ? { passwordHash: draft.passwordHash } : {}),
        grants: draft.databases.map((database) => ({ database, privileges: ["ALL PRIVILEGES"] })),
      })
    }
  }
}

const engineOf = (type: string | undefined): DatabaseEngine | "other" => {
  const t = (type ?? "mysql").trim().toLowerCase()
  return t === "mysql" || t === "mariadb" ? "mysql" : t === "postgresql" || t === "pgsql" || t === "postgres" ? "postgresql" : "other"
}

const readUser = (
  a: Assembly,
  users: DatabaseUsers,
  node: XNode,
  engine: DatabaseEngine,
  owner: string | null,
  database?: string,
): void => {
  const name = (node.get("name") ?? "").trim()
  if (!isSqlName(name)) {
    noteAt(
      a,
      node,
      "error",
      "database-user-name-invalid",
      `database user ${JSON.stringify(name.slice(0, 60))}`,
      "the name holds characters Ferry does not accept; skipped",
    )
    node.consumeAll()
    return
  }
  const id = `dbuser:${engine}:${name}`
  const draft = users.draft(node, engine, name, owner)
  const hash = a.passwords.read(node.atAny(["password", "properties/password"])[0], engine, id)
  if (hash !== undefined) draft.passwordHash ??= hash
  for (const host of node.atAny(["accesshost", "access-hosts/host", "host"])) {
    const h = (host.text() ?? "").trim()
    if (/^[A-Za-z0-9.%_:-]{1,255}$/.test(h)) draft.hosts.add(h)
  }
  node.ignore("guid", "id")
  if (database !== undefined && !draft.databases.includes(database)) draft.databases.push(database)
}

/**
 * Databases of a domain (`databases/database`, Plesk 8 `database`) with their users, unbound
 * users (`databases/dbusers/dbuser`) and dump content (`content/cid type=sqldump`, Plesk 8 `cid`).
 * MySQL and PostgreSQL are read; other engines (MSSQL) are noted.
 */
export const readDatabases = (a: Assembly, domain: XNode, owner: string | null, users: DatabaseUsers): void => {
  for (const db of domain.atAny(["databases/database", "database"])) {
    const name = (db.get("name") ?? "").trim()
    const type = db.get("type")
    const engine = engineOf(type)
    if (engine === "other") {
      noteAt(
        a,
        db,
        "warning",
        "database-engine-unsupported",
        `database ${name.slice(0, 60)}`,
        `${type} databases cannot be imported; skipped with their users`,
      )
      db.consumeAll()
      continue
    }
    if (!isSqlName(name)) {
      noteAt(
        a,
        db,
        "error",
        "database-name-invalid",
        `database ${JSON.stringify(name.slice(0, 60))}`,
        "the name holds characters Ferry does not accept; skipped",
      )
      db.consumeAll()
      continue
    }
    const id = `database:${engine}:${name}`
    db.ignore("guid", "id", "external-id")
    const version = db.get("version")?.trim()
    const server = db.atAny(["db-server", "dbserver"])[0]
    let sourceServer: string | undefined
    if (server !== undefined) {
      server.ignore("type")
      const host = server.get("host")?.trim()
      const port = server.get("port")?.trim()
      if (host) sourceServer = port && port !== "0" ? `${host}:${port}` : host
    }
    let dump: string | undefined
    for (const cid of db.at("content/cid")) {
      if ((cid.get("type") ?? "sqldump") === "sqldump") dump ??= a.content.ref(cid, "database-dump", `content:dump:${engine}:${name}`, id)
      else a.content.other(cid, id)
    }
    const part = db.get("cid")
    if (part !== undefined && part !== "") {
      const path = a.content.part(part)
      if (path !== undefined) dump ??= a.content.declareFile(path, "database-dump", `content:dump:${engine}:${name}`)
      else
        noteAt(
          a,
          db,
          "warning",
          "content-missing",
          id,
          `the dump part ${JSON.stringify(part.slice(0, 80))} is not in the backup; the database is created empty`,
        )
    }
    if (dump === undefined)
      noteAt(a, db, "warning", "database-dump-missing", id, "the backup carries no dump of this database; it is created empty")
    a.builder.add({
      _tag: "Database",
      id,
      owner,
      source: { path: db.file, detail: db.path },
      name,
      engine,
      ...(version ? { sourceServerVersion: version } : {}),
      ...(sourceServer ? { sourceServer } : {}),
      ...(dump !== undefined ? { dump } : {}),
    })
    for (const user of db.all("dbuser")) readUser(a, users, user, engine, owner, name)
  }
  for (const user of domain.at("databases/dbusers/dbuser")) {
    const engine = engineOf(user.get("type"))
    if (engine === "other") {
      noteAt(
        a,
        user,
        "warning",
        "database-engine-unsupported",
        `database user ${(user.get("name") ?? "").slice(0, 60)}`,
        "a user of an unsupported database engine; skipped",
      )
      user.consumeAll()
      continue
    }
    readUser(a, users, user, engine, owner)
  }
}
