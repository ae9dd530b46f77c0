import { isIP } from "node:net"
import { PasswordScheme, PhpMode } from "@ferry/core"
import { Schema } from "effect"
import { parseSize } from "./Size.ts"

/*
 * The ferry.yaml document: what the receiving server runs, written by an operator or by
 * `ferry target --detect`. Every section is optional; an absent section means "not installed"
 * (kind none, no versions, no servers), except `disk` and `ips`, which default to `auto`. Unknown
 * keys are errors, so a typo never silently turns a service off. ferry.example.yaml documents
 * every key.
 */

/** A string check whose message quotes the rejected value. */
const matching = (pattern: RegExp, expected: string) =>
  Schema.makeFilter((text: string) => pattern.test(text) || `${JSON.stringify(text)} is not ${expected}`)

const unquotedVersion = 'write versions as quoted strings such as "8.2" (YAML reads 8.10 as the number 8.1)'

/** "8.2" (PHP, Python: major.minor). */
const MinorVersion = Schema.String.annotate({ message: unquotedVersion }).check(
  matching(/^\d{1,3}\.\d{1,3}$/, 'a major.minor version such as "8.2"'),
)

/** "10.11.6", "8.0.36", "15", "20.11.1" (servers, Node.js, the web server). */
const Version = Schema.String.annotate({ message: unquotedVersion }).check(
  matching(/^\d{1,4}(\.\d{1,6}){0,3}$/, 'a version such as "10.11.6"'),
)

const ServerId = Schema.String.check(
  matching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, "an id of letters, digits and . _ : - (at most 64 characters)"),
)

/** A host name, an IP address, or the path of a Unix socket. */
const Host = Schema.String.check(matching(/^(\/[^\0\n]{0,1023}|[A-Za-z0-9._:[\]-]{1,253})$/, "a host name, an IP address or a socket path"))

const Port = Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 65535 }, { message: "expected a port between 1 and 65535" }))

const IpAddress = Schema.String.check(
  Schema.makeFilter((text: string) => isIP(text) !== 0 || `${JSON.stringify(text)} is not an IP address`),
)

/** `auto`, a number of bytes, or a size such as "50GiB". */
const DiskSize = Schema.Union([
  Schema.Literal("auto"),
  Schema.Int.check(Schema.isGreaterThanOrEqualTo(0, { message: "expected a non-negative number of bytes" })),
  Schema.String.check(
    Schema.makeFilter(
      (text: string) =>
        parseSize(text) !== undefined ||
        `${JSON.stringify(text)} is not a size (use auto, a number of bytes, or a size such as 50GiB or 500MB)`,
    ),
  ),
])

const firstDuplicate = <A>(values: ReadonlyArray<A>): A | undefined => values.find((value, index) => values.indexOf(value) !== index)

const noDuplicates = <A>(what: string) =>
  Schema.makeFilter((values: ReadonlyArray<A>) => {
    const duplicate = firstDuplicate(values)
    return duplicate === undefined || `${String(duplicate)} is listed twice in ${what}`
  })

const versionList = (section: string, version: typeof MinorVersion | typeof Version) =>
  Schema.Struct({
    versions: Schema.Array(version).check(noDuplicates(`${section}.versions`)),
    default: Schema.optionalKey(version),
  }).check(
    Schema.makeFilter((value) =>
      value.default === undefined || value.versions.includes(value.default)
        ? undefined
        : { path: ["default"], issue: `${value.default} is not among ${section}.versions` },
    ),
  )

const Php = Schema.Struct({
  versions: Schema.Array(MinorVersion).check(noDuplicates("php.versions")),
  modes: Schema.optionalKey(Schema.Array(PhpMode).check(noDuplicates("php.modes"))),
  default: Schema.optionalKey(MinorVersion),
  defaultMode: Schema.optionalKey(PhpMode),
}).check(
  Schema.makeFilter((php) => {
    const issues: Array<Schema.FilterIssue> = []
    if (php.default !== undefined && !php.versions.includes(php.default)) {
      issues.push({ path: ["default"], issue: `${php.default} is not among php.versions` })
    }
    if (php.versions.length > 0 && php.modes === undefined) {
      issues.push({ path: ["modes"], issue: "missing: list the handlers PHP runs under (fpm, cgi, fastcgi, module, lsapi)" })
    }
    if (php.defaultMode !== undefined && !(php.modes ?? []).includes(php.defaultMode)) {
      issues.push({ path: ["defaultMode"], issue: `${php.defaultMode} is not among php.modes` })
    }
    return issues
  }),
)

/** An absolute path without NUL or line breaks (a socket, a password file). */
const AbsolutePath = Schema.String.check(matching(/^\/[^\0\r\n]{0,1023}$/, "an absolute path"))

/** Names of environment variables (`passwordEnv`). */
const EnvName = Schema.String.check(matching(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, "an environment variable name"))

/**
 * How Ferry logs in to write databases (imports only; checks never connect). The password comes
 * from a file readable by its owner only, or from an environment variable; without either, the
 * server must let `user` in without one (a root Unix socket).
 */
