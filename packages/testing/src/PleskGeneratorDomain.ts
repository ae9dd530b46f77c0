import type { PleskAccountSpec, PleskContactSpec, PleskDomainSpec, PleskHostingSpec, PleskMailSpec } from "./PleskGeneratorSpec.ts"
import { type ContentSink, certificatesXml, domainKeysXml, el, guidOf, passwordXml, textEl } from "./PleskGeneratorXml.ts"

/* Accounts and domains in each dialect (see PleskGeneratorXml.ts). */

const flag = (value: boolean): string => (value ? "true" : "false")

const statusXml = (disabled: boolean): string => el("status", {}, disabled ? el("disabled-by", { name: "admin" }) : el("enabled"))

const ipXml = (address: string): string => el("ip", {}, textEl("ip-type", "shared"), textEl("ip-address", address))

const contactFields: ReadonlyArray<readonly [keyof PleskContactSpec, string, string]> = [
  ["name", "pname", "name"],
  ["company", "cname", "company"],
  ["email", "email", "email"],
  ["phone", "phone", "phone"],
  ["fax", "fax", "fax"],
  ["address", "address", "address"],
  ["city", "city", "city"],
  ["state", "state", "state"],
  ["postalCode", "pcode", "zip"],
  ["country", "country", "country"],
  ["locale", "locale", "locale"],
]

const mailXml = (sink: ContentSink, domain: string, mail: PleskMailSpec, dir: string): string => {
  const p8 = sink.dialect === "plesk8"
  const users = mail.users.map((u) => {
    const address = `${u.name}@${domain}`
    const content = u.mailbox && u.messages > 0 ? sink.mailbox(address, dir, u.messages, u.messageBytes) : undefined
    const quota = p8 && u.quotaBytes >= 0 ? Math.floor(u.quotaBytes / 1024) : u.quotaBytes
    const prefs = [
      el("mailbox", { enabled: flag(u.mailbox), type: "mdir", cid: content?.attr }, content?.xml),
      ...(u.aliases ?? []).map((a) => textEl("alias", a)),
      ...(u.redirects ?? []).map((r) => textEl("redirect", r)),
      ...(u.groupMembers ?? []).map((m) => textEl("mailgroup-member", m)),
      u.autoresponder &&
        el(
          "autoresponders",
          {},
          el(
            "autoresponder",
            {
              name: "vacation",
              status: "on",
              subject: u.autoresponder.subject,
              charset: u.autoresponder.charset,
              "content-type": u.autoresponder.html ? "text/html" : "text/plain",
            },
            textEl("text", u.autoresponder.body),
          ),
        ),
      u.spamassassin && el("spamassassin", { status: u.spamassassin.status, hits: u.spamassassin.hits, action: u.spamassassin.action }),
      u.virusfilter && el("virusfilter", { state: u.virusfilter }),
    ]
    const password = passwordXml(sink, u.password, address)
    return p8
      ? el("mailuser", { name: u.name, "mailbox-quota": quota }, password, prefs)
      : el(
          "mailuser",
          { name: u.name, "mailbox-quota": quota, guid: guidOf(sink, address) },
          el("properties", {}, password),
          el("preferences", {}, prefs),
        )
  })
  const lists = (mail.lists ?? []).map((l) =>
    el(
      "maillist",
      { name: l.name },
      l.owners.map((o) => textEl("owner", o)),
      l.members.map((m) => textEl("recipient", m)),
      sink.list(`${l.name}@${domain}`, dir),
    ),
  )
  const status = statusXml(!mail.enabled)
  const catchAll = mail.catchAll !== undefined ? textEl("catch-all", mail.catchAll) : undefined
  const keys = mail.dkim ? domainKeysXml() : undefined
  if (p8) return el("mailsystem", {}, status, catchAll, keys, users, lists.length > 0 && el("maillists", {}, lists))
  return el(
    "mailsystem",
    {},
    el("properties", {}, status),
    (catchAll !== undefined || keys !== undefined) && el("preferences", {}, catchAll, keys),
    sink.domainMail(dir),
    el("mailusers", {}, users),
    lists.length > 0 && el("maillists", {}, lists),
  )
}

