import { SafeParseError } from "@ferry/core"
import { describe, expect, it } from "vitest"
import { Fields, isHostileXmlError, parseSystemFile, phpVersionOf, splitType } from "../src/index.ts"

const elem = (backup: string, data = "<name>x</name>") => `<elem><backup>${backup}</backup><data>${data}</data></elem>`

describe(".system special files", () => {
  it("reads elems under a <doc> root, a bare <elem> root, and one level further down", () => {
    const doc = parseSystemFile(
      `<?xml version="1.0"?><doc>${elem("<type>user</type><name>alice</name>")}${elem("<type>preset</type><name>p</name>")}</doc>`,
      "a.xml",
    )
    expect(doc.objects.map((o) => `${o.type} ${o.name}`)).toEqual(["user alice", "preset p"])
    const bare = parseSystemFile(
      elem("<type>email</type><name>a@b.example</name><owner>alice</owner><path>/var/www/alice/data/email/b.example/a</path>"),
      "b.xml",
    )
    expect(bare.objects[0]).toMatchObject({
      type: "email",
      name: "a@b.example",
      owner: "alice",
      path: "/var/www/alice/data/email/b.example/a",
    })
    const nested = parseSystemFile(`<doc><list>${elem("<type>domain</type><name>b.example</name>")}</list></doc>`, "c.xml")
    expect(nested.objects.map((o) => o.type)).toEqual(["domain"])
  })

  it("accepts backup fields as attributes and splits database subtypes", () => {
    const file = parseSystemFile(
      `<doc><elem><backup type="db.mysql" name="shop" owner="alice"/><data><charset>utf8mb4</charset></data></elem></doc>`,
      "d.xml",
    )
    expect(file.objects[0]).toMatchObject({ type: "db", subtype: "mysql", name: "shop", owner: "alice" })
    expect(file.objects[0]?.fields.text("charset")).toBe("utf8mb4")
    expect(splitType("db.users.postgresql", undefined)).toEqual({ type: "db.users", subtype: "postgresql" })
    expect(splitType("webdomain.redirect", undefined)).toEqual({ type: "webdomain.redirect", subtype: undefined })
    expect(splitType("db", "MySQL")).toEqual({ type: "db", subtype: "mysql" })
  })

  it("reports elems without a type or name instead of dropping them", () => {
    const file = parseSystemFile(
      `<doc>${elem("<name>x</name>")}${elem("<type>user</type>")}${elem("<type>user</type><name>ok</name>")}</doc>`,
      "e.xml",
    )
    expect(file.objects.map((o) => o.name)).toEqual(["ok"])
    expect(file.problems).toEqual(["elem #1 has no backup type or name", "elem #2 has no backup type or name"])
  })

  it("refuses DOCTYPEs, entities and deep nesting as hostile; plain syntax errors are not", () => {
    const hostile = [
      `<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><doc>&x;</doc>`,
      `<?xml version="1.0"?><!DOCTYPE d SYSTEM "http://169.254.169.254/latest/"><doc/>`,
      `<doc>${"<a>".repeat(1000)}${"</a>".repeat(1000)}</doc>`,
    ]
    for (const text of hostile) {
      let error: unknown
      try {
        parseSystemFile(text, "h.xml")
      } catch (e) {
        error = e
      }
      expect(error).toBeInstanceOf(SafeParseError)
      expect(isHostileXmlError(error as SafeParseError)).toBe(true)
    }
    let broken: unknown
    try {
      parseSystemFile("<doc><elem>", "b.xml")
    } catch (e) {
      broken = e
    }
    expect(broken).toBeInstanceOf(SafeParseError)
    expect(isHostileXmlError(broken as SafeParseError)).toBe(false)
  })

  it("prototype-polluting names in elements or attributes are refused as hostile", () => {
    for (const text of [
      `<doc><elem><backup type="user" name="a" __proto__="x"/><data><name>a</name></data></elem></doc>`,
      elem("<type>user</type><name>a</name>", "<constructor>x</constructor>"),
    ]) {
      let error: unknown
      try {
        parseSystemFile(text, "p.xml")
      } catch (e) {
        error = e
      }
      expect(error).toBeInstanceOf(SafeParseError)
      expect(isHostileXmlError(error as SafeParseError)).toBe(true)
    }
    expect(({} as Record<string, unknown>)["x"]).toBeUndefined()
  })
})

describe("fields", () => {
  it("reads aliases, flags, numbers and lists, and remembers what was read", () => {
    const fields = new Fields({
      site_php_mode: "php_mode_mod",
      active: "on",
      suspended: "off",
      maxsize: "500",
      aliases: "www.a.example, a.example\nb.example",
      note: "x",
    })
    expect(fields.text("php_mode", "site_php_mode")).toBe("php_mode_mod")
    expect(fields.flag("active")).toBe(true)
    expect(fields.flag("suspended")).toBe(false)
    expect(fields.number("maxsize")).toBe(500)
    expect(fields.list("aliases")).toEqual(["www.a.example", "a.example", "b.example"])
    expect(fields.unused()).toEqual(["note"])
  })

  it("normalises PHP versions as ispmanager writes them", () => {
    expect(["8.1", "isp-php81", "php74", "8.2.10", "83", "native", "garbage"].map(phpVersionOf)).toEqual([
      "8.1",
      "8.1",
      "7.4",
      "8.2",
      "8.3",
      undefined,
      undefined,
    ])
  })
})
