import { type DnsZone, parseZoneFile } from "@ferry/core"
import { type Assembly, noteObject, ownerId } from "./Assembly.ts"
import type { Fields } from "./Fields.ts"
import type { PanelObject } from "./PanelObject.ts"

/*
 * DNS zones (`domain` in ISPtar, `zones` in ispmanager 4). Where the records sit is not
 * documented: Ferry reads repeated `record` elements (fields `name`, `ttl`, `rtype`/`type`,
 * `value`, optional `priority` — the `domain.record` form fields of §7.3) and a zone-file text
 * field (`zone`, `zonefile`). Records are rewritten as master-file lines and read by Ferry's
 * strict zone parser, so every value is validated the same way as a cPanel zone.
 */

const typePattern = /^[A-Za-z][A-Za-z0-9]{0,15}$/
const unsafe = /[\r\n\0;()]/

const quoteText = (value: string): string => (/^".*"$/s.test(value) ? value : `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`)

/** One record as a master-file line, or why it cannot be one. */
const recordLine = (record: Fields): string | { problem: string } => {
  const label = record.text("name", "host") ?? "@"
  const type = (record.text("rtype", "type") ?? "").toUpperCase()
  const value = record.text("value", "data", "content")
  const ttl = record.text("ttl")
  const priority = record.text("priority", "prio", "pref")
  if (!typePattern.test(type)) return { problem: `a record with type ${JSON.stringify(type.slice(0, 20))}` }
  if (value === undefined) return { problem: `a ${type} record without a value` }
  if (/\s/.test(label) || unsafe.test(label)) return { problem: `a record named ${JSON.stringify(label.slice(0, 40))}` }
  if (ttl !== undefined && !/^\d{1,10}$/.test(ttl)) return { problem: `a ${type} record with TTL ${JSON.stringify(ttl.slice(0, 20))}` }
  if (priority !== undefined && !/^\d{1,5}$/.test(priority))
    return { problem: `a ${type} record with priority ${JSON.stringify(priority.slice(0, 20))}` }
  const isText = type === "TXT" || type === "SPF"
  if (!isText && unsafe.test(value)) return { problem: `a ${type} record whose value holds line breaks or zone-file syntax` }
  if (isText && /[\r\n\0]/.test(value)) return { problem: `a ${type} record with a line break` }
  const rdata = isText ? quoteText(value) : priority !== undefined && !/^\d/.test(value) ? `${priority} ${value}` : value
  return `${label === "" ? "@" : label}${ttl !== undefined ? ` ${ttl}` : ""} IN ${type} ${rdata}`
}

export const buildZones = (a: Assembly, objects: ReadonlyArray<PanelObject>): void => {
  for (const object of objects) {
    const f = object.fields
    const name = (f.text("name") ?? object.name).toLowerCase().replace(/\.$/, "")
    const kind = f.text("dtype", "type")?.toLowerCase()
    f.mark("owner", "ip", "ipsrc", "ns", "dnssec", "reversezone", "elid")
    if (kind === "slave" || kind === "secondary") {
      noteObject(a, object, "info", "secondary-zone", "a secondary (slave) zone: its master is elsewhere; not imported")
      continue
    }
    const lines: Array<string> = []
    const problems: Array<string> = []
    const records = [...f.children("record"), ...f.children("records").flatMap((r) => r.children("record"))]
    for (const record of records) {
      const line = recordLine(record)
      if (typeof line === "string") lines.push(line)
      else problems.push(line.problem)
    }
    const text = f.text("zone", "zonefile", "zone_file")
    const parsed = parseZoneFile(text !== undefined ? `${text}\n${lines.join("\n")}` : lines.join("\n"), name)
    for (const problem of [...problems, ...parsed.problems.map((p) => `line ${p.line}: ${p.message}`)]) {
      noteObject(a, object, "warning", "dns-record-skipped", `${problem}; skipped`)
    }
    if (parsed.records.length === 0) {
      noteObject(a, object, "info", "zone-empty", "no records in the backup; the receiving server's zone template applies")
    }
    const zone: DnsZone = {
      _tag: "DnsZone",
      id: `dnszone:${name}`,
      owner: ownerId(a, object),
      source: object.source,
      name,
      ...(parsed.defaultTtl !== undefined ? { defaultTtl: parsed.defaultTtl } : {}),
      ...(parsed.soa !== undefined ? { soa: parsed.soa } : {}),
      records: [...parsed.records],
    }
    a.builder.add(zone)
  }
}
