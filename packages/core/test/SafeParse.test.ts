import { describe, expect, it } from "vitest"
import { parseJson, parseXml, parseYaml, SafeParseError } from "../src/index.ts"

const pollutionFree = () => {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  expect(Object.prototype).not.toHaveProperty("polluted")
}

describe("parseJson (rule 17)", () => {
  it("drops __proto__, constructor and prototype keys at every depth and returns null-prototype objects", () => {
    const value = parseJson(
      '{"__proto__":{"polluted":1},"a":{"constructor":{"prototype":{"polluted":1}},"k":1},"list":[{"__proto__":{"polluted":1},"x":2}]}',
    ) as Record<string, unknown>
    expect(Object.getPrototypeOf(value)).toBeNull()
    expect(Object.keys(value).sort()).toEqual(["a", "list"])
    const a = value.a as Record<string, unknown>
    expect(Object.getPrototypeOf(a)).toBeNull()
    expect(Object.keys(a)).toEqual(["k"])
    const item = (value.list as Array<Record<string, unknown>>)[0] as Record<string, unknown>
    expect(Object.keys(item)).toEqual(["x"])
    expect(Object.getPrototypeOf(item)).toBeNull()
    pollutionFree()
  })

  it("keeps scalars and arrays as they are", () => {
    expect(parseJson('{"n":1,"s":"x","b":true,"z":null,"l":[1,"2"]}')).toEqual({ n: 1, s: "x", b: true, z: null, l: [1, "2"] })
  })

  it("fails with SafeParseError on invalid input and on absurd nesting", () => {
    expect(() => parseJson("{")).toThrow(SafeParseError)
    expect(() => parseJson(`${"[".repeat(500)}${"]".repeat(500)}`)).toThrow(SafeParseError)
  })
})

describe("parseYaml (rule 16)", () => {
  it("refuses an alias bomb", () => {
    const bomb = [
      "a: &a [x, x, x, x, x, x, x, x, x]",
      "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]",
      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]",
      "d: [*c, *c, *c, *c, *c, *c, *c, *c, *c]",
    ].join("\n")
    expect(() => parseYaml(bomb)).toThrow(SafeParseError)
  })

  it("still resolves a few aliases", () => {
    expect(parseYaml("a: &a x\nb: *a\n")).toEqual({ a: "x", b: "x" })
  })

  it("leaves !!js/function and other unknown tags as plain strings", () => {
    const value = parseYaml('f: !!js/function "function () { return process }"\ng: !custom 12\n') as Record<string, unknown>
    expect(value.f).toBe("function () { return process }")
    expect(typeof value.f).toBe("string")
    expect(value.g).toBe("12")
  })

  it("does not merge '<<' keys and drops prototype keys inside them", () => {
    const value = parseYaml("base: &b {x: 1}\nderived:\n  <<: *b\n  y: 2\nevil:\n  <<: {__proto__: {polluted: 1}}\n") as Record<
      string,
      Record<string, unknown>
    >
    expect(value.derived?.x).toBeUndefined()
    expect(value.derived?.y).toBe(2)
    expect(value.derived?.["<<"]).toEqual({ x: 1 })
    expect(Object.keys(value.evil?.["<<"] as object)).toEqual([])
    pollutionFree()
  })

  it("drops a top-level __proto__ key and returns null-prototype maps", () => {
    const value = parseYaml("__proto__: {polluted: 1}\nx: 1\n") as Record<string, unknown>
    expect(Object.keys(value)).toEqual(["x"])
    expect(Object.getPrototypeOf(value)).toBeNull()
    pollutionFree()
  })

  it("reads YAML 1.1 scalars (cPanel's Syck) only when asked for version 1.1", () => {
    const text = "--- \na: yes\nb: on\nc: 010\nd: ~\n"
    expect(parseYaml(text, { version: "1.1" })).toEqual({ a: true, b: true, c: 8, d: null })
    expect(parseYaml(text)).toEqual({ a: "yes", b: "on", c: 10, d: null })
  })

  it("reads Syck-style userdata/main (trailing space after ---, blank line after {} and [])", () => {
    const text = "--- \naddon_domains: {}\n\nmain_domain: example.com\nparked_domains: []\n\nsub_domains: \n  - blog.example.com\n"
    expect(parseYaml(text, { version: "1.1" })).toEqual({
      addon_domains: {},
      main_domain: "example.com",
      parked_domains: [],
      sub_domains: ["blog.example.com"],
    })
  })

  it("fails with SafeParseError on broken YAML", () => {
    expect(() => parseYaml("a: [1, 2\nb: {")).toThrow(SafeParseError)
  })

  // The doc comment promises one document; a second one must not vanish without a trace.
  it("refuses a stream with several documents instead of dropping all but the first", () => {
    expect(() => parseYaml("a: 1\n---\nb: 2\n")).toThrow(SafeParseError)
  })

  // YAML 1.1 collection tags turn into Map/Set objects that the sanitiser flattens to `{}`.
  it("does not turn !!omap or !!set into an empty object", () => {
    for (const text of ["!!omap\n- a: 1\n- b: 2\n", "!!set {a, b}\n"]) {
      let value: unknown
      try {
        value = parseYaml(text)
      } catch (e) {
        expect(e).toBeInstanceOf(SafeParseError)
        continue
      }
      expect(value, text).not.toEqual({})
    }
  })
})

