import { assert, describe, it } from "@effect/vitest"
import type { Account, Domain } from "@ferry/core"
import { Result } from "effect"
import {
  certificateName,
  configValue,
  databaseName,
  databaseUser,
  domainName,
  mailAddress,
  mailboxLocalPart,
  phpVersion,
  relativePath,
  resolveOwner,
  systemUser,
} from "../../src/import/Identifiers.ts"
import { makeStepContext } from "../support/ImportEnvFixture.ts"

/* Checklist items 28–30: names with shell or SQL metacharacters never pass. */
const hostile = [
  "a;b",
  "a|b",
  "a$(id)",
  "$(id)",
  "a`id`",
  "a b",
  "a\nb",
  "a\rb",
  "a\0b",
  "-a",
  "--help",
  "a`; DROP TABLE x; --",
  "a'b",
  'a"b',
  "a/b",
  "a\\b",
  "..",
  "",
]

const rule = (checked: Result.Result<string, { rule: string }>) => (Result.isFailure(checked) ? checked.failure.rule : "ok")

describe("identifiers", () => {
  it("item 28/30: hostile strings are refused for every kind of name", () => {
    for (const value of hostile) {
      assert.isTrue(Result.isFailure(systemUser(value)), `system user ${JSON.stringify(value)}`)
      assert.isTrue(Result.isFailure(domainName(value)), `domain ${JSON.stringify(value)}`)
      assert.isTrue(Result.isFailure(domainName(`${value}.example.com`)), `domain ${JSON.stringify(value)}.example.com`)
      assert.isTrue(Result.isFailure(mailboxLocalPart(value)), `mailbox ${JSON.stringify(value)}`)
      assert.isTrue(Result.isFailure(databaseName(value, "mariadb")), `database ${JSON.stringify(value)}`)
      assert.isTrue(Result.isFailure(databaseUser(value, "postgresql")), `database user ${JSON.stringify(value)}`)
      assert.isTrue(Result.isFailure(certificateName(value)), `certificate ${JSON.stringify(value)}`)
    }
  })

  it("system users: allow-list, length and reserved names (item 31)", () => {
    assert.deepStrictEqual(systemUser("alice_01"), Result.succeed("alice_01"))
    assert.deepStrictEqual(systemUser("_svc-x"), Result.succeed("_svc-x"))
    assert.strictEqual(rule(systemUser("Alice")), "leading")
    assert.strictEqual(rule(systemUser("al.ice")), "characters")
    assert.strictEqual(rule(systemUser("1abc")), "leading")
    assert.strictEqual(rule(systemUser("a".repeat(33))), "too-long")
    for (const name of ["root", "mail", "www-data", "admin", "postgres", "systemd-network"])
      assert.strictEqual(rule(systemUser(name)), "reserved")
  })

  it("item 29: domains are normalised (case, trailing dot, IDN) or refused", () => {
    assert.deepStrictEqual(domainName("Example.COM"), Result.succeed("example.com"))
    assert.deepStrictEqual(domainName("example.com."), Result.succeed("example.com"))
    assert.deepStrictEqual(domainName("bücher.example"), Result.succeed("xn--bcher-kva.example"))
    assert.deepStrictEqual(domainName("xn--bcher-kva.example"), Result.succeed("xn--bcher-kva.example"))
    assert.strictEqual(rule(domainName("a..example.com")), "label")
    assert.strictEqual(rule(domainName("example.com/../etc")), "characters")
    assert.strictEqual(rule(domainName("example.com..")), "label")
    assert.strictEqual(rule(domainName(".example.com")), "label")
    assert.strictEqual(rule(domainName("localhost")), "label")
    assert.strictEqual(rule(domainName("-bad.example.com")), "label")
    assert.strictEqual(rule(domainName("under_score.example.com")), "label")
    assert.strictEqual(rule(domainName("192.0.2.1")), "label")
    assert.strictEqual(rule(domainName(`${"a".repeat(64)}.example.com`)), "label")
    const long = `${Array.from({ length: 4 }, () => "a".repeat(63)).join(".")}.com`
    assert.strictEqual(rule(domainName(long)), "too-long")
    assert.isTrue(Result.isSuccess(domainName(`${Array.from({ length: 3 }, () => "a".repeat(63)).join(".")}.com`)))
  })

  it("mailbox local parts and addresses", () => {
    assert.deepStrictEqual(mailboxLocalPart("Info.Sales+x"), Result.succeed("info.sales+x"))
    assert.strictEqual(rule(mailboxLocalPart("a..b")), "dots")
    assert.strictEqual(rule(mailboxLocalPart("a.")), "dots")
    assert.strictEqual(rule(mailboxLocalPart(".a")), "leading")
    assert.strictEqual(rule(mailboxLocalPart("a".repeat(65))), "too-long")
    assert.deepStrictEqual(mailAddress("Info@Example.COM."), Result.succeed("info@example.com"))
    assert.isTrue(Result.isFailure(mailAddress("a|b@example.com")))
    assert.isTrue(Result.isFailure(mailAddress("@example.com")))
  })

  it("database names: [A-Za-z0-9_] within each engine's limit", () => {
    assert.deepStrictEqual(databaseName("shop_wp1", "mariadb"), Result.succeed("shop_wp1"))
    assert.isTrue(Result.isSuccess(databaseName("d".repeat(64), "mariadb")))
    assert.strictEqual(rule(databaseName("d".repeat(64), "postgresql")), "too-long")
    assert.strictEqual(rule(databaseName("d".repeat(65), "mysql")), "too-long")
    assert.isTrue(Result.isSuccess(databaseUser("u".repeat(80), "mariadb")))
    assert.strictEqual(rule(databaseUser("u".repeat(81), "mariadb")), "too-long")
    assert.strictEqual(rule(databaseUser("u".repeat(33), "mysql")), "too-long")
    assert.strictEqual(rule(databaseName("12345", "mariadb")), "characters")
    assert.strictEqual(rule(databaseName("shop-db", "mariadb")), "characters")
  })

  it("paths, PHP versions and config values", () => {
    assert.deepStrictEqual(relativePath("public_html/"), Result.succeed("public_html"))
    assert.deepStrictEqual(relativePath("sites/example.com/web"), Result.succeed("sites/example.com/web"))
    for (const bad of ["/etc", "../x", "a/../b", "a//b", "a/./b", "-x", "a b", "a;b", ""])
      assert.isTrue(Result.isFailure(relativePath(bad)), bad)
    assert.deepStrictEqual(phpVersion("8.2"), Result.succeed("8.2"))
    assert.isTrue(Result.isFailure(phpVersion("8.2;")))
    assert.isTrue(Result.isFailure(configValue("a\nb")))
    assert.isTrue(Result.isSuccess(configValue("a b = c")))
  })

  it("owners: the plan's new owner, the owning account, or the administrator", () => {
    const base = { source: { path: "x" }, contact: {}, status: "active", limits: {}, permissions: {}, ipPool: [], extras: {} } as const
    const admin: Account = { ...base, _tag: "Account", id: "account:root", owner: null, kind: "admin", login: "root" }
    const bob: Account = { ...base, _tag: "Account", id: "account:bob", owner: "account:root", kind: "client", login: "bob" }
    const domain = (owner: string | null): Domain => ({
      _tag: "Domain",
      id: "domain:example.com",
      owner,
      source: { path: "x" },
      name: "example.com",
      kind: "main",
      ips: [],
    })
    const all = [admin, bob]
    assert.deepStrictEqual(resolveOwner(domain("account:bob"), makeStepContext(domain("account:bob"), all)), Result.succeed("bob"))
    assert.deepStrictEqual(resolveOwner(domain("account:root"), makeStepContext(domain("account:root"), all)), Result.succeed("admin"))
    assert.deepStrictEqual(resolveOwner(domain(null), makeStepContext(domain(null), all)), Result.succeed("admin"))
    const moved = domain("account:bob")
    assert.deepStrictEqual(
      resolveOwner(moved, makeStepContext(moved, all, [{ field: "owner", from: "bob", to: "carol" }])),
      Result.succeed("carol"),
    )
    assert.isTrue(Result.isFailure(resolveOwner(moved, makeStepContext(moved, all, [{ field: "owner", from: "bob", to: "x;y" }]))))
  })
})
