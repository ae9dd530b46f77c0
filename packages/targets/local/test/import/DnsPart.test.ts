import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import type { Account, DnsRecord, DnsZone, Domain, Entity } from "@ferry/core"
import { Effect } from "effect"
import { makeAccountPart } from "../../src/import/AccountPart.ts"
import { makeDnsPart } from "../../src/import/DnsPart.ts"
import { failure } from "../Support.ts"
import { applyWith, makeImportEnv, makeStepContext } from "../support/ImportEnvFixture.ts"

const bob: Account = {
  _tag: "Account",
  id: "account:bob",
  owner: null,
  source: { path: "cp/bob" },
  kind: "client",
  login: "bob",
  contact: {},
  status: "active",
  limits: {},
  permissions: {},
  ipPool: [],
  extras: {},
}

const soa = {
  primaryNs: "ns1.example.com.",
  hostmaster: "hostmaster.example.com.",
  serial: 2024010101,
  refresh: 7200,
  retry: 3600,
  expire: 1209600,
  minimum: 3600,
}

const bare = (name: string) => name.toLowerCase().replace(/\.$/, "")

const zoneOf = (name: string, records: ReadonlyArray<DnsRecord>, more: Partial<DnsZone> = {}): DnsZone => ({
  _tag: "DnsZone",
  id: `dns:${name}`,
  owner: "account:bob",
  source: { path: `dnszones/${name}.db` },
  name,
  defaultTtl: 14400,
  soa: { ...soa, primaryNs: `ns1.${bare(name)}.`, hostmaster: `hostmaster.${bare(name)}.` },
  records,
  ...more,
})

const good = (name: string): Array<DnsRecord> => [
  { name, type: "NS", value: `ns1.${name}.` },
  { name, type: "A", value: "203.0.113.9" },
  { name: `ns1.${name}`, type: "A", value: "203.0.113.9" },
  { name: `www.${name}`, type: "CNAME", value: `${name}.` },
  { name, type: "MX", value: `10 mail.${name}.`, priority: 10 },
  { name: `mail.${name}`, type: "A", value: "203.0.113.9" },
  { name, type: "TXT", value: '"v=spf1 a mx -all"' },
]

const setup = Effect.gen(function* () {
  const env = yield* makeImportEnv()
  yield* applyWith(makeAccountPart(env), bob, makeStepContext(bob))
  const dns = makeDnsPart(env)
  const run = (zone: DnsZone, changes: Parameters<typeof makeStepContext>[2] = [], more: ReadonlyArray<Entity> = []) =>
    applyWith(dns, zone, makeStepContext(zone, [bob, ...more, zone], changes))
  return { env, dns, run }
})

describe("DnsPart", () => {
  it.effect("a good zone passes named-checkzone, lands in place and is listed in named.conf; a re-run changes nothing", () =>
    Effect.gen(function* () {
      const { env, dns, run } = yield* setup
      assert.strictEqual((yield* run(zoneOf("example.com", good("example.com")))).outcome, "created")
      assert.strictEqual((yield* run(zoneOf("Example.org.", good("example.org")))).outcome, "created")
      assert.strictEqual((yield* run(zoneOf("example.com", good("example.com")))).outcome, "unchanged")
      const text = readFileSync(env.layout.zoneFile("example.com"), "utf8")
      assert.include(text, "$ORIGIN example.com.\n")
      assert.include(text, "example.com. IN SOA ns1.example.com. hostmaster.example.com. 2024010101 7200 3600 1209600 3600\n")
      const conf = readFileSync(env.layout.namedConf, "utf8")
      assert.deepStrictEqual(
        conf.split("\n").filter((l) => l.startsWith("zone")),
        [
          `zone "example.com" { type master; file "${env.layout.zoneFile("example.com")}"; };`,
          `zone "example.org" { type master; file "${env.layout.zoneFile("example.org")}"; };`,
        ],
      )
      assert.deepStrictEqual(readdirSync(join(env.layout.staging, "zones")), [])
      const lines = yield* (dns.finish as NonNullable<typeof dns.finish>)({ jobId: "j" })
      assert.deepStrictEqual(lines, [{ level: "info", message: `named-checkconf: 2 zones listed in ${env.layout.namedConf}` }])
    }),
  )

  it.effect("a zone BIND refuses fails the step with named-checkzone's words; nothing is placed", () =>
    Effect.gen(function* () {
      const { env, run } = yield* setup
      // A CNAME next to other data at the same name: the formatter writes it, BIND refuses it.
      const bad = zoneOf("example.com", [...good("example.com"), { name: "www.example.com", type: "A", value: "203.0.113.10" }])
      const error = yield* failure(run(bad))
      assert.strictEqual(error.code, "dns-zone-invalid")
      assert.match(error.reason, /^named-checkzone refused the zone example\.com: .*CNAME and other data/)
      assert.isFalse(existsSync(env.layout.zoneFile("example.com")))
      assert.isFalse(existsSync(env.layout.namedConf))
      assert.deepStrictEqual(readdirSync(join(env.layout.staging, "zones")), [])
    }),
  )

  it.effect("values that would inject lines are refused by the formatter", () =>
    Effect.gen(function* () {
      const { env, run } = yield* setup
      const injected = zoneOf("example.com", [
        ...good("example.com"),
        { name: "x.example.com", type: "TXT", value: '"a"\n$INCLUDE /etc/shadow' },
      ])
      assert.strictEqual((yield* failure(run(injected))).code, "dns-unsafe")
      assert.strictEqual((yield* failure(run(zoneOf("ex;ample.com", [])))).code, "invalid-name")
      assert.isFalse(existsSync(env.layout.zoneFile("example.com")))
    }),
  )

  it.effect("the plan's IP changes move A records; a zone without SOA gets a default one", () =>
    Effect.gen(function* () {
      const { env, run } = yield* setup
      const domain: Domain = {
        _tag: "Domain",
        id: "domain:example.com",
        owner: "account:bob",
        source: { path: "x" },
        name: "example.com",
        kind: "main",
        ips: [],
      }
      const { soa: _, ...zone } = zoneOf("example.com", good("example.com"))
      const result = yield* run(zone, [{ field: "ip", from: "203.0.113.9", to: "192.0.2.10" }], [domain])
      assert.deepStrictEqual(result.notes, [
        "3 address records moved to the new IP address",
        "the zone had no SOA record; a default one was written (serial 1)",
      ])
      const text = readFileSync(env.layout.zoneFile("example.com"), "utf8")
      assert.notInclude(text, "203.0.113.9")
      assert.include(text, "example.com. IN A 192.0.2.10\n")
    }),
  )
})
