import type { IspmanagerPlan, PhpMode, PlannedIspSite } from "./IspmanagerGeneratorPlan.ts"
import { type XmlFields, xmlDocument, xmlFields } from "./IspmanagerGeneratorXml.ts"

/*
 * The `.system/` special files of a synthetic ispmanager 5 / 6 / business 6 backup (ISPtar). The
 * reference documents only the `elem` shape (`backup`: type, subtype, name, owner, path; `data`:
 * form fields, ispmanager.md §4.3); file names, roots and grouping are unknown, so the generator
 * uses several styles on purpose: files with a `<doc>` root holding many `elem`s, and one file
 * per mailbox holding a bare `<elem>`. Field names follow §7.3 where it lists them; the rest
 * (cron, certificates, DNS records, the metadata elem) are Ferry's assumptions, written down in
 * the ispmanager adapters' READMEs.
 */

export type IsptarVersion = "5" | "6" | "business6"

export const isptarPanels: Readonly<Record<IsptarVersion, { readonly name: string; readonly version: string; readonly edition: string }>> =
  {
    "5": { name: "ispmanager", version: "5.300.1", edition: "lite" },
    "6": { name: "ispmanager", version: "6.110.0", edition: "lite" },
    business6: { name: "ispmanager-business", version: "6.45.0", edition: "business" },
  }

interface Backup {
  readonly type: string
  readonly subtype?: string
  readonly name: string
  readonly owner?: string
  readonly path?: string
}

export const elem = (backup: Backup, data: XmlFields, indent = "  "): string => {
  const head: XmlFields = [
    ["type", backup.type],
    ...(backup.subtype !== undefined ? ([["subtype", backup.subtype]] as const) : []),
    ["name", backup.name],
    ...(backup.owner !== undefined ? ([["owner", backup.owner]] as const) : []),
    ...(backup.path !== undefined ? ([["path", backup.path]] as const) : []),
  ]
  return `${indent}<elem>\n${indent}  <backup>\n${xmlFields(head, `${indent}    `)}\n${indent}  </backup>\n${indent}  <data>\n${xmlFields(data, `${indent}    `)}\n${indent}  </data>\n${indent}</elem>`
}

const doc = (elems: ReadonlyArray<string>): string => xmlDocument("doc", elems.join("\n"))

export const phpModeField: Readonly<Record<PhpMode, string>> = {
  fpm: "php_mode_fcgi_nginxfpm",
  module: "php_mode_mod",
  cgi: "php_mode_cgi",
  fastcgi: "php_mode_fcgi_apache",
}

const phpVersionField = (mode: PhpMode): string =>
  mode === "fpm" ? "php_fpm_version" : mode === "module" ? "php_apache_version" : "php_cgi_version"

/** ispmanager 5 writes alternative PHP versions as `isp-phpXY`; 6 as plain `X.Y` (both are read). */
const phpVersionValue = (version: IsptarVersion, php: string): string => (version === "5" ? `isp-php${php.replace(".", "")}` : php)

const siteElem = (plan: IspmanagerPlan, version: IsptarVersion, site: PlannedIspSite): string => {
  const path = `${plan.home}/${site.docroot}`
  if (version === "6") {
    return elem({ type: "site", name: site.domain, owner: plan.user, path }, [
      ["site_name", site.domain],
      ["site_owner", plan.user],
      ["site_aliases", site.aliases.join(" ")],
      ["site_ipaddrs", plan.ip],
      ["site_php_enable", true],
      ["site_php_mode", phpModeField[site.php.mode]],
      [`site_${phpVersionField(site.php.mode)}`, phpVersionValue(version, site.php.version)],
      ["site_secure", site.ssl !== undefined],
      ...(site.ssl !== undefined
        ? ([
            ["site_ssl_cert", site.ssl.certificate],
            ["site_redirect_http", site.ssl.redirectHttps],
            ["site_hsts", site.ssl.hsts],
          ] as const)
        : []),
      ["site_autosubdomain", "off"],
    ])
  }
  return elem({ type: "webdomain", name: site.domain, owner: plan.user, path }, [
    ["name", site.domain],
    ["owner", plan.user],
    ["email", site.adminEmail],
    ["aliases", site.aliases.join(" ")],
    ["home", site.docroot],
    ["ipaddrs", plan.ip],
    ["dirindex", "index.php index.html"],
    ["php", true],
    ["php_mode", phpModeField[site.php.mode]],
    [phpVersionField(site.php.mode), phpVersionValue(version, site.php.version)],
    ["secure", site.ssl !== undefined],
    ...(site.ssl !== undefined
      ? ([
          ["ssl_cert", site.ssl.certificate],
          ["redirect_http", site.ssl.redirectHttps],
          ["hsts", site.ssl.hsts],
        ] as const)
      : []),
  ])
}

