import { csrDomains, csrKeyPem, csrPem } from "./fixtures/CsrPem.ts"
import {
  dkimPrivateKeyPem,
  dkimPublicKeyPem,
  selfSignedCertificatePem,
  selfSignedDomains,
  selfSignedKeyPem,
} from "./fixtures/SelfSignedPem.ts"
import { seedOf, syntheticHex, syntheticMysqlHash, syntheticSha512Crypt } from "./SyntheticContent.ts"

/*
 * The one description every synthetic ispmanager backup (4, 5, 6, business 6) is written from:
 * a spec (sizes) turned into a plan (every name, setting and secret). Writers render the plan in
 * each version's format; tests compare snapshots with the plan field by field.
 */

export interface IspmanagerSpec {
  readonly user: string
  /** Web domains; each is also a mail domain and a DNS zone. The first is the main one. */
  readonly domains: number
  readonly mailboxesPerDomain: number
  readonly messagesPerMailbox: number
  /** Average size of one message. */
  readonly messageBytes: number
  /** Databases, alternately MySQL and PostgreSQL, one user each. */
  readonly databases: number
  readonly dumpBytes: number
  /** Files per web root. */
  readonly webFiles: number
  readonly webFileBytes: number
  readonly seed?: number
}

/** Every entity type present, a few dozen KB in all. */
export const smallIspmanagerSpec: IspmanagerSpec = {
  user: "synth",
  domains: 2,
  mailboxesPerDomain: 4,
  messagesPerMailbox: 3,
  messageBytes: 900,
  databases: 2,
  dumpBytes: 2048,
  webFiles: 3,
  webFileBytes: 400,
  seed: 1,
}

/** For the benchmark: ≥ 1,000 mailboxes and ≥ 1 GB of content, written lazily and split into volumes. */
export const largeIspmanager6Spec: IspmanagerSpec = {
  user: "bulk",
  domains: 10,
  mailboxesPerDomain: 100,
  messagesPerMailbox: 10,
  messageBytes: 100_000,
  databases: 4,
  dumpBytes: 40 * 1024 * 1024,
  webFiles: 200,
  webFileBytes: 50_000,
  seed: 6,
}

export type PhpMode = "fpm" | "module" | "cgi" | "fastcgi"

export interface PlannedWebUser {
  readonly login: string
  readonly hash: string
}

export interface PlannedIspSite {
  readonly domain: string
  readonly aliases: ReadonlyArray<string>
  /** Home-relative document root. */
  readonly docroot: string
  readonly adminEmail: string
  readonly php: { readonly mode: PhpMode; readonly version: string }
  readonly ssl?: { readonly certificate: string; readonly redirectHttps: boolean; readonly hsts: boolean }
  readonly redirects: ReadonlyArray<{ readonly from: string; readonly to: string; readonly code: number }>
  readonly errorPages: ReadonlyArray<{ readonly code: number; readonly path: string }>
  readonly protectedDirs: ReadonlyArray<{ readonly path: string; readonly title: string; readonly users: ReadonlyArray<PlannedWebUser> }>
}

export type CatchAll = { readonly action: "reject" | "discard" } | { readonly action: "forward"; readonly target: string }

export interface PlannedIspMailDomain {
  readonly name: string
  readonly dkim?: { readonly selector: string; readonly privateKeyPem: string; readonly publicKeyPem: string }
  readonly catchAll?: CatchAll
}

export interface PlannedIspMailbox {
  readonly local: string
  readonly domain: string
  readonly address: string
  readonly hash: string
  /** Bytes; null = unlimited. */
  readonly quotaBytes: number | null
  readonly forwards: ReadonlyArray<string>
  readonly keepCopy: boolean
  readonly enabled: boolean
  readonly note: string
}

export interface PlannedIspDatabase {
  readonly name: string
  readonly engine: "mysql" | "postgresql"
  readonly charset: string
  readonly user: { readonly name: string; readonly hash: string; readonly remote: boolean }
}

export interface PlannedRecord {
  /** Relative owner as the panel writes it ("@", "www"). */
  readonly label: string
  readonly ttl: number
  readonly type: string
  /** Value as the panel form holds it (MX without the priority). */
  readonly value: string
  readonly priority?: number
  /** What Ferry should read: absolute owner and presentation-form value. */
  readonly expected: { readonly name: string; readonly value: string }
}

export interface PlannedZone {
  readonly name: string
  readonly records: ReadonlyArray<PlannedRecord>
}

export interface PlannedFtpUser {
  readonly login: string
  /** As stored in the backup: a crypt hash, or (second user) a value in no recognised form. */
  readonly password: string
  readonly recognised: boolean
  readonly homeDir: string
}

export interface PlannedCron {
  readonly minute: string
  readonly hour: string
  readonly mday: string
  readonly month: string
  readonly wday: string
  readonly command: string
  readonly enabled: boolean
  readonly mailTo?: string
}

