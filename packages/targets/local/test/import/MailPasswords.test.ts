import { execFileSync } from "node:child_process"
import { existsSync } from "node:fs"
import { assert, describe, it } from "@effect/vitest"
import { makePasswordHash, type PasswordScheme } from "@ferry/core"
import {
  choosePassword,
  cryptSchemes,
  dovecotPasswdLine,
  dovecotPrefix,
  generatePassword,
  renderDovecotPasswd,
  sha512Crypt,
  verifySha512Crypt,
} from "../../src/import/Dovecot.ts"

/* Real hashes of the password "secret" (made with openssl passwd and Python's crypt). */
const hashes = {
  md5: "$1$abc$iCQ2D3nhptRYi27fDYv2s1",
  sha256: "$5$abcdefgh$gruCpC7VkOTspMQTTSAR8mtlO9Upms.fwqE5y16JVM.",
  sha512: "$6$abcdefgh$ltjgWl6579NluT/Vi1nwEvcil.G5Nbc4NiXZaNGStk8PSwGfQv72N2CKPPrVACtLtip/cZ/1GM/O6IND4WQhG.",
  bcrypt: "$2b$05$abcdefghijklmnopqrstuuOQiyCxlgf/oeuTqixKmWdcYUh4Hjl0a",
  yescrypt: "$y$j9T$abcdefghijklmnop$3dL1LkYnZM.OVXuVdnnaKVDlLYT92dRwOzDZ5XiVCe.",
  des: "abNANd1rDfiNc",
} as const

const mailSchemes: ReadonlyArray<PasswordScheme> = ["md5-crypt", "sha256-crypt", "sha512-crypt", "bcrypt", "plain"]
const supported = new Set(Object.keys(dovecotPrefix)) as ReadonlySet<PasswordScheme>
const choose = (scheme: PasswordScheme, value: string, accepted = mailSchemes, forceNew = false) =>
  choosePassword(makePasswordHash(scheme, value), accepted, supported, forceNew)

const doveadm = ["/usr/bin/doveadm", "/usr/sbin/doveadm"].find(existsSync)

describe("SHA512-CRYPT", () => {
  it("matches crypt(3): the specification's vectors and openssl", () => {
    assert.strictEqual(sha512Crypt("secret", "abcdefgh"), hashes.sha512)
    // From Drepper's specification (rounds and a salt cut at 16 characters).
    assert.strictEqual(
      sha512Crypt("Hello world!", "saltstringsaltstring", 10000),
      "$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.",
    )
    assert.strictEqual(
      sha512Crypt("Hello world!", "saltstring"),
      "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1",
    )
    const long = "a password longer than one SHA-512 block: ......................................................"
    const openssl = execFileSync("openssl", ["passwd", "-6", "-salt", "saltsaltsaltsalt", "--", long], { encoding: "utf8" }).trim()
    assert.strictEqual(sha512Crypt(long, "saltsaltsaltsalt"), openssl)
  })

  it("verifies its own hashes and refuses others", () => {
    const hash = sha512Crypt("pässwörd", "xyz")
    assert.isTrue(verifySha512Crypt("pässwörd", hash))
    assert.isFalse(verifySha512Crypt("passwörd", hash))
    assert.isFalse(verifySha512Crypt("secret", hashes.md5))
  })

  it("generates distinct passwords of 20 letters and digits", () => {
    const a = generatePassword()
    assert.match(a, /^[A-Za-z0-9]{20}$/)
    assert.notStrictEqual(a, generatePassword())
  })
})

