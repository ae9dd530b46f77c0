import {
  type Account,
  type Autoresponder,
  builtinChecks,
  type Capabilities,
  type Check,
  type ContentRef,
  type CronJob,
  type Csr,
  type Database,
  type DatabaseUser,
  type Decision,
  type DnsZone,
  type Domain,
  defaultImportOptions,
  type Entity,
  type Forwarder,
  type FtpUser,
  type ImportOptions,
  type Inventory,
  type Mailbox,
  type MailDomain,
  type MailFilter,
  type MailingList,
  makePasswordHash,
  type Plan,
  type ReportIssue,
  runChecks,
  type Site,
  type Snapshot,
  type SslCertificate,
} from "../../src/index.ts"
import { emptyInventory, fullProfile } from "./Profiles.ts"

/* Hand-built entities (plain objects) and a one-call pipeline run for check tests. */

const source = { path: "test" }
type Over<T> = Partial<Omit<T, "_tag">>
const owned = (login: string | null) => (login === null ? null : `account:${login}`)

export const account = (login: string, over: Over<Account> = {}): Account => ({
  _tag: "Account",
  id: `account:${login}`,
  owner: null,
  source,
  kind: "client",
  login,
  contact: {},
  status: "active",
  limits: {},
  permissions: {},
  ipPool: [],
  extras: {},
  ...over,
})

export const domain = (name: string, owner: string | null, over: Over<Domain> = {}): Domain => ({
  _tag: "Domain",
  id: `domain:${name}`,
  owner: owned(owner),
  source,
  name,
  kind: "main",
  ips: [],
  ...over,
})

export const site = (name: string, owner: string | null, over: Over<Site> = {}): Site => ({
  _tag: "Site",
  id: `site:${name}`,
  owner: owned(owner),
  source,
  domain: `domain:${name}`,
  docroot: "public_html",
  serverAliases: [],
  php: { enabled: true },
  protectedDirectories: [],
  webUsers: [],
  mimeTypes: [],
  redirects: [],
  errorPages: [],
  applications: [],
  extras: {},
  ...over,
})

export const mailDomain = (name: string, owner: string | null, over: Over<MailDomain> = {}): MailDomain => ({
  _tag: "MailDomain",
  id: `maildomain:${name}`,
  owner: owned(owner),
  source,
  name,
  enabled: true,
  ...over,
})

export const mailbox = (address: string, owner: string | null, over: Over<Mailbox> = {}): Mailbox => {
  const [localPart = "", domainName = ""] = address.split("@")
  return {
    _tag: "Mailbox",
    id: `mailbox:${address}`,
    owner: owned(owner),
    source,
    address,
    localPart,
    domain: domainName,
    quotaBytes: null,
    storage: "maildir",
    enabled: true,
    ...over,
  }
}

export const forwarder = (address: string, owner: string | null, targets: Forwarder["targets"], over: Over<Forwarder> = {}): Forwarder => ({
  _tag: "Forwarder",
  id: `forwarder:${address}`,
  owner: owned(owner),
  source,
  address,
  scope: "address",
  targets,
  ...over,
})

export const autoresponder = (address: string, owner: string | null): Autoresponder => ({
  _tag: "Autoresponder",
  id: `autoresponder:${address}`,
  owner: owned(owner),
  source,
  address,
  subject: "Away",
  body: "Back soon",
})

export const mailFilter = (scope: string, owner: string | null): MailFilter => ({
  _tag: "MailFilter",
  id: `mailfilter:${scope}:rules`,
  owner: owned(owner),
  source,
  scope,
  name: "rules",
  definition: "# filter",
  format: "exim-filter",
})

export const mailingList = (name: string, domainName: string, owner: string | null): MailingList => ({
  _tag: "MailingList",
  id: `mailinglist:${name}@${domainName}`,
  owner: owned(owner),
  source,
  name,
  domain: domainName,
  manager: "mailman",
  admins: [],
  members: [],
})

export const database = (name: string, owner: string | null, over: Over<Database> = {}): Database => ({
  _tag: "Database",
  id: `database:${over.engine ?? "mysql"}:${name}`,
  owner: owned(owner),
  source,
  name,
  engine: "mysql",
  ...over,
})

export const databaseUser = (name: string, owner: string | null, over: Over<DatabaseUser> = {}): DatabaseUser => ({
  _tag: "DatabaseUser",
  id: `dbuser:${over.engine ?? "mysql"}:${name}`,
  owner: owned(owner),
  source,
  name,
  engine: "mysql",
  hosts: ["localhost"],
  grants: [],
  ...over,
})

export const dnsZone = (name: string, owner: string | null): DnsZone => ({
  _tag: "DnsZone",
  id: `dnszone:${name}`,
  owner: owned(owner),
  source,
  name,
  records: [{ name, type: "A", value: "192.0.2.1" }],
})

