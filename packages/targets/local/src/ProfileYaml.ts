import type { Capabilities, DatabaseServer } from "@ferry/core"
import { derivePasswordSchemes, passwordServices } from "./PasswordSchemes.ts"
import { formatSize } from "./Size.ts"

/*
 * The ferry.yaml `ferry target --detect` writes: every section present (an empty list says
 * "looked, found none"), choices listed in comments, disk left on `auto`. Strings are written
 * as JSON strings, which YAML reads as double-quoted scalars.
 */

const quote = (text: string) => JSON.stringify(text)
const flowList = (values: ReadonlyArray<string>) => `[${values.map(quote).join(", ")}]`
const plainList = (values: ReadonlyArray<string>) => `[${values.join(", ")}]`

const serverLines = (section: "mysql" | "postgresql", servers: ReadonlyArray<DatabaseServer>): Array<string> => {
  if (servers.length === 0) return [`${section}: []  # none found`]
  const lines = [`${section}:`]
  for (const server of servers) {
    lines.push(`  - id: ${quote(server.id)}`)
    lines.push(`    engine: ${server.engine}${section === "mysql" ? "  # mysql | mariadb" : ""}`)
    lines.push(
      /^\d/.test(server.version)
        ? `    version: ${quote(server.version)}`
        : `    version: ${quote(server.version)}  # could not be read: write the server's version here`,
    )
    if (server.host !== undefined) lines.push(`    host: ${quote(server.host)}`)
    if (server.port !== undefined) lines.push(`    port: ${server.port}`)
    lines.push(`    default: ${server.default}`)
  }
  return lines
}

const versionSection = (section: "python" | "nodejs", value: Capabilities["python"]): Array<string> => [
  `${section}:`,
  `  versions: ${flowList(value.versions)}${value.versions.length === 0 ? "  # none found" : ""}`,
  ...(value.default !== undefined ? [`  default: ${quote(value.default)}`] : []),
]

const sameList = (a: ReadonlyArray<string>, b: ReadonlyArray<string>) => a.length === b.length && a.every((value) => b.includes(value))

/** A commented ferry.yaml stating the given capabilities; loading it gives them back (disk: auto). */
export const profileYaml = (capabilities: Capabilities): string => {
  const { php } = capabilities
  const derived = derivePasswordSchemes(capabilities)
  const overridden = passwordServices.filter((service) => !sameList(capabilities.passwordSchemes[service], derived[service]))
  const lines = [
    "# ferry.yaml: what this receiving server runs, as `ferry target --detect` found it.",
    "# Check every value before relying on it; ferry.example.yaml documents all keys.",
    "format: 1",
    "",
    "webServer:",
    `  kind: ${capabilities.webServer.kind}  # nginx | apache | none`,
    ...(capabilities.webServer.version !== undefined ? [`  version: ${quote(capabilities.webServer.version)}`] : []),
    "",
    "php:",
    `  versions: ${flowList(php.versions)}${php.versions.length === 0 ? "  # none found" : ""}`,
    `  modes: ${plainList(php.modes)}  # fpm | cgi | fastcgi | module | lsapi`,
    ...(php.default !== undefined ? [`  default: ${quote(php.default)}`] : []),
    ...(php.defaultMode !== undefined ? [`  defaultMode: ${php.defaultMode}`] : []),
    "",
    "# MySQL and MariaDB servers; databases go to the default one unless --db-map names another id.",
    ...serverLines("mysql", capabilities.mysql),
    "",
    ...serverLines("postgresql", capabilities.postgresql),
    "",
    ...versionSection("python", capabilities.python),
    "",
    ...versionSection("nodejs", capabilities.nodejs),
    "",
    "ftp:",
    `  kind: ${capabilities.ftp.kind}  # pure-ftpd | proftpd | vsftpd | none`,
    "dns:",
    `  kind: ${capabilities.dns.kind}  # bind | powerdns | none`,
    "mail:",
    `  mta: ${capabilities.mail.mta}  # postfix | exim | none`,
    `  imap: ${capabilities.mail.imap}  # dovecot | none`,
    "",
    "disk:",
    `  # auto: measured on the target root at every load (${formatSize(capabilities.diskFreeBytes)} free when detected).`,
    "  # Or a fixed size such as 50GiB.",
    "  free: auto",
    "",
    "# Addresses sites can be bound to: this list, or auto for the host's addresses at every load.",
    ...(capabilities.ips.length === 0 ? ["ips: []"] : ["ips:", ...capabilities.ips.map((ip) => `  - ${quote(ip)}`)]),
    "",
    "# Password-hash schemes each service keeps as they are; other hashes get a new password.",
    ...(overridden.length === 0
      ? [
          "# These are the defaults for the servers above; uncomment a line to change it.",
          "# passwordSchemes:",
          ...passwordServices.map((service) => `#   ${service}: ${plainList(derived[service])}`),
        ]
      : [
          "# Services not listed take the defaults for the servers above.",
          "passwordSchemes:",
          ...overridden.map((service) => `  ${service}: ${plainList(capabilities.passwordSchemes[service])}`),
        ]),
  ]
  return `${lines.join("\n")}\n`
}
