import { Schema } from "effect"
import { Extras, entityFields, Limits, Permissions } from "./Common.ts"
import { PasswordHash } from "./PasswordHash.ts"

/* Accounts and web ------------------------------------------------------------------------- */

export const Contact = Schema.Struct({
  name: Schema.optionalKey(Schema.String),
  company: Schema.optionalKey(Schema.String),
  email: Schema.optionalKey(Schema.String),
  phone: Schema.optionalKey(Schema.String),
  fax: Schema.optionalKey(Schema.String),
  address: Schema.optionalKey(Schema.String),
  city: Schema.optionalKey(Schema.String),
  state: Schema.optionalKey(Schema.String),
  postalCode: Schema.optionalKey(Schema.String),
  country: Schema.optionalKey(Schema.String),
  locale: Schema.optionalKey(Schema.String),
})

/** admin > reseller > client, as in the Plesk client seed. */
export const Account = Schema.TaggedStruct("Account", {
  ...entityFields,
  kind: Schema.Literals(["admin", "reseller", "client"]),
  login: Schema.String,
  contact: Contact,
  status: Schema.Literals(["active", "suspended", "disabled"]),
  suspendReason: Schema.optionalKey(Schema.String),
  passwordHash: Schema.optionalKey(PasswordHash),
  limits: Limits,
  permissions: Permissions,
  ipPool: Schema.Array(Schema.String),
  plan: Schema.optionalKey(Schema.String),
  homeDir: Schema.optionalKey(Schema.String),
  shell: Schema.optionalKey(Schema.String),
  createdAt: Schema.optionalKey(Schema.Number),
  extras: Extras,
})
export type Account = typeof Account.Type

export const Domain = Schema.TaggedStruct("Domain", {
  ...entityFields,
  name: Schema.String,
  kind: Schema.Literals(["main", "addon", "alias", "subdomain"]),
  /** Id of the Domain a subdomain belongs to, or an alias points at. */
  parent: Schema.optionalKey(Schema.String),
  /** The Site entity serving this name, if any. */
  site: Schema.optionalKey(Schema.String),
  ips: Schema.Array(Schema.String),
  /** Alias domains: which services follow the target (Plesk `web`, `mail`, `dns` flags). */
  aliasServices: Schema.optionalKey(Schema.Array(Schema.Literals(["web", "mail", "dns"]))),
})
export type Domain = typeof Domain.Type

export const WebUser = Schema.Struct({
  login: Schema.String,
  passwordHash: Schema.optionalKey(PasswordHash),
  homeDir: Schema.optionalKey(Schema.String),
})

export const ProtectedDirectory = Schema.Struct({
  path: Schema.String,
  title: Schema.optionalKey(Schema.String),
  users: Schema.Array(WebUser),
})

export const Site = Schema.TaggedStruct("Site", {
  ...entityFields,
  /** Id of the Domain this site serves. */
  domain: Schema.String,
  /** Document root relative to the owner's home directory, without leading slash. */
  docroot: Schema.String,
  /** Original absolute docroot as the source server had it. */
  sourceDocroot: Schema.optionalKey(Schema.String),
  serverAliases: Schema.Array(Schema.String),
  content: Schema.optionalKey(Schema.String),
  php: Schema.Struct({
    enabled: Schema.Boolean,
    /** "8.1"; absent when the source does not say. */
    version: Schema.optionalKey(Schema.String),
    mode: Schema.optionalKey(Schema.Literals(["fpm", "cgi", "fastcgi", "module", "lsapi", "unknown"])),
  }),
  python: Schema.optionalKey(Schema.Struct({ version: Schema.optionalKey(Schema.String) })),
  nodejs: Schema.optionalKey(Schema.Struct({ version: Schema.optionalKey(Schema.String) })),
  ssl: Schema.optionalKey(
    Schema.Struct({
      enabled: Schema.Boolean,
      certificate: Schema.optionalKey(Schema.String),
      redirectHttps: Schema.optionalKey(Schema.Boolean),
      hsts: Schema.optionalKey(Schema.Boolean),
    }),
  ),
  protectedDirectories: Schema.Array(ProtectedDirectory),
  webUsers: Schema.Array(WebUser),
  mimeTypes: Schema.Array(Schema.Struct({ extension: Schema.String, type: Schema.String })),
  hotlinkProtection: Schema.optionalKey(
    Schema.Struct({
      enabled: Schema.Boolean,
      allowedDomains: Schema.Array(Schema.String),
      extensions: Schema.Array(Schema.String),
    }),
  ),
  logRotation: Schema.optionalKey(
    Schema.Struct({
      enabled: Schema.Boolean,
      period: Schema.optionalKey(Schema.String),
      keep: Schema.optionalKey(Schema.Number),
      compress: Schema.optionalKey(Schema.Boolean),
    }),
  ),
  anonymousFtp: Schema.optionalKey(Schema.Struct({ enabled: Schema.Boolean, incoming: Schema.Boolean })),
  sharedSsl: Schema.optionalKey(Schema.Boolean),
  redirects: Schema.Array(Schema.Struct({ from: Schema.String, to: Schema.String, code: Schema.optionalKey(Schema.Number) })),
  errorPages: Schema.Array(Schema.Struct({ code: Schema.Number, path: Schema.String })),
  applications: Schema.Array(
    Schema.Struct({ name: Schema.String, version: Schema.optionalKey(Schema.String), path: Schema.optionalKey(Schema.String) }),
  ),
  extras: Extras,
})
export type Site = typeof Site.Type