/** Limits in panel units (MiB for sizes); null = unlimited. */
export interface PlannedLimits {
  readonly webdomains: number
  readonly emaildomains: number
  readonly emails: number
  readonly databases: number
  readonly databaseUsers: number
  readonly ftpUsers: number
  readonly dnsDomains: number
  readonly diskMiB: number | null
  readonly mailPerHour: number
  readonly trafficMiB: number
  readonly shell: boolean
  readonly cgi: boolean
  readonly ssl: boolean
}

export interface IspmanagerPlan {
  readonly spec: IspmanagerSpec
  readonly seed: number
  readonly user: string
  /** The user's home on the source server (`/var/www/<user>/data`). */
  readonly home: string
  readonly ip: string
  readonly account: {
    readonly login: string
    readonly fullname: string
    readonly email: string
    readonly comment: string
    readonly hash: string
    readonly preset: string
    /** The preset's limits; the user overrides only `emails`. */
    readonly presetLimits: PlannedLimits
    readonly limits: PlannedLimits
    readonly locale: string
  }
  readonly sites: ReadonlyArray<PlannedIspSite>
  readonly mailDomains: ReadonlyArray<PlannedIspMailDomain>
  readonly mailboxes: ReadonlyArray<PlannedIspMailbox>
  /** ispmanager 4 only: e-mail groups and redirects, WWW redirects. */
  readonly mailGroups: ReadonlyArray<{ readonly address: string; readonly members: ReadonlyArray<string> }>
  readonly mailRedirects: ReadonlyArray<{ readonly address: string; readonly targets: ReadonlyArray<string> }>
  readonly wwwRedirects: ReadonlyArray<{ readonly domain: string; readonly to: string }>
  readonly databases: ReadonlyArray<PlannedIspDatabase>
  readonly zones: ReadonlyArray<PlannedZone>
  readonly ftpUsers: ReadonlyArray<PlannedFtpUser>
  readonly cronJobs: ReadonlyArray<PlannedCron>
  readonly certificate: { readonly name: string; readonly pem: string; readonly keyPem: string; readonly domains: ReadonlyArray<string> }
  readonly csr: { readonly name: string; readonly pem: string; readonly keyPem: string; readonly domains: ReadonlyArray<string> }
}

const mailboxNames = ["info", "sales", "support", "office", "billing", "contact", "jobs", "press"]
const mailboxName = (index: number): string => mailboxNames[index] ?? `box${index + 1}`
const phpModes: ReadonlyArray<PhpMode> = ["fpm", "module", "cgi", "fastcgi"]
const phpVersions = ["8.1", "7.4", "8.2", "8.3"]

const cryptAlphabet = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
/** A well-formed (but meaningless) bcrypt string, as `htpasswd -B` writes. */
const syntheticBcrypt = (seed: number): string => {
  const hex = syntheticHex(seed, 106)
  let out = ""
  for (let i = 0; i < 53; i++) out += cryptAlphabet[Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16) % 64]
  return `$2y$10$${out}`
}

const validUser = /^[a-z][a-z0-9]{0,15}$/

const zoneFor = (domain: string, ip: string): PlannedZone => ({
  name: domain,
  records: [
    { label: "@", ttl: 3600, type: "A", value: ip, expected: { name: domain, value: ip } },
    { label: "www", ttl: 3600, type: "CNAME", value: `${domain}.`, expected: { name: `www.${domain}`, value: `${domain}.` } },
    { label: "mail", ttl: 3600, type: "A", value: ip, expected: { name: `mail.${domain}`, value: ip } },
    {
      label: "@",
      ttl: 3600,
      type: "MX",
      value: `mail.${domain}.`,
      priority: 10,
      expected: { name: domain, value: `10 mail.${domain}.` },
    },
    { label: "@", ttl: 3600, type: "TXT", value: "v=spf1 a mx ~all", expected: { name: domain, value: '"v=spf1 a mx ~all"' } },
    { label: "@", ttl: 86400, type: "NS", value: "ns1.synth-host.example.", expected: { name: domain, value: "ns1.synth-host.example." } },
  ],
})