describe("parseXml (rule 15)", () => {
  it("refuses a DOCTYPE with an external entity (XXE)", () => {
    expect(() => parseXml('<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>')).toThrow(SafeParseError)
    expect(() => parseXml('<!DOCTYPE a [<!ENTITY x SYSTEM "http://169.254.169.254/">]><a>&x;</a>')).toThrow(SafeParseError)
  })

  it("refuses entity declarations, even without a DOCTYPE, and a lower-case doctype", () => {
    expect(() => parseXml('<a><!ENTITY x "y"></a>')).toThrow(SafeParseError)
    expect(() => parseXml("<!doctype a><a/>")).toThrow(SafeParseError)
  })

  it("refuses billion laughs", () => {
    const lol = [
      '<?xml version="1.0"?>',
      "<!DOCTYPE lolz [",
      ' <!ENTITY lol "lol">',
      ...Array.from({ length: 9 }, (_, i) => ` <!ENTITY lol${i + 1} "${`&lol${i === 0 ? "" : i};`.repeat(10)}">`),
      "]>",
      "<lolz>&lol9;</lolz>",
    ].join("\n")
    expect(() => parseXml(lol)).toThrow(SafeParseError)
  })

  it("bounds numeric character references", () => {
    expect(parseXml(`<a>${"&#65;".repeat(20)}</a>`)).toEqual({ a: "A".repeat(20) })
    expect(parseXml(`<a>${"x &amp; y ".repeat(50_000)}</a>`)).toEqual({ a: "x & y ".repeat(50_000).trim() })
    expect(() => parseXml(`<a>${"&#65;".repeat(1_000_000)}</a>`)).toThrow(SafeParseError)
  })

  it("refuses deep nesting", () => {
    expect(() => parseXml(`${"<a>".repeat(300)}${"</a>".repeat(300)}`)).toThrow(SafeParseError)
    expect(() => parseXml(`${"<a>".repeat(50)}x${"</a>".repeat(50)}`)).not.toThrow()
  })

  it("never lets a __proto__ or constructor element reach an object", () => {
    for (const xml of ["<root><__proto__><polluted>1</polluted></__proto__></root>", "<root><constructor>x</constructor></root>"]) {
      let value: unknown
      try {
        value = parseXml(xml)
      } catch (e) {
        expect(e).toBeInstanceOf(SafeParseError)
        continue
      }
      expect(JSON.stringify(value)).not.toMatch(/__proto__|constructor/)
    }
    pollutionFree()
  })

  it("keeps values and attributes as strings", () => {
    const value = parseXml('<root><v a="010" b="true">0010</v><t>true</t><n>1e3</n></root>') as Record<string, Record<string, unknown>>
    expect(value.root).toEqual({ v: { "#text": "0010", a: "010", b: "true" }, t: "true", n: "1e3" })
    expect(Object.getPrototypeOf(value.root)).toBeNull()
  })

  it("refuses documents over the size cap", () => {
    expect(() => parseXml(`<a>${"x".repeat(2000)}</a>`, { maxBytes: 1000 })).toThrow(SafeParseError)
  })
})
