import type { DatabaseEngine } from "../../model/Entity.ts"
import type { Capabilities } from "../../target/Target.ts"

/*
 * Allow-lists for identifiers that reach paths, SQL, config files or argv on the target
 * (security.md rule 12). Each function returns why a name is refused, or undefined.
 */

/** Logins the target's own services use, and names panels keep for themselves. */
const reservedLogins: ReadonlySet<string> = new Set([
  "root",
  "admin",
  "administrator",
  "bin",
  "daemon",
  "adm",
  "sys",
  "sync",
  "shutdown",
  "halt",
  "operator",
  "games",
  "man",
  "lp",
  "news",
  "uucp",
  "proxy",
  "backup",
  "list",
  "irc",
  "gnats",
  "nobody",
  "nogroup",
  "nfsnobody",
  "www",
  "www-data",
  "apache",
  "nginx",
  "httpd",
  "mail",
  "postfix",
  "postdrop",
  "dovecot",
  "dovenull",
  "exim",
  "mailnull",
  "smmsp",
  "vmail",
  "ftp",
  "mysql",
  "mariadb",
  "postgres",
  "pgsql",
  "named",
  "bind",
  "sshd",
  "ntp",
  "chrony",
  "syslog",
  "messagebus",
  "polkitd",
  "uuidd",
  "tss",
  "tcpdump",
  "clamav",
  "redis",
  "memcached",
  "cpanel",
  "psaadm",
  "psaftp",
  "ferry",
])

/** Names of the services a receiving server answers on for every domain (anchors §6 #7). */
export const reservedSubdomainLabels: ReadonlySet<string> = new Set([
  "webmail",
  "mail",
  "ftp",
  "cpanel",
  "whm",
  "webdisk",
  "cpcontacts",
  "cpcalendars",
  "autodiscover",
  "autoconfig",
])

export const isReservedLogin = (login: string): boolean => reservedLogins.has(login.toLowerCase()) || login.startsWith("systemd-")

export const loginProblem = (login: string): string | undefined =>
  /^[a-z_][a-z0-9_-]{0,31}$/.test(login)
    ? undefined
    : "a system user name must be 1–32 characters of a-z, 0-9, _ and -, starting with a letter or _"

const label = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/

export const domainProblem = (name: string, options: { readonly wildcard?: boolean } = {}): string | undefined => {
  if (name.length === 0) return "empty domain name"
  if (name.length > 253) return `longer than 253 characters (${name.length})`
  if (name.endsWith(".")) return "ends with a dot"
  if (/[^\x00-\x7f]/.test(name)) return "not in IDNA (punycode) form"
  const labels = name.toLowerCase().split(".")
  if (labels.length < 2) return "not a fully qualified name"
  for (const [index, part] of labels.entries()) {
    if (index === 0 && part === "*" && options.wildcard === true) continue
    if (!label.test(part)) return `label "${part.slice(0, 63)}" is not letters, digits and inner hyphens of at most 63 characters`
  }
  return undefined
}

export const localPartProblem = (local: string): string | undefined => {
  if (local.length === 0 || local.length > 64) return "a mailbox name must be 1–64 characters"
  if (!/^[A-Za-z0-9_+=][A-Za-z0-9._+=-]*$/.test(local))
    return "a mailbox name may hold only letters, digits and . _ + = -, not first . or -"
  if (local.includes("..") || local.endsWith(".")) return "a mailbox name cannot hold .. or end with a dot"
  return undefined
}

export const addressProblem = (address: string): string | undefined => {
  const at = address.lastIndexOf("@")
  if (at <= 0) return "not an address local@domain"
  return localPartProblem(address.slice(0, at)) ?? domainProblem(address.slice(at + 1))
}

/** MySQL user names: 32 characters, MariaDB 80 (a MariaDB-only target keeps longer cPanel names). */
const mysqlUserLimit = (capabilities: Capabilities): number =>
  capabilities.mysql.length > 0 && capabilities.mysql.every((s) => s.engine === "mariadb") ? 80 : 32

export const databaseNameProblem = (name: string, engine: DatabaseEngine): string | undefined => {
  const max = engine === "mysql" ? 64 : 63
  if (!/^[A-Za-z0-9_]+$/.test(name)) return "a database name may hold only letters, digits and _"
  if (name.length > max) return `longer than ${max} characters (${name.length}), the ${engine === "mysql" ? "MySQL" : "PostgreSQL"} limit`
  return undefined
}

export const databaseUserProblem = (name: string, engine: DatabaseEngine, capabilities: Capabilities): string | undefined => {
  const max = engine === "mysql" ? mysqlUserLimit(capabilities) : 63
  if (!/^[A-Za-z0-9_]+$/.test(name)) return "a database user name may hold only letters, digits and _"
  if (name.length > max)
    return `longer than ${max} characters (${name.length}), the target's ${engine === "mysql" ? "MySQL" : "PostgreSQL"} limit`
  return undefined
}

/** FTP logins are system-style names or virtual `name@domain` users (cPanel, pure-ftpd). */
export const ftpLoginProblem = (login: string): string | undefined => {
  const at = login.lastIndexOf("@")
  if (at < 0)
    return /^[a-z_][a-z0-9_.-]{0,63}$/i.test(login) ? undefined : "an FTP login may hold only letters, digits and _ . -, not first . or -"
  const local = login.slice(0, at)
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/.test(local)) return "an FTP login may hold only letters, digits and _ . -, not first . or -"
  return domainProblem(login.slice(at + 1))
}
