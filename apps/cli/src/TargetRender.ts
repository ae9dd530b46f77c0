import { type Capabilities, type DatabaseServer, formatBytes } from "@ferry/core"
import { fieldLine, type Style, style, wrap } from "./Text.ts"

export interface TargetRenderOptions {
  readonly color: boolean
  readonly width: number
  /** "detected on /", "profile ./ferry.yaml". */
  readonly source: string
}

const none = "none"

const versions = (list: ReadonlyArray<string>, preferred: string | undefined): string =>
  list.length === 0 ? none : `${list.join(", ")}${preferred !== undefined ? ` (default ${preferred})` : ""}`

const engineNames: Record<DatabaseServer["engine"], string> = { mysql: "MySQL", mariadb: "MariaDB", postgresql: "PostgreSQL" }

const server = (db: DatabaseServer): string => {
  const address = db.host !== undefined ? ` at ${db.host}${db.port !== undefined ? `:${db.port}` : ""}` : ""
  return `${db.id}: ${engineNames[db.engine]} ${db.version}${address}${db.default ? " (default)" : ""}`
}

const labelWidth = 12
const indent = " ".repeat(2 + labelWidth)

const field = (name: string, value: string, width: number, s: Style): string => fieldLine(name, value, width, s, labelWidth)

/** A value that may not fit: wrapped under its label. */
const wrapped = (name: string, value: string, width: number, s: Style): Array<string> =>
  wrap(value, width - indent.length, 2).map((line, i) => (i === 0 ? field(name, line, width, s) : `${indent}${line}`))

/** The receiving server as `ferry check` sees it. */
export const renderCapabilities = (c: Capabilities, o: TargetRenderOptions): string => {
  const s = style(o.color)
  const web =
    c.webServer.kind === "none" ? none : `${c.webServer.kind}${c.webServer.version !== undefined ? ` ${c.webServer.version}` : ""}`
  const phpModes = c.php.modes.length === 0 ? "" : ` · modes ${versions(c.php.modes, c.php.defaultMode)}`
  const databases = (name: string, list: ReadonlyArray<DatabaseServer>) =>
    list.length === 0 ? [field(name, none, o.width, s)] : list.flatMap((db, i) => wrapped(i === 0 ? name : "", server(db), o.width, s))
  const mail = c.mail.mta === "none" && c.mail.imap === "none" ? none : `${c.mail.mta} (MTA), ${c.mail.imap} (IMAP)`
  const schemes = Object.entries(c.passwordSchemes).flatMap(([service, list]) =>
    wrapped(service, list.length === 0 ? none : list.join(", "), o.width, s).map((line) => `  ${line}`),
  )
  return [
    s.bold("Receiving server") + s.dim(`  ${o.source}`),
    field("Web server", web, o.width, s),
    ...wrapped("PHP", `${versions(c.php.versions, c.php.default)}${phpModes}`, o.width, s),
    ...databases("MySQL", c.mysql),
    ...databases("PostgreSQL", c.postgresql),
    field("Python", versions(c.python.versions, c.python.default), o.width, s),
    field("Node.js", versions(c.nodejs.versions, c.nodejs.default), o.width, s),
    field("FTP", c.ftp.kind, o.width, s),
    field("DNS", c.dns.kind, o.width, s),
    field("Mail", mail, o.width, s),
    field("Disk free", formatBytes(c.diskFreeBytes), o.width, s),
    ...wrapped("IPs", c.ips.length === 0 ? none : c.ips.join(", "), o.width, s),
    s.bold("Password hashes kept as they are"),
    ...schemes,
  ].join("\n")
}
