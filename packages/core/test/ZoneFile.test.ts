import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { formatZoneFile, type ParsedZone, parseZoneFile, ZoneFormatError } from "../src/parse/ZoneFile.ts"

const realZone = readFileSync(
  `${process.env["FERRY_SHARED_DIR"] ?? `${import.meta.dirname}/../../../../shared`}/fixtures/cpanel-real/JackDeDobb__IlliniWildCards/dnszones/illiniwildcards.tk.db`,
  "utf8",
)

const dkim =
  '"v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA3k/Kl40tYP0fT9FGupLA3Pd8O9nVEzGN095AmvFa9NdEFR+0GYuIp2+VVi20OI8xUoH40QApd28rUW9/+Xg3KFav++lutyHPQTqzWJlDie38f5IGSQSEiyjZNe5bS8aQhJwLn+8CVALaTlrQAoDUWNzV8+lOel+NinbMrplwdghQEFd/UGyn9YosjJQjUursq"' +
  " QTTq16aQK3z6EZ7/RmdUJc9JRk51oCGnwM5UYdO2vFguaeESWbiDVwgx5tMwZX4WjtDVS+JDbM6hq4URrSG6dnHPzc90j4NNybvYSSyFT+ua1M9ovTbCOVwcufrOmpNBym/82JVy+3pLyu71jkgkQIDAQAB\\;"

const reformat = (zone: ParsedZone): string =>
  formatZoneFile({ name: zone.origin, defaultTtl: zone.defaultTtl, soa: zone.soa, records: zone.records })

const expectRoundTrip = (text: string, origin: string): ParsedZone => {
  const first = parseZoneFile(text, origin)
  const second = parseZoneFile(reformat(first), origin)
  expect(second.problems).toEqual([])
  expect({ ...second, problems: first.problems }).toEqual(first)
  return first
}

const only = (text: string, origin = "example.com") => {
  const zone = parseZoneFile(text, origin)
  expect(zone.problems).toEqual([])
  return zone.records
}

describe("parseZoneFile on a real cPanel zone", () => {
  it("reads illiniwildcards.tk exactly", () => {
    const zone = parseZoneFile(realZone, "illiniwildcards.tk.")
    const apex = "illiniwildcards.tk"
    const a = (name: string) => ({ name, type: "A", value: "198.252.99.67" })
    expect(zone).toEqual({
      origin: apex,
      defaultTtl: 14400,
      soa: {
        primaryNs: "ns13.hawkhost.com.",
        hostmaster: "server.hawkhost.com.",
        serial: 2016101703,
        refresh: 86400,
        retry: 7200,
        expire: 2419200,
        minimum: 86400,
        ttl: 86400,
      },
      records: [
        { name: apex, ttl: 86400, type: "NS", value: "ns13.hawkhost.com." },
        { name: apex, ttl: 86400, type: "NS", value: "ns14.hawkhost.com." },
        a(apex),
        { name: apex, type: "MX", value: "0 illiniwildcards.tk.", priority: 0 },
        { name: `mail.${apex}`, type: "CNAME", value: "illiniwildcards.tk." },
        { name: `www.${apex}`, type: "CNAME", value: "illiniwildcards.tk." },
        a(`ftp.${apex}`),
        { name: apex, type: "TXT", value: '"v=spf1 +a +mx +ip4:72.29.127.28 +include:_spf.arandomserver.com ~all"' },
        a(`cpanel.${apex}`),
        a(`webdisk.${apex}`),
        a(`cpcalendars.${apex}`),
        a(`cpcontacts.${apex}`),
        a(`whm.${apex}`),
        a(`webmail.${apex}`),
        { name: `default._domainkey.${apex}`, type: "TXT", value: dkim },
      ],
      problems: [],
    })
  })

  it("round-trips through formatZoneFile", () => {
    expectRoundTrip(realZone, "illiniwildcards.tk")
  })
})

