import { describe, expect, it } from "vitest"
import {
  collisionKey,
  defaultLimits,
  isInside,
  normaliseEntryName,
  type ResolvedLink,
  resolveSymlinkTarget,
  sanitiseMode,
  type UnsafeLink,
  type UnsafePath,
} from "../src/index.ts"

const ruleOf = (value: string | ResolvedLink | UnsafePath | UnsafeLink): string =>
  typeof value === "string" ? `ok:${value}` : "resolved" in value ? `ok:${value.resolved}` : value.rule

describe("normaliseEntryName", () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ["public_html/index.php", "ok:public_html/index.php"],
    ["./cpmove-u/cp/u", "ok:cpmove-u/cp/u"],
    ["././a", "ok:a"],
    ["dir/", "ok:dir"],
    ["dir//", "ok:dir"],
    ["name with spaces/@ and %20.txt", "ok:name with spaces/@ and %20.txt"],
    ["..", "traversal"],
    ["../x", "traversal"],
    ["a/../../x", "traversal"],
    ["a/..", "traversal"],
    ["/etc/passwd", "absolute"],
    ["//etc/x", "absolute"],
    ["C:\\x", "windows"],
    ["c:../x", "windows"],
    ["..\\..\\x", "windows"],
    ["a\\b", "windows"],
    ["a\0b", "nul"],
    ["a\nb", "control-character"],
    ["a\rb", "control-character"],
    ["", "empty-component"],
    [".", "empty-component"],
    ["./", "empty-component"],
    ["a//b", "empty-component"],
    ["a/./b", "empty-component"],
  ]
  for (const [raw, expected] of cases) {
    it(`${JSON.stringify(raw)} → ${expected}`, () => {
      expect(ruleOf(normaliseEntryName(raw, defaultLimits))).toBe(expected)
    })
  }

  it("returns NFC names", () => {
    expect(normaliseEntryName("cafe\u0301/x", defaultLimits)).toBe("caf\u00e9/x")
  })

  it("enforces depth and length limits in bytes", () => {
    const limits = { maxDepth: 3, maxPathLength: 10 }
    expect(ruleOf(normaliseEntryName("a/b/c", limits))).toBe("ok:a/b/c")
    expect(ruleOf(normaliseEntryName("a/b/c/d", limits))).toBe("too-deep")
    expect(ruleOf(normaliseEntryName("ééééé", limits))).toBe("ok:ééééé")
    expect(ruleOf(normaliseEntryName("éééééé", limits))).toBe("too-long")
  })
})

describe("collisionKey", () => {
  it("folds case and compatibility forms", () => {
    expect(collisionKey("\ufb00")).toBe(collisionKey("FF"))
    expect(collisionKey("caf\u00e9")).toBe(collisionKey("CAFE\u0301"))
    expect(collisionKey("a")).not.toBe(collisionKey("b"))
  })
})

describe("resolveSymlinkTarget", () => {
  const cases: ReadonlyArray<readonly [string, string, string]> = [
    ["a/l", "b", "ok:a/b"],
    ["a/l", "../b", "ok:b"],
    ["a/b/l", "../../c", "ok:c"],
    ["l", ".", "ok:"],
    ["a/l", "..", "ok:"],
    ["a/b/l", "../../..", "escapes-root"],
    ["l", "../x", "escapes-root"],
    ["l", "/etc", "absolute-target"],
    ["l", "", "empty-target"],
    ["l", "..\\x", "escapes-root"],
    ["l", "a\0b", "escapes-root"],
  ]
  for (const [link, target, expected] of cases) {
    it(`${link} → ${JSON.stringify(target)}: ${expected}`, () => {
      expect(ruleOf(resolveSymlinkTarget(link, target))).toBe(expected)
    })
  }

  it("refuses a target that walks through another link of the archive", () => {
    const links = new Set(["d/up"])
    expect(ruleOf(resolveSymlinkTarget("l", "d/up/../x", "", (p) => links.has(p)))).toBe("through-symlink")
    expect(ruleOf(resolveSymlinkTarget("l", "d/up", "", (p) => links.has(p)))).toBe("ok:d/up")
  })

  it("keeps the links of a nested archive inside its mount", () => {
    expect(ruleOf(resolveSymlinkTarget("home/l", "../cp/u", "home"))).toBe("escapes-root")
    expect(ruleOf(resolveSymlinkTarget("home/a/l", "../b", "home"))).toBe("ok:home/b")
  })
})

