import { buildAccounts } from "./Accounts.ts"
import { type Assembly, noteObject } from "./Assembly.ts"
import { buildDatabases, buildDatabaseUsers, type DumpLookup } from "./Databases.ts"
import { buildZones } from "./Dns.ts"
import { buildMailAliases, buildMailboxes, buildMailDomains, type MailboxPayloads } from "./Mail.ts"
import type { PanelObject } from "./PanelObject.ts"
import { buildCertificates, buildCronJobs, buildCsrs, buildFtpUsers } from "./Services.ts"
import { addSites, buildSiteChildren, buildSites, buildWwwRedirects } from "./Web.ts"

/*
 * Every object of a backup becomes entities or a note. ispmanager 4 item types are mapped onto
 * the ISPtar object types (§3.3 table); the restore handlers of §4.4 list which ISPtar types can
 * occur. Types with no entity in Ferry's model are noted with the reason; any other type is
 * reported as unknown, by name.
 */

/** ispmanager 4 `PBKP_CONTENT` element names → ISPtar object types. */
export const legacyTypes: Readonly<Record<string, string>> = {
  wwwdomain: "webdomain",
  mysql: "db",
  postgresql: "db",
  zones: "domain",
  ftp: "ftp.user",
  cron: "scheduler",
}

const informational: ReadonlyArray<readonly [RegExp, string]> = [
  [/^aps$/, "a web application installed from the catalogue (APS): reinstall it on the target; its files travel with the site"],
  [/^admin$|^admindomain$/, "panel administrator settings: server-level, not imported"],
  [/^letsencrypt(\.|$)/, "Let's Encrypt settings: certificates are requested anew on the target"],
  [/^backup2\.metadata/, "backup metadata: used to tell the panel version"],
  [/^site\.backup(\.|$)/, "site backup settings: not imported"],
]

const known = new Set([
  "user",
  "preset",
  "userconf",
  "webdomain",
  "site",
  "webdomain.redirect",
  "webdomain.error",
  "webdomain.diraccess",
  "webdomain.diraccess.user",
  "wwwredirect",
  "emaildomain",
  "email",
  "emailgroup",
  "emailredirect",
  "db",
  "db.users",
  "domain",
  "ftp.user",
  "scheduler",
  "sslcert",
  "sslcsr",
])

export interface EntityInputs {
  readonly dumpFor: DumpLookup
  readonly mail?: MailboxPayloads
}

export const buildEntities = (a: Assembly, all: ReadonlyArray<PanelObject>, inputs: EntityInputs): void => {
  const objects = all.map((o) => {
    const type = legacyTypes[o.type]
    return type === undefined
      ? o
      : { ...o, type, subtype: o.subtype ?? (o.type === "mysql" || o.type === "postgresql" ? o.type : undefined) }
  })
  const of = (...types: ReadonlyArray<string>) => objects.filter((o) => types.includes(o.type))
  const users = of("user")
  buildAccounts(a, users, of("preset"), of("userconf"))
  if (a.mainLogin === undefined && users.length === 1) a.mainLogin = [...a.accounts.keys()][0]
  buildCertificates(a, of("sslcert"))
  const sites = buildSites(a, of("webdomain", "site"))
  buildSiteChildren(a, sites, of("webdomain.redirect", "webdomain.error", "webdomain.diraccess", "webdomain.diraccess.user"))
  buildWwwRedirects(a, sites, of("wwwredirect"))
  addSites(a, sites)
  buildMailDomains(a, of("emaildomain"))
  buildMailboxes(a, of("email"), inputs.mail)
  buildMailAliases(a, of("emailgroup", "emailredirect"))
  buildDatabases(a, of("db"), inputs.dumpFor)
  buildDatabaseUsers(a, of("db.users"))
  buildZones(a, of("domain"))
  buildFtpUsers(a, of("ftp.user"))
  buildCronJobs(a, of("scheduler"))
  buildCsrs(a, of("sslcsr"))

  for (const object of objects) {
    if (known.has(object.type)) continue
    const info = informational.find(([pattern]) => pattern.test(object.type))
    if (info !== undefined) noteObject(a, object, "info", "object-not-imported", info[1])
    else {
      noteObject(
        a,
        object,
        "warning",
        "unknown-object-type",
        `an object type Ferry does not know (${object.type.slice(0, 60)}); not imported — please report it with the file named here`,
      )
    }
  }

  // Fields no reader asked for, per type, by name only (values may be secrets).
  const unmapped = new Map<string, { names: Set<string>; count: number; path: string }>()
  for (const object of objects) {
    if (!known.has(object.type)) continue
    const names = object.fields.unused()
    if (names.length === 0) continue
    const key = object.type
    const entry = unmapped.get(key) ?? { names: new Set<string>(), count: 0, path: object.source.path }
    for (const name of names) entry.names.add(name)
    entry.count++
    unmapped.set(key, entry)
  }
  for (const [type, entry] of unmapped) {
    a.builder.note({
      severity: "info",
      code: "fields-not-mapped",
      subject: `${type} objects`,
      path: entry.path,
      message: `fields Ferry does not map were left out (${entry.count} object${entry.count === 1 ? "" : "s"}): ${[...entry.names].slice(0, 30).join(", ")}`,
    })
  }
}