describe("parseZoneFile syntax", () => {
  it("handles $TTL units, $ORIGIN, @, blank owners and TTL/class in either order", () => {
    const text = [
      "$TTL 1h",
      "@ IN 2d SOA ns1 hostmaster.example.com. ( 1 3h 15m 2w 1h )",
      "@\tNS\tns1",
      "\tIN NS ns2.example.net.",
      "host 300 IN A 192.0.2.1",
      "     IN 600 AAAA 2001:db8::1",
      "Upper.Case A 192.0.2.2",
      "$ORIGIN sub",
      "www CNAME @",
      "$ORIGIN example.com.",
      "*.wild 1W A 192.0.2.3",
      "absolute.example.com. A 192.0.2.4",
    ].join("\n")
    const zone = parseZoneFile(text, "Example.COM")
    expect(zone.problems).toEqual([])
    expect(zone.origin).toBe("example.com")
    expect(zone.defaultTtl).toBe(3600)
    expect(zone.soa).toEqual({
      primaryNs: "ns1.example.com.",
      hostmaster: "hostmaster.example.com.",
      serial: 1,
      refresh: 10800,
      retry: 900,
      expire: 1209600,
      minimum: 3600,
      ttl: 172800,
    })
    expect(zone.records).toEqual([
      { name: "example.com", type: "NS", value: "ns1.example.com." },
      { name: "example.com", type: "NS", value: "ns2.example.net." },
      { name: "host.example.com", ttl: 300, type: "A", value: "192.0.2.1" },
      { name: "host.example.com", ttl: 600, type: "AAAA", value: "2001:db8::1" },
      { name: "upper.case.example.com", type: "A", value: "192.0.2.2" },
      { name: "www.sub.example.com", type: "CNAME", value: "sub.example.com." },
      { name: "*.wild.example.com", ttl: 604800, type: "A", value: "192.0.2.3" },
      { name: "absolute.example.com", type: "A", value: "192.0.2.4" },
    ])
  })

  it("applies RFC 1035's last stated TTL without $TTL, and a changed $TTL explicitly", () => {
    expect(only("a 300 A 192.0.2.1\nb A 192.0.2.2\n").map((r) => r.ttl)).toEqual([300, 300])
    expect(only("c A 192.0.2.3\n").map((r) => r.ttl)).toEqual([undefined])
    const zone = parseZoneFile("$TTL 100\na A 192.0.2.1\n$TTL 200\nb A 192.0.2.2\n$TTL 100\nc A 192.0.2.3\n", "example.com")
    expect(zone.defaultTtl).toBe(100)
    expect(zone.records.map((r) => r.ttl)).toEqual([undefined, 200, undefined])
  })

  it("reads multi-line parentheses with comments, CRLF and quoted semicolons", () => {
    const text = [
      "@ 3600 IN SOA ns1.example.com. ( ; primary",
      "   hostmaster.example.com. ; (not a paren)",
      "   2024010101 ; serial",
      "   7200 3600 1209600 300 )",
      'txt IN TXT ( "a \\"quoted\\" word; not a comment" ; comment',
      '            "second" )',
      'semi IN TXT "v=DKIM1; k=rsa" unquoted\\;part',
    ].join("\r\n")
    const zone = parseZoneFile(text, "example.com")
    expect(zone.problems).toEqual([])
    expect(zone.soa?.serial).toBe(2024010101)
    expect(zone.soa?.minimum).toBe(300)
    expect(zone.records).toEqual([
      { name: "txt.example.com", ttl: 3600, type: "TXT", value: '"a \\"quoted\\" word; not a comment" "second"' },
      { name: "semi.example.com", ttl: 3600, type: "TXT", value: '"v=DKIM1; k=rsa" unquoted\\;part' },
    ])
  })

  it("reads every supported type with names made absolute", () => {
    const text = [
      "_sip._tcp SRV 10 60 5060 sip",
      "_none._tcp SRV 0 0 0 .",
      '@ CAA 0 issue "letsencrypt.org"',
      '@ CAA 128 iodef "mailto:ops@example.com"',
      "1 PTR host",
      'spf SPF "v=spf1 -all"',
      '@ NAPTR 100 10 "S" "SIP+D2U" "" _sip._udp',
      "sec DS 60485 5 1 2BB183AF5F22588179A53B0A 98631FAD1A292118",
      "_443._tcp.www TLSA 3 1 1 0c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b566 64c5d3d6",
      "host SSHFP 4 2 123456789abcdef67890123456789abcdef67890123456789abcdef123456789",
      "old DNAME new.example.net.",
      "host MX 10 mail",
      'info HINFO "PC" "Linux"',
      "raw TYPE65534 \\# 4 0A000001",
      "svc HTTPS 1 . alpn=h2",
    ].join("\n")
    expect(only(text)).toEqual([
      { name: "_sip._tcp.example.com", type: "SRV", value: "10 60 5060 sip.example.com.", priority: 10 },
      { name: "_none._tcp.example.com", type: "SRV", value: "0 0 0 .", priority: 0 },
      { name: "example.com", type: "CAA", value: '0 issue "letsencrypt.org"' },
      { name: "example.com", type: "CAA", value: '128 iodef "mailto:ops@example.com"' },
      { name: "1.example.com", type: "PTR", value: "host.example.com." },
      { name: "spf.example.com", type: "SPF", value: '"v=spf1 -all"' },
      { name: "example.com", type: "NAPTR", value: '100 10 "S" "SIP+D2U" "" _sip._udp.example.com.' },
      { name: "sec.example.com", type: "DS", value: "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118" },
      {
        name: "_443._tcp.www.example.com",
        type: "TLSA",
        value: "3 1 1 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6",
      },
      { name: "host.example.com", type: "SSHFP", value: "4 2 123456789ABCDEF67890123456789ABCDEF67890123456789ABCDEF123456789" },
      { name: "old.example.com", type: "DNAME", value: "new.example.net." },
      { name: "host.example.com", type: "MX", value: "10 mail.example.com.", priority: 10 },
      { name: "info.example.com", type: "HINFO", value: '"PC" "Linux"' },
      { name: "raw.example.com", type: "TYPE65534", value: "\\# 4 0A000001" },
      { name: "svc.example.com", type: "HTTPS", value: "1 . alpn=h2" },
    ])
  })

  it("round-trips a zone with every feature", () => {
    const text = [
      "$TTL 4h",
      "@ IN SOA ns1 host\\.master ( 4294967295 1h 15m 1w 5m )",
      "@ NS ns1",
      "ns1 60 A 192.0.2.1",
      "_sip._tcp SRV 10 60 5060 sip",
      'txt TXT "one; two" "three \\"four\\""',
      '@ CAA 0 issue "letsencrypt.org"',
      "$TTL 1d",
      "@ MX 5 mail.example.net.",
      "raw TYPE65534 \\# 4 0A000001",
    ].join("\n")
    const zone = parseZoneFile(text, "example.com")
    expect(zone.problems).toEqual([{ line: 2, message: "invalid domain name host\\.master; record ignored" }])
    const fixed = text.replace("host\\.master", "hostmaster")
    const parsed = expectRoundTrip(fixed, "example.com")
    expect(parsed.records).toHaveLength(7)
    expect(parsed.soa?.serial).toBe(4294967295)
  })
})