describe("isInside (rule 6 containment)", () => {
  it("rejects the sibling-prefix trap /srv/imp/u1-evil for root /srv/imp/u1", () => {
    expect(isInside("/srv/imp/u1", "/srv/imp/u1-evil")).toBe(false)
    expect(isInside("/srv/imp/u1", "/srv/imp/u1-evil/x")).toBe(false)
    expect(isInside("/srv/imp/u1", "../u1-evil/x")).toBe(false)
    // The string-prefix test that rule 6 forbids would accept it:
    expect("/srv/imp/u1-evil/x".startsWith("/srv/imp/u1")).toBe(true)
  })

  it("accepts names below the root and refuses the root itself and anything above", () => {
    expect(isInside("/srv/imp/u1", "public_html/index.php")).toBe(true)
    expect(isInside("/srv/imp/u1", "/srv/imp/u1/x")).toBe(true)
    expect(isInside("/srv/imp/u1", "a/../b")).toBe(true)
    expect(isInside("/srv/imp/u1", "")).toBe(false)
    expect(isInside("/srv/imp/u1", ".")).toBe(false)
    expect(isInside("/srv/imp/u1", "..")).toBe(false)
    expect(isInside("/srv/imp/u1", "a/../../x")).toBe(false)
    expect(isInside("/srv/imp/u1", "/etc/passwd")).toBe(false)
    expect(isInside("/srv/imp/u1", "..x")).toBe(true)
  })
})

describe("sanitiseMode", () => {
  it("strips special bits and caps modes at 0644 / 0755", () => {
    expect(sanitiseMode(0o4755, "file")).toBe(0o755)
    expect(sanitiseMode(0o2755, "file")).toBe(0o755)
    expect(sanitiseMode(0o4644, "file")).toBe(0o644)
    expect(sanitiseMode(0o666, "file")).toBe(0o644)
    expect(sanitiseMode(0o777, "file")).toBe(0o755)
    expect(sanitiseMode(0o1777, "directory")).toBe(0o755)
    expect(sanitiseMode(0o777, "directory")).toBe(0o755)
  })

  // Rule 7 caps modes; it must never widen them. ~/.ssh (0700) with id_rsa (0600), mail
  // directories (0700) and wp-config.php (0600/0640) would otherwise become readable by every
  // local user once placed in a traversable (0711) home.
  it("never widens a private mode", () => {
    expect(sanitiseMode(0o600, "file")).toBe(0o600)
    expect(sanitiseMode(0o640, "file")).toBe(0o640)
    expect(sanitiseMode(0o400, "file")).toBe(0o400)
    expect(sanitiseMode(0o700, "file")).toBe(0o700)
    expect(sanitiseMode(0o4700, "file")).toBe(0o700)
    expect(sanitiseMode(0o700, "directory")).toBe(0o700)
    expect(sanitiseMode(0o750, "directory")).toBe(0o750)
    expect(sanitiseMode(0o711, "directory")).toBe(0o711)
  })
})

describe("the archive root entry", () => {
  it("'./' (as `tar -czf x.tgz .` writes it) is neither visited nor refused nor reported", async () => {
    const { EntryGuard } = await import("../src/archive/EntryGuard.ts")
    const guard = new EntryGuard(defaultLimits)
    expect(guard.check({ name: "./", kind: "directory", size: 0 }, "")).toEqual({ _tag: "skip", skipped: undefined })
    expect(guard.check({ name: "./a/b.txt", kind: "file", size: 1 }, "")).toMatchObject({ _tag: "accept", path: "a/b.txt" })
    expect(guard.check({ name: "./", kind: "file", size: 0 }, "")).toMatchObject({ _tag: "refuse" })
  })
})
