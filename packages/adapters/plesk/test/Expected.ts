import type { Entity, EntityOf, EntityTag, Snapshot } from "@ferry/core"
import type { PleskAccountSpec, PleskDomainSpec, PleskPasswordSpec, PleskResellerSpec, PleskSpec } from "@ferry/testing"
import { Redacted } from "effect"

/*
 * What a snapshot of a generated backup must hold, derived from the generator's description
 * alone, and the same view taken from a snapshot. Tests compare the two field by field.
 */

const limitKeys: Readonly<Record<string, string>> = {
  max_dom: "domains",
  max_box: "mailboxes",
  disk_space: "diskBytes",
  max_traffic: "trafficBytesPerMonth",
  max_db: "databases",
  mbox_quota: "mailboxQuotaBytes",
  max_cl: "clients",
}
const permissionKeys: Readonly<Record<string, string>> = {
  manage_dns: "manageDns",
  manage_crontab: "manageCron",
  manage_sh_access: "shellAccess",
  create_domains: "createDomains",
  create_clients: "createClients",
}

/** The scheme and value a password of the description should arrive as. */
export const expectedPassword = (password: PleskPasswordSpec, withKey: boolean): { scheme: string; value?: string } => {
  if (password.type === "plain") return { scheme: "plain", value: password.value }
  if (password.type === "sym") return withKey ? { scheme: "plain", value: password.value } : { scheme: "plesk-sym" }
  return { scheme: password.value.startsWith("$6$") ? "sha512-crypt" : "md5-crypt", value: password.value }
}

const passwordView = (hash: { scheme: string; value: Redacted.Redacted<string> } | undefined) => {
  if (hash === undefined) return undefined
  const value = Redacted.value(hash.value)
  return hash.scheme === "plesk-sym" ? { scheme: hash.scheme } : { scheme: hash.scheme, value }
}

export type View = Record<string, unknown>

