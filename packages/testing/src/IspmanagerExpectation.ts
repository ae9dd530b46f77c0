import type { Snapshot } from "@ferry/core"
import { Redacted } from "effect"
import type { IspmanagerPlan, PlannedLimits } from "./IspmanagerGeneratorPlan.ts"
import type { IsptarVersion } from "./IspmanagerGeneratorSystem.ts"
import type { ContentExpectation } from "./IspmanagerGeneratorTree.ts"

/*
 * What an ispmanager adapter should read from a generated backup, as one plain comparable view,
 * and the same view taken from a snapshot: tests compare the two with `toEqual`, so every
 * difference shows field by field. Secrets are unwrapped into the view (tests only).
 */

const mib = 1024 * 1024

const byKey = <T>(items: ReadonlyArray<T>, key: (item: T) => string): Array<T> => [...items].sort((a, b) => key(a).localeCompare(key(b)))

const limitsView = (l: PlannedLimits, version: "4" | IsptarVersion) =>
  version === "4"
    ? {
        sites: l.webdomains,
        mailDomains: l.emaildomains,
        mailboxes: l.emails,
        databases: l.databases,
        databaseUsers: l.databaseUsers,
        ftpUsers: l.ftpUsers,
        domains: l.dnsDomains,
        diskBytes: l.diskMiB === null ? null : l.diskMiB * mib,
        trafficBytesPerMonth: l.trafficMiB * mib,
      }
    : {
        sites: l.webdomains,
        mailDomains: l.emaildomains,
        mailboxes: l.emails,
        databases: l.databases,
        databaseUsers: l.databaseUsers,
        ftpUsers: l.ftpUsers,
        domains: l.dnsDomains,
        diskBytes: l.diskMiB === null ? null : l.diskMiB * mib,
        mailPerHour: l.mailPerHour,
      }