export const planIspmanager = (spec: IspmanagerSpec): IspmanagerPlan => {
  if (!validUser.test(spec.user)) throw new Error(`invalid ispmanager user name: ${spec.user}`)
  if (spec.domains < 1) throw new Error("an ispmanager user needs at least one web domain")
  const seed = spec.seed ?? 1
  const user = spec.user
  const ip = "192.0.2.20"
  const domains = Array.from({ length: spec.domains }, (_, i) => (i === 0 ? `${user}.example` : `${user}-site${i}.example`))
  const main = domains[0] as string
  const certificateName = main

  const sites: Array<PlannedIspSite> = domains.map((domain, i) => ({
    domain,
    aliases: [`www.${domain}`],
    docroot: `www/${domain}`,
    adminEmail: `webmaster@${domain}`,
    php: { mode: phpModes[i % phpModes.length] as PhpMode, version: phpVersions[i % phpVersions.length] as string },
    ...(i === 0 ? { ssl: { certificate: certificateName, redirectHttps: true, hsts: true } } : {}),
    redirects: i === 0 ? [{ from: "/old-shop", to: `https://${main}/shop`, code: 301 }] : [],
    errorPages: i === 0 ? [{ code: 404, path: "/errors/404.html" }] : [],
    protectedDirs:
      i === 0
        ? [{ path: "private", title: "Staff only", users: [{ login: "staff", hash: syntheticBcrypt(seedOf(seed, "webuser:staff")) }] }]
        : [],
  }))

  const mailDomains: Array<PlannedIspMailDomain> = domains.map((name, i) => ({
    name,
    ...(i === 0 ? { dkim: { selector: "dkim", privateKeyPem: dkimPrivateKeyPem, publicKeyPem: dkimPublicKeyPem } } : {}),
    ...(i === 0
      ? { catchAll: { action: "reject" as const } }
      : i === 1
        ? { catchAll: { action: "forward" as const, target: `info@${main}` } }
        : {}),
  }))

  const mailboxes: Array<PlannedIspMailbox> = []
  for (const domain of domains) {
    for (let m = 0; m < spec.mailboxesPerDomain; m++) {
      const local = mailboxName(m)
      const address = `${local}@${domain}`
      mailboxes.push({
        local,
        domain,
        address,
        hash: syntheticSha512Crypt(seedOf(seed, `mail:${address}`)),
        quotaBytes: m === 1 ? null : 500 * 1024 * 1024,
        forwards: m === 2 ? [`archive@elsewhere.example`] : [],
        keepCopy: m !== 2 || domain !== main,
        enabled: m !== 3,
        note: m === 0 ? "main contact address" : "",
      })
    }
  }

  const databases: Array<PlannedIspDatabase> = Array.from({ length: spec.databases }, (_, n) => {
    const engine = n % 2 === 0 ? "mysql" : "postgresql"
    const name = `${user}_db${n + 1}`
    const userName = `${user}_u${n + 1}`
    return {
      name,
      engine,
      charset: engine === "mysql" ? "utf8mb4" : "UTF8",
      user: {
        name: userName,
        hash: engine === "mysql" ? syntheticMysqlHash(seedOf(seed, `db:${name}`)) : `md5${syntheticHex(seedOf(seed, `pg:${name}`), 32)}`,
        remote: engine === "postgresql",
      },
    }
  })

  const presetLimits: PlannedLimits = {
    webdomains: 10,
    emaildomains: 10,
    emails: 100,
    databases: 10,
    databaseUsers: 10,
    ftpUsers: 5,
    dnsDomains: 10,
    diskMiB: 10240,
    mailPerHour: 200,
    trafficMiB: 102400,
    shell: false,
    cgi: true,
    ssl: true,
  }

  return {
    spec,
    seed,
    user,
    home: `/var/www/${user}/data`,
    ip,
    account: {
      login: user,
      fullname: "Synthetic User",
      email: `owner@${main}`,
      comment: "synthetic test account",
      hash: syntheticSha512Crypt(seedOf(seed, "account")),
      preset: "business",
      presetLimits,
      limits: { ...presetLimits, emails: 500 },
      locale: "en",
    },
    sites,
    mailDomains,
    mailboxes,
    mailGroups: [
      {
        address: `team@${main}`,
        members: mailboxes
          .filter((b) => b.domain === main)
          .map((b) => b.address)
          .slice(0, 2),
      },
    ],
    mailRedirects: [{ address: `fwd@${main}`, targets: ["someone@elsewhere.example", `info@${main}`] }],
    wwwRedirects: [{ domain: `old-${user}.example`, to: `https://${main}/` }],
    databases,
    zones: domains.map((domain) => zoneFor(domain, ip)),
    ftpUsers: [
      { login: `${user}_ftp1`, password: syntheticSha512Crypt(seedOf(seed, "ftp1")), recognised: true, homeDir: `www/${main}/upload` },
      // A password in a form Ferry does not recognise (§8 #6): a new one is generated on import.
      { login: `${user}_ftp2`, password: `rsa:${syntheticHex(seedOf(seed, "ftp2"), 48)}`, recognised: false, homeDir: `www/${main}` },
    ],
    cronJobs: [
      {
        minute: "*/15",
        hour: "*",
        mday: "*",
        month: "*",
        wday: "*",
        command: `/usr/bin/php ${`/var/www/${user}/data`}/www/${main}/cron.php`,
        enabled: true,
        mailTo: `owner@${main}`,
      },
      { minute: "30", hour: "3", mday: "*", month: "*", wday: "0", command: "/usr/bin/find tmp -mtime +7 -delete", enabled: false },
    ],
    certificate: { name: certificateName, pem: selfSignedCertificatePem, keyPem: selfSignedKeyPem, domains: selfSignedDomains },
    csr: { name: `shop.${main}`, pem: csrPem, keyPem: csrKeyPem, domains: csrDomains },
  }
}