const hostingXml = (sink: ContentSink, domain: string, h: PleskHostingSpec, dir: string, main: boolean): string => {
  const p8 = sink.dialect === "plesk8"
  const sys = h.sysuser
  const sysuser =
    sys &&
    el(
      "sysuser",
      { name: sys.login, quota: sys.quotaBytes, shell: sys.shell },
      passwordXml(sink, sys.password, `sys:${sys.login}`),
      h.cron !== undefined && textEl("cron", `${h.cron.join("\n")}\n`),
    )
  const scripting = h.php && { php: flag(h.php.enabled), php_handler_type: h.php.handler, php_version: h.php.version }
  const prefs = [
    sysuser,
    h.logRotation &&
      el("logrotation", {
        enabled: flag(h.logRotation.enabled),
        period: h.logRotation.period,
        "max-number-of-logfiles": h.logRotation.keep,
        compress: h.logRotation.compress === undefined ? undefined : flag(h.logRotation.compress),
      }),
    h.anonymousFtp && el("anonftp", { pub: flag(h.anonymousFtp.enabled), incoming: flag(h.anonymousFtp.incoming) }),
    ...(h.protectedDirs ?? []).map((d) =>
      el(
        "pdir",
        { name: d.path, title: d.title },
        d.users.map((u) => el("pduser", { name: u.login }, passwordXml(sink, u.password, `pd:${d.path}:${u.login}`))),
      ),
    ),
    ...(h.mimeTypes ?? []).map((m) => el("mime-type", { extension: m.extension, type: m.type })),
    h.hotlink &&
      el(
        "hotlink-protection",
        { enabled: flag(h.hotlink.enabled), extensions: h.hotlink.extensions.join(",") },
        h.hotlink.friends.map((f) => textEl("friend-domain", f)),
      ),
    h.sharedSsl !== undefined && el("shared-ssl", { enabled: flag(h.sharedSsl) }),
    !p8 && scripting && el("scripting", scripting),
  ]
  const settings =
    h.phpSettings &&
    el(
      "php-settings",
      {},
      Object.entries(h.phpSettings).map(([name, value]) => el("setting", { name, value })),
    )
  const ftp = (h.ftpUsers ?? []).map((u) =>
    el("ftpuser", { name: u.login, home: u.home, quota: u.quotaBytes }, passwordXml(sink, u.password, `ftp:${u.login}`)),
  )
  const web = (h.webUsers ?? []).map((u) => el("webuser", { name: u.login }, passwordXml(sink, u.password, `wu:${u.login}`)))
  const apps = (h.applications ?? []).map((a) =>
    el(
      "sapp-installed",
      {},
      textEl("sapp-name", a.name),
      a.version && textEl("sapp-version", a.version),
      a.path && textEl("sapp-installdir", a.path),
    ),
  )
  const primary = sink.web(domain, dir, h.webFiles, h.webBytes, sink.dialect === "repository" ? "user-data" : "docroot")
  const cgi = main && sink.dialect !== "repository" ? sink.extra(domain, dir, "cgi") : ""
  const logs = main && !p8 ? sink.extra(domain, dir, "logs") : ""
  const content = primary === "" ? "" : primary.replace("</content>", `${sink.dialect === "migration" ? cgi : ""}${logs}</content>`)
  const subdomains = (h.subdomains ?? []).map((s) => {
    const full = `${s.name}.${domain}`
    const subContent = sink.dialect === "repository" ? "" : sink.web(full, dir, 1, 300, "docroot")
    return el("subdomain", { name: s.name, "www-root": s.wwwRoot }, subContent)
  })
  const sites = (h.sites ?? []).map((site) =>
    domainXml(sink, site, sink.dialect === "repository" ? `${dir}/sites/${site.name}` : dir, "site"),
  )
  const attrs = {
    "www-root": h.wwwRoot,
    https: h.https === undefined ? undefined : flag(h.https),
    certificate: h.certificate,
    ...(p8 ? scripting : {}),
  }
  if (p8) return el("phosting", attrs, prefs, settings, ftp, web, apps, subdomains, sites.length > 0 && el("sites", {}, sites))
  return el(
    "phosting",
    attrs,
    el("preferences", {}, prefs),
    settings,
    web.length > 0 && el("webusers", {}, web),
    ftp.length > 0 && el("ftpusers", {}, ftp),
    apps.length > 0 && el("applications", {}, apps),
    content,
    subdomains.length > 0 && el("subdomains", {}, subdomains),
    sites.length > 0 && el("sites", {}, sites),
  )
}