export const ftpUser = (login: string, owner: string | null, over: Over<FtpUser> = {}): FtpUser => ({
  _tag: "FtpUser",
  id: `ftpuser:${login}`,
  owner: owned(owner),
  source,
  login,
  homeDir: "public_html",
  ...over,
})

export const cronJob = (n: number, owner: string): CronJob => ({
  _tag: "CronJob",
  id: `cron:${owner}:${n}`,
  owner: owned(owner),
  source,
  schedule: "*/5 * * * *",
  command: "php cron.php",
  user: owner,
  enabled: true,
})

export const certificate = (name: string, owner: string | null): SslCertificate => ({
  _tag: "SslCertificate",
  id: `ssl:${name}`,
  owner: owned(owner),
  source,
  name,
  certificatePem: "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n",
  chainPem: [],
  subject: `CN=${name}`,
  issuer: `CN=${name}`,
  domains: [name],
  notBefore: "2024-01-01T00:00:00.000Z",
  notAfter: "2034-01-01T00:00:00.000Z",
  fingerprintSha256: "00",
  selfSigned: true,
  keyMatches: false,
})

export const csr = (name: string, owner: string | null): Csr => ({
  _tag: "Csr",
  id: `csr:${name}`,
  owner: owned(owner),
  source,
  name,
  pem: "-----BEGIN CERTIFICATE REQUEST-----\n-----END CERTIFICATE REQUEST-----\n",
  subject: `CN=${name}`,
  domains: [name],
})

export const sha512 = makePasswordHash("sha512-crypt", "$6$salt$hash")

/**
 * One ordinary hosting account: the account, its main domain and site, mail domain with one
 * mailbox, a MySQL database and user, a DNS zone, an FTP user and a cron job.
 */
export const hostingAccount = (login: string, name: string, over: Over<Account> = {}): Array<Entity> => [
  account(login, { passwordHash: sha512, ...over }),
  domain(name, login, { site: `site:${name}`, ips: ["192.0.2.10"] }),
  site(name, login, { php: { enabled: true, version: "8.2" }, content: `content:web:${name}` }),
  mailDomain(name, login),
  mailbox(`info@${name}`, login, { passwordHash: sha512, content: `content:mail:info@${name}` }),
  database(`${login}_wp`, login, { sourceServerVersion: "10.11.2-MariaDB", dump: `content:dump:${login}_wp` }),
  databaseUser(`${login}_wp`, login, { passwordHash: makePasswordHash("mysql-native", `*${"A".repeat(40)}`) }),
  dnsZone(name, login),
  ftpUser(`upload@${name}`, login, { passwordHash: sha512 }),
  cronJob(1, login),
]

export const content = (id: string, kind: ContentRef["kind"], bytes: number): ContentRef => ({
  id,
  kind,
  path: `${id.replace(/[:@]/g, "/")}/`,
  excludes: [],
  bytes,
  files: 1,
})

export const snapshot = (entities: ReadonlyArray<Entity>, contentRefs: ReadonlyArray<ContentRef> = []): Snapshot => ({
  source: {
    panel: "test",
    archive: { path: "test.tar", container: "tar", bytes: 0, entries: 0, contentBytes: contentRefs.reduce((n, c) => n + c.bytes, 0) },
  },
  entities: [...entities],
  content: [...contentRefs],
  notes: [],
})

export interface RunInput {
  readonly options?: Partial<ImportOptions>
  readonly capabilities?: Capabilities
  readonly inventory?: Inventory
  readonly checks?: ReadonlyArray<Check.Check>
}

export const run = (snap: Snapshot, input: RunInput = {}): Plan =>
  runChecks({
    snapshot: snap,
    capabilities: input.capabilities ?? fullProfile,
    inventory: input.inventory ?? emptyInventory,
    options: { ...defaultImportOptions, ...input.options },
    checks: input.checks ?? builtinChecks,
  })

/** The built-in checks without one: proves that check is what made the difference. */
export const without = (id: string): ReadonlyArray<Check.Check> => {
  if (!builtinChecks.some((c) => c.id === id)) throw new Error(`no built-in check ${id}`)
  return builtinChecks.filter((c) => c.id !== id)
}

export const decision = (plan: Plan, id: string): Decision => {
  const found = plan.decisions.find((d) => d.id === id)
  if (found === undefined) throw new Error(`no decision for ${id}`)
  return found
}

export const issues = (plan: Plan, code: string): Array<ReportIssue> => plan.issues.filter((i) => i.code === code)

export const issue = (plan: Plan, code: string): ReportIssue => {
  const found = issues(plan, code)
  if (found.length !== 1) throw new Error(`expected one ${code} issue, got ${found.length}: ${plan.issues.map((i) => i.code).join(", ")}`)
  return found[0] as ReportIssue
}

export const action = (plan: Plan, id: string): Decision["action"] => decision(plan, id).action

export const skipped = (plan: Plan): Array<string> => plan.decisions.filter((d) => d.action === "skip").map((d) => d.id)