/** Accounts, domains, mail, databases, DNS, hosting and cron of a description. */
export const expectedView = (spec: PleskSpec, withKey: boolean): View => {
  const accounts: View = {}
  const domains: View = {}
  const sites: View = {}
  const mailDomains: View = {}
  const mailboxes: View = {}
  const forwarders: View = {}
  const autoresponders: View = {}
  const filters: View = {}
  const lists: View = {}
  const databases: View = {}
  const dbUsers: View = {}
  const zones: View = {}
  const ftpUsers: View = {}
  const cron: Array<unknown> = []
  const pw = (p: PleskPasswordSpec) => expectedPassword(p, withKey)

  const domain = (d: PleskDomainSpec, owner: string, kind: "main" | "addon", parent?: string) => {
    const h = d.hosting
    domains[d.name] = { kind, owner, ips: [...d.ips], ...(parent ? { parent: `domain:${parent}` } : {}), site: h !== undefined }
    if (h !== undefined) {
      sites[d.name] = {
        docroot: h.wwwRoot ?? (kind === "main" ? "httpdocs" : d.name),
        serverAliases: d.www ? [`www.${d.name}`] : [],
        php: {
          enabled: h.php?.enabled ?? false,
          ...(h.php?.version ? { version: h.php.version } : {}),
          ...(h.php?.handler ? { mode: h.php.handler } : {}),
        },
        ssl: h.https === undefined ? undefined : { enabled: h.https, certificate: h.certificate !== undefined },
        webUsers: (h.webUsers ?? []).map((u) => ({ login: u.login, ...pw(u.password) })),
        protectedDirectories: (h.protectedDirs ?? []).map((p) => ({
          path: p.path,
          title: p.title,
          users: p.users.map((u) => ({ login: u.login, ...pw(u.password) })),
        })),
        mimeTypes: [...(h.mimeTypes ?? [])],
        hotlink: h.hotlink && { enabled: h.hotlink.enabled, allowedDomains: [...h.hotlink.friends], extensions: [...h.hotlink.extensions] },
        logRotation: h.logRotation && { ...h.logRotation },
        anonymousFtp: h.anonymousFtp && { ...h.anonymousFtp },
        sharedSsl: h.sharedSsl,
        applications: (h.applications ?? []).map((a) => ({ ...a })),
        phpSettings: { ...(h.phpSettings ?? {}) },
        systemUser: h.sysuser?.login,
      }
      if (h.sysuser) ftpUsers[h.sysuser.login] = { owner, homeDir: "", quotaBytes: h.sysuser.quotaBytes, ...pw(h.sysuser.password) }
      for (const f of h.ftpUsers ?? []) ftpUsers[f.login] = { owner, homeDir: f.home, quotaBytes: f.quotaBytes, ...pw(f.password) }
      let n = 0
      let mailTo: string | undefined
      for (const line of h.cron ?? []) {
        if (line.startsWith("MAILTO=")) {
          mailTo = line.slice("MAILTO=".length)
          continue
        }
        const macro = line.startsWith("@")
        const parts = line.split(" ")
        n++
        const schedule = macro ? (parts[0] as string) : parts.slice(0, 5).join(" ")
        cron.push({
          id: `cron:${h.sysuser?.login}:${n}`,
          owner,
          schedule,
          command: parts.slice(macro ? 1 : 5).join(" "),
          user: h.sysuser?.login,
          mailTo,
        })
      }
      for (const s of h.subdomains ?? []) {
        const full = `${s.name}.${d.name}`
        domains[full] = { kind: "subdomain", owner, ips: [], parent: `domain:${d.name}`, site: true }
        sites[full] = {
          docroot: s.wwwRoot,
          serverAliases: [],
          php: { enabled: false },
          ssl: undefined,
          webUsers: [],
          protectedDirectories: [],
          mimeTypes: [],
          applications: [],
          phpSettings: {},
        }
      }
      for (const site of h.sites ?? []) domain(site, owner, "addon", d.name)
    }
    for (const a of d.aliases ?? []) {
      const services = (["web", "mail", "dns"] as const).filter((s) => a[s])
      domains[a.name] = {
        kind: "alias",
        owner,
        ips: [],
        parent: `domain:${d.name}`,
        site: a.web && h !== undefined,
        aliasServices: services,
      }
    }
    if (d.mail) {
      mailDomains[d.name] = { owner, enabled: d.mail.enabled, catchAll: d.mail.catchAll, dkim: d.mail.dkim === true }
      for (const u of d.mail.users) {
        const address = `${u.name}@${d.name}`
        mailboxes[address] = {
          owner,
          quotaBytes: u.quotaBytes < 0 ? null : u.quotaBytes,
          enabled: u.mailbox,
          storage: "maildir",
          ...pw(u.password),
        }
        for (const alias of u.aliases ?? []) forwarders[`${alias}@${d.name}`] = { targets: [address], keepCopy: undefined }
        const targets = [...(u.redirects ?? []), ...(u.groupMembers ?? [])]
        if (targets.length > 0) forwarders[address] = { targets, keepCopy: u.mailbox }
        if (u.autoresponder)
          autoresponders[address] = {
            subject: u.autoresponder.subject,
            body: u.autoresponder.body,
            charset: u.autoresponder.charset,
            html: u.autoresponder.html === true,
          }
        if (u.spamassassin)
          filters[`mailfilter:${address}:spamassassin`] =
            `status=${u.spamassassin.status}; hits=${u.spamassassin.hits}; action=${u.spamassassin.action}`
        if (u.virusfilter) filters[`mailfilter:${address}:virusfilter`] = `state=${u.virusfilter}`
      }
      for (const l of d.mail.lists ?? []) lists[`${l.name}@${d.name}`] = { admins: [...l.owners], members: [...l.members] }
    }
    for (const db of d.databases ?? []) {
      databases[db.name] = { owner, engine: db.type, version: db.version, server: db.host ? `${db.host}:${db.port}` : undefined }
      for (const u of db.users) dbUsers[u.name] = { owner, engine: db.type, grants: [db.name], ...pw(u.password) }
    }
    if (d.dns) zones[d.name] = d.dns.length
  }
  const account = (a: PleskAccountSpec, kind: string, owner: string | null) => {
    const id = `account:${a.login}`
    accounts[a.login] = {
      kind,
      owner,
      contact: { ...a.contact },
      status: a.status ?? "active",
      limits: Object.fromEntries(Object.entries(a.limits ?? {}).map(([k, v]) => [limitKeys[k], v < 0 ? null : v])),
      permissions: Object.fromEntries(Object.entries(a.permissions ?? {}).map(([k, v]) => [permissionKeys[k], v])),
      ipPool: [...(a.ipPool ?? [])],
      plan: a.template,
      ...pw(a.password),
    }
    for (const d of a.domains ?? []) domain(d, id, "main")
    for (const c of (a as PleskResellerSpec).clients ?? []) account(c, "client", id)
  }
  account(spec.admin, "admin", null)
  for (const r of spec.resellers ?? []) account(r, "reseller", "account:admin")
  for (const c of spec.clients ?? []) account(c, "client", "account:admin")
  return {
    accounts,
    domains,
    sites,
    mailDomains,
    mailboxes,
    forwarders,
    autoresponders,
    filters,
    lists,
    databases,
    dbUsers,
    zones,
    ftpUsers,
    cron,
  }
}

const all = <T extends EntityTag>(snapshot: Snapshot, tag: T): Array<EntityOf<T>> =>
  snapshot.entities.filter((e: Entity): e is EntityOf<T> => e._tag === tag)