const webChildren = (plan: IspmanagerPlan): Array<string> =>
  plan.sites.flatMap((site) => [
    ...site.redirects.map((r) =>
      elem({ type: "webdomain.redirect", name: `${site.domain}${r.from}`, owner: plan.user }, [
        ["plid", site.domain],
        ["name", r.from],
        ["url", r.to],
        ["type", String(r.code)],
      ]),
    ),
    ...site.errorPages.map((e) =>
      elem({ type: "webdomain.error", name: `${site.domain}:${e.code}`, owner: plan.user }, [
        ["plid", site.domain],
        ["code", String(e.code)],
        ["path", e.path],
      ]),
    ),
    ...site.protectedDirs.flatMap((dir) => [
      elem({ type: "webdomain.diraccess", name: `${site.domain}/${dir.path}`, owner: plan.user }, [
        ["plid", site.domain],
        ["path", dir.path],
        ["realm", dir.title],
      ]),
      ...dir.users.map((u) =>
        elem({ type: "webdomain.diraccess.user", name: u.login, owner: plan.user }, [
          ["plid", `${site.domain}/${dir.path}`],
          ["name", u.login],
          ["passwd", u.hash],
        ]),
      ),
    ]),
  ])

const catchAllFields = (plan: IspmanagerPlan, i: number): XmlFields => {
  const catchAll = plan.mailDomains[i]?.catchAll
  if (catchAll === undefined) return [["defaction", ""]]
  if (catchAll.action === "forward")
    return [
      ["defaction", "redirect"],
      ["redirect", catchAll.target],
    ]
  return [["defaction", catchAll.action === "reject" ? "error" : "ignore"]]
}

