import {
  confirmList,
  contentKinds,
  type EntityTag,
  entityTags,
  formatBytes,
  type InspectReport,
  type Severity,
  severities,
} from "@ferry/core"
import { fieldLine, number, type Style, style, table, wrap } from "./Text.ts"

export interface RenderOptions {
  readonly color: boolean
  /** Terminal columns; lines are kept within this width. */
  readonly width: number
  /** Notes listed per severity before "… and K more". */
  readonly notesPerSeverity: number
  /** Display name of the panel ("cPanel"), when the adapter is known. */
  readonly panelName?: string
}

/** Plural names of the entity kinds, for counts. */
export const entityLabels: Record<EntityTag, string> = {
  Account: "Accounts",
  Domain: "Domains",
  Site: "Sites",
  MailDomain: "Mail domains",
  Mailbox: "Mailboxes",
  Forwarder: "Forwarders",
  Autoresponder: "Autoresponders",
  MailFilter: "Mail filters",
  MailingList: "Mailing lists",
  Database: "Databases",
  DatabaseUser: "Database users",
  DnsZone: "DNS zones",
  FtpUser: "FTP users",
  CronJob: "Cron jobs",
  SslCertificate: "SSL certificates",
  Csr: "CSRs",
}

/** What a report says about the backup itself; the inspect and check reports share it. */
export type BackupFacts = Pick<InspectReport, "panel" | "panelVersion" | "formatVersion" | "archive" | "hostname">

/** Title line and the archive facts. */
export const backupHeader = (report: BackupFacts, o: { readonly width: number; readonly panelName?: string }, s: Style): Array<string> => {
  const panel = o.panelName ?? report.panel
  const title = [
    report.panelVersion !== undefined ? `${panel} ${report.panelVersion} backup` : `${panel} backup`,
    ...(report.formatVersion !== undefined ? [`archive format ${report.formatVersion}`] : []),
  ].join(" · ")
  const a = report.archive
  const size = a.container === "directory" ? "" : `${formatBytes(a.bytes)}, `
  const field = (name: string, value: string) => fieldLine(name, value, o.width, s)
  return [
    s.bold(title),
    field("Archive", a.path),
    field("Format", `${a.container}, ${size}${number(a.entries)} entries, ${formatBytes(a.contentBytes)} of files`),
    ...(report.hostname !== undefined ? [field("Host", report.hostname)] : []),
  ]
}

const accounts = (report: InspectReport, o: RenderOptions, s: Style): Array<string> => {
  if (report.accounts.length === 0) return [s.bold("Accounts"), "  (none found)"]
  return [
    s.bold(`Accounts (${report.accounts.length})`),
    ...table(
      ["LOGIN", "KIND", "OWNER", "STATUS", "PLAN", "DOMAINS", "PASSWORD"],
      report.accounts.map((acc) => [
        acc.login,
        acc.kind,
        acc.owner ?? "-",
        acc.status,
        acc.plan ?? "-",
        number(acc.domains),
        acc.passwordScheme ?? "-",
      ]),
      { width: o.width, right: [5], s },
    ),
  ]
}

const counts = (report: InspectReport, _options: RenderOptions, s: Style): Array<string> => {
  const inConfirm = new Set(confirmList.map((c) => c.entity))
  const others = entityTags.filter((tag) => !inConfirm.has(tag) && report.counts[tag] > 0)
  const labelWidth = Math.max(...[...report.confirm.map((c) => c.label), ...others.map((t) => entityLabels[t])].map((l) => l.length))
  const countWidth = Math.max(...entityTags.map((t) => number(report.counts[t]).length))
  const row = (label: string, count: number) => {
    const text = `  ${label.padEnd(labelWidth)}  ${number(count).padStart(countWidth)}`
    return count === 0 ? s.dim(text) : text
  }
  return [
    s.bold("Entities") + s.dim("  (ispmanager's Confirm list first)"),
    ...report.confirm.map((c) => row(c.label, c.count)),
    ...(others.length > 0
      ? [s.dim(`  ${"-".repeat(labelWidth + 2 + countWidth)}`), ...others.map((t) => row(entityLabels[t], report.counts[t]))]
      : []),
  ]
}

const content = (report: InspectReport, o: RenderOptions, s: Style): Array<string> => {
  const kinds = contentKinds.filter((k) => report.content[k].refs > 0)
  if (kinds.length === 0) return [s.bold("Content"), "  (no content found)"]
  return [
    s.bold("Content"),
    ...table(
      ["KIND", "ITEMS", "FILES", "SIZE"],
      kinds.map((k) => [k, number(report.content[k].refs), number(report.content[k].files), formatBytes(report.content[k].bytes)]),
      { width: o.width, right: [1, 2, 3], s },
    ),
  ]
}

const severityTitle: Record<Severity, string> = { error: "Errors", warning: "Warnings", info: "Info" }

const notes = (report: InspectReport, o: RenderOptions, s: Style): Array<string> => {
  const { total, bySeverity, items } = report.notes
  const summary = severities.map(
    (sev) => `${number(bySeverity[sev])} ${sev === "info" ? "info" : `${sev}${bySeverity[sev] === 1 ? "" : "s"}`}`,
  )
  if (total === 0) return [s.bold("Parse notes: none")]
  const colour: Record<Severity, (x: string) => string> = { error: s.red, warning: s.yellow, info: s.cyan }
  const out = [s.bold(`Parse notes: ${number(total)}`) + s.dim(` (${summary.join(", ")})`)]
  for (const severity of severities) {
    const ofSeverity = items.filter((n) => n.severity === severity)
    if (ofSeverity.length === 0) continue
    out.push(`  ${colour[severity](`${severityTitle[severity]} (${number(ofSeverity.length)})`)}`)
    for (const note of ofSeverity.slice(0, o.notesPerSeverity)) {
      const tag = `[${note.code}]`
      const [first = "", ...rest] = wrap(`${tag} ${note.subject}: ${note.message}`, o.width - 4, 2)
      out.push(`    ${colour[severity](first.slice(0, tag.length))}${first.slice(tag.length)}`)
      for (const line of rest) out.push(`    ${line}`)
    }
    const more = ofSeverity.length - o.notesPerSeverity
    if (more > 0) out.push(s.dim(`    … and ${number(more)} more (use --json)`))
  }
  return out
}

/** The human-readable report: header, accounts, entity counts, content sizes, parse notes. */
export const renderReport = (report: InspectReport, options: RenderOptions): string => {
  const s = style(options.color)
  return [backupHeader, accounts, counts, content, notes].map((section) => section(report, options, s).join("\n")).join("\n\n")
}
