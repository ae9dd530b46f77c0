import { isIPv4, isIPv6 } from "node:net"
import type { ZoneToken } from "./ZoneLexer.ts"

/**
 * Names, TTLs and per-type rdata of zone-file records. Names are absolute, lower-case and without
 * the trailing dot when they are owners; inside rdata they keep their case and get a trailing dot.
 */

/** Thrown inside the zone parser for one record; it becomes a problem, never escapes. */
export class ZoneRecordError extends Error {}

// `/` appears in RFC 2317 classless reverse-delegation labels.
const labelPattern = /^[A-Za-z0-9_/-]{1,63}$/

/** A display-safe excerpt of untrusted text for problem messages. */
export const excerpt = (text: string, max = 64): string => {
  const clean = text.replace(/[^\x20-\x7e]/g, "?")
  return clean.length > max ? `${clean.slice(0, max)}…` : clean
}

/** Checks an absolute name without its trailing dot ("" is the root). */
export const isValidName = (name: string, options: { readonly wildcard: boolean }): boolean => {
  if (name === "") return true
  if (name.length > 253) return false
  const labels = name.split(".")
  return labels.every((label, i) => (options.wildcard && i === 0 && label === "*") || labelPattern.test(label))
}

const join = (relative: string, origin: string): string => (origin === "" ? relative : `${relative}.${origin}`)

/**
 * Resolve a name token against an origin (absolute, no trailing dot). Returns the absolute name
 * without its trailing dot, as written (case kept).
 */
export const resolveName = (token: ZoneToken, origin: string, options: { readonly wildcard: boolean }): string => {
  if (token.quoted) throw new ZoneRecordError(`a domain name cannot be quoted: ${excerpt(token.text)}`)
  const text = token.text
  let name: string
  if (text === "@") name = origin
  else if (text === ".") name = ""
  else if (text.endsWith(".")) name = text.slice(0, -1)
  else name = join(text, origin)
  if (!isValidName(name, options)) throw new ZoneRecordError(`invalid domain name ${excerpt(text)}`)
  return name
}

/** A name inside rdata, absolute with its trailing dot ("." for the root). */
const rdataName = (token: ZoneToken, origin: string): string => {
  const name = resolveName(token, origin, { wildcard: false })
  return `${name}.`
}

/** RFC 1035 TTL or BIND's unit form (`1h30m`, `2w`); undefined when the token is not one. */
export const parseTtl = (text: string): number | undefined => {
  let seconds: number
  if (/^\d{1,10}$/.test(text)) {
    seconds = Number(text)
  } else if (/^(?:\d{1,10}[wdhms])+$/i.test(text)) {
    const factor: Record<string, number> = { w: 604800, d: 86400, h: 3600, m: 60, s: 1 }
    seconds = 0
    for (const m of text.toLowerCase().matchAll(/(\d+)([wdhms])/g)) seconds += Number(m[1]) * (factor[m[2] as string] ?? 0)
  } else {
    return undefined
  }
  return seconds <= 2147483647 ? seconds : undefined
}

const unsigned = (token: ZoneToken | undefined, max: number, what: string): number => {
  if (token === undefined || token.quoted || !/^\d{1,10}$/.test(token.text) || Number(token.text) > max) {
    throw new ZoneRecordError(`invalid ${what}${token ? ` ${excerpt(token.text)}` : ""}`)
  }
  return Number(token.text)
}

const ttlField = (token: ZoneToken | undefined, what: string): number => {
  const value = token !== undefined && !token.quoted ? parseTtl(token.text) : undefined
  if (value === undefined) throw new ZoneRecordError(`invalid ${what}${token ? ` ${excerpt(token.text)}` : ""}`)
  return value
}

const hex = (tokens: ReadonlyArray<ZoneToken>, what: string): string => {
  const text = tokens.map((t) => t.text).join("")
  if (tokens.length === 0 || tokens.some((t) => t.quoted) || !/^[0-9A-Fa-f]+$/.test(text)) throw new ZoneRecordError(`invalid ${what}`)
  return text.toUpperCase()
}

/** Length in octets of one character-string once its escapes are decoded. */
const characterStringLength = (token: ZoneToken): number => {
  const body = token.quoted ? token.text.slice(1, -1) : token.text
  let octets = 0
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string
    if (c === "\\") {
      i += /^\d{3}/.test(body.slice(i + 1, i + 4)) ? 3 : 1
      octets++
    } else {
      octets += Buffer.byteLength(c)
    }
  }
  return octets
}

const count = (tokens: ReadonlyArray<ZoneToken>, n: number, type: string): void => {
  if (tokens.length !== n) throw new ZoneRecordError(`${type} needs ${n} rdata field${n === 1 ? "" : "s"}, found ${tokens.length}`)
}

