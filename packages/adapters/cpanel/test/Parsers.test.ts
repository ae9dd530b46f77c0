import { describe, expect, it } from "vitest"
import { parseAutoresponderMessage, parseAutoresponderSchedule } from "../src/AutoresponderFile.ts"
import { isSecretKey, parseKeyValue } from "../src/KeyValue.ts"
import { fromUnderscoreForm, homeRelative, outermost } from "../src/Paths.ts"
import { phpVersionOf } from "../src/Userdata.ts"
import { autorespondPipe, mailmanPipe, parseAliasFile } from "../src/ValiasFile.ts"

describe("cp/USER key=value parser", () => {
  it("splits on the first `=`, keeps keys with - and ., skips comments", () => {
    const { values, problems } = parseKeyValue("# c\n\nMXCHECK-example.com=remote\nPLAN=reseller_Business 250MB\nX=a=b\nEMPTY=\n")
    expect(Object.fromEntries(values)).toEqual({ "MXCHECK-example.com": "remote", PLAN: "reseller_Business 250MB", X: "a=b", EMPTY: "" })
    expect(problems).toEqual([])
  })

  it("reports long lines, lines without =, bad keys, CR inside values and repeated keys", () => {
    const { values, problems } = parseKeyValue(`A=1\r\n${"B=".padEnd(9000, "x")}\nnoequals\n$(id)=1\nC=x\ry\nA=2\n`)
    expect(values.get("A")).toBe("2")
    expect(values.has("B")).toBe(false)
    expect(problems.map((p) => p.line)).toEqual([2, 3, 4, 5, 6])
  })

  it("treats token-like keys as secrets, notify flags as settings", () => {
    expect(isSecretKey("SITEJET_API_TOKEN")).toBe(true)
    expect(isSecretKey("PUSHBULLET_ACCESS_TOKEN")).toBe(true)
    expect(isSecretKey("notify_password_change")).toBe(false)
    expect(isSecretKey("SSL_DEFAULT_KEY_TYPE")).toBe(false)
  })
})

describe("valiases parser", () => {
  it("types targets and keeps :fail: messages whole", () => {
    const { entries, problems } = parseAliasFile(
      '*: :fail: No Such User Here, really\na@example.com: "b@x.test", c, "|/bin/prog arg", /var/log/x, :include:/tmp/l, :blackhole:\nbroken line\n',
    )
    expect(entries[0]).toMatchObject({ name: "*", targets: [{ kind: "fail", value: "No Such User Here, really" }] })
    expect(entries[1]?.targets.map((t) => t.kind)).toEqual(["address", "local-user", "pipe", "file", "include", "discard"])
    expect(problems).toEqual([{ line: 3, message: "line without `name: target` ignored" }])
  })

  it("recognises cPanel's autoresponder and Mailman pipes only by their exact command", () => {
    expect(autorespondPipe({ kind: "pipe", value: "/usr/local/cpanel/bin/autorespond a@example.com /home/u/.autorespond" })).toEqual({
      address: "a@example.com",
      dir: "/home/u/.autorespond",
    })
    expect(autorespondPipe({ kind: "pipe", value: "/tmp/cpanel/bin/autorespond a@example.com /x" })).toBeUndefined()
    expect(mailmanPipe({ kind: "pipe", value: "/usr/local/cpanel/3rdparty/mailman/mail/mailman post list_example.com" })).toEqual({
      action: "post",
      list: "list_example.com",
    })
  })
})

describe("autoresponder files", () => {
  it("reads headers, body and schedule", () => {
    expect(parseAutoresponderMessage("From: a@b.test\nSubject: Hi\n\nbody\n")).toMatchObject({
      from: "a@b.test",
      subject: "Hi",
      body: "body\n",
      html: false,
      problems: [],
    })
    expect(parseAutoresponderMessage("just text\n")).toMatchObject({ subject: "", body: "just text\n" })
    expect(parseAutoresponderSchedule("interval=8\nstart=0\nstop=1700000000\n", "conf")).toEqual({
      intervalHours: 8,
      stopsAt: 1_700_000_000,
    })
    expect(parseAutoresponderSchedule('{"interval":"2","start":1}', "json")).toEqual({ intervalHours: 2, startsAt: 1 })
  })
})

describe("paths", () => {
  it("converts only the first underscore", () => {
    expect(fromUnderscoreForm("blog_example.com")).toBe("blog.example.com")
    expect(fromUnderscoreForm("my-shop_example.co.uk")).toBe("my-shop.example.co.uk")
  })

  it("makes paths home-relative by any known home, without prefix bugs or escapes", () => {
    const homes = ["/home/u", "/home2/u"]
    expect(homeRelative("/home2/u/public_html/", homes)).toBe("public_html")
    expect(homeRelative("/home/u", homes)).toBe("")
    expect(homeRelative("/home/u-evil/public_html", homes)).toBeUndefined()
    expect(homeRelative("/home/u/../v/x", homes)).toBeUndefined()
    expect(homeRelative("relative/path", homes)).toBeUndefined()
  })

  it("keeps only outermost directories", () => {
    expect(outermost(["a/b/", "a/", "c/", "a/b/c/"])).toEqual(["a/", "c/"])
  })

  it("maps ea-php and alt-php names to versions", () => {
    expect(phpVersionOf("ea-php81")).toBe("8.1")
    expect(phpVersionOf("alt-php74")).toBe("7.4")
    expect(phpVersionOf("inherit")).toBeUndefined()
  })
})