/* Mail ------------------------------------------------------------------------------------- */

export const MailDomain = Schema.TaggedStruct("MailDomain", {
  ...entityFields,
  name: Schema.String,
  enabled: Schema.Boolean,
  dkim: Schema.optionalKey(
    Schema.Struct({
      selector: Schema.String,
      privateKey: Schema.optionalKey(Schema.Redacted(Schema.String)),
      publicKey: Schema.optionalKey(Schema.String),
    }),
  ),
  catchAll: Schema.optionalKey(
    Schema.Struct({
      action: Schema.Literals(["bounce", "discard", "forward", "reject"]),
      target: Schema.optionalKey(Schema.String),
      message: Schema.optionalKey(Schema.String),
    }),
  ),
  /** How the source routed mail for the domain (cPanel MXCHECK: local / remote / auto). */
  routing: Schema.optionalKey(Schema.String),
})
export type MailDomain = typeof MailDomain.Type

export const Mailbox = Schema.TaggedStruct("Mailbox", {
  ...entityFields,
  address: Schema.String,
  localPart: Schema.String,
  domain: Schema.String,
  passwordHash: Schema.optionalKey(PasswordHash),
  /** Bytes; null = unlimited. */
  quotaBytes: Schema.NullOr(Schema.Number),
  storage: Schema.Literals(["maildir", "mdbox", "mbox", "unknown"]),
  content: Schema.optionalKey(Schema.String),
  enabled: Schema.Boolean,
})
export type Mailbox = typeof Mailbox.Type

export const ForwardTarget = Schema.Struct({
  kind: Schema.Literals(["address", "local-user", "pipe", "file", "include", "discard", "fail"]),
  value: Schema.String,
})
export type ForwardTarget = typeof ForwardTarget.Type

export const Forwarder = Schema.TaggedStruct("Forwarder", {
  ...entityFields,
  /** Source address, or a domain name for domain-level forwards. */
  address: Schema.String,
  scope: Schema.Literals(["address", "domain"]),
  targets: Schema.Array(ForwardTarget),
  /** Keep a copy in the local mailbox as well (Plesk redirect + mailbox). */
  keepCopy: Schema.optionalKey(Schema.Boolean),
})
export type Forwarder = typeof Forwarder.Type

export const Autoresponder = Schema.TaggedStruct("Autoresponder", {
  ...entityFields,
  address: Schema.String,
  from: Schema.optionalKey(Schema.String),
  subject: Schema.String,
  body: Schema.String,
  charset: Schema.optionalKey(Schema.String),
  html: Schema.optionalKey(Schema.Boolean),
  intervalHours: Schema.optionalKey(Schema.Number),
  startsAt: Schema.optionalKey(Schema.Number),
  stopsAt: Schema.optionalKey(Schema.Number),
})
export type Autoresponder = typeof Autoresponder.Type

export const MailFilter = Schema.TaggedStruct("MailFilter", {
  ...entityFields,
  /** Mailbox address, or a domain name for domain-level filters. */
  scope: Schema.String,
  name: Schema.String,
  /** The rule as the source wrote it (e.g. cPanel filter.yaml entry, Exim filter text). */
  definition: Schema.String,
  format: Schema.Literals(["cpanel-yaml", "exim-filter", "sieve", "other"]),
})
export type MailFilter = typeof MailFilter.Type

export const MailingList = Schema.TaggedStruct("MailingList", {
  ...entityFields,
  name: Schema.String,
  domain: Schema.String,
  manager: Schema.Literals(["mailman", "other"]),
  admins: Schema.Array(Schema.String),
  members: Schema.Array(Schema.String),
  content: Schema.optionalKey(Schema.String),
})
export type MailingList = typeof MailingList.Type

/* Databases -------------------------------------------------------------------------------- */

export const DatabaseEngine = Schema.Literals(["mysql", "postgresql"])
export type DatabaseEngine = typeof DatabaseEngine.Type

export const Database = Schema.TaggedStruct("Database", {
  ...entityFields,
  name: Schema.String,
  engine: DatabaseEngine,
  charset: Schema.optionalKey(Schema.String),
  collation: Schema.optionalKey(Schema.String),
  /** Version of the server that wrote the dump, e.g. "10.0.38-MariaDB" or "8.0.30". */
  sourceServerVersion: Schema.optionalKey(Schema.String),
  /** Host of the source database server, for database-server mapping. */
  sourceServer: Schema.optionalKey(Schema.String),
  dump: Schema.optionalKey(Schema.String),
  dumpFormat: Schema.optionalKey(Schema.Literals(["sql", "pg-tar", "pg-custom", "sql-gz"])),
})
export type Database = typeof Database.Type

