import type { DnsRecord } from "@ferry/core"
import { type Assembly, isDomainName, noteAt } from "./Context.ts"
import type { XNode } from "./Xml.ts"

/** Record types whose data is one host name. */
const hostTypes = new Set(["CNAME", "NS", "PTR", "DNAME"])

/** `www` → `www.example.com`, `example.com.` → `example.com`; undefined for anything that is no name. */
const ownerName = (src: string, zone: string): string | undefined => {
  const v = src.trim().toLowerCase()
  if (v === "" || v === "@" || v === `${zone}.` || v === zone) return zone
  const absolute = v.endsWith(".") ? v.slice(0, -1) : v === zone || v.endsWith(`.${zone}`) ? v : `${v}.${zone}`
  const bare = absolute.startsWith("*.") ? absolute.slice(2) : absolute
  return isDomainName(bare) ? absolute : undefined
}

/** A host name in record data, absolute with the trailing dot (zone-file presentation form). */
const hostValue = (dst: string, zone: string): string | undefined => {
  const v = dst.trim().toLowerCase()
  if (v === "" || v === "@") return `${zone}.`
  const absolute = v.endsWith(".") ? v.slice(0, -1) : v.endsWith(`.${zone}`) || v === zone ? v : `${v}.${zone}`
  return isDomainName(absolute) ? `${absolute}.` : undefined
}

const quoteTxt = (text: string): string => {
  const parts: Array<string> = []
  for (let i = 0; i < Math.max(1, text.length); i += 255) parts.push(`"${text.slice(i, i + 255).replace(/["\\]/g, "\\$&")}"`)
  return parts.join(" ")
}

/**
 * A DNS zone from `dns-zone/dnsrec(type, src, dst, opt)` (plesk.md §3): MX priority in `opt`,
 * SRV `opt` = "priority weight port". Records Ferry cannot express are notes.
 */
export const readZone = (a: Assembly, zone: XNode, domain: string, owner: string | null): void => {
  const id = `dnszone:${domain}`
  zone.ignore("type", "serial-format", "email", "status")
  const records: Array<DnsRecord> = []
  const problems: Array<string> = []
  for (const rec of zone.all("dnsrec")) {
    const type = (rec.get("type") ?? "").trim().toUpperCase()
    const src = rec.get("src") ?? ""
    const dst = rec.get("dst") ?? ""
    const opt = (rec.get("opt") ?? "").trim()
    const name = ownerName(src, domain)
    if (!/^[A-Z0-9]{1,10}$/.test(type) || name === undefined || /[\r\n\u0000]/.test(dst)) {
      problems.push(`${type || "?"} ${src.slice(0, 60)}`)
      continue
    }
    const record = (value: string, priority?: number): DnsRecord => ({ name, type, value, ...(priority !== undefined ? { priority } : {}) })
    if (type === "MX") {
      const host = hostValue(dst, domain)
      const priority = /^\d{1,5}$/.test(opt) ? Number(opt) : undefined
      if (host === undefined || priority === undefined) problems.push(`MX ${src.slice(0, 60)}`)
      else records.push(record(`${priority} ${host}`, priority))
    } else if (type === "SRV") {
      const host = hostValue(dst, domain)
      const numbers = opt.split(/\s+/)
      if (host === undefined || numbers.length !== 3 || !numbers.every((n) => /^\d{1,5}$/.test(n))) problems.push(`SRV ${src.slice(0, 60)}`)
      else records.push(record(`${numbers.join(" ")} ${host}`, Number(numbers[0])))
    } else if (hostTypes.has(type)) {
      const host = hostValue(dst, domain)
      if (host === undefined) problems.push(`${type} ${src.slice(0, 60)}`)
      else records.push(record(host))
    } else if (type === "TXT" || type === "SPF") {
      records.push(record(quoteTxt(dst)))
    } else {
      records.push(record(opt !== "" ? `${opt} ${dst.trim()}` : dst.trim()))
    }
  }
  if (problems.length > 0)
    noteAt(
      a,
      zone,
      "warning",
      "dns-record-invalid",
      id,
      `${problems.length} records cannot be read and are left out: ${problems.slice(0, 8).join(", ")}`,
    )
  a.builder.add({ _tag: "DnsZone", id, owner, source: { path: zone.file, detail: zone.path }, name: domain, records })
}
