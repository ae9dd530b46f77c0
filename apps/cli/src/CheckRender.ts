import { type CheckIssue, type CheckReport, type EntityRef, type EntityTag, formatBytes } from "@ferry/core"
import { backupHeader } from "./Render.ts"
import { fieldLine, number, printable, type Style, style, wrap } from "./Text.ts"

export interface CheckRenderOptions {
  readonly color: boolean
  /** Terminal columns; lines are kept within this width. */
  readonly width: number
  /** Entities named under each issue before "… and N more". */
  readonly entitiesPerIssue: number
  readonly panelName?: string
  /** Where the target's capabilities came from ("profile ./ferry.yaml", "detected on /"). */
  readonly target: string
  readonly stateDir: string
}

const kindNames: Record<EntityTag, string> = {
  Account: "account",
  Domain: "domain",
  Site: "site",
  MailDomain: "mail domain",
  Mailbox: "mailbox",
  Forwarder: "forwarder",
  Autoresponder: "autoresponder",
  MailFilter: "mail filter",
  MailingList: "mailing list",
  Database: "database",
  DatabaseUser: "database user",
  DnsZone: "DNS zone",
  FtpUser: "FTP user",
  CronJob: "cron job",
  SslCertificate: "SSL certificate",
  Csr: "CSR",
}

/** Setting names as the seed words them ("PHP 8.1 → 8.2"); other fields print as they are. */
const fieldNames: Readonly<Record<string, string>> = {
  php: "PHP",
  "php.version": "PHP",
  "php.mode": "PHP mode",
  python: "Python",
  "python.version": "Python",
  nodejs: "Node.js",
  "nodejs.version": "Node.js",
  server: "database server",
  ip: "IP",
  quotaBytes: "mailbox quota",
  existing: "existing data",
  catchAll: "catch-all",
  targets: "forward targets",
  webUsers: "web users",
  logRotation: "log rotation",
  anonymousFtp: "anonymous FTP",
  user: "system user",
}

const changeValue = (field: string, value: string): string =>
  value === "" ? "(none)" : field.endsWith("Bytes") && /^\d+$/.test(value) ? formatBytes(Number(value)) : value

export const changeText = (change: { readonly field: string; readonly from: string; readonly to: string }): string =>
  printable(
    `${fieldNames[change.field] ?? change.field} ${changeValue(change.field, change.from)} → ${changeValue(change.field, change.to)}`,
  )

/**
 * The first entities behind a number, comma-separated and wrapped, then "… and N more". Kinds are
 * named only when the list mixes them.
 */
const entityLines = (refs: ReadonlyArray<EntityRef>, o: CheckRenderOptions, s: Style): Array<string> => {
  if (refs.length === 0) return []
  const mixed = new Set(refs.map((r) => r.kind)).size > 1
  const shown = refs.slice(0, o.entitiesPerIssue).map((r) => (mixed ? `${r.label} (${kindNames[r.kind]})` : r.label))
  const lines = wrap(shown.join(", "), o.width - 4, 0).map((line) => `    ${line}`)
  const more = refs.length - shown.length
  if (more > 0) lines.push(s.dim(`    … and ${number(more)} more (use --json)`))
  return lines
}

const issueLines = (issue: CheckIssue, colour: (x: string) => string, o: CheckRenderOptions, s: Style): Array<string> => {
  const blocking = issue.blocking ? " (blocks the import)" : ""
  const count = `[${number(issue.count)}]`
  const [first = "", ...rest] = wrap(`${issue.title}${blocking}`, o.width - 4 - count.length - 2, 2)
  const explanation = [issue.message, issue.resolution].filter((t) => t !== "").join("; ")
  return [
    `  ${colour(first)}  ${s.bold(count)}`,
    ...rest.map((line) => `  ${colour(line)}`),
    ...wrap(explanation, o.width - 4, 0).map((line) => `    ${s.dim(line)}`),
    ...entityLines(issue.entities, o, s),
  ]
}

const plural = (count: number, one: string, many = `${one}s`) => `${number(count)} ${count === 1 ? one : many}`

const optionsText = (report: CheckReport): Array<string> => {
  const { options } = report
  const map = (record: Readonly<Record<string, string>>) =>
    Object.entries(record)
      .map(([from, to]) => `${from} → ${to}`)
      .join(", ")
  return [
    [
      `users: ${options.users?.join(", ") ?? "all"}`,
      `existing: ${options.existing}`,
      `only: ${options.only ?? "everything"}`,
      `owner: ${options.owner ?? "as in the backup"}`,
    ].join(" · "),
    ...(Object.keys(options.ipMap).length > 0 ? [`ip-map: ${map(options.ipMap)}`] : []),
    ...(Object.keys(options.dbMap).length > 0 ? [`db-map: ${map(options.dbMap)}`] : []),
  ]
}

