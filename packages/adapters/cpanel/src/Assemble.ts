import type { ReadContext, ScanStats, Snapshot, SnapshotBuilder } from "@ferry/core"
import { buildAccount } from "./AccountFile.ts"
import { type Assembly, type HomeScan, type MetaFiles, noteAt, type SeenFile } from "./Collected.ts"
import { buildCron } from "./Cron.ts"
import { buildDatabases } from "./Databases.ts"
import { panelVersionOf, versionFile } from "./Detect.ts"
import { buildZones } from "./Dns.ts"
import { buildFtp } from "./Ftp.ts"
import { noteRemainingFiles } from "./InfoFiles.ts"
import { parseKeyValue } from "./KeyValue.ts"
import { buildMail } from "./Mail.ts"
import { listForMessage, nonEmptyLines, outermost } from "./Paths.ts"
import { buildSsl } from "./Ssl.ts"
import { buildDomainsAndSites } from "./Userdata.ts"

export interface Scanned {
  readonly builder: SnapshotBuilder
  readonly root: string
  readonly prefix: string
  readonly meta: MetaFiles
  readonly home: HomeScan
  readonly cpFile: SeenFile
  readonly stats: ScanStats
  readonly ctx: ReadContext
}

/** `0000:…:ffff:c6fc:6343` (IPv4-mapped, as `ips/related_ips` writes it) → `198.252.99.67`. */
const mappedIpv4 = (value: string): string | undefined => {
  const match = /^(?:0{1,4}:){5}ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(value.trim())
  if (!match) return undefined
  const high = Number.parseInt(match[1] as string, 16)
  const low = Number.parseInt(match[2] as string, 16)
  return [high >> 8, high & 255, low >> 8, low & 255].join(".")
}

/** Build every entity from what the scan collected, then the Snapshot. */
export const assemble = (s: Scanned): Snapshot => {
  const { builder, meta, home, cpFile, prefix } = s
  const login = cpFile.rel.slice("cp/".length)
  meta.markUsed(cpFile.rel)
  const cp = parseKeyValue(cpFile.text ?? "")
  const version = versionFile(meta.text("version"))

  const homePrefixes: Array<string> = []
  const addHome = (path: string | undefined) => {
    const p = path?.trim().replace(/\/+$/, "")
    if (p?.startsWith("/") && !homePrefixes.includes(p)) homePrefixes.push(p)
  }
  for (const token of (cp.values.get("HOMEDIRPATHS") ?? "").split(/[\s,]+/)) addHome(token)
  for (const rel of ["homedir_paths", "meta/homedir_paths"]) for (const line of nonEmptyLines(meta.text(rel) ?? "")) addHome(line)
  addHome(`/home/${login}`)

  const hostname = meta.text("meta/hostname")?.trim().toLowerCase()
  const sourceHosts = new Set<string>()
  if (hostname) sourceHosts.add(hostname)
  const ip = cp.values.get("IP")?.trim()
  if (ip) sourceHosts.add(ip.toLowerCase())
  for (const line of nonEmptyLines(meta.peek("ips/related_ips")?.text ?? "")) {
    sourceHosts.add(line.toLowerCase())
    const v4 = mappedIpv4(line)
    if (v4) sourceHosts.add(v4)
  }

  const a: Assembly = { builder, root: s.root, prefix, login, accountId: `account:${login}`, meta, home, homePrefixes, sourceHosts }
  builder.add(buildAccount(a, cp, cpFile.rel))
  const { layout, sites } = buildDomainsAndSites(a, cp)
  const accountDomains = new Set<string>(layout ? [layout.main, ...layout.addons.keys(), ...layout.parked, ...layout.allSubVhosts] : [])
  buildMail(a, cp, accountDomains)
  buildDatabases(a)
  buildZones(a, accountDomains)
  buildSsl(a, sites)
  buildCron(a)
  buildFtp(
    a,
    sites.find((site) => site.domain === layout?.main),
  )

  if (home.source === "none") {
    noteAt(
      a,
      "warning",
      "home-missing",
      a.accountId,
      "homedir/",
      "the backup has no home directory (homedir/ or homedir.tar); no files, mail or SSL store are carried",
    )
  } else {
    const owned = outermost(
      sites
        .filter((site) => site.docroot !== undefined)
        .map((site) => `${prefix}homedir/${site.docroot === "" ? "" : `${site.docroot}/`}`)
        .concat([...home.mailDirs.keys()].map((key) => `${prefix}homedir/mail/${key}/`))
        .filter((path) => path !== `${prefix}homedir/`),
    )
    builder.declareContent({
      id: `content:home:${login}`,
      kind: "home",
      path: `${prefix}homedir/`,
      ...(owned.length > 0 ? { excludes: owned } : {}),
    })
  }
  if (home.oldBackups.length > 0) {
    const bytes = home.oldBackups.reduce((n, b) => n + b.size, 0)
    noteAt(
      a,
      "warning",
      "old-backups-in-home",
      a.accountId,
      "homedir/",
      `old backup archives were copied into the home (${bytes} bytes): ${listForMessage(home.oldBackups.map((b) => b.path.slice(prefix.length + "homedir/".length)))}; consider excluding them`,
    )
  }
  noteRemainingFiles(a)

  const panelVersion = panelVersionOf(cp.values.get("CREATED_IN_VERSION"), version.pkgacct)
  const archive = s.ctx.archive
  return builder.build({
    panel: "cpanel",
    ...(panelVersion ? { panelVersion } : {}),
    ...(version.archive ? { formatVersion: version.archive } : {}),
    archive: {
      path: archive.path,
      container: archive.container,
      bytes: archive.bytes > 0 ? archive.bytes : s.stats.sourceBytes,
      entries: s.stats.entries,
      contentBytes: s.stats.contentBytes,
    },
    ...(hostname ? { hostname } : {}),
  })
}
