import type { DnsRecord } from "../model/Entity.ts"
import { type ZoneEntry, type ZoneToken, zoneEntries } from "./ZoneLexer.ts"
import { excerpt, isValidName, parseTtl, readRdata, readSoa, resolveName, type SoaFields, ZoneRecordError } from "./ZoneRdata.ts"

/**
 * A strict RFC 1035 master-file parser (security rule 18) and the matching writer. `$INCLUDE`
 * and `$GENERATE` are refused, never followed; every record that cannot be read becomes a
 * problem with its line number; nothing throws.
 */

export interface ZoneSoa extends SoaFields {
  readonly ttl?: number
}

export interface ParsedZone {
  /** The zone's name: absolute, lower-case, without the trailing dot. */
  readonly origin: string
  /** The first `$TTL`; records without their own `ttl` use it. */
  readonly defaultTtl?: number
  /** Names inside the SOA are absolute with their trailing dot, as in rdata. */
  readonly soa?: {
    primaryNs: string
    hostmaster: string
    serial: number
    refresh: number
    retry: number
    expire: number
    minimum: number
    ttl?: number
  }
  /** Every record but the SOA, in file order. */
  readonly records: ReadonlyArray<DnsRecord>
  readonly problems: ReadonlyArray<{ readonly line: number; readonly message: string }>
}

export interface ZoneFileLimits {
  readonly maxLineLength: number
  /** Characters of one record, across the lines its parentheses join. */
  readonly maxEntryLength: number
  readonly maxRecords: number
}

export const zoneFileLimits: ZoneFileLimits = {
  maxLineLength: 64 * 1024,
  maxEntryLength: 256 * 1024,
  maxRecords: 50_000,
}

const classPattern = /^(?:IN|CH|CS|HS|ANY|NONE|CLASS\d{1,5})$/i
const typePattern = /^[A-Z][A-Z0-9-]{0,15}$/

const normaliseZoneName = (name: string): string => (name.endsWith(".") ? name.slice(0, -1) : name).toLowerCase()

const inZone = (name: string, zone: string): boolean => zone === "" || name === zone || name.endsWith(`.${zone}`)

/** Mutable reading state: the current `$ORIGIN`, `$TTL`s and the previous owner. */
interface ReaderState {
  origin: string
  defaultTtl: number | undefined
  currentTtl: number | undefined
  lastExplicitTtl: number | undefined
  previousOwner: string | undefined
  soa: ZoneSoa | undefined
}

const readDirective = (entry: ZoneEntry, state: ReaderState): string | undefined => {
  const [first, argument, ...extra] = entry.tokens
  const directive = (first as ZoneToken).text.toUpperCase()
  if (directive === "$INCLUDE" || directive === "$GENERATE") return `${directive} is refused (never followed)`
  if (directive !== "$TTL" && directive !== "$ORIGIN") return `unknown directive ${excerpt(directive, 20)}; ignored`
  if (argument === undefined || extra.length > 0) return `${directive} needs exactly one argument; ignored`
  if (directive === "$TTL") {
    const ttl = argument.quoted ? undefined : parseTtl(argument.text)
    if (ttl === undefined) return `invalid $TTL ${excerpt(argument.text)}; ignored`
    state.defaultTtl ??= ttl
    state.currentTtl = ttl
    return undefined
  }
  try {
    state.origin = resolveName(argument, state.origin, { wildcard: false }).toLowerCase()
  } catch (e) {
    if (e instanceof ZoneRecordError) return `${e.message} in $ORIGIN; ignored`
    throw e
  }
  return undefined
}

/** RFC 2308 `$TTL`, else RFC 1035's "last stated TTL"; undefined when the zone default applies. */
const effectiveTtl = (explicit: number | undefined, state: ReaderState): number | undefined => {
  if (explicit !== undefined) {
    state.lastExplicitTtl = explicit
    return explicit
  }
  if (state.currentTtl !== undefined) return state.currentTtl === state.defaultTtl ? undefined : state.currentTtl
  return state.lastExplicitTtl
}