/** The same view, taken from a snapshot. */
export const snapshotView = (snapshot: Snapshot): View => {
  const by = <T extends EntityTag>(tag: T, key: (e: EntityOf<T>) => string, value: (e: EntityOf<T>) => unknown): View =>
    Object.fromEntries(all(snapshot, tag).map((e) => [key(e), value(e)]))
  return {
    accounts: by(
      "Account",
      (a) => a.login,
      (a) => ({
        kind: a.kind,
        owner: a.owner,
        contact: { ...a.contact },
        status: a.status,
        limits: { ...a.limits },
        permissions: { ...a.permissions },
        ipPool: [...a.ipPool],
        plan: a.plan,
        ...passwordView(a.passwordHash),
      }),
    ),
    domains: by(
      "Domain",
      (d) => d.name,
      (d) => ({
        kind: d.kind,
        owner: d.owner,
        ips: [...d.ips],
        ...(d.parent ? { parent: d.parent } : {}),
        site: d.site !== undefined,
        ...(d.aliasServices ? { aliasServices: [...d.aliasServices] } : {}),
      }),
    ),
    sites: by(
      "Site",
      (s) => s.domain.replace(/^domain:/, ""),
      (s) => ({
        docroot: s.docroot,
        serverAliases: [...s.serverAliases],
        php: { ...s.php },
        ssl: s.ssl && { enabled: s.ssl.enabled, certificate: s.ssl.certificate !== undefined },
        webUsers: s.webUsers.map((u) => ({ login: u.login, ...passwordView(u.passwordHash) })),
        protectedDirectories: s.protectedDirectories.map((p) => ({
          path: p.path,
          title: p.title,
          users: p.users.map((u) => ({ login: u.login, ...passwordView(u.passwordHash) })),
        })),
        mimeTypes: s.mimeTypes.map((m) => ({ ...m })),
        ...(s.hotlinkProtection ? { hotlink: { ...s.hotlinkProtection } } : {}),
        ...(s.logRotation ? { logRotation: { ...s.logRotation } } : {}),
        ...(s.anonymousFtp ? { anonymousFtp: { ...s.anonymousFtp } } : {}),
        ...(s.sharedSsl !== undefined ? { sharedSsl: s.sharedSsl } : {}),
        applications: s.applications.map((a) => ({ ...a })),
        phpSettings: Object.fromEntries(
          Object.entries(s.extras)
            .filter(([k]) => k.startsWith("php."))
            .map(([k, v]) => [k.slice(4), v]),
        ),
        ...(s.extras["systemUser"] !== undefined ? { systemUser: s.extras["systemUser"] } : {}),
      }),
    ),
    mailDomains: by(
      "MailDomain",
      (m) => m.name,
      (m) => ({
        owner: m.owner,
        enabled: m.enabled,
        catchAll: m.catchAll && (m.catchAll.action === "bounce" ? `bounce:${m.catchAll.message}` : m.catchAll.target),
        dkim: m.dkim?.privateKey !== undefined,
      }),
    ),
    mailboxes: by(
      "Mailbox",
      (m) => m.address,
      (m) => ({ owner: m.owner, quotaBytes: m.quotaBytes, enabled: m.enabled, storage: m.storage, ...passwordView(m.passwordHash) }),
    ),
    forwarders: by(
      "Forwarder",
      (f) => f.address,
      (f) => ({ targets: f.targets.map((t) => t.value), keepCopy: f.keepCopy }),
    ),
    autoresponders: by(
      "Autoresponder",
      (a) => a.address,
      (a) => ({ subject: a.subject, body: a.body, charset: a.charset, html: a.html }),
    ),
    filters: by(
      "MailFilter",
      (f) => f.id,
      (f) => f.definition,
    ),
    lists: by(
      "MailingList",
      (l) => `${l.name}@${l.domain}`,
      (l) => ({ admins: [...l.admins], members: [...l.members] }),
    ),
    databases: by(
      "Database",
      (d) => d.name,
      (d) => ({ owner: d.owner, engine: d.engine, version: d.sourceServerVersion, server: d.sourceServer }),
    ),
    dbUsers: by(
      "DatabaseUser",
      (u) => u.name,
      (u) => ({ owner: u.owner, engine: u.engine, grants: u.grants.map((g) => g.database), ...passwordView(u.passwordHash) }),
    ),
    zones: by(
      "DnsZone",
      (z) => z.name,
      (z) => z.records.length,
    ),
    ftpUsers: by(
      "FtpUser",
      (f) => f.login,
      (f) => ({ owner: f.owner, homeDir: f.homeDir, quotaBytes: f.quotaBytes, ...passwordView(f.passwordHash) }),
    ),
    cron: all(snapshot, "CronJob").map((c) => ({
      id: c.id,
      owner: c.owner,
      schedule: c.schedule,
      command: c.command,
      user: c.user,
      mailTo: c.mailTo,
    })),
  }
}
