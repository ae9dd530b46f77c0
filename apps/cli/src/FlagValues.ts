import { isIP } from "node:net"
import { type LimitKey, Limits, type PermissionKey, Permissions } from "@ferry/core"
import { Effect, Result } from "effect"
import { CliError, Flag } from "effect/cli"

/* Parsers for flag values that are more than a word: each returns the value or what was expected. */

export type Parsed<A> = Result.Result<A, string>

/** A flag whose values go through `parse`; a failure is a usage error (exit 2) naming the flag. */
export const parsedFlag = <A>(flag: Flag.Flag<string>, name: string, parse: (text: string) => Parsed<A>): Flag.Flag<A> =>
  flag.pipe(
    Flag.mapEffect((text) => {
      const result = parse(text)
      return Result.isSuccess(result)
        ? Effect.succeed(result.success)
        : Effect.fail(new CliError.InvalidValue({ option: name, value: text, expected: result.failure, kind: "flag" }))
    }),
  )

/** A repeatable flag whose whole list is checked once more (e.g. for a key given twice). */
export const checkedList = <A, B>(
  flag: Flag.Flag<ReadonlyArray<A>>,
  name: string,
  check: (values: ReadonlyArray<A>) => Parsed<B>,
): Flag.Flag<B> =>
  flag.pipe(
    Flag.mapEffect((values) => {
      const result = check(values)
      return Result.isSuccess(result)
        ? Effect.succeed(result.success)
        : Effect.fail(new CliError.InvalidValue({ option: name, value: `${values.length} values`, expected: result.failure, kind: "flag" }))
    }),
  )

// A login as panels allow it: letters, digits and . _ - (ispmanager, cPanel, Plesk are all stricter).
const loginPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

export const parseLogin = (text: string): Parsed<string> =>
  loginPattern.test(text) ? Result.succeed(text) : Result.fail("a login: letters, digits, '.', '_', '-', at most 64 characters")

/** "alice,bob" → ["alice", "bob"]: the accounts to import. */
export const parseUsers = (text: string): Parsed<ReadonlyArray<string>> => {
  const users = [...new Set(text.split(",").map((u) => u.trim()))]
  if (users.length === 0 || users.some((u) => u === "")) return Result.fail("comma-separated logins, e.g. alice,bob")
  const bad = users.find((u) => !loginPattern.test(u))
  return bad === undefined ? Result.succeed(users) : Result.fail(`comma-separated logins; "${bad}" is not a login`)
}

const splitPair = (text: string): readonly [string, string] | undefined => {
  const eq = text.indexOf("=")
  if (eq <= 0 || eq === text.length - 1) return undefined
  return [text.slice(0, eq).trim(), text.slice(eq + 1).trim()]
}

/** "203.0.113.5=198.51.100.7": a source IP and the target IP replacing it. */
export const parseIpPair = (text: string): Parsed<readonly [string, string]> => {
  const pair = splitPair(text)
  if (pair === undefined || isIP(pair[0]) === 0 || isIP(pair[1]) === 0) {
    return Result.fail("OLD=NEW, two IP addresses, e.g. 203.0.113.5=198.51.100.7")
  }
  return Result.succeed(pair)
}

const serverPattern = /^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,254}$/

/** "localhost:3306=mariadb-main": a source database server and the target server id. */
export const parseDbPair = (text: string): Parsed<readonly [string, string]> => {
  const pair = splitPair(text)
  if (pair === undefined || !serverPattern.test(pair[0]) || !serverPattern.test(pair[1])) {
    return Result.fail("SOURCE=TARGET, a source database server (host or version) and a target server id")
  }
  return Result.succeed(pair)
}

const sizeUnits: Record<string, number> = {
  "": 1,
  B: 1,
  K: 1024,
  KB: 1000,
  KIB: 1024,
  M: 1024 ** 2,
  MB: 1000 ** 2,
  MIB: 1024 ** 2,
  G: 1024 ** 3,
  GB: 1000 ** 3,
  GIB: 1024 ** 3,
  T: 1024 ** 4,
  TB: 1000 ** 4,
  TIB: 1024 ** 4,
}