const readRecord = (entry: ZoneEntry, zone: string, state: ReaderState): DnsRecord | undefined => {
  let rest: ReadonlyArray<ZoneToken> = entry.tokens
  let owner: string
  if (entry.blankOwner) {
    if (state.previousOwner === undefined) throw new ZoneRecordError("record without an owner name and no previous owner")
    owner = state.previousOwner
  } else {
    owner = resolveName(rest[0] as ZoneToken, state.origin, { wildcard: true }).toLowerCase()
    rest = rest.slice(1)
  }
  state.previousOwner = owner
  if (!inZone(owner, zone)) throw new ZoneRecordError(`owner ${excerpt(owner)} is outside the zone ${zone}`)

  let ttl: number | undefined
  let recordClass: string | undefined
  let index = 0
  for (; index < rest.length && index < 2; index++) {
    const token = rest[index] as ZoneToken
    if (token.quoted) break
    if (classPattern.test(token.text)) {
      if (recordClass !== undefined) throw new ZoneRecordError("class given twice")
      recordClass = token.text.toUpperCase()
      continue
    }
    const value = parseTtl(token.text)
    if (value === undefined) break
    if (ttl !== undefined) throw new ZoneRecordError("TTL given twice")
    ttl = value
  }
  if (recordClass !== undefined && recordClass !== "IN") throw new ZoneRecordError(`class ${recordClass} is not supported`)
  const typeToken = rest[index]
  if (typeToken === undefined) throw new ZoneRecordError("record without a type")
  const type = typeToken.text.toUpperCase()
  if (typeToken.quoted || !typePattern.test(type)) throw new ZoneRecordError(`invalid record type ${excerpt(typeToken.text)}`)
  const rdata = rest.slice(index + 1)
  const resolvedTtl = effectiveTtl(ttl, state)

  if (type === "SOA") {
    if (owner !== zone) throw new ZoneRecordError(`SOA for ${excerpt(owner)} is not at the zone apex`)
    if (state.soa !== undefined) throw new ZoneRecordError("second SOA record")
    state.soa = { ...readSoa(rdata, state.origin), ...(resolvedTtl !== undefined ? { ttl: resolvedTtl } : {}) }
    return undefined
  }
  const { value, priority } = readRdata(type, rdata, state.origin)
  return {
    name: owner,
    ...(resolvedTtl !== undefined ? { ttl: resolvedTtl } : {}),
    type,
    value,
    ...(priority !== undefined ? { priority } : {}),
  }
}

/** Parse a zone file for `origin` (with or without the trailing dot). Never throws. */
export const parseZoneFile = (text: string, origin: string, limits: ZoneFileLimits = zoneFileLimits): ParsedZone => {
  const zone = normaliseZoneName(origin)
  const problems: Array<{ line: number; message: string }> = []
  const records: Array<DnsRecord> = []
  if (zone === "" || !isValidName(zone, { wildcard: false })) {
    return { origin: zone, records, problems: [{ line: 0, message: `invalid zone name ${excerpt(origin)}` }] }
  }
  const state: ReaderState = {
    origin: zone,
    defaultTtl: undefined,
    currentTtl: undefined,
    lastExplicitTtl: undefined,
    previousOwner: undefined,
    soa: undefined,
  }
  for (const entry of zoneEntries(text, limits)) {
    if ("error" in entry) {
      problems.push({ line: entry.line, message: `${entry.error}; ignored` })
      continue
    }
    const first = entry.tokens[0] as ZoneToken
    if (!entry.blankOwner && !first.quoted && first.text.startsWith("$")) {
      const problem = readDirective(entry, state)
      if (problem !== undefined) problems.push({ line: entry.line, message: problem })
      continue
    }
    if (records.length >= limits.maxRecords) {
      problems.push({ line: entry.line, message: `more than ${limits.maxRecords} records; the rest of the zone is ignored` })
      break
    }
    try {
      const record = readRecord(entry, zone, state)
      if (record !== undefined) records.push(record)
    } catch (e) {
      if (!(e instanceof ZoneRecordError)) throw e
      problems.push({ line: entry.line, message: `${e.message}; record ignored` })
    }
  }
  return {
    origin: zone,
    ...(state.defaultTtl !== undefined ? { defaultTtl: state.defaultTtl } : {}),
    ...(state.soa !== undefined ? { soa: state.soa } : {}),
    records,
    problems,
  }
}