const header = (report: CheckReport, o: CheckRenderOptions, s: Style): Array<string> => {
  const [firstOption = "", ...moreOptions] = optionsText(report)
  return [
    ...backupHeader(report, o, s),
    fieldLine("Target", `${o.target} · state ${o.stateDir}`, o.width, s),
    ...wrap(firstOption, o.width - 12, 0).map((line, i) => (i === 0 ? fieldLine("Options", line, o.width, s) : `${" ".repeat(12)}${line}`)),
    ...moreOptions.flatMap((line) => wrap(line, o.width - 12, 2).map((l) => `${" ".repeat(12)}${l}`)),
  ]
}

const issues = (report: CheckReport, o: CheckRenderOptions, s: Style): Array<string> => {
  const critical =
    report.critical.length === 0
      ? [s.bold("Critical issues: none")]
      : [
          s.bold(`Critical issues (${report.critical.length})`) + s.dim("  these will not be imported"),
          ...report.critical.flatMap((issue, i) => [...(i > 0 ? [""] : []), ...issueLines(issue, s.red, o, s)]),
        ]
  const warnings =
    report.warning.length === 0
      ? [s.bold("Warnings: none")]
      : [
          s.bold(`Warnings (${report.warning.length})`) + s.dim("  these will be imported with changed settings"),
          ...report.warning.flatMap((issue, i) => [...(i > 0 ? [""] : []), ...issueLines(issue, s.yellow, o, s)]),
        ]
  return [...critical, "", ...warnings]
}

/** Changes grouped by what changes ("PHP 8.1 → 8.2"), each with the entities it applies to. */
const changes = (report: CheckReport, o: CheckRenderOptions, s: Style): Array<string> => {
  if (report.changes.length === 0) return []
  const groups = new Map<string, Array<EntityRef>>()
  for (const entity of report.changes) {
    for (const change of entity.changes) {
      const key = changeText(change)
      const group = groups.get(key) ?? []
      if (group.length === 0) groups.set(key, group)
      group.push(entity)
    }
  }
  return [
    s.bold(`Changes (${plural(report.changes.length, "entity", "entities")})`),
    ...[...groups].flatMap(([text, refs]) => [`  ${text}  ${s.bold(`[${number(refs.length)}]`)}`, ...entityLines(refs, o, s)]),
  ]
}

const newPasswords = (report: CheckReport, o: CheckRenderOptions, s: Style): Array<string> => {
  if (report.newPasswords.length === 0) return []
  const byService = new Map<string, Array<EntityRef>>()
  for (const entry of report.newPasswords) {
    const group = byService.get(entry.service) ?? []
    if (group.length === 0) byService.set(entry.service, group)
    group.push(entry)
  }
  return [
    s.bold(`New passwords (${number(report.newPasswords.length)})`) + s.dim("  generated on import; never shown here"),
    ...[...byService].flatMap(([service, refs]) => [
      `  ${printable(service)}  ${s.bold(`[${number(refs.length)}]`)}`,
      ...entityLines(refs, o, s),
    ]),
  ]
}

const confirm = (report: CheckReport, _o: CheckRenderOptions, s: Style): Array<string> => {
  const labelWidth = Math.max(...report.confirm.map((c) => c.label.length))
  const countWidth = Math.max(...report.confirm.map((c) => number(c.count).length))
  const totalWidth = Math.max(...report.confirm.map((c) => number(c.total).length))
  return [
    s.bold("Confirm") + s.dim("  will be imported, of what the backup holds"),
    ...report.confirm.map((c) => {
      const text = `  ${c.label.padEnd(labelWidth)}  ${number(c.count).padStart(countWidth)} of ${number(c.total).padStart(totalWidth)}`
      return c.total === 0 ? s.dim(text) : c.count < c.total ? s.yellow(text) : text
    }),
  ]
}

const verdict = (report: CheckReport, o: CheckRenderOptions, s: Style): Array<string> => {
  const t = report.totals
  const withChanges = t.importWithChanges > 0 ? `, ${number(t.importWithChanges)} of them with changed settings` : ""
  const critical = plural(report.critical.length, "critical issue")
  const [text, colour] = report.blocked
    ? ["Blocked: the import cannot start until the blocking issues are resolved.", (x: string) => s.red(s.bold(x))]
    : report.critical.length > 0
      ? [
          `${number(t.skip)} of ${number(t.entities)} entities will not be imported (${critical}); ` +
            `${number(t.import + t.importWithChanges)} will be${withChanges}.`,
          (x: string) => s.yellow(s.bold(x)),
        ]
      : [`Ready: all ${number(t.entities)} entities can be imported${withChanges}.`, s.bold]
  return wrap(text, o.width, 0).map(colour)
}

/** The human check report: backup and target, critical issues, warnings, changes, Confirm list, verdict. */
export const renderCheckReport = (report: CheckReport, options: CheckRenderOptions): string => {
  const s = style(options.color)
  return [header, issues, changes, newPasswords, confirm, verdict]
    .map((section) => section(report, options, s))
    .filter((lines) => lines.length > 0)
    .map((lines) => lines.join("\n"))
    .join("\n\n")
}
