import { inspect } from "node:util"
import { Redacted, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { cryptScheme, cryptSchemeLoose, isLockedCrypt, makePasswordHash, mysqlScheme, PasswordHash, postgresScheme } from "../src/index.ts"

const b64 = (n: number, seed = "aB3./"): string => seed.repeat(Math.ceil(n / seed.length)).slice(0, n)

const crypts: ReadonlyArray<readonly [string, string]> = [
  [`$1$saltsalt$${b64(22)}`, "md5-crypt"],
  [`$5$saltsalt$${b64(43)}`, "sha256-crypt"],
  [`$5$rounds=5000$saltsalt$${b64(43)}`, "sha256-crypt"],
  [`$6$saltsaltsaltsalt$${b64(86)}`, "sha512-crypt"],
  [`$6$rounds=656000$salt$${b64(86)}`, "sha512-crypt"],
  [`$2y$10$${b64(53)}`, "bcrypt"],
  [`$2a$12$${b64(53)}`, "bcrypt"],
  [`$y$j9T$${b64(22)}$${b64(43)}`, "yescrypt"],
  [b64(13), "des-crypt"],
]

describe("cryptScheme", () => {
  for (const [hash, scheme] of crypts) {
    it(`recognises ${scheme}: ${hash.slice(0, 12)}…`, () => {
      expect(cryptScheme(hash)).toBe(scheme)
      expect(cryptSchemeLoose(hash)).toBe(scheme)
    })
  }

  it("calls plaintext, empty and odd strings unknown", () => {
    for (const hash of ["hunter2", "", "$9$abc$def", "{SHA}abc=", `$6$salt$${b64(85)}`]) expect(cryptScheme(hash)).toBe("unknown")
  })

  it("treats hashes containing ':' or a line break as unknown (they would split passwd/shadow lines)", () => {
    const sha512 = `$6$saltsalt$${b64(86)}`
    const hashes = [
      `${sha512}:0:99999`,
      `${sha512}\nroot::0:0::/:/bin/sh`,
      `$6$salt$${b64(40)}\n`,
      "$6$a:b",
      "$1$x\ny",
      // A ':' or line break inside the salt field is just as dangerous as one after the hash.
      `$1$salt:x$${b64(22)}`,
      `$6$ab:cd$${b64(86)}`,
      `$6$ab\ncd$${b64(86)}`,
      `$5$ab\ncd$${b64(43)}`,
    ]
    for (const hash of hashes) {
      expect(cryptScheme(hash), JSON.stringify(hash)).toBe("unknown")
      expect(cryptSchemeLoose(hash), JSON.stringify(hash)).toBe("unknown")
    }
  })

  it("loosely accepts redacted or shortened crypt strings by prefix", () => {
    expect(cryptSchemeLoose("$6$REDACTED")).toBe("sha512-crypt")
    expect(cryptSchemeLoose("$1$x$y")).toBe("md5-crypt")
    expect(cryptSchemeLoose("$2b$REDACTED")).toBe("bcrypt")
    expect(cryptSchemeLoose("$6$has space")).toBe("unknown")
  })

  it("recognises locked and empty crypt fields", () => {
    for (const hash of ["", "*", "!", "!!", `!$6$salt$${b64(86)}`, "*LK*"]) expect(isLockedCrypt(hash)).toBe(true)
    expect(isLockedCrypt(`$6$salt$${b64(86)}`)).toBe(false)
  })
})

describe("mysqlScheme and postgresScheme", () => {
  it("recognises each MySQL form", () => {
    expect(mysqlScheme(`*${"0123456789ABCDEF".repeat(3).slice(0, 40)}`)).toBe("mysql-native")
    expect(mysqlScheme("6f8c114b58f2ce9e")).toBe("mysql-old")
    expect(mysqlScheme("2A3841…", "caching_sha2_password")).toBe("caching-sha2")
    expect(mysqlScheme("2A3841…", "sha256_password")).toBe("sha256-password")
    expect(mysqlScheme("plaintext")).toBe("unknown")
    expect(mysqlScheme(`*${"A".repeat(40)}:`)).toBe("unknown")
    expect(mysqlScheme(`*${"A".repeat(40)}\n`)).toBe("unknown")
  })

  it("recognises each PostgreSQL form", () => {
    expect(postgresScheme(`md5${"0123456789abcdef".repeat(2)}`)).toBe("postgres-md5")
    expect(postgresScheme("SCRAM-SHA-256$4096:c2FsdA==$c3RvcmVk:c2VydmVy")).toBe("postgres-scram")
    expect(postgresScheme(`md5${"0123456789abcdef".repeat(2)}\n`)).toBe("unknown")
    expect(postgresScheme("secret")).toBe("unknown")
  })
})

describe("PasswordHash values are Redacted", () => {
  const secret = "$6$s3cr3tSalt$VERYSECRETHASHVALUE"
  const hash = makePasswordHash("sha512-crypt", secret)

  it("never shows the value through JSON, String, template literals or inspect", () => {
    for (const shown of [
      JSON.stringify(hash),
      JSON.stringify({ nested: [hash] }),
      String(hash.value),
      `${hash.value}`,
      inspect(hash, { depth: 10 }),
      inspect({ nested: hash }, { depth: 10 }),
    ]) {
      expect(shown).not.toContain("VERYSECRET")
      expect(shown).not.toContain("s3cr3t")
    }
    expect(JSON.stringify(hash)).toContain("sha512-crypt")
  })

  it("keeps the value for the import step", () => {
    expect(Redacted.value(hash.value)).toBe(secret)
  })

  it("decodes from the schema without exposing the value either", () => {
    const decoded = Schema.decodeUnknownSync(PasswordHash)({ scheme: "md5-crypt", value: Redacted.make("$1$abc$SECRETVALUE") })
    expect(JSON.stringify(decoded)).not.toContain("SECRETVALUE")
    expect(String(decoded.value)).not.toContain("SECRETVALUE")
  })
})