describe("parseZoneFile problems (never throws)", () => {
  it.each([
    ["$INCLUDE /etc/shadow", "$INCLUDE is refused (never followed)"],
    ["$GENERATE 1-100 host$ A 192.0.2.$", "$GENERATE is refused (never followed)"],
    ["$FOO bar", "unknown directive $FOO; ignored"],
    ["$TTL forever", "invalid $TTL forever; ignored"],
    ["$TTL 99999999999", "invalid $TTL 99999999999; ignored"],
    ["$ORIGIN a b", "$ORIGIN needs exactly one argument; ignored"],
    ["\tIN A 192.0.2.1", "record without an owner name and no previous owner; record ignored"],
    ["evil.example.org. A 192.0.2.1", "owner evil.example.org is outside the zone example.com; record ignored"],
    ["notexample.com. A 192.0.2.1", "owner notexample.com is outside the zone example.com; record ignored"],
    ["host A 999.0.2.1", "invalid IPv4 address 999.0.2.1; record ignored"],
    ["host AAAA 192.0.2.1", "invalid IPv6 address 192.0.2.1; record ignored"],
    ["host A 192.0.2.1 192.0.2.2", "A needs 1 rdata field, found 2; record ignored"],
    ["host MX mail", "MX needs 2 rdata fields, found 1; record ignored"],
    ["host MX 70000 mail", "invalid MX preference 70000; record ignored"],
    ["host CH A 192.0.2.1", "class CH is not supported; record ignored"],
    ["host 1 2 A 192.0.2.1", "TTL given twice; record ignored"],
    ["host IN IN A 192.0.2.1", "class given twice; record ignored"],
    ["host 300", "record without a type; record ignored"],
    ["host A", "A record without data; record ignored"],
    ['host "A" 192.0.2.1', 'invalid record type "A"; record ignored'],
    ['host CNAME "quoted.name."', 'a domain name cannot be quoted: "quoted.name."; record ignored'],
    ["ho$st A 192.0.2.1", "invalid domain name ho$st; record ignored"],
    ["host CNAME bad..name.", "invalid domain name bad..name.; record ignored"],
    [`${"a".repeat(64)} A 192.0.2.1`, `invalid domain name ${"a".repeat(64)}; record ignored`],
    ["a.*.b A 192.0.2.1", "invalid domain name a.*.b; record ignored"],
    [`txt TXT "${"x".repeat(256)}"`, "TXT string longer than 255 octets; split it into several strings; record ignored"],
    ["sub SOA ns1 host 1 2 3 4 5", "SOA for sub.example.com is not at the zone apex; record ignored"],
    ["@ SOA ns1 host 1 2 3 4", "SOA needs 7 rdata fields, found 6; record ignored"],
    ["sec DS 1 2 3 XYZ", "invalid DS digest; record ignored"],
    ['@ CAA 0 "issue" x', 'invalid CAA tag "issue"; record ignored'],
    ["host A ) 192.0.2.1", "')' without '('; ignored"],
    ["host A ( ( 192.0.2.1 ) )", "nested parentheses; ignored"],
    ['txt TXT "unterminated', "unterminated quoted string; ignored"],
    ['txt TXT ab"cd"', "quote in the middle of a word; ignored"],
    ["host A 192.0.2.1\\", "backslash at the end of a line; ignored"],
    ["host\rA 192.0.2.1", "control character U+000D; ignored"],
    ['txt TXT "a\u0000b"', "control character inside a quoted string; ignored"],
  ])("reports %j", (line, message) => {
    const zone = parseZoneFile(`${line}\nok A 192.0.2.9\n`, "example.com")
    expect(zone.problems).toEqual([{ line: 1, message }])
    expect(zone.records.at(-1)).toEqual({ name: "ok.example.com", type: "A", value: "192.0.2.9" })
  })

  it("reports an unclosed parenthesis, which swallows the rest of the file", () => {
    expect(parseZoneFile("host A ( 192.0.2.1\nok A 192.0.2.9\n", "example.com")).toEqual({
      origin: "example.com",
      records: [],
      problems: [{ line: 1, message: "'(' without ')'; ignored" }],
    })
  })

  it("reports a second SOA and keeps the first", () => {
    const zone = parseZoneFile("@ SOA ns1 host 1 2 3 4 5\n@ SOA ns2 host 9 2 3 4 5\n", "example.com")
    expect(zone.soa?.serial).toBe(1)
    expect(zone.problems).toEqual([{ line: 2, message: "second SOA record; record ignored" }])
  })

  it("reports over-long lines, even inside parentheses, and resumes afterwards", () => {
    const long = `txt TXT "${"x".repeat(70_000)}"`
    const zone = parseZoneFile(`${long}\na A 192.0.2.1\n`, "example.com")
    expect(zone.problems).toEqual([{ line: 1, message: "line 1 is longer than 65536 characters; ignored" }])
    expect(zone.records).toEqual([{ name: "a.example.com", type: "A", value: "192.0.2.1" }])
    const inParens = parseZoneFile(`txt TXT (\n"${"x".repeat(70_000)}"\n)\nb A 192.0.2.2\n`, "example.com")
    expect(inParens.problems).toEqual([
      { line: 1, message: "line 2 is longer than 65536 characters; ignored" },
      { line: 3, message: "')' without '('; ignored" },
    ])
    expect(inParens.records).toEqual([{ name: "b.example.com", type: "A", value: "192.0.2.2" }])
  })

  it("caps records and entry length", () => {
    const text = Array.from({ length: 12 }, (_, i) => `h${i} A 192.0.2.${i}`).join("\n")
    const zone = parseZoneFile(text, "example.com", { maxLineLength: 1000, maxEntryLength: 1000, maxRecords: 10 })
    expect(zone.records).toHaveLength(10)
    expect(zone.problems).toEqual([{ line: 11, message: "more than 10 records; the rest of the zone is ignored" }])
    const spread = `txt TXT (\n${Array.from({ length: 30 }, () => `"${"y".repeat(50)}"`).join("\n")}\n)`
    const capped = parseZoneFile(spread, "example.com", { maxLineLength: 1000, maxEntryLength: 1000, maxRecords: 10 })
    expect(capped.problems).toEqual([{ line: 1, message: "record is longer than 1000 characters; ignored" }])
  })

  it("refuses an invalid zone name", () => {
    expect(parseZoneFile("a A 192.0.2.1", "bad name")).toEqual({
      origin: "bad name",
      records: [],
      problems: [{ line: 0, message: "invalid zone name bad name" }],
    })
  })

  it("never throws on random input", () => {
    let seed = 11
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648
      return seed / 2147483648
    }
    const alphabet = [
      '"',
      "\\",
      ";",
      "(",
      ")",
      " ",
      "\t",
      "\n",
      "\r",
      "@",
      "$TTL",
      "$ORIGIN",
      "IN",
      "A",
      "TXT",
      "MX",
      "SOA",
      "1",
      ".",
      "a",
      "\0",
      "é",
    ]
    for (let n = 0; n < 300; n++) {
      let text = ""
      for (let k = 0; k < 80; k++) text += alphabet[Math.floor(random() * alphabet.length)]
      expect(() => parseZoneFile(text, "example.com")).not.toThrow()
    }
  })
})

