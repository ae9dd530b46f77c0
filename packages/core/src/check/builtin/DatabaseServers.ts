import type { Database } from "../../model/Entity.ts"
import type { DatabaseServer } from "../../target/Target.ts"
import type { CheckContext, Finding } from "../Check.ts"
import * as Check from "../Check.ts"
import { blockingFinding, change, changeEffect, groupBy, listed, majorMinor } from "./Findings.ts"

/*
 * Which database server each database goes to. The plan names the server in a `server` change
 * whenever it is not simply the default one, so the importer never has to guess:
 * - `options.dbMap` first (`SOURCE=TARGET`, SOURCE = the database's source host or a version
 *   label "mysql-8.0" / "mariadb-10.6" / "postgresql-15");
 * - else a server of the same engine and major.minor;
 * - else "X.X MySQL database server not found — the MySQL databases will be imported to the
 *   default database server".
 */

interface SourceServer {
  readonly engine: DatabaseServer["engine"]
  readonly version: string
  readonly label: string
}

const sourceServer = (db: Database): SourceServer | undefined => {
  const raw = db.sourceServerVersion
  const version = raw === undefined ? undefined : majorMinor(raw)
  if (raw === undefined || version === undefined) return undefined
  const engine = db.engine === "postgresql" ? "postgresql" : /mariadb/i.test(raw) ? "mariadb" : "mysql"
  return { engine, version, label: `${engine}-${version}` }
}

const mapped = (ctx: CheckContext, db: Database, source: SourceServer | undefined): { key: string; target: string } | undefined => {
  for (const key of [db.sourceServer, source?.label])
    if (key !== undefined && Object.hasOwn(ctx.options.dbMap, key)) return { key, target: ctx.options.dbMap[key] as string }
  return undefined
}

const serverName = (s: DatabaseServer) => `${s.id} (${s.engine} ${s.version})`

export const mysqlVersionCheck = Check.make({
  id: "mysql-version",
  title: "X.X MySQL database server not found",
  run: (ctx) => {
    const all = [...ctx.capabilities.mysql, ...ctx.capabilities.postgresql]
    const findings: Array<Finding> = []
    const unknown = Object.entries(ctx.options.dbMap).filter(([, target]) => !all.some((s) => s.id === target))
    for (const [source, target] of unknown)
      findings.push(
        blockingFinding({
          code: "db-map-unknown-server",
          title: "Database server mapping",
          message: `the mapping ${source}=${target} names a database server the receiving server does not have (it has ${listed(all.map((s) => s.id)) || "none"})`,
          resolution: "correct the database server mapping; the import cannot start",
        }),
      )

    type Placement = { db: Database; from: string; to: DatabaseServer; code: string; title: string; why: string; resolution: string }
    const placements: Array<Placement> = []
    for (const db of ctx.active("Database")) {
      const servers = db.engine === "mysql" ? ctx.capabilities.mysql : ctx.capabilities.postgresql
      const fallback = servers.find((s) => s.default) ?? servers[0]
      if (fallback === undefined) continue // no server of this engine: the *-server checks skipped it
      const source = sourceServer(db)
      const from = db.sourceServer ?? source?.label ?? "unknown"
      const map = mapped(ctx, db, source)
      if (map !== undefined) {
        const to = all.find((s) => s.id === map.target)
        if (to === undefined) continue
        if ((to.engine === "postgresql") !== (db.engine === "postgresql")) {
          findings.push(
            blockingFinding({
              code: "db-map-wrong-engine",
              title: "Database server mapping",
              message: `the mapping ${map.key}=${map.target} sends the ${db.engine} database ${db.name} to a ${to.engine} server`,
              resolution: "correct the database server mapping; the import cannot start",
            }),
          )
          continue
        }
        if (to.id !== fallback.id)
          placements.push({
            db,
            from,
            to,
            code: "db-mapped",
            title: "Database server mapping",
            why: `mapped by ${map.key}=${map.target}`,
            resolution: `imported to ${serverName(to)} as mapped`,
          })
        continue
      }
      if (source !== undefined && db.engine === "mysql") {
        const same = servers.filter((s) => s.engine === source.engine && majorMinor(s.version) === source.version)
        const match = same.find((s) => s.default) ?? same[0]
        if (match === undefined)
          placements.push({
            db,
            from,
            to: fallback,
            code: "mysql-version-not-found",
            title: `${source.version} MySQL database server not found`,
            why: `the receiving server has no ${source.engine} ${source.version} server (it has ${listed(servers.map(serverName))})`,
            resolution: `the MySQL databases will be imported to the default database server, ${serverName(fallback)}`,
          })
        else if (match.id !== fallback.id)
          placements.push({
            db,
            from,
            to: match,
            code: "db-same-version",
            title: `${source.version} MySQL database server`,
            why: `the source ran ${source.engine} ${source.version}; the default server runs ${fallback.engine} ${fallback.version}`,
            resolution: `imported to ${serverName(match)}, which runs the same version`,
          })
        continue
      }
      if (servers.length > 1)
        placements.push({
          db,
          from,
          to: fallback,
          code: "db-server-unmapped",
          title: "Database servers without a mapping",
          why: `the source server's version is unknown and the receiving server has ${servers.length} ${db.engine === "mysql" ? "MySQL" : "PostgreSQL"} servers`,
          resolution: `the databases will be imported to the default database server, ${serverName(fallback)}; map their source server to choose another`,
        })
    }

    for (const [, group] of groupBy(placements, (p) => `${p.code}\u0000${p.title}\u0000${p.why}\u0000${p.to.id}`)) {
      const first = group[0] as Placement
      findings.push({
        code: first.code,
        severity: "warning",
        title: first.title,
        message: `${first.why}: ${listed(group.map((p) => `${p.db.name} (source ${p.db.sourceServerVersion ?? p.from})`))}`,
        resolution: first.resolution,
        effects: group.map((p) => changeEffect(p.db.id, [change("server", p.from, p.to.id)])),
      })
    }
    return findings
  },
})
