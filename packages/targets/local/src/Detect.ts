import { existsSync, readdirSync } from "node:fs"
import { delimiter, join } from "node:path"
import type { Capabilities, DatabaseServer, PhpMode, TargetError } from "@ferry/core"
import { Effect } from "effect"
import { type CommandRunner, makeCommandRunner, realPath } from "./Commands.ts"
import { freeDiskBytes, hostAddresses } from "./HostFacts.ts"
import { mysqlVersionInfo, probeMysql, probePostgresql } from "./NetProbes.ts"
import { derivePasswordSchemes } from "./PasswordSchemes.ts"

/*
 * `ferry target --detect`: what this host runs, found without root and without a shell. Each
 * probe asks a program for its version (argv arrays, short timeouts) or looks at a well-known
 * directory; a missing or silent program is an absent capability, never an error.
 */

export interface ServerAddress {
  readonly host: string
  readonly port: number
}

export interface DetectOptions {
  /** Where imported data lands: its filesystem gives `diskFreeBytes`. */
  readonly root: string
  /**
   * PATH to search. Default: process.env.PATH plus /usr/local/sbin, /usr/sbin, /sbin (daemons
   * live there and a user's PATH often lacks them) and /usr/lib/postgresql/<version>/bin.
   */
  readonly path?: string
  /** Configuration root for /etc/php/<version>/fpm and /etc/apache2/mods-enabled; default "/etc". */
  readonly etc?: string
  /** Where to look for a MySQL/MariaDB server (default 127.0.0.1:3306); false: do not probe. */
  readonly mysql?: ServerAddress | false
  /** Where to look for a PostgreSQL server (default 127.0.0.1:5432); false: do not probe. */
  readonly postgresql?: ServerAddress | false
  /** Per probe, in milliseconds; default 3000. */
  readonly timeoutMs?: number
}

const readDir = (dir: string): Array<string> => {
  try {
    return readdirSync(dir).sort()
  } catch {
    return []
  }
}

/** Numeric order of dotted versions ("8.10" after "8.9"). */
export const compareVersions = (a: string, b: string): number => {
  const left = a.split(".").map(Number)
  const right = b.split(".").map(Number)
  for (let index = 0; index < Math.max(left.length, right.length); index += 1) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0)
    if (difference !== 0 && !Number.isNaN(difference)) return difference
  }
  return 0
}

const sortedVersions = (versions: Iterable<string>): Array<string> => [...new Set(versions)].sort(compareVersions)

const versionFrom = (output: string | undefined, pattern: RegExp): string | undefined =>
  output === undefined ? undefined : pattern.exec(output)?.[1]

/** The default PATH: the user's, the sbin directories, then PostgreSQL's versioned bin directories. */
export const defaultSearchPath = (): string => {
  const postgresBins = readDir("/usr/lib/postgresql")
    .filter((name) => /^\d+(\.\d+)?$/.test(name))
    .sort(compareVersions)
    .reverse()
    .map((version) => `/usr/lib/postgresql/${version}/bin`)
  return [process.env.PATH ?? "", "/usr/local/sbin", "/usr/sbin", "/sbin", ...postgresBins].join(delimiter)
}

const serverId = (address: ServerAddress): string => {
  const host = ["127.0.0.1", "localhost", "::1"].includes(address.host) ? "localhost" : address.host
  return `${host.replace(/[^A-Za-z0-9._-]/g, "-")}:${address.port}`
}

const detectWebServer = Effect.fnUntraced(function* (run: CommandRunner) {
  const nginx = versionFrom(yield* run.output("nginx", ["-v"]), /nginx\/(\d[\w.]*)/)
  // With nginx in front of Apache (a common panel layout) nginx is the one sites are served by.
  if (nginx !== undefined) return { kind: "nginx" as const, version: nginx }
  for (const name of ["apache2", "httpd"]) {
    const apache = versionFrom(yield* run.output(name, ["-v"]), /Apache\/(\d[\d.]*)/)
    if (apache !== undefined) return { kind: "apache" as const, version: apache }
  }
  return { kind: "none" as const }
})

const phpVersion = /^PHP (\d+\.\d+)/m