export const expectedIspmanagerView = (plan: IspmanagerPlan, version: "4" | IsptarVersion, content: ContentExpectation) => {
  const isptar = version !== "4"
  const a = plan.account
  const l = a.limits
  const redirectSites = isptar ? [] : plan.wwwRedirects
  return {
    account: {
      login: a.login,
      status: "active",
      contact: isptar ? { name: a.fullname, email: a.email, locale: a.locale } : { name: a.fullname },
      password: { scheme: "sha512-crypt", value: a.hash },
      limits: limitsView(l, version),
      permissions: isptar
        ? { shellAccess: l.shell, cgi: l.cgi, manageSsl: l.ssl, manageDatabases: true, manageMail: true, createDomains: true }
        : { shellAccess: l.shell, cgi: l.cgi, manageSsl: l.ssl },
      plan: isptar ? a.preset : undefined,
    },
    domains: byKey(
      [
        ...plan.sites.map((s, i) => ({ name: s.domain, kind: i === 0 ? "main" : "addon", site: `site:${s.domain}`, ips: [plan.ip] })),
        ...redirectSites.map((r) => ({ name: r.domain, kind: "addon", site: `site:${r.domain}`, ips: [] as Array<string> })),
      ],
      (d) => d.name,
    ),
    sites: byKey(
      [
        ...plan.sites.map((s) => ({
          domain: `domain:${s.domain}`,
          docroot: s.docroot,
          serverAliases: s.aliases,
          php: { enabled: true, ...(isptar ? { version: s.php.version } : {}), mode: s.php.mode },
          ssl: isptar
            ? s.ssl !== undefined
              ? { enabled: true, certificate: "certificate", redirectHttps: s.ssl.redirectHttps, hsts: s.ssl.hsts }
              : { enabled: false }
            : { enabled: s.ssl !== undefined },
          redirects: isptar ? s.redirects : [],
          errorPages: isptar ? s.errorPages : [],
          protectedDirectories: isptar
            ? s.protectedDirs.map((d) => ({
                path: d.path,
                title: d.title,
                users: d.users.map((u) => ({ login: u.login, password: u.hash })),
              }))
            : [],
          contentBytes: content.webBytes[s.domain],
        })),
        ...redirectSites.map((r) => ({
          domain: `domain:${r.domain}`,
          docroot: `www/${r.domain}`,
          serverAliases: [] as Array<string>,
          php: { enabled: false },
          ssl: undefined,
          redirects: [{ from: "/", to: r.to, code: 301 }],
          errorPages: [],
          protectedDirectories: [],
          contentBytes: undefined,
        })),
      ],
      (s) => s.domain,
    ),
    mailDomains: byKey(
      plan.mailDomains.map((d) => ({
        name: d.name,
        enabled: true,
        dkim: isptar && d.dkim !== undefined ? { selector: d.dkim.selector, privateKey: d.dkim.privateKeyPem.trim() } : undefined,
        catchAll: d.catchAll,
      })),
      (d) => d.name,
    ),
    mailboxes: byKey(
      plan.mailboxes.map((b) => ({
        address: b.address,
        quotaBytes: b.quotaBytes,
        password: { scheme: "sha512-crypt", value: b.hash },
        enabled: b.enabled,
        storage: "maildir",
        contentBytes: content.mailBytes[b.address],
      })),
      (b) => b.address,
    ),
    forwarders: byKey(
      [
        ...plan.mailboxes
          .filter((b) => b.forwards.length > 0)
          .map((b) => ({ address: b.address, targets: b.forwards, keepCopy: b.keepCopy as boolean | undefined })),
        ...(isptar
          ? []
          : [
              ...plan.mailGroups.map((g) => ({ address: g.address, targets: g.members, keepCopy: undefined })),
              ...plan.mailRedirects.map((r) => ({ address: r.address, targets: r.targets, keepCopy: undefined })),
            ]),
      ],
      (f) => f.address,
    ),
    databases: byKey(
      plan.databases.map((d) => ({ name: d.name, engine: d.engine, charset: d.charset, dumpBytes: content.dumpBytes[d.name] })),
      (d) => d.name,
    ),
    databaseUsers: byKey(
      plan.databases.map((d) => ({
        name: d.user.name,
        engine: d.engine,
        hosts: isptar && d.user.remote ? ["localhost", "%"] : ["localhost"],
        password: { scheme: d.engine === "mysql" ? "mysql-native" : "postgres-md5", value: d.user.hash },
        grants: [d.name],
      })),
      (u) => u.name,
    ),
    zones: byKey(
      plan.zones.map((z) => ({
        name: z.name,
        records: z.records.map((r) => ({ name: r.expected.name, type: r.type, value: r.expected.value, ttl: r.ttl, priority: r.priority })),
      })),
      (z) => z.name,
    ),
    ftpUsers: byKey(
      plan.ftpUsers.map((u) => ({
        login: u.login,
        homeDir: u.homeDir,
        password: u.recognised ? { scheme: "sha512-crypt", value: u.password } : undefined,
      })),
      (u) => u.login,
    ),
    cronJobs: plan.cronJobs.map((j) => ({
      schedule: [j.minute, j.hour, j.mday, j.month, j.wday].join(" "),
      command: j.command,
      enabled: j.enabled,
      user: plan.user,
      mailTo: j.mailTo,
    })),
    certificates: isptar
      ? [
          {
            name: plan.certificate.name,
            domains: [...plan.certificate.domains],
            keyMatches: true,
            privateKey: plan.certificate.keyPem.trim(),
          },
        ]
      : [],
    csrs: isptar ? [{ name: plan.csr.name, domains: [...plan.csr.domains], privateKey: plan.csr.keyPem.trim() }] : [],
  }
}

const unwrap = (hash: { readonly scheme: string; readonly value: Redacted.Redacted<string> } | undefined) =>
  hash === undefined ? undefined : { scheme: hash.scheme, value: Redacted.value(hash.value) }

