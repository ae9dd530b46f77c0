import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { derivePasswordSchemes, formatSize, loadProfile, parseProfile, parseSize, profileYaml } from "../src/index.ts"
import { exampleProfile, failure, tempDir } from "./Support.ts"

const detail = (text: string) => failure(parseProfile(text, "ferry.yaml", { root: tempDir() })).pipe(Effect.map((error) => error.detail))

describe("ferry.yaml", () => {
  it.effect("the example file is valid and states every section", () =>
    Effect.gen(function* () {
      const capabilities = yield* loadProfile(exampleProfile, { root: tempDir() })
      assert.deepStrictEqual(capabilities.webServer, { kind: "nginx", version: "1.22.1" })
      assert.deepStrictEqual(capabilities.php, { versions: ["8.1", "8.2", "8.3"], modes: ["fpm"], default: "8.2", defaultMode: "fpm" })
      assert.deepStrictEqual(capabilities.mysql, [
        { id: "mariadb-main", engine: "mariadb", version: "10.11.6", host: "127.0.0.1", port: 3306, default: true },
      ])
      // A lone server is the default even without `default: true`.
      assert.deepStrictEqual(capabilities.postgresql, [
        { id: "pg15", engine: "postgresql", version: "15.8", host: "127.0.0.1", port: 5432, default: true },
      ])
      assert.deepStrictEqual(capabilities.python, { versions: ["3.11"], default: "3.11" })
      assert.deepStrictEqual(capabilities.nodejs, { versions: ["20.11.1"], default: "20.11.1" })
      assert.deepStrictEqual(
        [capabilities.ftp, capabilities.dns, capabilities.mail],
        [{ kind: "pure-ftpd" }, { kind: "bind" }, { mta: "postfix", imap: "dovecot" }],
      )
      assert.deepStrictEqual(capabilities.ips, ["203.0.113.10", "2001:db8::10"])
      assert.isTrue(capabilities.diskFreeBytes > 0, "disk.free: auto measures the root")
      // passwordSchemes.mail overrides; the other services keep the derived defaults.
      assert.deepStrictEqual(capabilities.passwordSchemes.mail, ["sha512-crypt", "bcrypt"])
      assert.deepStrictEqual(capabilities.passwordSchemes.mysql, ["mysql-native"])
      assert.deepStrictEqual(capabilities.passwordSchemes.postgresql, ["postgres-md5", "postgres-scram"])
      assert.deepStrictEqual(capabilities.passwordSchemes.ftp, ["md5-crypt", "sha256-crypt", "sha512-crypt", "bcrypt"])
      assert.include(capabilities.passwordSchemes.system, "yescrypt")
    }),
  )

  it.effect("absent sections mean not installed; disk and ips default to auto", () =>
    Effect.gen(function* () {
      const capabilities = yield* parseProfile("format: 1\n", "ferry.yaml", { root: tempDir() })
      assert.deepStrictEqual(capabilities.webServer, { kind: "none" })
      assert.deepStrictEqual(capabilities.php, { versions: [], modes: [] })
      assert.deepStrictEqual([capabilities.mysql, capabilities.postgresql], [[], []])
      assert.deepStrictEqual(capabilities.mail, { mta: "none", imap: "none" })
      assert.deepStrictEqual(capabilities.passwordSchemes.mail, [])
      assert.deepStrictEqual(capabilities.passwordSchemes.web, [])
      assert.isTrue(capabilities.diskFreeBytes > 0)
      assert.isTrue(Array.isArray(capabilities.ips))
    }),
  )

  it.effect("disk.free takes bytes and sizes", () =>
    Effect.gen(function* () {
      const sized = yield* parseProfile("disk:\n  free: 50GiB\n", "ferry.yaml")
      assert.strictEqual(sized.diskFreeBytes, 50 * 2 ** 30)
      const bytes = yield* parseProfile("disk:\n  free: 1000\nips: []\n", "ferry.yaml")
      assert.strictEqual(bytes.diskFreeBytes, 1000)
      assert.deepStrictEqual(bytes.ips, [])
    }),
  )

  it.effect("each kind of problem names its key", () =>
    Effect.gen(function* () {
      assert.strictEqual(
        yield* detail('php:\n  versions: ["8.2"]\n  modes: [fpm]\n  default: "8.4"\n'),
        "php.default: 8.4 is not among php.versions",
      )
      assert.strictEqual(
        yield* detail('php:\n  versions: ["8.2"]\n  modes: [fpm]\n  defaultMode: cgi\n'),
        "php.defaultMode: cgi is not among php.modes",
      )
      assert.match(yield* detail('php:\n  versions: ["8.2"]\n'), /^php\.modes: missing/)
      assert.match(yield* detail("php:\n  versions: [8.2]\n  modes: [fpm]\n"), /^php\.versions\[0\]: write versions as quoted strings/)
      assert.strictEqual(
        yield* detail('php:\n  versions: ["8"]\n  modes: [fpm]\n'),
        'php.versions[0]: "8" is not a major.minor version such as "8.2"',
      )
      assert.strictEqual(
        yield* detail('php:\n  versions: ["8.2", "8.2"]\n  modes: [fpm]\n'),
        "php.versions: 8.2 is listed twice in php.versions",
      )
      assert.strictEqual(
        yield* detail("webServer:\n  kind: apache2\n"),
        'webServer.kind: expected "nginx" | "apache" | "none", got "apache2"',
      )
      assert.strictEqual(yield* detail("webserver:\n  kind: nginx\n"), "webserver: unknown key")
      assert.strictEqual(yield* detail("mail:\n  mta: postfix\n  pop3: dovecot\n"), "mail.pop3: unknown key")
      assert.strictEqual(
        yield* detail('mysql:\n  - { id: a, engine: mariadb, version: "10.11", port: 70000 }\n'),
        "mysql[0].port: expected a port between 1 and 65535",
      )
      assert.strictEqual(
        yield* detail('mysql:\n  - { id: a, engine: postgresql, version: "10.11" }\n'),
        'mysql[0].engine: expected "mysql" | "mariadb", got "postgresql"',
      )
      assert.strictEqual(
        yield* detail(
          'mysql:\n  - { id: a, engine: mysql, version: "8.0", default: true }\n  - { id: b, engine: mysql, version: "8.4", default: true }\n',
        ),
        "mysql[1].default: mysql[0] is already the default server",
      )
      assert.strictEqual(
        yield* detail('mysql:\n  - { id: a, engine: mysql, version: "8.0" }\n  - { id: b, engine: mysql, version: "8.4" }\n'),
        "mysql: 2 servers and none has default: true",
      )
      assert.strictEqual(
        yield* detail('mysql:\n  - { id: db, engine: mysql, version: "8.0" }\npostgresql:\n  - { id: db, version: "15" }\n'),
        "postgresql[0].id: db is already used by mysql[0]",
      )
      assert.strictEqual(yield* detail('mysql:\n  - { engine: mysql, version: "8.0" }\n'), "mysql[0].id: missing key")
      assert.strictEqual(
        yield* detail("disk:\n  free: 50X\n"),
        'disk.free: "50X" is not a size (use auto, a number of bytes, or a size such as 50GiB or 500MB)',
      )
      assert.strictEqual(yield* detail("ips: [192.0.2.1, nope]\n"), 'ips[1]: "nope" is not an IP address')
      assert.match(
        yield* detail("passwordSchemes:\n  mail: [argon2]\n"),
        /^passwordSchemes\.mail\[0\]: expected "md5-crypt" \| .*, got "argon2"$/,
      )
      assert.strictEqual(yield* detail("format: 2\n"), "format: expected 1, got 2")
      assert.strictEqual(
        yield* detail('webServer:\n  kind: none\n  version: "1.0"\n'),
        "webServer.version: set, but webServer.kind is none",
      )
    }),
  )

  it.effect("all problems of a file are reported together", () =>
    Effect.gen(function* () {
      const text = yield* detail("dns:\n  kind: djbdns\nftp:\n  kind: wu-ftpd\n")
      assert.strictEqual(
        text,
        'ftp.kind: expected "pure-ftpd" | "proftpd" | "vsftpd" | "none", got "wu-ftpd"; dns.kind: expected "bind" | "powerdns" | "none", got "djbdns"',
      )
    }),
  )

  it.effect("files that are not a profile are refused with a reason", () =>
    Effect.gen(function* () {
      assert.strictEqual(yield* detail(""), "the file is empty")
      assert.strictEqual(yield* detail("- nginx\n"), "the document must be a mapping of sections (webServer, php, mysql, …)")
      assert.match(yield* detail("php: [\n"), /^invalid YAML/)
      assert.match(yield* detail("a: 1\n---\nb: 2\n"), /2 documents is refused/)
      const missing = yield* failure(loadProfile(join(tempDir(), "nope.yaml")))
      assert.match(missing.message, /nope\.yaml: cannot read: ENOENT$/)
      const huge = join(tempDir(), "huge.yaml")
      writeFileSync(huge, `# ${"x".repeat(1024 * 1024)}\n`)
      assert.match((yield* failure(loadProfile(huge))).detail, /larger than/)
    }),
  )

  it.effect("hostile YAML stays inert", () =>
    Effect.gen(function* () {
      const capabilities = yield* parseProfile("__proto__:\n  polluted: true\nformat: 1\n", "ferry.yaml", { root: tempDir() })
      assert.isUndefined((capabilities as unknown as Record<string, unknown>).polluted)
      assert.isUndefined(({} as Record<string, unknown>).polluted)
      const bomb = `a: &a [x, x]\nb: &b [${Array(12).fill("*a").join(", ")}]\n`
      assert.match(yield* detail(bomb), /^unsafe YAML/)
    }),
  )

  it.effect("profileYaml writes a file that loads back to the same capabilities", () =>
    Effect.gen(function* () {
      const root = tempDir()
      const original = yield* loadProfile(exampleProfile, { root })
      const text = profileYaml(original)
      assert.include(text, "free: auto")
      assert.include(text, "passwordSchemes:\n  mail: [sha512-crypt, bcrypt]")
      const file = join(root, "ferry.yaml")
      writeFileSync(file, text)
      const loaded = yield* loadProfile(file, { root })
      assert.deepStrictEqual({ ...loaded, diskFreeBytes: 0 }, { ...original, diskFreeBytes: 0 })
    }),
  )

  it.effect("profileYaml of a bare host keeps the defaults commented out", () =>
    Effect.gen(function* () {
      const bare = yield* parseProfile("ips: []\n", "ferry.yaml", { root: tempDir() })
      const text = profileYaml(bare)
      assert.include(text, "mysql: []  # none found")
      assert.include(text, "# passwordSchemes:\n#   system: [md5-crypt, sha256-crypt, sha512-crypt, bcrypt, yescrypt]")
      const again = yield* parseProfile(text, "generated", { root: tempDir() })
      assert.deepStrictEqual({ ...again, diskFreeBytes: 0 }, { ...bare, diskFreeBytes: 0 })
    }),
  )

  it.effect("a server version detection could not read must be filled in", () =>
    Effect.gen(function* () {
      const base = yield* parseProfile("ips: []\n", "ferry.yaml", { root: tempDir() })
      const text = profileYaml({ ...base, mysql: [{ id: "localhost:3306", engine: "mysql", version: "unknown", default: true }] })
      assert.include(text, "could not be read")
      assert.strictEqual(
        (yield* failure(parseProfile(text, "ferry.yaml"))).detail,
        'mysql[0].version: "unknown" is not a version such as "10.11.6"',
      )
    }),
  )
})