/** A domain (or an additional site, `tag` = "site") with everything under it. */
export const domainXml = (sink: ContentSink, d: PleskDomainSpec, dir: string, tag: "domain" | "site" = "domain"): string => {
  const p8 = sink.dialect === "plesk8"
  const ips = d.ips.map(ipXml)
  const aliases = (d.aliases ?? []).map((a) => el("domain-alias", { name: a.name, web: flag(a.web), mail: flag(a.mail), dns: flag(a.dns) }))
  const zone =
    d.dns &&
    el(
      "dns-zone",
      { email: `hostmaster@${d.name}`, type: "master" },
      d.dns.map((r) => el("dnsrec", { type: r.type, src: r.src, dst: r.dst, opt: r.opt })),
    )
  const dbs = (d.databases ?? []).map((db) => {
    const dump = sink.database(d.name, db.name, dir, db.dumpBytes)
    const server =
      db.host !== undefined
        ? el("db-server", { type: db.type }, textEl("host", db.host), db.port !== undefined && textEl("port", String(db.port)))
        : undefined
    const users = db.users.map((u) => el("dbuser", { name: u.name }, passwordXml(sink, u.password, `db:${u.name}`)))
    return el("database", { name: db.name, type: db.type, version: db.version, cid: dump.attr }, server, users, dump.xml)
  })
  const mail = d.mail && mailXml(sink, d.name, d.mail, dir)
  const hosting = d.hosting && hostingXml(sink, d.name, d.hosting, dir, tag === "domain")
  const certs = certificatesXml(d.certificates, !p8)
  const attrs = { name: d.name, www: flag(d.www), guid: p8 ? undefined : guidOf(sink, d.name) }
  if (p8) return el(tag, attrs, ips, statusXml(false), aliases, certs, zone, mail, dbs, hosting)
  return el(
    tag,
    attrs,
    aliases.length > 0 && el("preferences", {}, aliases),
    el("properties", {}, ips, statusXml(false), zone),
    mail,
    dbs.length > 0 && el("databases", {}, dbs),
    certs,
    hosting,
  )
}

/** The common part of an administrator, reseller or client element; `inner` holds what it owns. */
export const accountXml = (
  sink: ContentSink,
  tag: "admin" | "reseller" | "client",
  a: PleskAccountSpec,
  inner: ReadonlyArray<string>,
): string => {
  const p8 = sink.dialect === "plesk8"
  const password = passwordXml(sink, a.password, `account:${a.login}`)
  const status = statusXml(a.status === "disabled")
  const limits = Object.entries(a.limits ?? {}).map(([name, value]) => textEl("limit", String(value), { name }))
  const permissions = Object.entries(a.permissions ?? {}).map(([name, value]) => el("permission", { name, value: flag(value) }))
  const pool = (a.ipPool ?? []).length > 0 ? el("ip_pool", {}, (a.ipPool ?? []).map(ipXml)) : undefined
  const certs = certificatesXml(a.certificates, true)
  const base = { name: tag === "admin" ? undefined : a.login, "cr-date": a.createdAt }
  if (p8) {
    const contact = Object.fromEntries(contactFields.filter(([k]) => a.contact[k] !== undefined).map(([k, attr]) => [attr, a.contact[k]]))
    return el(tag, { ...base, ...contact, "template-name": a.template }, password, status, limits, permissions, pool, certs, inner)
  }
  const info =
    sink.dialect === "repository"
      ? el(
          "gen_info",
          {},
          contactFields.filter(([k]) => a.contact[k] !== undefined).map(([k, api]) => textEl(api, a.contact[k] as string)),
        )
      : contactFields
          .filter(([k]) => a.contact[k] !== undefined)
          .map(([k, , pinfo]) => textEl("pinfo", a.contact[k] as string, { name: pinfo }))
  return el(
    tag,
    { ...base, guid: guidOf(sink, `${tag}:${a.login}`) },
    el("preferences", {}, info, a.template !== undefined && textEl("template-name", a.template)),
    el("properties", {}, password, status),
    (limits.length > 0 || permissions.length > 0) && el("limits-and-permissions", {}, limits, permissions),
    pool,
    certs,
    inner,
  )
}
