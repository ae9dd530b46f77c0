import { asRecord, asString, type Domain, parseYaml, type Site } from "@ferry/core"
import { type Assembly, noteAt } from "./Collected.ts"
import { crossCheckDomains } from "./DomainChecks.ts"
import type { KeyValueFile } from "./KeyValue.ts"
import { homeRelative, isDomainName, outermost } from "./Paths.ts"

/** The domain layout of `userdata/main` (§5.2). */
export interface DomainLayout {
  readonly main: string
  /** addon domain → the sub-vhost that serves it. */
  readonly addons: ReadonlyMap<string, string>
  readonly parked: ReadonlyArray<string>
  /** `sub_domains` minus the addon sub-vhosts (pitfall 4). */
  readonly subdomains: ReadonlyArray<string>
  /** Every name in `sub_domains`, addon sub-vhosts included. */
  readonly allSubVhosts: ReadonlyArray<string>
}

/** A site as the other readers need it. */
export interface SiteInfo {
  readonly id: string
  readonly domain: string
  /** The userdata vhost holding its settings (the sub-vhost for an addon). */
  readonly vhost: string
  readonly docroot: string | undefined
}

type Vhost = Record<string, unknown>

const yamlRecord = (a: Assembly, rel: string): Vhost | undefined => {
  const file = a.meta.get(rel)
  if (!file) return undefined
  if (file.text === undefined) {
    noteAt(a, "error", "file-too-large", rel, rel, "the file is larger than Ferry reads; it was ignored")
    return undefined
  }
  try {
    const record = asRecord(parseYaml(file.text, { version: "1.1" }))
    if (record === undefined) noteAt(a, "error", "userdata-invalid", rel, rel, "the file is not a YAML mapping")
    return record
  } catch (e) {
    noteAt(a, "error", "userdata-invalid", rel, rel, e instanceof Error ? e.message : String(e))
    return undefined
  }
}

const names = (value: unknown): Array<string> =>
  Array.isArray(value) ? value.map((v) => asString(v)?.trim().toLowerCase()).filter((v): v is string => v !== undefined && v !== "") : []

/** `ea-php81`, `alt-php74`, `php80` → "8.1", "7.4", "8.0". */
export const phpVersionOf = (value: string): string | undefined => {
  const match = /^(?:ea-|alt-)?php(\d)(\d{1,2})$/.exec(value.trim())
  return match ? `${match[1]}.${match[2]}` : undefined
}

const readLayout = (a: Assembly, cp: KeyValueFile): DomainLayout | undefined => {
  const main = yamlRecord(a, "userdata/main")
  const fallback = cp.values.get("DNS")?.trim().toLowerCase()
  if (!main) {
    if (fallback === undefined || !isDomainName(fallback)) return undefined
    noteAt(
      a,
      "error",
      "userdata-main-missing",
      a.accountId,
      "userdata/main",
      `userdata/main is missing or unreadable; only the main domain ${fallback} (DNS=) is known`,
    )
    return { main: fallback, addons: new Map(), parked: [], subdomains: [], allSubVhosts: [] }
  }
  const keep = (name: string, what: string): boolean => {
    if (isDomainName(name)) return true
    noteAt(
      a,
      "error",
      "invalid-domain",
      `${what} ${JSON.stringify(name.slice(0, 80))}`,
      "userdata/main",
      "not a valid domain name; skipped",
    )
    return false
  }
  const mainDomain = asString(main["main_domain"])?.trim().toLowerCase() ?? fallback
  if (mainDomain === undefined || !keep(mainDomain, "main domain")) return undefined
  const addons = new Map<string, string>()
  for (const [addon, vhost] of Object.entries(asRecord(main["addon_domains"]) ?? {})) {
    const sub = asString(vhost)?.trim().toLowerCase()
    const name = addon.trim().toLowerCase()
    if (sub !== undefined && keep(name, "addon domain") && keep(sub, "addon sub-vhost")) addons.set(name, sub)
  }
  const parked = names(main["parked_domains"]).filter((d) => keep(d, "parked domain"))
  const allSubVhosts = names(main["sub_domains"]).filter((d) => keep(d, "subdomain"))
  const addonVhosts = new Set(addons.values())
  return { main: mainDomain, addons, parked, subdomains: allSubVhosts.filter((s) => !addonVhosts.has(s)), allSubVhosts }
}

