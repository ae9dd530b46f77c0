import { parseZoneFile } from "@ferry/core"
import { type Assembly, noteAt } from "./Collected.ts"
import { isDomainName } from "./Paths.ts"

/** Zone problems reported one by one before they are summarised. */
const maxProblemNotes = 20

/** DNS zones from `dnszones/<zone>.db` (§5.8); the records are kept as the source had them. */
export const buildZones = (a: Assembly, accountDomains: ReadonlySet<string>): void => {
  for (const file of a.meta.children("dnszones")) {
    const match = /^dnszones\/(.+)\.db$/.exec(file.rel)
    if (!match || file.type !== "file") continue
    a.meta.markUsed(file.rel)
    const name = (match[1] as string).toLowerCase()
    const id = `dnszone:${name}`
    if (!isDomainName(name)) {
      noteAt(a, "error", "zone-name-invalid", `file ${file.rel}`, file.rel, "the zone file is not named after a domain; skipped")
      continue
    }
    if (file.text === undefined) {
      noteAt(a, "error", "file-too-large", id, file.rel, "the zone file is larger than Ferry reads; skipped")
      continue
    }
    const zone = parseZoneFile(file.text, name)
    for (const p of zone.problems.slice(0, maxProblemNotes))
      noteAt(a, "warning", "zone-record", id, file.rel, `line ${p.line}: ${p.message}`)
    if (zone.problems.length > maxProblemNotes) {
      noteAt(a, "warning", "zone-record", id, file.rel, `${zone.problems.length - maxProblemNotes} more unreadable records`)
    }
    if (!accountDomains.has(name)) noteAt(a, "warning", "zone-foreign", id, file.rel, `${name} is not a domain of this account`)
    const validation = zone.records.filter((r) => /^(_cpanel-dcv-test-record|_acme-challenge)\./.test(r.name)).length
    if (validation > 0) {
      noteAt(
        a,
        "info",
        "zone-validation-records",
        id,
        file.rel,
        `${validation} certificate-validation records (_acme-challenge, _cpanel-dcv-test-record) are kept; the receiving server may drop them`,
      )
    }
    const soa = zone.soa
    a.builder.add({
      _tag: "DnsZone",
      id,
      owner: a.accountId,
      source: { path: file.path },
      name,
      ...(zone.defaultTtl !== undefined ? { defaultTtl: zone.defaultTtl } : {}),
      ...(soa
        ? {
            soa: {
              primaryNs: soa.primaryNs,
              hostmaster: soa.hostmaster,
              serial: soa.serial,
              refresh: soa.refresh,
              retry: soa.retry,
              expire: soa.expire,
              minimum: soa.minimum,
              ...(soa.ttl !== undefined ? { ttl: soa.ttl } : {}),
            },
          }
        : {}),
      records: zone.records,
    })
  }
}
