import { Result } from "effect"
import { describe, expect, it } from "vitest"
import {
  entriesToRecord,
  limitKeys,
  parseDbPair,
  parseIpPair,
  parseLimit,
  parsePermission,
  parseSize,
  parseUsers,
  permissionKeys,
} from "../src/FlagValues.ts"
import { defaultStateDir } from "../src/TargetOptions.ts"

const ok = <A>(result: Result.Result<A, string>): A => {
  if (Result.isFailure(result)) throw new Error(`expected success, got: ${result.failure}`)
  return result.success
}
const failure = <A>(result: Result.Result<A, string>): string => {
  if (Result.isSuccess(result)) throw new Error(`expected failure, got: ${JSON.stringify(result.success)}`)
  return result.failure
}

describe("flag values", () => {
  it("--users: comma-separated logins, duplicates once", () => {
    expect(ok(parseUsers("alice,bob,alice"))).toEqual(["alice", "bob"])
    expect(ok(parseUsers(" alice , bob "))).toEqual(["alice", "bob"])
    expect(failure(parseUsers("alice,,bob"))).toContain("comma-separated")
    expect(failure(parseUsers("alice,b ob"))).toContain('"b ob"')
  })

  it("--ip-map: two IP addresses, v4 or v6", () => {
    expect(ok(parseIpPair("203.0.113.5=198.51.100.7"))).toEqual(["203.0.113.5", "198.51.100.7"])
    expect(ok(parseIpPair("2001:db8::1=203.0.113.5"))).toEqual(["2001:db8::1", "203.0.113.5"])
    for (const bad of ["203.0.113.5", "=1.2.3.4", "1.2.3.4=", "1.2.3.4=example.com", "999.1.1.1=1.2.3.4"]) {
      expect(failure(parseIpPair(bad)), bad).toContain("OLD=NEW")
    }
  })

  it("--db-map: a source server and a target id", () => {
    expect(ok(parseDbPair("localhost:3306=mariadb-main"))).toEqual(["localhost:3306", "mariadb-main"])
    expect(failure(parseDbPair("localhost"))).toContain("SOURCE=TARGET")
    expect(failure(parseDbPair("local host=x"))).toContain("SOURCE=TARGET")
  })

  it("a key given twice with different values is an error; the same pair twice is not", () => {
    expect(ok(entriesToRecord([["a", "1"] as const, ["a", "1"] as const]))).toEqual({ a: "1" })
    expect(failure(entriesToRecord([["a", "1"] as const, ["a", "2"] as const]))).toBe("a is given twice (1 and 2)")
  })

  it("sizes: binary with i or a bare letter, decimal without", () => {
    expect(ok(parseSize("10GiB"))).toBe(10 * 1024 ** 3)
    expect(ok(parseSize("10G"))).toBe(10 * 1024 ** 3)
    expect(ok(parseSize("10GB"))).toBe(10 * 1000 ** 3)
    expect(ok(parseSize("1.5 MiB"))).toBe(1.5 * 1024 ** 2)
    expect(ok(parseSize("4096"))).toBe(4096)
    expect(failure(parseSize("ten gigs"))).toContain("size")
  })

  it("--limit: every Limits key, counts, sizes, dates, unlimited", () => {
    expect(limitKeys).toContain("domains")
    expect(limitKeys).toContain("diskBytes")
    expect(ok(parseLimit("domains=10"))).toEqual(["domains", 10])
    expect(ok(parseLimit("mailboxes=unlimited"))).toEqual(["mailboxes", null])
    expect(ok(parseLimit("diskBytes=10GiB"))).toEqual(["diskBytes", 10 * 1024 ** 3])
    expect(ok(parseLimit("expiresAt=2026-12-31"))).toEqual(["expiresAt", Date.UTC(2026, 11, 31) / 1000])
    expect(failure(parseLimit("domains=ten"))).toContain("whole number")
    expect(failure(parseLimit("domains=-1"))).toContain("whole number")
    expect(failure(parseLimit("planets=1"))).toContain("KEY one of domains")
    expect(failure(parseLimit("__proto__=1"))).toContain("KEY one of")
  })

  it("--permission: every Permissions key, on or off", () => {
    expect(permissionKeys).toContain("manageDns")
    expect(ok(parsePermission("manageDns=on"))).toEqual(["manageDns", true])
    expect(ok(parsePermission("shellAccess=off"))).toEqual(["shellAccess", false])
    expect(failure(parsePermission("shellAccess=yes"))).toBe("shellAccess=on or shellAccess=off")
    expect(failure(parsePermission("fly=on"))).toContain("KEY=on|off")
  })

  it("state directory: XDG_STATE_HOME when absolute, else ~/.local/state", () => {
    expect(defaultStateDir({ XDG_STATE_HOME: "/var/state" }, "/home/u")).toBe("/var/state/ferry")
    expect(defaultStateDir({ XDG_STATE_HOME: "relative" }, "/home/u")).toBe("/home/u/.local/state/ferry")
    expect(defaultStateDir({}, "/home/u")).toBe("/home/u/.local/state/ferry")
  })
})
