import { Schema } from "effect"

/** Where in the backup an entity came from: an archive path, plus a detail such as an XML path. */
export const SourceLocation = Schema.Struct({
  path: Schema.String,
  detail: Schema.optionalKey(Schema.String),
})
export type SourceLocation = typeof SourceLocation.Type

/**
 * Fields every entity carries. `id` is stable across runs of the same backup (derived from kind
 * and natural name, e.g. `mailbox:info@example.com`); `owner` is the id of the owning account,
 * `null` only for the top-level administrator.
 */
export const entityFields = {
  id: Schema.String,
  owner: Schema.NullOr(Schema.String),
  source: SourceLocation,
}

/** A resource limit: a number in the unit its key names, or `null` for unlimited. */
export const Limit = Schema.NullOr(Schema.Number)

/**
 * Limits across panels, in one set of units: counts, and bytes for sizes. Absent = not stated by
 * the source (the receiving server's default applies).
 */
export const Limits = Schema.Struct({
  domains: Schema.optionalKey(Limit),
  subdomains: Schema.optionalKey(Limit),
  domainAliases: Schema.optionalKey(Limit),
  addonDomains: Schema.optionalKey(Limit),
  mailboxes: Schema.optionalKey(Limit),
  mailboxQuotaBytes: Schema.optionalKey(Limit),
  mailDomains: Schema.optionalKey(Limit),
  mailingLists: Schema.optionalKey(Limit),
  forwarders: Schema.optionalKey(Limit),
  autoresponders: Schema.optionalKey(Limit),
  databases: Schema.optionalKey(Limit),
  databaseUsers: Schema.optionalKey(Limit),
  ftpUsers: Schema.optionalKey(Limit),
  webUsers: Schema.optionalKey(Limit),
  sites: Schema.optionalKey(Limit),
  clients: Schema.optionalKey(Limit),
  resellers: Schema.optionalKey(Limit),
  cronJobs: Schema.optionalKey(Limit),
  diskBytes: Schema.optionalKey(Limit),
  trafficBytesPerMonth: Schema.optionalKey(Limit),
  mailPerHour: Schema.optionalKey(Limit),
  expiresAt: Schema.optionalKey(Limit),
})
export type Limits = typeof Limits.Type
export type LimitKey = keyof Limits

/** What an account may manage. Absent = not stated by the source. */
export const Permissions = Schema.Struct({
  manageDns: Schema.optionalKey(Schema.Boolean),
  manageCron: Schema.optionalKey(Schema.Boolean),
  manageDatabases: Schema.optionalKey(Schema.Boolean),
  manageMail: Schema.optionalKey(Schema.Boolean),
  manageFtp: Schema.optionalKey(Schema.Boolean),
  manageSsl: Schema.optionalKey(Schema.Boolean),
  manageSubdomains: Schema.optionalKey(Schema.Boolean),
  manageDomainAliases: Schema.optionalKey(Schema.Boolean),
  manageWebUsers: Schema.optionalKey(Schema.Boolean),
  manageLogRotation: Schema.optionalKey(Schema.Boolean),
  manageAnonymousFtp: Schema.optionalKey(Schema.Boolean),
  managePhpSettings: Schema.optionalKey(Schema.Boolean),
  manageSpamFilter: Schema.optionalKey(Schema.Boolean),
  manageWebApps: Schema.optionalKey(Schema.Boolean),
  shellAccess: Schema.optionalKey(Schema.Boolean),
  cgi: Schema.optionalKey(Schema.Boolean),
  createDomains: Schema.optionalKey(Schema.Boolean),
  createClients: Schema.optionalKey(Schema.Boolean),
})
export type Permissions = typeof Permissions.Type
export type PermissionKey = keyof Permissions

/** Panel-specific settings kept verbatim for review (never applied as configuration). */
export const Extras = Schema.Record(Schema.String, Schema.String)