export const Grant = Schema.Struct({
  database: Schema.String,
  privileges: Schema.Array(Schema.String),
  host: Schema.optionalKey(Schema.String),
})

export const DatabaseUser = Schema.TaggedStruct("DatabaseUser", {
  ...entityFields,
  name: Schema.String,
  engine: DatabaseEngine,
  hosts: Schema.Array(Schema.String),
  authPlugin: Schema.optionalKey(Schema.String),
  passwordHash: Schema.optionalKey(PasswordHash),
  grants: Schema.Array(Grant),
})
export type DatabaseUser = typeof DatabaseUser.Type

/* DNS -------------------------------------------------------------------------------------- */

export const DnsRecord = Schema.Struct({
  /** Owner name, absolute and without the trailing dot ("www.example.com"). */
  name: Schema.String,
  ttl: Schema.optionalKey(Schema.Number),
  type: Schema.String,
  /** Record data in zone-file presentation form, relative names made absolute. */
  value: Schema.String,
  /** MX / SRV priority, split out for convenience. */
  priority: Schema.optionalKey(Schema.Number),
})
export type DnsRecord = typeof DnsRecord.Type

export const Soa = Schema.Struct({
  primaryNs: Schema.String,
  hostmaster: Schema.String,
  serial: Schema.Number,
  refresh: Schema.Number,
  retry: Schema.Number,
  expire: Schema.Number,
  minimum: Schema.Number,
  ttl: Schema.optionalKey(Schema.Number),
})

export const DnsZone = Schema.TaggedStruct("DnsZone", {
  ...entityFields,
  name: Schema.String,
  defaultTtl: Schema.optionalKey(Schema.Number),
  soa: Schema.optionalKey(Soa),
  records: Schema.Array(DnsRecord),
})
export type DnsZone = typeof DnsZone.Type

/* FTP, cron, SSL --------------------------------------------------------------------------- */

export const FtpUser = Schema.TaggedStruct("FtpUser", {
  ...entityFields,
  login: Schema.String,
  passwordHash: Schema.optionalKey(PasswordHash),
  /** Home directory relative to the owner's home. */
  homeDir: Schema.String,
  quotaBytes: Schema.optionalKey(Schema.NullOr(Schema.Number)),
})
export type FtpUser = typeof FtpUser.Type

export const CronJob = Schema.TaggedStruct("CronJob", {
  ...entityFields,
  /** Five fields ("*\/5 * * * *") or a macro ("@daily"). */
  schedule: Schema.String,
  command: Schema.String,
  /** System user the job runs as. */
  user: Schema.String,
  enabled: Schema.Boolean,
  mailTo: Schema.optionalKey(Schema.String),
})
export type CronJob = typeof CronJob.Type

export const SslCertificate = Schema.TaggedStruct("SslCertificate", {
  ...entityFields,
  name: Schema.String,
  certificatePem: Schema.String,
  privateKey: Schema.optionalKey(Schema.Redacted(Schema.String)),
  chainPem: Schema.Array(Schema.String),
  subject: Schema.String,
  issuer: Schema.String,
  domains: Schema.Array(Schema.String),
  notBefore: Schema.String,
  notAfter: Schema.String,
  fingerprintSha256: Schema.String,
  keyType: Schema.optionalKey(Schema.String),
  selfSigned: Schema.Boolean,
  /** True when a private key was found and its public key matches the certificate. */
  keyMatches: Schema.Boolean,
})
export type SslCertificate = typeof SslCertificate.Type

export const Csr = Schema.TaggedStruct("Csr", {
  ...entityFields,
  name: Schema.String,
  pem: Schema.String,
  subject: Schema.String,
  domains: Schema.Array(Schema.String),
  privateKey: Schema.optionalKey(Schema.Redacted(Schema.String)),
})
export type Csr = typeof Csr.Type

/* The union -------------------------------------------------------------------------------- */

export const Entity = Schema.Union([
  Account,
  Domain,
  Site,
  MailDomain,
  Mailbox,
  Forwarder,
  Autoresponder,
  MailFilter,
  MailingList,
  Database,
  DatabaseUser,
  DnsZone,
  FtpUser,
  CronJob,
  SslCertificate,
  Csr,
])
export type Entity = typeof Entity.Type
export type EntityTag = Entity["_tag"]
export type EntityOf<T extends EntityTag> = Extract<Entity, { readonly _tag: T }>

/** Every entity kind, in the order reports list them. */
export const entityTags: ReadonlyArray<EntityTag> = [
  "Account",
  "Domain",
  "Site",
  "MailDomain",
  "Mailbox",
  "Forwarder",
  "Autoresponder",
  "MailFilter",
  "MailingList",
  "Database",
  "DatabaseUser",
  "DnsZone",
  "FtpUser",
  "CronJob",
  "SslCertificate",
  "Csr",
]