/* Writing ---------------------------------------------------------------------------------- */

/** A zone that cannot be written without changing its meaning (or injecting lines). */
export class ZoneFormatError extends Error {
  override readonly name = "ZoneFormatError"
}

const checkTtl = (ttl: number, what: string): number => {
  if (!Number.isInteger(ttl) || ttl < 0 || ttl > 2147483647) throw new ZoneFormatError(`invalid ${what} ${ttl}`)
  return ttl
}

const checkRdataName = (name: string, what: string): string => {
  if (!name.endsWith(".") || !isValidName(name === "." ? "" : name.slice(0, -1), { wildcard: false })) {
    throw new ZoneFormatError(`invalid ${what} ${excerpt(name)}`)
  }
  return name
}

/** The value must lex back to exactly the tokens it was written as: no comments, parentheses or line breaks. */
const checkValue = (value: string, label: string): string => {
  const entries = [...zoneEntries(value, { maxLineLength: zoneFileLimits.maxLineLength, maxEntryLength: zoneFileLimits.maxEntryLength })]
  const entry = entries[0]
  if (
    entries.length !== 1 ||
    entry === undefined ||
    "error" in entry ||
    entry.blankOwner ||
    entry.tokens.map((t) => t.text).join(" ") !== value
  ) {
    throw new ZoneFormatError(`the value of ${label} cannot be written safely`)
  }
  return value
}

/** Write a BIND master file for the zone: `$ORIGIN`, `$TTL`, the SOA, then one line per record. */
export const formatZoneFile = (zone: {
  readonly name: string
  readonly defaultTtl?: number | undefined
  readonly soa?: ZoneSoa | undefined
  readonly records: ReadonlyArray<DnsRecord>
}): string => {
  const origin = normaliseZoneName(zone.name)
  if (origin === "" || !isValidName(origin, { wildcard: false })) throw new ZoneFormatError(`invalid zone name ${excerpt(zone.name)}`)
  const lines = [`$ORIGIN ${origin}.`]
  if (zone.defaultTtl !== undefined) lines.push(`$TTL ${checkTtl(zone.defaultTtl, "default TTL")}`)
  const { soa } = zone
  if (soa !== undefined) {
    if (!Number.isInteger(soa.serial) || soa.serial < 0 || soa.serial > 4294967295)
      throw new ZoneFormatError(`invalid SOA serial ${soa.serial}`)
    const timers = [
      checkTtl(soa.refresh, "SOA refresh"),
      checkTtl(soa.retry, "SOA retry"),
      checkTtl(soa.expire, "SOA expire"),
      checkTtl(soa.minimum, "SOA minimum"),
    ]
    lines.push(
      [
        `${origin}.`,
        ...(soa.ttl !== undefined ? [String(checkTtl(soa.ttl, "SOA TTL"))] : []),
        "IN SOA",
        checkRdataName(soa.primaryNs, "SOA primary name server"),
        checkRdataName(soa.hostmaster, "SOA hostmaster"),
        String(soa.serial),
        ...timers.map(String),
      ].join(" "),
    )
  }
  for (const record of zone.records) {
    const name = normaliseZoneName(record.name)
    const label = `${excerpt(name)} ${excerpt(record.type, 16)}`
    if (!isValidName(name, { wildcard: true }) || !inZone(name, origin))
      throw new ZoneFormatError(`record name ${excerpt(record.name)} is not in ${origin}`)
    if (!typePattern.test(record.type) || record.type === "SOA")
      throw new ZoneFormatError(`invalid record type ${excerpt(record.type, 16)}`)
    const ttl = record.ttl !== undefined ? `${checkTtl(record.ttl, `TTL of ${label}`)} ` : ""
    lines.push(`${name}. ${ttl}IN ${record.type} ${checkValue(record.value, label)}`)
  }
  return `${lines.join("\n")}\n`
}