const detectPhp = Effect.fnUntraced(function* (run: CommandRunner, etc: string, webServer: Capabilities["webServer"]) {
  const fpm = new Set<string>()
  const cgi = new Set<string>()
  const module = new Set<string>()
  for (const { match } of run.list(/^php-fpm(\d+\.\d+)$/)) fpm.add(match[1] as string)
  for (const version of readDir(join(etc, "php"))) {
    if (/^\d+\.\d+$/.test(version) && existsSync(join(etc, "php", version, "fpm"))) fpm.add(version)
  }
  const plainFpm = versionFrom(yield* run.output("php-fpm", ["-v"]), phpVersion)
  if (plainFpm !== undefined) fpm.add(plainFpm)
  for (const { match } of run.list(/^php-cgi(\d+\.\d+)$/)) cgi.add(match[1] as string)
  const plainCgi = versionFrom(yield* run.output("php-cgi", ["-v"]), phpVersion)
  if (plainCgi !== undefined) cgi.add(plainCgi)
  if (webServer.kind === "apache") {
    for (const name of readDir(join(etc, "apache2", "mods-enabled"))) {
      const version = /^php(\d+\.\d+)\.load$/.exec(name)?.[1]
      if (version !== undefined) module.add(version)
    }
  }
  const versions = sortedVersions([...fpm, ...cgi, ...module])
  // php-cgi serves both the CGI and the FastCGI (mod_fcgid) handlers.
  const modes: Array<PhpMode> = [
    ...(fpm.size > 0 ? (["fpm"] as const) : []),
    ...(cgi.size > 0 ? (["cgi", "fastcgi"] as const) : []),
    ...(module.size > 0 ? (["module"] as const) : []),
  ]
  const cli = versionFrom(yield* run.output("php", ["-v"]), phpVersion)
  const preferred = cli !== undefined && versions.includes(cli) ? cli : versions.at(-1)
  return {
    versions,
    modes,
    ...(preferred !== undefined ? { default: preferred } : {}),
    ...(modes[0] !== undefined ? { defaultMode: modes[0] } : {}),
  }
})

const detectMysql = Effect.fnUntraced(function* (run: CommandRunner, address: ServerAddress | false, timeoutMs: number) {
  const where = address === false ? { host: "127.0.0.1", port: 3306 } : address
  const greeting = address === false ? undefined : yield* probeMysql(address.host, address.port, timeoutMs)
  let installed: ReturnType<typeof mysqlVersionInfo> | undefined
  for (const name of ["mariadbd", "mysqld"]) {
    const banner = versionFrom(yield* run.output(name, ["--version"]), /\bVer\s+(\S+)/)
    if (banner !== undefined) {
      installed = mysqlVersionInfo(banner)
      break
    }
  }
  if (greeting === undefined && installed === undefined) return []
  const server: DatabaseServer = {
    id: serverId(where),
    engine: greeting?.engine ?? installed?.engine ?? "mysql",
    version: greeting?.version ?? installed?.version ?? "unknown",
    host: where.host,
    port: where.port,
    default: true,
  }
  return [server]
})

const postgresVersion = /\(PostgreSQL\)\s+(\d+(?:\.\d+)?)/

const detectPostgresql = Effect.fnUntraced(function* (run: CommandRunner, address: ServerAddress | false, timeoutMs: number) {
  const where = address === false ? { host: "127.0.0.1", port: 5432 } : address
  const installed =
    versionFrom(yield* run.output("postgres", ["--version"]), postgresVersion) ??
    versionFrom(yield* run.output("psql", ["--version"]), postgresVersion)
  // Debian and Ubuntu: one line per cluster, "15  main  5432 online postgres /var/lib/… /var/log/…".
  const clusters = (yield* run.output("pg_lsclusters", [])) ?? ""
  const servers: Array<DatabaseServer> = []
  for (const line of clusters.split("\n")) {
    const match = /^(\d+(?:\.\d+)?)\s+(\S+)\s+(\d{1,5})\s+(\S+)/.exec(line.trim())
    if (match === null) continue
    const [, major = "", , port = "", status = ""] = match
    if (!status.startsWith("online")) continue
    const version = installed !== undefined && installed.split(".")[0] === major.split(".")[0] ? installed : major
    servers.push({
      id: serverId({ host: where.host, port: Number(port) }),
      engine: "postgresql",
      version,
      host: where.host,
      port: Number(port),
      default: false,
    })
  }
  if (servers.length === 0) {
    const reachable = address !== false && (yield* probePostgresql(address.host, address.port, timeoutMs))
    if (!reachable && installed === undefined) return []
    servers.push({
      id: serverId(where),
      engine: "postgresql",
      version: installed ?? "unknown",
      host: where.host,
      port: where.port,
      default: false,
    })
  }
  const preferred = servers.findIndex((server) => server.port === where.port)
  return servers.map((server, index) => ({ ...server, default: index === (preferred === -1 ? 0 : preferred) }))
})

