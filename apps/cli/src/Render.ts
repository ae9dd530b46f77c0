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

/** ANSI styling that collapses to plain text when colour is off. */
export interface Style {
  readonly bold: (s: string) => string
  readonly dim: (s: string) => string
  readonly red: (s: string) => string
  readonly yellow: (s: string) => string
  readonly cyan: (s: string) => string
}

const sgr = (open: number, close: number) => (s: string) => (s === "" ? s : `\x1b[${open}m${s}\x1b[${close}m`)
const plain = (s: string) => s

export const style = (color: boolean): Style =>
  color
    ? { bold: sgr(1, 22), dim: sgr(2, 22), red: sgr(31, 39), yellow: sgr(33, 39), cyan: sgr(36, 39) }
    : { bold: plain, dim: plain, red: plain, yellow: plain, cyan: plain }

export interface RenderOptions {
  readonly color: boolean
  /** Terminal columns; lines are kept within this width. */
  readonly width: number
  /** Notes listed per severity before "… and K more". */
  readonly notesPerSeverity: number
  /** Display name of the panel ("cPanel"), when the adapter is known. */
  readonly panelName?: string
}

const number = (n: number) => n.toLocaleString("en-US")

const truncate = (s: string, width: number) => (s.length <= width ? s : width <= 1 ? "…".slice(0, width) : `${s.slice(0, width - 1)}…`)

/**
 * A plain-text table: columns padded to their widest cell, the widest columns shortened (with
 * "…") until the table fits `width`. Styling is applied after padding so escapes never count.
 */
const table = (
  header: ReadonlyArray<string>,
  rows: ReadonlyArray<ReadonlyArray<string>>,
  options: { readonly width: number; readonly right?: ReadonlyArray<number>; readonly s: Style; readonly indent?: string },
): Array<string> => {
  const indent = options.indent ?? "  "
  const gap = 2
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)))
  const available = options.width - indent.length - gap * (widths.length - 1)
  while (widths.reduce((a, b) => a + b, 0) > available) {
    const widest = widths.indexOf(Math.max(...widths))
    if ((widths[widest] ?? 0) <= 6) break
    widths[widest] = (widths[widest] ?? 0) - 1
  }
  const line = (cells: ReadonlyArray<string>) =>
    indent +
    cells
      .map((cell, i) => {
        const w = widths[i] ?? 0
        const text = truncate(cell, w)
        return options.right?.includes(i) ? text.padStart(w) : i === cells.length - 1 ? text : text.padEnd(w)
      })
      .join(" ".repeat(gap))
  return [options.s.dim(line(header)), ...rows.map(line)]
}

/** Word-wrap `text` to `width`, continuation lines indented by `hang` spaces. */
const wrap = (text: string, width: number, hang: number): Array<string> => {
  const lines: Array<string> = []
  let current = ""
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    const limit = lines.length === 0 ? width : width - hang
    if (current === "") current = word
    else if (current.length + 1 + word.length <= limit) current += ` ${word}`
    else {
      lines.push(current)
      current = word
    }
    while (current.length > (lines.length === 0 ? width : width - hang)) {
      const cut = lines.length === 0 ? width : width - hang
      lines.push(current.slice(0, cut))
      current = current.slice(cut)
    }
  }
  if (current !== "" || lines.length === 0) lines.push(current)
  return lines.map((l, i) => (i === 0 ? l : " ".repeat(hang) + l))
}

const entityLabels: Record<EntityTag, string> = {
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

const header = (report: InspectReport, o: RenderOptions, s: Style): Array<string> => {
  const panel = o.panelName ?? report.panel
  const title = [
    report.panelVersion !== undefined ? `${panel} ${report.panelVersion} backup` : `${panel} backup`,
    ...(report.formatVersion !== undefined ? [`archive format ${report.formatVersion}`] : []),
  ].join(" · ")
  const a = report.archive
  const size = a.container === "directory" ? "" : `${formatBytes(a.bytes)}, `
  const field = (name: string, value: string) => `  ${s.dim(name.padEnd(10))}${truncate(value, o.width - 12)}`
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
  return [header, accounts, counts, content, notes].map((section) => section(report, options, s).join("\n")).join("\n\n")
}