describe("password scheme defaults", () => {
  const none = {
    webServer: { kind: "none" },
    mysql: [],
    postgresql: [],
    ftp: { kind: "none" },
    mail: { mta: "none", imap: "none" },
  } as const
  const server = (engine: "mysql" | "mariadb" | "postgresql", version: string) => ({
    id: `${engine}-${version}`,
    engine,
    version,
    default: false,
  })

  it("follow the server kinds and versions", () => {
    const derived = derivePasswordSchemes({
      ...none,
      webServer: { kind: "apache" },
      mail: { mta: "exim", imap: "dovecot" },
      ftp: { kind: "proftpd" },
      mysql: [server("mysql", "8.0.36")],
      postgresql: [server("postgresql", "9.6")],
    })
    assert.deepStrictEqual(derived.mail, ["md5-crypt", "sha256-crypt", "sha512-crypt", "bcrypt", "plain"])
    assert.deepStrictEqual(derived.mysql, ["mysql-native", "caching-sha2"])
    assert.deepStrictEqual(derived.postgresql, ["postgres-md5"])
    assert.deepStrictEqual(derived.web, ["md5-crypt", "sha256-crypt", "sha512-crypt", "bcrypt"])
    assert.deepStrictEqual(derivePasswordSchemes({ ...none, mysql: [server("mysql", "8.4.2")] }).mysql, ["caching-sha2"])
    assert.deepStrictEqual(derivePasswordSchemes({ ...none, mysql: [server("mysql", "5.7.44")] }).mysql, ["mysql-native"])
    assert.deepStrictEqual(derivePasswordSchemes({ ...none, ftp: { kind: "vsftpd" } }).ftp, derivePasswordSchemes(none).system)
  })

  it("with several servers, only what all of them accept", () => {
    const mixed = derivePasswordSchemes({ ...none, mysql: [server("mariadb", "10.11.6"), server("mysql", "8.0.36")] })
    assert.deepStrictEqual(mixed.mysql, ["mysql-native"])
    const disjoint = derivePasswordSchemes({ ...none, mysql: [server("mariadb", "10.11.6"), server("mysql", "9.1.0")] })
    assert.deepStrictEqual(disjoint.mysql, [])
  })
})

describe("sizes", () => {
  it("parse the units people write", () => {
    assert.strictEqual(parseSize("50GiB"), 50 * 2 ** 30)
    assert.strictEqual(parseSize("50G"), 50 * 2 ** 30)
    assert.strictEqual(parseSize("500 MB"), 500e6)
    assert.strictEqual(parseSize("1.5TiB"), 1.5 * 2 ** 40)
    assert.strictEqual(parseSize("2048"), 2048)
    assert.isUndefined(parseSize("50 gallons"))
    assert.isUndefined(parseSize("-5G"))
    assert.isUndefined(parseSize(""))
    assert.strictEqual(formatSize(1536 * 2 ** 20), "1.5 GiB")
  })
})

describe("documentation", () => {
  it("the README shows ferry.example.yaml as it is", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8")
    assert.include(readme, readFileSync(exampleProfile, "utf8").trim())
  })
})