const detectPython = Effect.fnUntraced(function* (run: CommandRunner) {
  const versions = run.list(/^python(3\.\d+)$/).map(({ match }) => match[1] as string)
  const main = versionFrom(yield* run.output("python3", ["--version"]), /^Python (\d+\.\d+)/m)
  return {
    versions: sortedVersions(main !== undefined ? [...versions, main] : versions),
    ...(main !== undefined ? { default: main } : {}),
  }
})

/** Node.js on the PATH, not the one Ferry itself runs on (that one lives under node_modules). */
const detectNodejs = Effect.fnUntraced(function* (run: CommandRunner) {
  const versions: Array<string> = []
  for (const path of [...run.findAll("node"), ...run.findAll("nodejs")]) {
    if (realPath(path).includes("/node_modules/") || path.includes("/node_modules/")) continue
    const version = versionFrom(yield* run.output(path, ["--version"]), /^v(\d+\.\d+\.\d+)/m)
    if (version !== undefined && !versions.includes(version)) versions.push(version)
  }
  return { versions: sortedVersions(versions), ...(versions[0] !== undefined ? { default: versions[0] } : {}) }
})

const detectFtp = Effect.fnUntraced(function* (run: CommandRunner) {
  if (versionFrom(yield* run.output("proftpd", ["-v"]), /ProFTPD Version (\S+)/i) !== undefined) return { kind: "proftpd" as const }
  // pure-ftpd and vsftpd have no harmless version flag (vsftpd -v writes to stdin): presence counts.
  if (run.find("pure-ftpd") !== undefined) return { kind: "pure-ftpd" as const }
  if (run.find("vsftpd") !== undefined) return { kind: "vsftpd" as const }
  return { kind: "none" as const }
})

const detectDns = Effect.fnUntraced(function* (run: CommandRunner) {
  if (versionFrom(yield* run.output("named", ["-v"]), /BIND (\d[\w.-]*)/) !== undefined) return { kind: "bind" as const }
  const pdns = versionFrom(yield* run.output("pdns_server", ["--version"]), /PowerDNS Authoritative Server (\d[\d.]*)/)
  return { kind: pdns !== undefined ? ("powerdns" as const) : ("none" as const) }
})

const detectMail = Effect.fnUntraced(function* (run: CommandRunner) {
  const postfix = versionFrom(yield* run.output("postconf", ["-d", "mail_version"]), /mail_version\s*=\s*(\S+)/)
  let exim: string | undefined
  if (postfix === undefined) {
    for (const name of ["exim", "exim4"]) {
      exim ??= versionFrom(yield* run.output(name, ["-bV"]), /Exim version (\S+)/)
    }
  }
  const dovecot = versionFrom(yield* run.output("dovecot", ["--version"]), /^(\d+\.\d+[\d.]*)/m)
  return {
    mta: postfix !== undefined ? ("postfix" as const) : exim !== undefined ? ("exim" as const) : ("none" as const),
    imap: dovecot !== undefined ? ("dovecot" as const) : ("none" as const),
  }
})

export const detectCapabilities = Effect.fn("Detect.capabilities")(function* (
  options: DetectOptions,
): Effect.fn.Return<Capabilities, TargetError> {
  const timeoutMs = options.timeoutMs ?? 3000
  const run = makeCommandRunner({ path: options.path ?? defaultSearchPath(), timeoutMs })
  const etc = options.etc ?? "/etc"
  const webServer = yield* detectWebServer(run)
  const found = yield* Effect.all(
    {
      php: detectPhp(run, etc, webServer),
      mysql: detectMysql(run, options.mysql ?? { host: "127.0.0.1", port: 3306 }, timeoutMs),
      postgresql: detectPostgresql(run, options.postgresql ?? { host: "127.0.0.1", port: 5432 }, timeoutMs),
      python: detectPython(run),
      nodejs: detectNodejs(run),
      ftp: detectFtp(run),
      dns: detectDns(run),
      mail: detectMail(run),
      diskFreeBytes: freeDiskBytes(options.root),
    },
    { concurrency: 4 },
  )
  const services = { webServer, ...found }
  return { ...services, ips: hostAddresses(), passwordSchemes: derivePasswordSchemes(services) }
})