/** The domain a subdomain belongs to: the longest account domain it ends with. */
const parentOf = (sub: string, candidates: ReadonlyArray<string>): string | undefined =>
  [...candidates].sort((x, y) => y.length - x.length).find((d) => sub.endsWith(`.${d}`))

/**
 * Domains and sites from `userdata/` (§5.2–5.4, §6): one site per main domain, addon domain
 * (settings from its sub-vhost) and subdomain; parked domains are aliases of the main site.
 */
export const buildDomainsAndSites = (a: Assembly, cp: KeyValueFile): { layout?: DomainLayout; sites: Array<SiteInfo> } => {
  const layout = readLayout(a, cp)
  if (!layout) {
    noteAt(a, "error", "no-domains", a.accountId, "userdata/main", "no main domain could be read; no domains or sites were built")
    return { sites: [] }
  }
  const vhosts = new Map<string, Vhost>()
  for (const vhost of [layout.main, ...layout.allSubVhosts]) {
    const data = yamlRecord(a, `userdata/${vhost}`)
    if (data) vhosts.set(vhost, data)
    else
      noteAt(
        a,
        "warning",
        "userdata-vhost-missing",
        `vhost ${vhost}`,
        `userdata/${vhost}`,
        `no userdata file for ${vhost}; its settings fall back to defaults`,
      )
    a.meta.get(`userdata/${vhost}_SSL`)
    // The vhost's own idea of the home (may be /home/u while HOMEDIRPATHS says /home2/u).
    const home = asString(data?.["homedir"])?.trim().replace(/\/+$/, "")
    if (home?.startsWith("/") && !a.homePrefixes.includes(home)) a.homePrefixes.push(home)
  }
  const { cache, sds2Docroots } = crossCheckDomains(a, cp, layout, vhosts)
  const accountIp = cp.values.get("IP")?.trim()

  const plans: Array<{ domain: string; vhost: string; kind: "main" | "addon" | "subdomain" }> = [
    { domain: layout.main, vhost: layout.main, kind: "main" },
    ...[...layout.addons].map(([domain, vhost]) => ({ domain, vhost, kind: "addon" as const })),
    ...layout.subdomains.map((domain) => ({ domain, vhost: domain, kind: "subdomain" as const })),
  ]
  const sites: Array<SiteInfo> = []
  const sitesBuilt: Array<Site> = []
  for (const plan of plans) {
    const data = vhosts.get(plan.vhost) ?? {}
    const rel = `userdata/${plan.vhost}`
    const siteId = `site:${plan.domain}`
    const sourceDocroot = asString(data["documentroot"])?.trim()
    const cached = cache.get(plan.vhost) ?? cache.get(plan.domain)
    let docroot = sourceDocroot !== undefined ? homeRelative(sourceDocroot, a.homePrefixes) : undefined
    if (docroot === undefined) {
      const cachedRoot = cached?.docroot !== undefined ? homeRelative(cached.docroot, a.homePrefixes) : undefined
      docroot = cachedRoot ?? sds2Docroots.get(plan.vhost) ?? (plan.kind === "main" ? "public_html" : undefined)
      const why = sourceDocroot === undefined ? "has no documentroot" : `has a documentroot outside the home (${sourceDocroot})`
      noteAt(
        a,
        "warning",
        "docroot-unknown",
        siteId,
        rel,
        `${plan.vhost} ${why}; ${docroot !== undefined ? `using ${docroot}` : "no content is carried"}`,
      )
    }

    const rawPhp = asString(data["phpversion"])?.trim() ?? ""
    let php = rawPhp !== "" ? phpVersionOf(rawPhp) : undefined
    if (php === undefined) {
      const fromCache = cached?.php ? phpVersionOf(cached.php) : undefined
      const said = rawPhp === "" ? "no phpversion" : `an unrecognised phpversion (${rawPhp.slice(0, 40)})`
      noteAt(
        a,
        "warning",
        "php-version-missing",
        siteId,
        rel,
        `${plan.vhost} has ${said}; ${fromCache ? `cache.json says ${fromCache}` : "the receiving server's default PHP applies"}`,
      )
      php = fromCache
    }

    const aliases = new Set<string>()
    const servername = asString(data["servername"])?.trim().toLowerCase()
    if (servername) aliases.add(servername)
    for (const alias of (asString(data["serveralias"]) ?? "").toLowerCase().split(/\s+/)) {
      if (isDomainName(alias.replace(/^\*\./, ""))) aliases.add(alias)
    }
    aliases.delete(plan.domain)
    // The `_SSL` vhost file, or `ssl: 1` in the plain vhost when `_SSL` was not packed.
    const hasSsl = a.meta.has(`userdata/${plan.vhost}_SSL`) || asString(data["ssl"]) === "1"
    const ip = asString(data["ip"])?.trim() || accountIp

    const extras: Record<string, string> = {}
    if (plan.kind === "addon") extras["sourceVhost"] = plan.vhost
    if (ip) extras["ip"] = ip
    const site: Site = {
      _tag: "Site",
      id: siteId,
      owner: a.accountId,
      source: { path: `${a.prefix}${rel}` },
      domain: `domain:${plan.domain}`,
      docroot: docroot ?? "",
      ...(sourceDocroot ? { sourceDocroot } : {}),
      serverAliases: [...aliases],
      php: { enabled: true, ...(php !== undefined ? { version: php } : {}) },
      ssl: { enabled: hasSsl },
      protectedDirectories: [],
      webUsers: [],
      mimeTypes: [],
      redirects: [],
      errorPages: [],
      applications: [],
      extras,
    }
    sitesBuilt.push(site)
    sites.push({ id: siteId, domain: plan.domain, vhost: plan.vhost, docroot })

    const domain: Domain = {
      _tag: "Domain",
      id: `domain:${plan.domain}`,
      owner: a.accountId,
      source: { path: `${a.prefix}userdata/main` },
      name: plan.domain,
      kind: plan.kind,
      site: siteId,
      ips: ip ? [ip] : [],
    }
    if (plan.kind === "subdomain") {
      const parent = parentOf(plan.domain, [layout.main, ...layout.addons.keys(), ...layout.parked])
      if (parent !== undefined) a.builder.add({ ...domain, parent: `domain:${parent}` })
      else {
        noteAt(a, "info", "subdomain-parent", domain.id, "userdata/main", `${plan.domain} is not below any domain of the account`)
        a.builder.add(domain)
      }
    } else {
      a.builder.add(domain)
    }
  }
  for (const parked of layout.parked) {
    a.builder.add({
      _tag: "Domain",
      id: `domain:${parked}`,
      owner: a.accountId,
      source: { path: `${a.prefix}userdata/main` },
      name: parked,
      kind: "alias",
      parent: `domain:${layout.main}`,
      site: `site:${layout.main}`,
      ips: accountIp ? [accountIp] : [],
      aliasServices: ["web", "mail"],
    })
  }

  // Web content: each docroot, minus the docroots of other sites nested inside it.
  const roots = sites.filter((s) => s.docroot !== undefined).map((s) => ({ id: s.id, dir: s.docroot === "" ? "" : `${s.docroot}/` }))
  for (const site of sitesBuilt) {
    const own = roots.find((r) => r.id === site.id)
    if (!own) {
      a.builder.add(site)
      continue
    }
    const shared = roots.filter((r) => r.id !== site.id && r.dir === own.dir).map((r) => r.id)
    if (shared.length > 0) {
      a.builder.note({
        severity: "info",
        code: "docroot-shared",
        subject: site.id,
        path: site.source.path,
        message: `${site.id} shares its document root with ${shared.join(", ")}`,
      })
    }
    const excludes = outermost(
      roots.filter((r) => r.dir !== own.dir && r.dir.startsWith(own.dir)).map((r) => `${a.prefix}homedir/${r.dir}`),
    )
    const content = a.builder.declareContent({
      id: `content:web:${site.id.slice("site:".length)}`,
      kind: "web",
      path: `${a.prefix}homedir/${own.dir}`,
      ...(excludes.length > 0 ? { excludes } : {}),
    })
    a.builder.add({ ...site, content })
  }
  return { layout, sites }
}
