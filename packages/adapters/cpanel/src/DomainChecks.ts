import { asRecord, asString, parseJson } from "@ferry/core"
import { type Assembly, noteAt } from "./Collected.ts"
import type { KeyValueFile } from "./KeyValue.ts"
import { cleanRelative, fromUnderscoreForm, homeRelative, listForMessage, nonEmptyLines } from "./Paths.ts"
import type { DomainLayout } from "./Userdata.ts"

/** Fallbacks for userdata: `cache.json` rows and `sds2` docroots (home-relative). */
export interface DomainFallbacks {
  readonly cache: ReadonlyMap<string, CacheRow>
  readonly sds2Docroots: ReadonlyMap<string, string>
}

/** One `userdata/cache.json` row (§5.4; field names inferred). */
export interface CacheRow {
  readonly type: string | undefined
  readonly docroot: string | undefined
  readonly php: string | undefined
}

const readCache = (a: Assembly): Map<string, CacheRow> => {
  const rows = new Map<string, CacheRow>()
  const file = a.meta.get("userdata/cache.json")
  if (!file?.text) return rows
  try {
    for (const [domain, value] of Object.entries(asRecord(parseJson(file.text)) ?? {})) {
      if (!Array.isArray(value)) continue
      const field = (i: number) => {
        const s = asString(value[i])?.trim()
        return s === undefined || s === "" ? undefined : s
      }
      rows.set(domain.toLowerCase(), { type: field(2), docroot: field(4), php: field(9) })
    }
  } catch (e) {
    noteAt(a, "warning", "cache-json-invalid", "userdata/cache.json", "userdata/cache.json", e instanceof Error ? e.message : String(e))
  }
  return rows
}

const difference = (x: Iterable<string>, y: ReadonlySet<string>): Array<string> => [...new Set(x)].filter((v) => !y.has(v))

/**
 * Cross-checks of `userdata/main` against `sds`, `sds2`, `addons`, `pds`, `cache.json` and the
 * `DNS*` keys of `cp/USER` (pitfalls 3, 6, 9). Userdata wins; every disagreement is a note.
 * Returns the cache rows and sds2 docroots as fallbacks for missing userdata.
 */
export const crossCheckDomains = (
  a: Assembly,
  cp: KeyValueFile,
  layout: DomainLayout,
  vhosts: ReadonlyMap<string, Record<string, unknown>>,
): DomainFallbacks => {
  const mismatch = (rel: string, message: string) => noteAt(a, "info", "domain-list-mismatch", rel, rel, message)
  const allSubs = new Set(layout.allSubVhosts)

  const sds = a.meta.get("sds")
  if (sds?.text !== undefined) {
    const listed = new Set(nonEmptyLines(sds.text).map((l) => fromUnderscoreForm(l.toLowerCase())))
    const missing = difference(allSubs, listed)
    const extra = difference(listed, allSubs)
    if (missing.length + extra.length > 0) {
      mismatch(
        "sds",
        `sds and userdata/main disagree (only in userdata: ${listForMessage(missing) || "none"}; only in sds: ${listForMessage(extra) || "none"})`,
      )
    }
  }

  const sds2Docroots = new Map<string, string>()
  const sds2 = a.meta.get("sds2")
  if (sds2?.text !== undefined) {
    for (const line of nonEmptyLines(sds2.text)) {
      const at = line.indexOf("=")
      if (at <= 0) continue
      const sub = fromUnderscoreForm(line.slice(0, at).toLowerCase())
      const value = line.slice(at + 1).trim()
      const listed = value.startsWith("/") ? homeRelative(value, a.homePrefixes) : cleanRelative(value)
      if (listed !== undefined) sds2Docroots.set(sub, listed)
      if (!allSubs.has(sub)) {
        mismatch("sds2", `sds2 lists ${sub}, which userdata/main does not`)
        continue
      }
      const documentroot = asString(vhosts.get(sub)?.["documentroot"])
      const actual = documentroot !== undefined ? homeRelative(documentroot, a.homePrefixes) : undefined
      if (actual !== undefined && listed !== actual) {
        mismatch("sds2", `sds2 gives ${sub} the docroot ${value}, userdata says ${actual}; userdata is used`)
      }
    }
  }

  const addons = a.meta.get("addons")
  if (addons?.text !== undefined) {
    const listed = new Map<string, string>()
    for (const line of nonEmptyLines(addons.text)) {
      const at = line.indexOf("=")
      if (at > 0) listed.set(line.slice(0, at).toLowerCase(), fromUnderscoreForm(line.slice(at + 1).toLowerCase()))
    }
    for (const [addon, vhost] of layout.addons) {
      if (listed.get(addon) !== vhost)
        mismatch("addons", `addons says ${addon} → ${listed.get(addon) ?? "nothing"}, userdata/main says ${vhost}`)
    }
    const extra = difference(listed.keys(), new Set(layout.addons.keys()))
    if (extra.length > 0) mismatch("addons", `addons lists ${listForMessage(extra)}, which userdata/main does not`)
  }

  const pds = a.meta.get("pds")
  if (pds?.text !== undefined) {
    const listed = new Set(
      nonEmptyLines(pds.text)
        .map((l) => l.toLowerCase())
        .filter((l) => !l.startsWith("www.")),
    )
    const parked = new Set(layout.parked)
    const missing = difference(parked, listed)
    const extra = difference(listed, parked)
    if (missing.length + extra.length > 0) {
      mismatch(
        "pds",
        `pds and userdata/main disagree (only in userdata: ${listForMessage(missing) || "none"}; only in pds: ${listForMessage(extra) || "none"})`,
      )
    }
  }

  const cache = readCache(a)
  if (cache.size > 0) {
    const expected = new Map<string, string>([[layout.main, "main"]])
    for (const addon of layout.addons.keys()) expected.set(addon, "addon")
    for (const parked of layout.parked) expected.set(parked, "parked")
    for (const sub of layout.allSubVhosts) expected.set(sub, "sub")
    for (const [domain, type] of expected) {
      const row = cache.get(domain)
      const addonVhost = type === "sub" && !layout.subdomains.includes(domain)
      if (!row && !addonVhost) mismatch("userdata/cache.json", `cache.json does not list ${domain}`)
      else if (row?.type !== undefined && row.type !== type && !addonVhost) {
        mismatch("userdata/cache.json", `cache.json calls ${domain} ${row.type}, userdata/main says ${type}`)
      }
    }
    const extra = difference(cache.keys(), new Set(expected.keys()))
    if (extra.length > 0) mismatch("userdata/cache.json", `cache.json lists ${listForMessage(extra)}, which userdata/main does not`)
  }

  const known = new Set([layout.main, ...layout.addons.keys(), ...layout.parked, ...layout.allSubVhosts])
  const dns = [...cp.values]
    .filter(([key]) => /^DNS\d*$/.test(key))
    .map(([, value]) => value.trim().toLowerCase())
    .filter((v) => v !== "")
  const unknown = difference(dns, known)
  if (unknown.length > 0) mismatch(`cp/${a.login}`, `cp/${a.login} lists domains userdata/main does not: ${listForMessage(unknown)}`)
  const removed = [...cp.values]
    .filter(([key]) => /^XDNS\d*$/.test(key))
    .map(([, value]) => value.trim())
    .filter((v) => v !== "")
  if (removed.length > 0) {
    noteAt(
      a,
      "info",
      "removed-domains",
      a.accountId,
      `cp/${a.login}`,
      `domains removed from the account on the source (XDNS): ${listForMessage(removed)}`,
    )
  }
  return { cache, sds2Docroots }
}