/** Every `.system/` file but the database dumps: archive path → XML text. */
export const systemFiles = (plan: IspmanagerPlan, version: IsptarVersion, date: string): Map<string, string> => {
  const files = new Map<string, string>()
  const panel = isptarPanels[version]
  const owner = plan.user
  const a = plan.account
  files.set(
    ".system/backup2.metadata.xml",
    doc([
      elem({ type: "backup2.metadata", name: owner, owner }, [
        ["panel_name", panel.name],
        ["panel_version", panel.version],
        ["panel_edition", panel.edition],
        ["backup_type", "full"],
        ["date", date],
      ]),
    ]),
  )
  const p = a.presetLimits
  files.set(
    ".system/user.xml",
    doc([
      elem({ type: "user", name: a.login, owner: "root" }, [
        ["name", a.login],
        ["fullname", a.fullname],
        ["email", a.email],
        ["comment", a.comment],
        ["preset", a.preset],
        ["passwd", a.hash],
        ["active", true],
        ["backup", true],
        ["php_enable", true],
        ["quota", String(a.limits.diskMiB ?? "")],
        ["limit_emails", String(a.limits.emails)],
      ]),
      elem({ type: "preset", name: a.preset, owner: "root" }, [
        ["name", a.preset],
        ["limit_webdomains", String(p.webdomains)],
        ["limit_webdomains_enabled", true],
        ["limit_emaildomains", String(p.emaildomains)],
        ["limit_emaildomains_enabled", true],
        ["limit_emails", String(p.emails)],
        ["limit_db", String(p.databases)],
        ["limit_db_enabled", true],
        ["limit_db_users", String(p.databaseUsers)],
        ["limit_ftp_users", String(p.ftpUsers)],
        ["limit_domains", String(p.dnsDomains)],
        ["limit_mailrate", String(p.mailPerHour)],
        ["limit_shell", p.shell],
        ["limit_cgi", p.cgi],
        ["limit_ssl", p.ssl],
      ]),
      elem({ type: "userconf", name: a.login, owner: a.login }, [
        ["lang", a.locale],
        ["theme", "orion"],
      ]),
    ]),
  )
  files.set(`.system/${version === "6" ? "site" : "webdomain"}.xml`, doc(plan.sites.map((site) => siteElem(plan, version, site))))
  files.set(".system/webdomain.children.xml", doc(webChildren(plan)))
  files.set(
    ".system/emaildomain.xml",
    doc(
      plan.mailDomains.map((d, i) =>
        elem({ type: "emaildomain", name: d.name, owner }, [
          ["name", d.name],
          ["owner", owner],
          ["ip", plan.ip],
          ...catchAllFields(plan, i),
          ["dkim", d.dkim !== undefined],
          ...(d.dkim !== undefined ? ([["dkim_key", d.dkim.privateKeyPem]] as const) : []),
          ["active", true],
        ]),
      ),
    ),
  )
  for (const box of plan.mailboxes) {
    files.set(
      `.system/email/${box.address}.xml`,
      `<?xml version="1.0" encoding="UTF-8"?>\n${elem(
        { type: "email", name: box.address, owner, path: `${plan.home}/email/${box.domain}/${box.local}` },
        [
          ["name", box.local],
          ["domainname", box.domain],
          ["passwd", box.hash],
          ["maxsize", box.quotaBytes === null ? "0" : String(box.quotaBytes / (1024 * 1024))],
          ["forward", box.forwards.join(",")],
          ["dontsave", !box.keepCopy],
          ["active", box.enabled],
          ["note", box.note],
        ],
        "",
      )}\n`,
    )
  }
  files.set(
    ".system/db.xml",
    doc(
      plan.databases.flatMap((db) => [
        elem({ type: "db", subtype: db.engine, name: db.name, owner }, [
          ["name", db.name],
          ["owner", owner],
          ["server", db.engine === "mysql" ? "MySQL" : "PostgreSQL"],
          ["charset", db.charset],
          ["remote_access", false],
        ]),
        elem({ type: "db.users", subtype: db.engine, name: db.user.name, owner }, [
          ["plid", db.name],
          ["name", db.user.name],
          ["passwd", db.user.hash],
          ["remote_access", db.user.remote],
        ]),
      ]),
    ),
  )
  files.set(
    ".system/domain.xml",
    doc(
      plan.zones.map((zone) =>
        elem({ type: "domain", name: zone.name, owner }, [
          ["name", zone.name],
          ["owner", owner],
          ["dtype", "master"],
          ["ip", plan.ip],
          ["ns", "ns1.synth-host.example. ns2.synth-host.example."],
          [
            "record",
            zone.records.map(
              (r): XmlFields => [
                ["name", r.label],
                ["ttl", String(r.ttl)],
                ["rtype", r.type.toLowerCase()],
                ["value", r.value],
                ...(r.priority !== undefined ? ([["priority", String(r.priority)]] as const) : []),
              ],
            ),
          ],
        ]),
      ),
    ),
  )
  files.set(
    ".system/ftp.user.xml",
    doc(
      plan.ftpUsers.map((u, i) =>
        elem({ type: "ftp.user", name: u.login, owner }, [
          ["name", u.login],
          ["owner", owner],
          // One absolute, one home-relative: both forms are read.
          ["home", i === 0 ? `${plan.home}/${u.homeDir}` : u.homeDir],
          ["passwd", u.password],
          ["active", true],
        ]),
      ),
    ),
  )
  files.set(
    ".system/scheduler.xml",
    doc(
      plan.cronJobs.map((job, i) =>
        elem({ type: "scheduler", name: `${owner}:${i + 1}`, owner }, [
          ["command", job.command],
          ["min", job.minute],
          ["hour", job.hour],
          ["mday", job.mday],
          ["month", job.month],
          ["wday", job.wday],
          ["active", job.enabled],
          ...(job.mailTo !== undefined ? ([["mailto", job.mailTo]] as const) : []),
        ]),
      ),
    ),
  )
  files.set(
    ".system/sslcert.xml",
    doc([
      elem({ type: "sslcert", name: plan.certificate.name, owner }, [
        ["name", plan.certificate.name],
        ["type", "selfsigned"],
        ["crt", plan.certificate.pem],
        ["key", plan.certificate.keyPem],
      ]),
      elem({ type: "sslcsr", name: plan.csr.name, owner }, [
        ["name", plan.csr.name],
        ["csr", plan.csr.pem],
        ["key", plan.csr.keyPem],
      ]),
    ]),
  )
  files.set(
    ".system/other.xml",
    doc([
      elem({ type: "aps", name: "wordpress", owner }, [
        ["name", "wordpress"],
        ["webdomain", plan.sites[0]?.domain ?? ""],
      ]),
      // A type this generator invents: a reader must name it in a note, not crash or drop it.
      elem({ type: "future.widget", name: "w1", owner }, [["colour", "blue"]]),
    ]),
  )
  return files
}

/** The `.info` file beside a storage data file (format unknown; Ferry assumes ispmanager's usual `<doc>` XML). */
export const infoFile = (plan: IspmanagerPlan, version: IsptarVersion, date: string, bytes: number, keyHash?: string): string =>
  xmlDocument(
    "doc",
    xmlFields(
      [
        ["user", plan.user],
        ["date", date],
        ["type", "full"],
        ["panel", isptarPanels[version].name],
        ["version", isptarPanels[version].version],
        ["size", String(bytes)],
        ...(keyHash !== undefined ? ([["key_hash", keyHash]] as const) : []),
      ],
      "  ",
    ),
  )