const ServerAdmin = Schema.Struct({
  user: Schema.String.check(matching(/^[A-Za-z0-9_][A-Za-z0-9_.@-]{0,79}$/, "a database user name")),
  passwordFile: Schema.optionalKey(AbsolutePath),
  passwordEnv: Schema.optionalKey(EnvName),
}).check(
  Schema.makeFilter((admin) =>
    admin.passwordFile !== undefined && admin.passwordEnv !== undefined
      ? { path: ["passwordEnv"], issue: "set only one of passwordFile and passwordEnv" }
      : undefined,
  ),
)

const serverFields = {
  /** Name in plans and in `--db-map SOURCE=TARGET`. */
  id: ServerId,
  version: Version,
  host: Schema.optionalKey(Host),
  port: Schema.optionalKey(Port),
  /** Unix socket (MariaDB: the socket file; PostgreSQL: its directory), preferred over host/port. */
  socket: Schema.optionalKey(AbsolutePath),
  /** Where databases go unless `--db-map` says otherwise; implied for a lone server. */
  default: Schema.optionalKey(Schema.Boolean),
  admin: Schema.optionalKey(ServerAdmin),
}

const MysqlServerEntry = Schema.Struct({ ...serverFields, engine: Schema.Literals(["mysql", "mariadb"]) })
const PostgresqlServerEntry = Schema.Struct({ ...serverFields, engine: Schema.optionalKey(Schema.Literal("postgresql")) })

const serverList = <S extends typeof MysqlServerEntry | typeof PostgresqlServerEntry>(section: string, entry: S) =>
  Schema.Array(entry).check(
    Schema.makeFilter((servers: ReadonlyArray<{ readonly id: string; readonly default?: boolean }>) => {
      const defaults = servers.flatMap((server, index) => (server.default === true ? [index] : []))
      const issues: Array<Schema.FilterIssue> = []
      for (const index of defaults.slice(1)) {
        issues.push({ path: [index, "default"], issue: `${section}[${defaults[0]}] is already the default server` })
      }
      if (servers.length > 1 && defaults.length === 0 && servers.every((server) => server.default === undefined)) {
        issues.push({ path: [], issue: `${servers.length} servers and none has default: true` })
      }
      return issues
    }),
  )

export const ProfileFile = Schema.Struct({
  /** Version of this file format; 1 is the only one so far. */
  format: Schema.optionalKey(Schema.Literal(1)),
  webServer: Schema.optionalKey(
    Schema.Struct({ kind: Schema.Literals(["nginx", "apache", "none"]), version: Schema.optionalKey(Version) }),
  ),
  php: Schema.optionalKey(Php),
  /** MySQL and MariaDB servers. */
  mysql: Schema.optionalKey(serverList("mysql", MysqlServerEntry)),
  postgresql: Schema.optionalKey(serverList("postgresql", PostgresqlServerEntry)),
  python: Schema.optionalKey(versionList("python", MinorVersion)),
  nodejs: Schema.optionalKey(versionList("nodejs", Version)),
  ftp: Schema.optionalKey(Schema.Struct({ kind: Schema.Literals(["pure-ftpd", "proftpd", "vsftpd", "none"]) })),
  dns: Schema.optionalKey(Schema.Struct({ kind: Schema.Literals(["bind", "powerdns", "none"]) })),
  mail: Schema.optionalKey(
    Schema.Struct({
      mta: Schema.optionalKey(Schema.Literals(["postfix", "exim", "none"])),
      imap: Schema.optionalKey(Schema.Literals(["dovecot", "none"])),
    }),
  ),
  /** `free`: `auto` (statfs of the target root), bytes, or a size such as "50GiB". */
  disk: Schema.optionalKey(Schema.Struct({ free: DiskSize })),
  /** `auto` (the host's non-internal addresses) or a list. */
  ips: Schema.optionalKey(Schema.Union([Schema.Literal("auto"), Schema.Array(IpAddress).check(noDuplicates("ips"))])),
  /** Overrides, per service, of the schemes derived from the server kinds. */
  passwordSchemes: Schema.optionalKey(
    Schema.Struct({
      system: Schema.optionalKey(Schema.Array(PasswordScheme)),
      mail: Schema.optionalKey(Schema.Array(PasswordScheme)),
      ftp: Schema.optionalKey(Schema.Array(PasswordScheme)),
      mysql: Schema.optionalKey(Schema.Array(PasswordScheme)),
      postgresql: Schema.optionalKey(Schema.Array(PasswordScheme)),
      web: Schema.optionalKey(Schema.Array(PasswordScheme)),
    }),
  ),
}).check(
  Schema.makeFilter((file) => {
    const seen = new Map<string, string>()
    const issues: Array<Schema.FilterIssue> = []
    for (const section of ["mysql", "postgresql"] as const) {
      ;(file[section] ?? []).forEach((server, index) => {
        const first = seen.get(server.id)
        if (first !== undefined) issues.push({ path: [section, index, "id"], issue: `${server.id} is already used by ${first}` })
        else seen.set(server.id, `${section}[${index}]`)
      })
    }
    if (file.webServer?.kind === "none" && file.webServer.version !== undefined) {
      issues.push({ path: ["webServer", "version"], issue: "set, but webServer.kind is none" })
    }
    return issues
  }),
)
export type ProfileFile = typeof ProfileFile.Type