describe("formatZoneFile", () => {
  const base = { name: "example.com", records: [] as Array<{ name: string; type: string; value: string; ttl?: number }> }

  it("writes $ORIGIN, $TTL, the SOA and absolute owners", () => {
    const text = formatZoneFile({
      name: "example.com.",
      defaultTtl: 3600,
      soa: { primaryNs: "ns1.example.com.", hostmaster: "hostmaster.example.com.", serial: 7, refresh: 1, retry: 2, expire: 3, minimum: 4 },
      records: [
        { name: "example.com", type: "MX", value: "10 mail.example.com.", priority: 10 },
        { name: "www.example.com", ttl: 60, type: "A", value: "192.0.2.1" },
      ],
    })
    expect(text).toBe(
      [
        "$ORIGIN example.com.",
        "$TTL 3600",
        "example.com. IN SOA ns1.example.com. hostmaster.example.com. 7 1 2 3 4",
        "example.com. IN MX 10 mail.example.com.",
        "www.example.com. 60 IN A 192.0.2.1",
        "",
      ].join("\n"),
    )
  })

  it.each([
    ["a value with a newline", { name: "a.example.com", type: "A", value: "192.0.2.1\n$INCLUDE /etc/shadow" }],
    ["a value with a comment", { name: "a.example.com", type: "TXT", value: "x ; y" }],
    ["a value with parentheses", { name: "a.example.com", type: "TXT", value: "( x" }],
    ["a value with an open quote", { name: "a.example.com", type: "TXT", value: '"x' }],
    ["an empty value", { name: "a.example.com", type: "TXT", value: "" }],
    ["a value with doubled spaces", { name: "a.example.com", type: "TXT", value: "a  b" }],
    ["a name outside the zone", { name: "example.org", type: "A", value: "192.0.2.1" }],
    ["a name with a space", { name: "a b.example.com", type: "A", value: "192.0.2.1" }],
    ["an invalid type", { name: "a.example.com", type: "A\nB", value: "192.0.2.1" }],
    ["an SOA in the records", { name: "example.com", type: "SOA", value: "a. b. 1 2 3 4 5" }],
    ["a negative TTL", { name: "a.example.com", type: "A", value: "192.0.2.1", ttl: -1 }],
    ["a fractional TTL", { name: "a.example.com", type: "A", value: "192.0.2.1", ttl: 1.5 }],
  ])("refuses %s", (_name, record) => {
    expect(() => formatZoneFile({ ...base, records: [record] })).toThrow(ZoneFormatError)
  })

  it("refuses bad zone names and SOA fields", () => {
    expect(() => formatZoneFile({ ...base, name: "." })).toThrow(ZoneFormatError)
    const soa = { primaryNs: "ns1.example.com.", hostmaster: "h.example.com.", serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 1 }
    expect(() => formatZoneFile({ ...base, soa: { ...soa, primaryNs: "ns1.example.com" } })).toThrow(ZoneFormatError)
    expect(() => formatZoneFile({ ...base, soa: { ...soa, serial: 2 ** 32 } })).toThrow(ZoneFormatError)
    expect(() => formatZoneFile({ ...base, defaultTtl: 2 ** 31 })).toThrow(ZoneFormatError)
  })
})