describe("which password a mailbox gets (checklist item 43)", () => {
  it("keeps crypt hashes the mail server verifies", () => {
    assert.deepStrictEqual(choose("md5-crypt", hashes.md5), { _tag: "keep", scheme: "md5-crypt", value: hashes.md5 })
    assert.deepStrictEqual(choose("sha512-crypt", hashes.sha512), { _tag: "keep", scheme: "sha512-crypt", value: hashes.sha512 })
    assert.deepStrictEqual(choose("bcrypt", hashes.bcrypt), { _tag: "keep", scheme: "bcrypt", value: hashes.bcrypt })
  })

  it("hashes a plain password instead of storing it", () => {
    assert.deepStrictEqual(choose("plain", "p:ss\nword"), { _tag: "hash-plain", password: "p:ss\nword" })
    assert.strictEqual(choose("plain", "")._tag, "new")
  })

  it("gives a new password for unknown, panel-encrypted, unaccepted and malformed hashes", () => {
    assert.strictEqual(choose("unknown", "whatever")._tag, "new")
    assert.strictEqual(choose("plesk-sym", "Zm9vYmFy")._tag, "new")
    // yescrypt and DES work with Dovecot on Debian 12 but the profile does not list them.
    assert.strictEqual(choose("yescrypt", hashes.yescrypt)._tag, "new")
    assert.strictEqual(choose("des-crypt", hashes.des)._tag, "new")
    assert.strictEqual(choose("yescrypt", hashes.yescrypt, [...mailSchemes, "yescrypt"])._tag, "keep")
    // A hash that would break the passwd-file line.
    const colon = choose("md5-crypt", "$1$abc$iCQ2D3nhptRYi2:fDYv2s1")
    assert.strictEqual(colon._tag, "new")
    assert.match(colon._tag === "new" ? colon.reason : "", /malformed/)
    assert.strictEqual(choose("sha512-crypt", `${hashes.sha512}\nevil@example.com:{PLAIN}x`)._tag, "new")
    assert.strictEqual(choose("sha512-crypt", "$6$abc def$x")._tag, "new")
    // A scheme label that does not match the value.
    assert.strictEqual(choose("bcrypt", hashes.md5)._tag, "new")
  })

  it("follows the plan's new password and a missing hash", () => {
    assert.strictEqual(choose("md5-crypt", hashes.md5, mailSchemes, true)._tag, "new")
    assert.strictEqual(choosePassword(undefined, mailSchemes, supported, false)._tag, "new")
  })

  it("FTP keeps every crypt scheme the profile lists", () => {
    assert.strictEqual(choosePassword(makePasswordHash("des-crypt", hashes.des), ["des-crypt"], cryptSchemes, false)._tag, "keep")
    assert.strictEqual(choosePassword(makePasswordHash("mysql-native", "*ABC"), ["mysql-native"], cryptSchemes, false)._tag, "new")
  })
})

describe("Dovecot passwd-file", () => {
  const user = {
    address: "info@example.com",
    scheme: "md5-crypt" as const,
    hash: hashes.md5,
    uid: 2001,
    gid: 2001,
    home: "/var/mail/vhosts/example.com/info",
    quotaBytes: 1048576,
    enabled: true,
  }

  it("writes one line per scheme with its prefix", () => {
    assert.strictEqual(
      dovecotPasswdLine(user),
      "info@example.com:{MD5-CRYPT}$1$abc$iCQ2D3nhptRYi27fDYv2s1:2001:2001::/var/mail/vhosts/example.com/info::userdb_quota_rule=*:bytes=1048576",
    )
    const prefixes: Record<string, string> = {
      "sha256-crypt": "{SHA256-CRYPT}",
      "sha512-crypt": "{SHA512-CRYPT}",
      bcrypt: "{BLF-CRYPT}",
      "des-crypt": "{DES-CRYPT}",
      yescrypt: "{CRYPT}",
    }
    for (const [scheme, prefix] of Object.entries(prefixes))
      assert.include(dovecotPasswdLine({ ...user, scheme: scheme as PasswordScheme }), `:${prefix}$1$`)
  })

  it("omits an unlimited quota and refuses the login of a disabled mailbox", () => {
    assert.strictEqual(
      dovecotPasswdLine({ ...user, quotaBytes: null }),
      `info@example.com:{MD5-CRYPT}${hashes.md5}:2001:2001::${user.home}::`,
    )
    assert.isTrue(dovecotPasswdLine({ ...user, quotaBytes: null, enabled: false }).endsWith("::nologin"))
  })

  it("sorts users so the same records give the same bytes", () => {
    const b = { ...user, address: "b@example.com" }
    const a = { ...user, address: "a@example.com" }
    assert.strictEqual(renderDovecotPasswd("example.com", [b, a]), renderDovecotPasswd("example.com", [a, b]))
    const lines = renderDovecotPasswd("example.com", [b, a]).split("\n")
    assert.isTrue(lines[0]?.startsWith("#"))
    assert.isTrue(lines[1]?.startsWith("a@example.com:"))
  })

  it.skipIf(doveadm === undefined)("doveadm verifies every kept hash with its prefix", () => {
    const kept: Array<[PasswordScheme, string]> = [
      ["md5-crypt", hashes.md5],
      ["sha256-crypt", hashes.sha256],
      ["sha512-crypt", hashes.sha512],
      ["bcrypt", hashes.bcrypt],
      ["des-crypt", hashes.des],
      ["yescrypt", hashes.yescrypt],
      ["sha512-crypt", sha512Crypt("secret", "generated")],
    ]
    for (const [scheme, hash] of kept) {
      const field = dovecotPasswdLine({ ...user, scheme, hash })
        .split(":")
        .slice(1, 2)
        .join(":")
      // The password field ends at the next ":" (crypt strings never hold one).
      const out = execFileSync(doveadm as string, ["pw", "-t", field, "-p", "secret"], { encoding: "utf8" })
      assert.include(out, "(verified)", scheme)
    }
  })
})
