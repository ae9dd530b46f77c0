import { seedOf, syntheticMysqlHash, syntheticSha512Crypt } from "./SyntheticContent.ts"

/** The shape of a synthetic cPanel account (see `CpanelGenerator.ts`). */
export interface CpanelAccountSpec {
  readonly user: string
  /** Main domain + (domains - 1) addon domains. */
  readonly domains: number
  readonly subdomainsPerDomain: number
  readonly parkedDomains: number
  readonly mailboxesPerDomain: number
  readonly messagesPerMailbox: number
  /** Average size of one message. */
  readonly messageBytes: number
  readonly databases: number
  /** Size of each `mysql/<db>.sql` dump. */
  readonly dumpBytes: number
  /** Files per site docroot. */
  readonly webFiles: number
  /** Average size of a web file. */
  readonly webFileBytes: number
  readonly seed?: number
}

export interface PlannedSite {
  /** The vhost name (for addons: the sub-vhost that serves the addon). */
  readonly vhost: string
  /** Docroot relative to the home directory ("public_html", "shop.example", …). */
  readonly docroot: string
  readonly aliases: ReadonlyArray<string>
  readonly phpVersion: string | undefined
}

export interface PlannedAddon {
  readonly name: string
  readonly subVhost: string
  readonly site: PlannedSite
}

export interface PlannedSubdomain {
  readonly name: string
  readonly label: string
  readonly parent: string
  readonly site: PlannedSite
}

export interface PlannedMailbox {
  readonly local: string
  readonly domain: string
  readonly hash: string
  /** Bytes; undefined = unlimited (empty quota line). */
  readonly quota: number | undefined
}

export interface PlannedDbUser {
  readonly name: string
  readonly database: string
  readonly hash: string
}

/** Every name and secret of the account, decided once from the spec. */
export interface CpanelPlan {
  readonly spec: CpanelAccountSpec
  readonly seed: number
  readonly user: string
  readonly home: string
  readonly ip: string
  readonly hostname: string
  readonly uid: number
  readonly main: string
  readonly mainSite: PlannedSite
  readonly addons: ReadonlyArray<PlannedAddon>
  readonly parked: ReadonlyArray<string>
  readonly subdomains: ReadonlyArray<PlannedSubdomain>
  /** Domains with mailboxes and DKIM keys: main and addons. */
  readonly mailDomains: ReadonlyArray<string>
  /** Domains with a zone and va/vad/vf files: main, addons and parked. */
  readonly zoneDomains: ReadonlyArray<string>
  readonly mailboxes: ReadonlyArray<PlannedMailbox>
  readonly databases: ReadonlyArray<string>
  readonly dbUsers: ReadonlyArray<PlannedDbUser>
  readonly ownerMysqlHash: string
  readonly accountHash: string
  readonly ftpUser: { readonly login: string; readonly hash: string; readonly dir: string }
  readonly forwarder: (domain: string) => string
  readonly autoresponder: string
  readonly sitejetToken: string
}

const mailboxNames = ["info", "sales", "support", "admin", "office", "billing", "contact", "jobs"]
const mailboxName = (index: number): string => mailboxNames[index] ?? `user${index + 1}`

const validUser = /^[a-z][a-z0-9]{0,15}$/

export const planAccount = (spec: CpanelAccountSpec): CpanelPlan => {
  if (!validUser.test(spec.user)) throw new Error(`invalid cPanel user name: ${spec.user}`)
  if (spec.domains < 1) throw new Error("a cPanel account has at least its main domain")
  const seed = spec.seed ?? 1
  const user = spec.user
  const home = `/home/${user}`
  const main = `${user}.example`
  const php = ["ea-php81", "ea-php74", "ea-php82"]
  const mainSite: PlannedSite = { vhost: main, docroot: "public_html", aliases: [`www.${main}`, `mail.${main}`], phpVersion: "ea-php81" }

  const addons: Array<PlannedAddon> = []
  for (let i = 1; i < spec.domains; i++) {
    const name = `${user}-addon${i}.example`
    const subVhost = `addon${i}.${main}`
    // Odd addons live beside public_html, even ones inside it: both layouts occur (cpanel.md §8.5).
    const docroot = i % 2 === 1 ? name : `public_html/${name}`
    addons.push({
      name,
      subVhost,
      site: { vhost: subVhost, docroot, aliases: [name, `www.${name}`, `www.${subVhost}`], phpVersion: php[i % php.length] },
    })
  }

  const subdomains: Array<PlannedSubdomain> = []
  for (const parent of [main, ...addons.map((a) => a.name)]) {
    for (let j = 1; j <= spec.subdomainsPerDomain; j++) {
      const name = `sub${j}.${parent}`
      // The first subdomain of the main domain has no phpversion, as in real archives (§8.8).
      const phpVersion = parent === main && j === 1 ? undefined : "ea-php81"
      subdomains.push({
        name,
        label: `sub${j}`,
        parent,
        site: { vhost: name, docroot: `public_html/${name}`, aliases: [`www.${name}`], phpVersion },
      })
    }
  }

  const parked = Array.from({ length: spec.parkedDomains }, (_, k) => `${user}-parked${k + 1}.example`)
  const mailDomains = [main, ...addons.map((a) => a.name)]
  const mailboxes: Array<PlannedMailbox> = []
  for (const domain of mailDomains) {
    for (let m = 0; m < spec.mailboxesPerDomain; m++) {
      const local = mailboxName(m)
      mailboxes.push({
        local,
        domain,
        hash: syntheticSha512Crypt(seedOf(seed, `mail:${local}@${domain}`)),
        quota: m === 1 ? undefined : 524_288_000,
      })
    }
  }

  const databases = Array.from({ length: spec.databases }, (_, n) => `${user}_db${n + 1}`)
  const dbUsers = databases.map((database, n) => ({
    name: `${user}_u${n + 1}`,
    database,
    hash: syntheticMysqlHash(seedOf(seed, `db:${database}`)),
  }))

  return {
    spec,
    seed,
    user,
    home,
    ip: "192.0.2.10",
    hostname: "server.synth-host.example",
    uid: 1001,
    main,
    mainSite,
    addons,
    parked,
    subdomains,
    mailDomains,
    zoneDomains: [...mailDomains, ...parked],
    mailboxes,
    databases,
    dbUsers,
    ownerMysqlHash: syntheticMysqlHash(seedOf(seed, "owner-mysql")),
    accountHash: syntheticSha512Crypt(seedOf(seed, "account")),
    ftpUser: { login: `ftpuser@${main}`, hash: syntheticSha512Crypt(seedOf(seed, "ftp")), dir: "public_html/uploads" },
    forwarder: (domain) => `fwd@${domain}`,
    autoresponder: `auto@${main}`,
    sitejetToken: `sj_${seedOf(seed, "sitejet").toString(16)}${seedOf(seed + 1, "sitejet").toString(16)}`,
  }
}

/** Every site (vhost with a docroot): main, addon sub-vhosts, subdomains. */
export const plannedSites = (plan: CpanelPlan): ReadonlyArray<PlannedSite> => [
  plan.mainSite,
  ...plan.addons.map((a) => a.site),
  ...plan.subdomains.map((s) => s.site),
]
