import type { InspectResult } from "../adapter/Inspector.ts"
import type { Account, Entity, EntityTag } from "../model/Entity.ts"
import { entityTags } from "../model/Entity.ts"
import type { PasswordScheme } from "../model/PasswordHash.ts"
import { type ContentRef, countEntities, type EntityCounts, type ParseNote } from "../model/Snapshot.ts"

/**
 * What `ferry inspect` reports about a backup: a plain, JSON-safe object (no `Redacted`, no
 * `undefined`, no Maps). It is built from counts and names only, so secrets cannot leak into it:
 * passwords appear as their scheme, private keys not at all.
 */
export interface InspectReport {
  readonly panel: string
  readonly panelVersion?: string
  readonly formatVersion?: string
  readonly archive: {
    readonly path: string
    readonly container: string
    readonly bytes: number
    readonly entries: number
    readonly contentBytes: number
  }
  readonly hostname?: string
  readonly accounts: ReadonlyArray<AccountSummary>
  readonly counts: EntityCounts
  readonly confirm: ReadonlyArray<ConfirmItem>
  readonly content: Readonly<Record<ContentKind, ContentTotals>>
  readonly notes: {
    readonly total: number
    readonly bySeverity: Readonly<Record<Severity, number>>
    readonly items: ReadonlyArray<ParseNote>
  }
}

export interface AccountSummary {
  readonly login: string
  readonly kind: Account["kind"]
  /** Login of the owning account, else the owner the source names (`extras.sourceOwner`, e.g. a reseller). */
  readonly owner: string | null
  readonly status: Account["status"]
  readonly plan?: string
  /** Domain entities owned by the account. */
  readonly domains: number
  readonly passwordScheme?: PasswordScheme
}

export interface ConfirmItem {
  readonly label: string
  readonly entity: EntityTag
  readonly count: number
}

export type ContentKind = ContentRef["kind"]
export type Severity = ParseNote["severity"]

export interface ContentTotals {
  readonly refs: number
  readonly bytes: number
  readonly files: number
}

/**
 * The entity list ispmanager shows at the Confirm step of its data import, in its order. "Domain
 * names" is ispmanager's DNS module (its import skips them when no DNS server is installed), so it
 * counts DNS zones; web domains are Sites and Domains, reported with the other kinds.
 */
export const confirmList: ReadonlyArray<{ readonly label: string; readonly entity: EntityTag }> = [
  { label: "Databases", entity: "Database" },
  { label: "Database users", entity: "DatabaseUser" },
  { label: "Domain names", entity: "DnsZone" },
  { label: "Mailboxes", entity: "Mailbox" },
  { label: "Mail domains", entity: "MailDomain" },
  { label: "FTP users", entity: "FtpUser" },
  { label: "CRON jobs", entity: "CronJob" },
  { label: "SSL certificates", entity: "SslCertificate" },
  { label: "CSR requests", entity: "Csr" },
]

export const contentKinds: ReadonlyArray<ContentKind> = ["web", "mail", "database-dump", "mailing-list", "home", "other"]
export const severities: ReadonlyArray<Severity> = ["error", "warning", "info"]

const summariseAccount = (account: Account, entities: ReadonlyArray<Entity>): AccountSummary => {
  const ownerAccount = account.owner === null ? undefined : entities.find((e) => e.id === account.owner)
  const owner = (ownerAccount?._tag === "Account" ? ownerAccount.login : account.owner) ?? account.extras["sourceOwner"] ?? null
  let domains = 0
  for (const entity of entities) if (entity._tag === "Domain" && entity.owner === account.id) domains++
  return {
    login: account.login,
    kind: account.kind,
    owner,
    status: account.status,
    ...(account.plan !== undefined ? { plan: account.plan } : {}),
    domains,
    ...(account.passwordHash !== undefined ? { passwordScheme: account.passwordHash.scheme } : {}),
  }
}

const contentTotals = (refs: ReadonlyArray<ContentRef>): Record<ContentKind, ContentTotals> => {
  const totals = Object.fromEntries(contentKinds.map((kind) => [kind, { refs: 0, bytes: 0, files: 0 }])) as Record<
    ContentKind,
    { refs: number; bytes: number; files: number }
  >
  for (const ref of refs) {
    const total = totals[ref.kind]
    total.refs++
    total.bytes += ref.bytes
    total.files += ref.files
  }
  return totals
}

/** What both reports say about the backup itself: panel, versions, archive facts, host. */
export const backupFacts = ({ snapshot, detection }: InspectResult) => {
  const { source } = snapshot
  const panelVersion = source.panelVersion ?? detection.panelVersion
  const formatVersion = source.formatVersion ?? detection.formatVersion
  return {
    panel: source.panel,
    ...(panelVersion !== undefined ? { panelVersion } : {}),
    ...(formatVersion !== undefined ? { formatVersion } : {}),
    archive: {
      path: source.archive.path,
      container: source.archive.container,
      bytes: source.archive.bytes,
      entries: source.archive.entries,
      contentBytes: source.archive.contentBytes,
    },
    ...(source.hostname !== undefined ? { hostname: source.hostname } : {}),
  }
}

export const inspectReport = (result: InspectResult): InspectReport => {
  const { snapshot } = result
  const counts = countEntities(snapshot)
  const bySeverity: Record<Severity, number> = { error: 0, warning: 0, info: 0 }
  for (const note of snapshot.notes) bySeverity[note.severity]++
  const accounts: Array<AccountSummary> = []
  for (const entity of snapshot.entities) {
    if (entity._tag === "Account") accounts.push(summariseAccount(entity, snapshot.entities))
  }
  return {
    ...backupFacts(result),
    accounts,
    counts: Object.fromEntries(entityTags.map((tag) => [tag, counts[tag]])) as EntityCounts,
    confirm: confirmList.map(({ label, entity }) => ({ label, entity, count: counts[entity] })),
    content: contentTotals(snapshot.content),
    notes: {
      total: snapshot.notes.length,
      bySeverity,
      // Copied field by field so nothing an adapter attached beyond the schema reaches the output.
      items: snapshot.notes.map(({ severity, code, subject, path, message }) => ({ severity, code, subject, path, message })),
    },
  }
}

const units = ["KiB", "MiB", "GiB", "TiB", "PiB"] as const

/** Bytes in binary units with one decimal ("512 B", "1.5 GiB"). */
export const formatBytes = (n: number): string => {
  if (!Number.isFinite(n)) return `${n} B`
  const sign = n < 0 ? "-" : ""
  let value = Math.abs(n)
  if (value < 1024) return `${sign}${Math.round(value)} B`
  let unit = 0
  value /= 1024
  // Round first so 1023.96 KiB becomes "1.0 MiB", not "1024.0 KiB".
  while (Math.round(value * 10) / 10 >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${sign}${value.toFixed(1)} ${units[unit]}`
}
