import type { Database, DatabaseEngine, DatabaseUser } from "@ferry/core"
import { type Assembly, noteObject, ownerId } from "./Assembly.ts"
import type { PanelObject } from "./PanelObject.ts"
import { passwordOf } from "./Passwords.ts"

/*
 * Databases (`db` with subtype mysql/postgresql; ispmanager 4 `mysql`/`postgresql` items with
 * elid `<server>-><db>`) and their users (`db.users`; ispmanager 4 `dbusername`/`dbpassword`).
 * Grants are not in any documented field: each user gets all privileges on the database it
 * belongs to (how ispmanager creates database users).
 */

const engineOf = (object: PanelObject): DatabaseEngine | undefined => {
  const hint = `${object.subtype ?? ""} ${object.type} ${object.fields.text("server", "type", "dbtype") ?? ""} ${object.name}`.toLowerCase()
  if (/postgres|pgsql/.test(hint)) return "postgresql"
  if (/mysql|maria/.test(hint)) return "mysql"
  return undefined
}

/** A dump file for a database: archive path and size, chosen by the reader. */
export type DumpLookup = (engine: DatabaseEngine, name: string, object: PanelObject) => string | undefined

const grantAll = (database: string) => ({ database, privileges: ["ALL PRIVILEGES"] })

const addUser = (
  a: Assembly,
  object: PanelObject,
  engine: DatabaseEngine,
  name: string,
  password: string | undefined,
  remote: boolean | undefined,
  database: string | undefined,
): void => {
  const id = `dbuser:${engine}:${name}`
  const existing = a.builder.get("DatabaseUser", id)
  if (existing !== undefined) {
    if (database !== undefined && !existing.grants.some((g) => g.database === database)) {
      a.builder.update({ ...existing, grants: [...existing.grants, grantAll(database)] })
    }
    return
  }
  const passwordHash = passwordOf(a, object, password, engine, `password of database user ${name}`)
  const user: DatabaseUser = {
    _tag: "DatabaseUser",
    id,
    owner: ownerId(a, object),
    source: object.source,
    name,
    engine,
    hosts: remote === true ? ["localhost", "%"] : ["localhost"],
    ...(passwordHash !== undefined ? { passwordHash } : {}),
    grants: database !== undefined ? [grantAll(database)] : [],
  }
  a.builder.add(user)
}

export const buildDatabases = (a: Assembly, objects: ReadonlyArray<PanelObject>, dumpFor: DumpLookup): void => {
  for (const object of objects) {
    const f = object.fields
    const engine = engineOf(object)
    const elidName = object.name.includes("->") ? object.name.slice(object.name.indexOf("->") + 2) : object.name
    const name = f.text("name") ?? elidName
    if (engine === undefined) {
      noteObject(
        a,
        object,
        "warning",
        "database-engine-unknown",
        "neither MySQL nor PostgreSQL could be told from the backup; not imported",
      )
      continue
    }
    f.mark("owner", "confirm", "filename", "elid")
    const server = f.text("server") ?? (object.name.includes("->") ? object.name.slice(0, object.name.indexOf("->")) : undefined)
    const dumpPath = dumpFor(engine, name, object)
    const dump =
      dumpPath !== undefined
        ? a.builder.declareContent({ id: `content:dump:${engine}:${name}`, kind: "database-dump", path: dumpPath })
        : undefined
    if (dump === undefined)
      noteObject(a, object, "warning", "dump-missing", "no dump of this database in the backup; it will be created empty")
    f.mark("remote_access")
    const database: Database = {
      _tag: "Database",
      id: `database:${engine}:${name}`,
      owner: ownerId(a, object),
      source: object.source,
      name,
      engine,
      ...(f.text("charset") !== undefined ? { charset: f.text("charset") as string } : {}),
      ...(f.text("collation") !== undefined ? { collation: f.text("collation") as string } : {}),
      ...(server !== undefined ? { sourceServer: server } : {}),
      ...(dump !== undefined ? { dump, dumpFormat: dumpPath?.endsWith(".gz") ? ("sql-gz" as const) : ("sql" as const) } : {}),
    }
    a.builder.add(database)
    const userName = f.text("username", "dbusername", "user")
    if (userName !== undefined) addUser(a, object, engine, userName, f.text("password", "dbpassword"), f.flag("remote_access"), name)
  }
}

export const buildDatabaseUsers = (a: Assembly, objects: ReadonlyArray<PanelObject>): void => {
  for (const object of objects) {
    const f = object.fields
    const engine = engineOf(object)
    const name = f.text("name", "username") ?? object.name
    const database = f.text("plid", "db", "database", "dbname")
    if (engine === undefined) {
      noteObject(
        a,
        object,
        "warning",
        "database-engine-unknown",
        "neither MySQL nor PostgreSQL could be told from the backup; not imported",
      )
      continue
    }
    f.mark("owner", "confirm")
    if (database !== undefined && a.builder.get("Database", `database:${engine}:${database}`) === undefined) {
      noteObject(
        a,
        object,
        "warning",
        "database-missing",
        `its database ${JSON.stringify(database.slice(0, 64))} is not in the backup; the user is imported without access to it`,
      )
    }
    const known = database !== undefined && a.builder.get("Database", `database:${engine}:${database}`) !== undefined
    addUser(a, object, engine, name, f.text("passwd", "password"), f.flag("remote_access", "remote"), known ? database : undefined)
  }
}