/** The same view taken from a snapshot. */
export const ispmanagerSnapshotView = (snapshot: Snapshot) => {
  const of = <T extends Snapshot["entities"][number]["_tag"]>(tag: T) =>
    snapshot.entities.filter((e): e is Extract<Snapshot["entities"][number], { _tag: T }> => e._tag === tag)
  const bytesOf = (id: string | undefined) => (id === undefined ? undefined : snapshot.content.find((c) => c.id === id)?.bytes)
  const account = of("Account")[0]
  return {
    account:
      account === undefined
        ? undefined
        : {
            login: account.login,
            status: account.status,
            contact: account.contact,
            password: unwrap(account.passwordHash),
            limits: account.limits,
            permissions: account.permissions,
            plan: account.plan,
          },
    domains: byKey(
      of("Domain").map((d) => ({ name: d.name, kind: d.kind, site: d.site, ips: d.ips })),
      (d) => d.name,
    ),
    sites: byKey(
      of("Site").map((s) => ({
        domain: s.domain,
        docroot: s.docroot,
        serverAliases: s.serverAliases,
        php: s.php,
        ssl:
          s.ssl === undefined
            ? undefined
            : {
                ...s.ssl,
                ...(s.ssl.certificate !== undefined
                  ? { certificate: of("SslCertificate").some((c) => c.id === s.ssl?.certificate) ? "certificate" : s.ssl.certificate }
                  : {}),
              },
        redirects: s.redirects,
        errorPages: s.errorPages,
        protectedDirectories: s.protectedDirectories.map((d) => ({
          path: d.path,
          title: d.title,
          users: d.users.map((u) => ({ login: u.login, password: unwrap(u.passwordHash)?.value })),
        })),
        contentBytes: bytesOf(s.content),
      })),
      (s) => s.domain,
    ),
    mailDomains: byKey(
      of("MailDomain").map((d) => ({
        name: d.name,
        enabled: d.enabled,
        dkim:
          d.dkim === undefined
            ? undefined
            : {
                selector: d.dkim.selector,
                privateKey: d.dkim.privateKey !== undefined ? Redacted.value(d.dkim.privateKey).trim() : undefined,
              },
        catchAll: d.catchAll,
      })),
      (d) => d.name,
    ),
    mailboxes: byKey(
      of("Mailbox").map((b) => ({
        address: b.address,
        quotaBytes: b.quotaBytes,
        password: unwrap(b.passwordHash),
        enabled: b.enabled,
        storage: b.storage,
        contentBytes: bytesOf(b.content),
      })),
      (b) => b.address,
    ),
    forwarders: byKey(
      of("Forwarder").map((f) => ({ address: f.address, targets: f.targets.map((t) => t.value), keepCopy: f.keepCopy })),
      (f) => f.address,
    ),
    databases: byKey(
      of("Database").map((d) => ({ name: d.name, engine: d.engine, charset: d.charset, dumpBytes: bytesOf(d.dump) })),
      (d) => d.name,
    ),
    databaseUsers: byKey(
      of("DatabaseUser").map((u) => ({
        name: u.name,
        engine: u.engine,
        hosts: u.hosts,
        password: unwrap(u.passwordHash),
        grants: u.grants.map((g) => g.database),
      })),
      (u) => u.name,
    ),
    zones: byKey(
      of("DnsZone").map((z) => ({
        name: z.name,
        records: z.records.map((r) => ({ name: r.name, type: r.type, value: r.value, ttl: r.ttl, priority: r.priority })),
      })),
      (z) => z.name,
    ),
    ftpUsers: byKey(
      of("FtpUser").map((u) => ({ login: u.login, homeDir: u.homeDir, password: unwrap(u.passwordHash) })),
      (u) => u.login,
    ),
    cronJobs: of("CronJob").map((j) => ({ schedule: j.schedule, command: j.command, enabled: j.enabled, user: j.user, mailTo: j.mailTo })),
    certificates: of("SslCertificate").map((c) => ({
      name: c.name,
      domains: [...c.domains],
      keyMatches: c.keyMatches,
      privateKey: c.privateKey !== undefined ? Redacted.value(c.privateKey).trim() : undefined,
    })),
    csrs: of("Csr").map((c) => ({
      name: c.name,
      domains: [...c.domains],
      privateKey: c.privateKey !== undefined ? Redacted.value(c.privateKey).trim() : undefined,
    })),
  }
}
