import type { ParseNote } from "@ferry/core"
import { type Assembly, noteAt, type SeenFile } from "./Collected.ts"
import { listForMessage, nonEmptyLines } from "./Paths.ts"

interface InfoRule {
  readonly pattern: RegExp
  /** One note per directory (first path component) or per file. */
  readonly per: "directory" | "file"
  readonly severity: ParseNote["severity"]
  readonly code: string
  readonly message: (files: ReadonlyArray<SeenFile>) => string
}

const bytesOf = (files: ReadonlyArray<SeenFile>): string => `${files.length} files, ${files.reduce((n, f) => n + f.size, 0)} bytes`

/** Files Ferry knows and deliberately does not turn into entities (§4): each gets a note. */
const rules: ReadonlyArray<InfoRule> = [
  {
    pattern: /^nobodyfiles$/,
    per: "file",
    severity: "info",
    code: "nobody-files",
    message: (f) =>
      `paths in the home owned by the web server user on the source (${listForMessage(nonEmptyLines(f[0]?.text ?? ""))}); the import must leave them writable by the web server (pitfall 22)`,
  },
  {
    pattern: /^logs\//,
    per: "directory",
    severity: "info",
    code: "logs",
    message: (f) => `web and FTP logs of the source (${bytesOf(f)}) are not imported`,
  },
  {
    pattern: /^(bandwidth|bandwidth_db)(\/|$)|^bandwidth_db[^/]*\.json$/,
    per: "file",
    severity: "info",
    code: "bandwidth-history",
    message: () => "bandwidth history of the source is not imported",
  },
  {
    pattern: /^httpfiles\//,
    per: "directory",
    severity: "warning",
    code: "httpfiles",
    message: (f) =>
      `custom Apache include snippets (${listForMessage(f.map((x) => x.rel))}) are never applied (security rule 27); review them by hand`,
  },
  {
    pattern: /^reseller(config|features|packages)\//,
    per: "file",
    severity: "info",
    code: "reseller-settings",
    message: () => "reseller settings of the source server; not imported",
  },
  {
    pattern: /^team\//,
    per: "directory",
    severity: "warning",
    code: "team-users",
    message: (f) => `cPanel Team users (${bytesOf(f)}) are not imported`,
  },
  {
    pattern: /^locale\//,
    per: "directory",
    severity: "info",
    code: "locale",
    message: () => "custom cPanel locale files are not imported",
  },
  {
    pattern: /^customizations\//,
    per: "directory",
    severity: "info",
    code: "customizations",
    message: () => "cPanel interface customisations are not imported",
  },
  {
    pattern: /^counters\//,
    per: "directory",
    severity: "info",
    code: "counters",
    message: () => "legacy cPanel counter data is not imported",
  },
  {
    pattern: /^mysql-timestamps\//,
    per: "directory",
    severity: "info",
    code: "mysql-timestamps",
    message: () => "MySQL dump timestamps; informational",
  },
  {
    pattern: /^mysql\/openfileslimit$/,
    per: "file",
    severity: "info",
    code: "mysql-openfileslimit",
    message: (f) => `the source MySQL open-files limit (${(f[0]?.text ?? "").trim().slice(0, 20)}); not a database`,
  },
  {
    pattern: /^mms\/|^mma\//,
    per: "directory",
    severity: "info",
    code: "mailman-archives",
    message: (f) => `Mailman list archives (${bytesOf(f)}); kept in the backup, not imported`,
  },
  {
    pattern: /^has_sslstorage$/,
    per: "file",
    severity: "info",
    code: "ssl-storage-marker",
    message: () => "marker: the SSL store is in homedir/ssl/",
  },
  {
    pattern: /^autossl\.json$/,
    per: "file",
    severity: "info",
    code: "autossl",
    message: (f) => `AutoSSL settings of the source: ${(f[0]?.text ?? "").trim().slice(0, 200)}`,
  },
  {
    pattern: /^digestshadow$/,
    per: "file",
    severity: "info",
    code: "webdisk-digest",
    message: () => "Web Disk digest password hash; not carried over (Web Disk passwords must be set again)",
  },
  {
    pattern: /^ips\//,
    per: "file",
    severity: "info",
    code: "related-ips",
    message: (f) =>
      `source addresses found in the zones (${listForMessage(nonEmptyLines(f[0]?.text ?? ""))}); used to recognise the source's own hosts`,
  },
  {
    pattern: /^meta\/mailserver$/,
    per: "file",
    severity: "info",
    code: "mail-server",
    message: (f) => `the source mail server was ${(f[0]?.text ?? "").trim().slice(0, 40) || "not named"}`,
  },
  {
    pattern: /^meta\/dbprefix$/,
    per: "file",
    severity: "info",
    code: "db-prefix",
    message: (f) => `database prefixing on the source: ${(f[0]?.text ?? "").trim() === "1" ? "off (names without user_ prefix)" : "on"}`,
  },
  { pattern: /^meta\//, per: "file", severity: "info", code: "meta", message: () => "source metadata; informational" },
  {
    pattern: /^userdata\/.+\.php-fpm\.yaml$/,
    per: "file",
    severity: "info",
    code: "php-fpm-pool",
    message: () => "PHP-FPM pool overrides of the source are not applied",
  },
  {
    pattern: /^userdata\/(cache|.+\.cache)$/,
    per: "file",
    severity: "info",
    code: "userdata-cache",
    message: () => "cPanel's own cache file; not needed",
  },
  {
    pattern: /^userdata\/[^/]+$/,
    per: "file",
    severity: "info",
    code: "userdata-unlisted",
    message: () => "userdata for a vhost that userdata/main does not list; ignored",
  },
  {
    pattern: /^(suspended|suspendinfo)\//,
    per: "file",
    severity: "warning",
    code: "suspension-other-user",
    message: () => "suspension data for another user; ignored",
  },
]

/** One note per informational file or directory; a warning for anything unrecognised. */
export const noteRemainingFiles = (a: Assembly): void => {
  const groups = new Map<string, { rule: InfoRule; files: Array<SeenFile> }>()
  const unknown: Array<SeenFile> = []
  for (const file of a.meta.unused()) {
    const rule = rules.find((r) => r.pattern.test(file.rel))
    if (!rule) {
      unknown.push(file)
      continue
    }
    const key = rule.per === "directory" ? `${rule.code}:${file.rel.split("/")[0]}` : `${rule.code}:${file.rel}`
    const group = groups.get(key) ?? { rule, files: [] }
    group.files.push(file)
    groups.set(key, group)
  }
  for (const { rule, files } of groups.values()) {
    const first = files[0] as SeenFile
    const rel = rule.per === "directory" ? `${first.rel.split("/")[0]}/` : first.rel
    noteAt(a, rule.severity, rule.code, `file ${rel}`, rel, rule.message(files))
  }
  for (const file of unknown) {
    noteAt(
      a,
      "warning",
      "unrecognised-file",
      `file ${file.rel}`,
      file.rel,
      `Ferry does not know this file of a cPanel backup (${file.size} bytes); it was not imported`,
    )
  }
}