export interface SoaFields {
  readonly primaryNs: string
  readonly hostmaster: string
  readonly serial: number
  readonly refresh: number
  readonly retry: number
  readonly expire: number
  readonly minimum: number
}

export const readSoa = (tokens: ReadonlyArray<ZoneToken>, origin: string): SoaFields => {
  count(tokens, 7, "SOA")
  const [mname, rname, serial, refresh, retry, expire, minimum] = tokens
  return {
    primaryNs: rdataName(mname as ZoneToken, origin),
    hostmaster: rdataName(rname as ZoneToken, origin),
    serial: unsigned(serial, 4294967295, "SOA serial"),
    refresh: ttlField(refresh, "SOA refresh"),
    retry: ttlField(retry, "SOA retry"),
    expire: ttlField(expire, "SOA expire"),
    minimum: ttlField(minimum, "SOA minimum"),
  }
}

/** Presentation-form value (and MX/SRV priority) of one record's rdata. */
export const readRdata = (
  type: string,
  tokens: ReadonlyArray<ZoneToken>,
  origin: string,
): { readonly value: string; readonly priority?: number } => {
  if (tokens.length === 0) throw new ZoneRecordError(`${type} record without data`)
  const t = (i: number): ZoneToken => tokens[i] as ZoneToken
  switch (type) {
    case "A":
      count(tokens, 1, type)
      if (t(0).quoted || !isIPv4(t(0).text)) throw new ZoneRecordError(`invalid IPv4 address ${excerpt(t(0).text)}`)
      return { value: t(0).text }
    case "AAAA":
      count(tokens, 1, type)
      if (t(0).quoted || !isIPv6(t(0).text)) throw new ZoneRecordError(`invalid IPv6 address ${excerpt(t(0).text)}`)
      return { value: t(0).text }
    case "NS":
    case "CNAME":
    case "PTR":
    case "DNAME":
      count(tokens, 1, type)
      return { value: rdataName(t(0), origin) }
    case "MX": {
      count(tokens, 2, type)
      const priority = unsigned(t(0), 65535, "MX preference")
      return { value: `${priority} ${rdataName(t(1), origin)}`, priority }
    }
    case "SRV": {
      count(tokens, 4, type)
      const priority = unsigned(t(0), 65535, "SRV priority")
      const weight = unsigned(t(1), 65535, "SRV weight")
      const port = unsigned(t(2), 65535, "SRV port")
      return { value: `${priority} ${weight} ${port} ${rdataName(t(3), origin)}`, priority }
    }
    case "TXT":
    case "SPF":
      for (const token of tokens) {
        if (characterStringLength(token) > 255)
          throw new ZoneRecordError(`${type} string longer than 255 octets; split it into several strings`)
      }
      return { value: tokens.map((token) => token.text).join(" ") }
    case "CAA": {
      count(tokens, 3, type)
      const flags = unsigned(t(0), 255, "CAA flags")
      if (t(1).quoted || !/^[A-Za-z0-9]{1,15}$/.test(t(1).text)) throw new ZoneRecordError(`invalid CAA tag ${excerpt(t(1).text)}`)
      return { value: `${flags} ${t(1).text} ${t(2).text}` }
    }
    case "NAPTR": {
      count(tokens, 6, type)
      const order = unsigned(t(0), 65535, "NAPTR order")
      const preference = unsigned(t(1), 65535, "NAPTR preference")
      return { value: `${order} ${preference} ${t(2).text} ${t(3).text} ${t(4).text} ${rdataName(t(5), origin)}` }
    }
    case "DS": {
      if (tokens.length < 4) throw new ZoneRecordError("DS needs a key tag, algorithm, digest type and digest")
      return {
        value: `${unsigned(t(0), 65535, "DS key tag")} ${unsigned(t(1), 255, "DS algorithm")} ${unsigned(t(2), 255, "DS digest type")} ${hex(tokens.slice(3), "DS digest")}`,
      }
    }
    case "TLSA": {
      if (tokens.length < 4) throw new ZoneRecordError("TLSA needs usage, selector, matching type and data")
      return {
        value: `${unsigned(t(0), 255, "TLSA usage")} ${unsigned(t(1), 255, "TLSA selector")} ${unsigned(t(2), 255, "TLSA matching type")} ${hex(tokens.slice(3), "TLSA data")}`,
      }
    }
    case "SSHFP": {
      if (tokens.length < 3) throw new ZoneRecordError("SSHFP needs algorithm, fingerprint type and fingerprint")
      return {
        value: `${unsigned(t(0), 255, "SSHFP algorithm")} ${unsigned(t(1), 255, "SSHFP type")} ${hex(tokens.slice(2), "SSHFP fingerprint")}`,
      }
    }
    default:
      // Types Ferry does not interpret travel as written; names inside them stay relative.
      return { value: tokens.map((token) => token.text).join(" ") }
  }
}