/** "10GiB" → bytes. KiB/MiB/GiB/TiB (and bare K/M/G/T) are binary, KB/MB/GB/TB decimal. */
export const parseSize = (text: string): Parsed<number> => {
  const match = /^(\d+(?:\.\d+)?)\s*([A-Za-z]*)$/.exec(text.trim())
  const factor = match === null ? undefined : sizeUnits[(match[2] ?? "").toUpperCase()]
  if (match === null || factor === undefined) return Result.fail("a size such as 500MiB, 10GiB, 2TB or a number of bytes")
  const bytes = Math.round(Number(match[1]) * factor)
  return Number.isSafeInteger(bytes) ? Result.succeed(bytes) : Result.fail("a size below 8 PiB")
}

export const limitKeys = Object.keys(Limits.fields) as ReadonlyArray<LimitKey>
export const permissionKeys = Object.keys(Permissions.fields) as ReadonlyArray<PermissionKey>

const isSizeKey = (key: LimitKey) => key.endsWith("Bytes") || key === "trafficBytesPerMonth"

/** `--limit key=value`: a count, a size for the *Bytes keys, a date or Unix time for expiresAt, or unlimited. */
export const parseLimit = (text: string): Parsed<readonly [LimitKey, number | null]> => {
  const pair = splitPair(text)
  const key = limitKeys.find((k) => k === pair?.[0])
  if (pair === undefined || key === undefined) return Result.fail(`KEY=VALUE with KEY one of ${limitKeys.join(", ")}`)
  const value = pair[1]
  if (value === "unlimited") return Result.succeed([key, null])
  if (isSizeKey(key)) {
    const size = parseSize(value)
    return Result.isSuccess(size) ? Result.succeed([key, size.success]) : Result.fail(`${key}=SIZE or ${key}=unlimited: ${size.failure}`)
  }
  if (key === "expiresAt") {
    if (/^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
      return Result.succeed([key, Date.parse(`${value}T00:00:00Z`) / 1000])
    }
    if (/^\d{1,12}$/.test(value)) return Result.succeed([key, Number(value)])
    return Result.fail("expiresAt=YYYY-MM-DD, a Unix time in seconds, or unlimited")
  }
  if (/^\d{1,15}$/.test(value)) return Result.succeed([key, Number(value)])
  return Result.fail(`${key}=N (a whole number) or ${key}=unlimited`)
}

/** `--permission key=on|off`. */
export const parsePermission = (text: string): Parsed<readonly [PermissionKey, boolean]> => {
  const pair = splitPair(text)
  const key = permissionKeys.find((k) => k === pair?.[0])
  if (pair === undefined || key === undefined) return Result.fail(`KEY=on|off with KEY one of ${permissionKeys.join(", ")}`)
  if (pair[1] === "on") return Result.succeed([key, true])
  if (pair[1] === "off") return Result.succeed([key, false])
  return Result.fail(`${key}=on or ${key}=off`)
}

export const parseIp = (text: string): Parsed<string> => (isIP(text) === 0 ? Result.fail("an IPv4 or IPv6 address") : Result.succeed(text))

/** Key/value pairs into a record; a key given twice with different values is an error. */
export const entriesToRecord = <K extends string, V>(entries: ReadonlyArray<readonly [K, V]>): Parsed<Partial<Record<K, V>>> => {
  const record: Partial<Record<K, V>> = {}
  for (const [key, value] of entries) {
    const earlier = record[key]
    if (Object.hasOwn(record, key) && earlier !== value)
      return Result.fail(`${key} is given twice (${String(earlier)} and ${String(value)})`)
    record[key] = value
  }
  return Result.succeed(record)
}
