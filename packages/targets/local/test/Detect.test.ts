import { mkdirSync, symlinkSync } from "node:fs"
import { createServer, type Server, type Socket } from "node:net"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { derivePasswordSchemes, detectCapabilities } from "../src/index.ts"
import { mysqlVersionInfo, parseMysqlHandshake, probeMysql, probePostgresql } from "../src/NetProbes.ts"
import { tempDir, writeStub } from "./Support.ts"

/** A MySQL packet: 3-byte little-endian length, sequence 0, payload. */
const packet = (payload: Buffer): Buffer =>
  Buffer.concat([Buffer.from([payload.length & 0xff, (payload.length >> 8) & 0xff, payload.length >> 16, 0]), payload])

/** Protocol-10 greeting as a server sends it before any login: version, thread id, salt, flags. */
const greeting = (version: string): Buffer =>
  packet(
    Buffer.concat([
      Buffer.from([10]),
      Buffer.from(version, "latin1"),
      Buffer.from([0]),
      Buffer.from([7, 0, 0, 0]),
      Buffer.from("abcdefgh"),
      Buffer.from([0, 0xff, 0xf7, 0x2d, 0x02, 0, 0xff, 0x81, 0x15]),
      Buffer.alloc(10),
      Buffer.from("ijklmnopqrst\0mysql_native_password\0"),
    ]),
  )

const errorPacket = (code: number, message: string): Buffer =>
  packet(Buffer.concat([Buffer.from([0xff, code & 0xff, code >> 8]), Buffer.from(message)]))

/** A TCP server on an ephemeral 127.0.0.1 port, closed (with its connections) with the test's scope. */
const listen = (onConnection: (socket: Socket) => void) =>
  Effect.acquireRelease(
    Effect.callback<{ readonly server: Server; readonly sockets: Set<Socket>; readonly port: number }>((resume) => {
      const sockets = new Set<Socket>()
      const server = createServer((socket) => {
        sockets.add(socket)
        socket.on("error", () => {})
        socket.on("close", () => sockets.delete(socket))
        onConnection(socket)
        // Keep reading, so that the probe's close is noticed.
        socket.resume()
      })
      server.listen(0, "127.0.0.1", () => {
        const address = server.address()
        resume(Effect.succeed({ server, sockets, port: typeof address === "object" && address !== null ? address.port : 0 }))
      })
    }),
    ({ server, sockets }) =>
      Effect.callback<void>((resume) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resume(Effect.void))
      }),
  ).pipe(Effect.map(({ port }) => port))

const fakeMysql = (reply: Buffer) => listen((socket) => socket.end(reply))

/** Answers an SSLRequest with "N", as a PostgreSQL server without TLS does. */
const fakePostgres = () =>
  listen((socket) => {
    socket.once("data", (data) => {
      if (data.length === 8 && data.readUInt32BE(4) === 80877103) socket.end("N")
      else socket.destroy()
    })
  })

/** A port nothing listens on: bound, then released. */
const closedPort = () => Effect.scoped(listen(() => {}))

/** A host with the usual stack, as stub programs printing real version strings. */
const fullHost = () => {
  const bin = tempDir()
  const etc = tempDir()
  writeStub(bin, "nginx", 'echo "nginx version: nginx/1.22.1" >&2')
  writeStub(bin, "apache2", 'echo "Server version: Apache/2.4.57 (Debian)"')
  writeStub(bin, "php-fpm8.1", "exit 0")
  writeStub(bin, "php-fpm8.3", "exit 0")
  mkdirSync(join(etc, "php", "8.2", "fpm"), { recursive: true })
  mkdirSync(join(etc, "php", "7.4", "cli"), { recursive: true })
  writeStub(bin, "php", 'echo "PHP 8.2.7 (cli) (built: Jun  9 2023 19:37:27) (NTS)"; echo "Copyright (c) The PHP Group"')
  writeStub(bin, "mariadbd", 'echo "mariadbd  Ver 10.11.6-MariaDB-0+deb12u1 for debian-linux-gnu on x86_64 (Debian 12)"')
  writeStub(bin, "postgres", 'echo "postgres (PostgreSQL) 15.8 (Debian 15.8-0+deb12u1)"')
  writeStub(
    bin,
    "pg_lsclusters",
    [
      'echo "Ver Cluster Port Status Owner    Data directory              Log file"',
      'echo "15  main    5433 online postgres /var/lib/postgresql/15/main /var/log/postgresql/postgresql-15-main.log"',
      'echo "16  spare   5434 down   postgres /var/lib/postgresql/16/spare /var/log/postgresql/postgresql-16-spare.log"',
    ].join("\n"),
  )
  writeStub(bin, "python3.11", "exit 0")
  writeStub(bin, "python3.12", "exit 0")
  writeStub(bin, "python3", 'echo "Python 3.11.2"')
  writeStub(bin, "node", 'echo "v20.11.1"')
  writeStub(bin, "proftpd", 'echo "ProFTPD Version 1.3.8b"')
  writeStub(bin, "named", 'echo "BIND 9.18.24-1-Debian (Extended Support Version) <id:>"')
  writeStub(bin, "postconf", '[ "$1 $2" = "-d mail_version" ] && echo "mail_version = 3.7.11"')
  writeStub(bin, "dovecot", 'echo "2.3.19.1 (9b53102964)"')
  return { bin, etc }
}

describe("MySQL handshake", () => {
  it("reads engine and version from the greeting", () => {
    assert.deepStrictEqual(parseMysqlHandshake(greeting("8.0.36-0ubuntu0.22.04.1")), {
      engine: "mysql",
      version: "8.0.36",
      banner: "8.0.36-0ubuntu0.22.04.1",
    })
    // MariaDB before 11 puts 5.5.5- in front for old replication clients.
    assert.deepStrictEqual(parseMysqlHandshake(greeting("5.5.5-10.11.6-MariaDB-0+deb12u1")), {
      engine: "mariadb",
      version: "10.11.6",
      banner: "5.5.5-10.11.6-MariaDB-0+deb12u1",
    })
    assert.deepStrictEqual(mysqlVersionInfo("11.4.2-MariaDB"), { engine: "mariadb", version: "11.4.2" })
  })

  it("an error packet proves a server without giving its version", () => {
    const parsed = parseMysqlHandshake(errorPacket(1130, "Host '192.0.2.9' is not allowed to connect to this MariaDB server"))
    assert.deepStrictEqual(parsed, {
      engine: "mariadb",
      version: undefined,
      banner: "Host '192.0.2.9' is not allowed to connect to this MariaDB server",
    })
  })

  it("anything else is not a MySQL server", () => {
    assert.isUndefined(parseMysqlHandshake(Buffer.from("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")))
    assert.isUndefined(parseMysqlHandshake(packet(Buffer.from([10]))))
    assert.isUndefined(parseMysqlHandshake(packet(Buffer.from([10, 0x41, 0x42, 0]))))
    assert.isUndefined(parseMysqlHandshake(Buffer.from([5, 0, 0, 0, 10])))
  })

  it.live("probes a server over TCP, and a silent port is absent", () =>
    Effect.gen(function* () {
      const port = yield* fakeMysql(greeting("10.11.7-MariaDB-1:10.11.7+maria~deb12"))
      assert.deepStrictEqual(yield* probeMysql("127.0.0.1", port, 2000), {
        engine: "mariadb",
        version: "10.11.7",
        banner: "10.11.7-MariaDB-1:10.11.7+maria~deb12",
      })
      assert.isUndefined(yield* probeMysql("127.0.0.1", yield* closedPort(), 2000))
      const silent = yield* listen(() => {})
      assert.isUndefined(yield* probeMysql("127.0.0.1", silent, 300))
      const postgres = yield* fakePostgres()
      assert.isTrue(yield* probePostgresql("127.0.0.1", postgres, 2000))
      assert.isFalse(yield* probePostgresql("127.0.0.1", port, 2000), "a MySQL greeting is not a PostgreSQL answer")
    }),
  )
})

describe("detectCapabilities", () => {
  it.live("finds the stack from version strings, a MySQL greeting and /etc", () =>
    Effect.gen(function* () {
      const { bin, etc } = fullHost()
      const mysqlPort = yield* fakeMysql(greeting("5.5.5-10.11.7-MariaDB-1:10.11.7+maria~deb12"))
      const root = tempDir()
      const capabilities = yield* detectCapabilities({
        root,
        path: bin,
        etc,
        mysql: { host: "127.0.0.1", port: mysqlPort },
        postgresql: { host: "127.0.0.1", port: 5433 },
      })
      assert.deepStrictEqual(capabilities.webServer, { kind: "nginx", version: "1.22.1" })
      assert.deepStrictEqual(capabilities.php, { versions: ["8.1", "8.2", "8.3"], modes: ["fpm"], default: "8.2", defaultMode: "fpm" })
      // The running server's greeting wins over the installed binary's version.
      assert.deepStrictEqual(capabilities.mysql, [
        { id: `localhost:${mysqlPort}`, engine: "mariadb", version: "10.11.7", host: "127.0.0.1", port: mysqlPort, default: true },
      ])
      // pg_lsclusters: only the online cluster; its version refined by `postgres --version`.
      assert.deepStrictEqual(capabilities.postgresql, [
        { id: "localhost:5433", engine: "postgresql", version: "15.8", host: "127.0.0.1", port: 5433, default: true },
      ])
      assert.deepStrictEqual(capabilities.python, { versions: ["3.11", "3.12"], default: "3.11" })
      assert.deepStrictEqual(capabilities.nodejs, { versions: ["20.11.1"], default: "20.11.1" })
      assert.deepStrictEqual(capabilities.ftp, { kind: "proftpd" })
      assert.deepStrictEqual(capabilities.dns, { kind: "bind" })
      assert.deepStrictEqual(capabilities.mail, { mta: "postfix", imap: "dovecot" })
      assert.isTrue(capabilities.diskFreeBytes > 0)
      assert.isTrue(capabilities.ips.every((ip) => !ip.startsWith("127.") && ip !== "::1"))
      assert.deepStrictEqual(capabilities.passwordSchemes, derivePasswordSchemes(capabilities))
      assert.deepStrictEqual(capabilities.passwordSchemes.mysql, ["mysql-native"])
    }),
  )

  it.live("an empty host has no capabilities, only disk and addresses", () =>
    Effect.gen(function* () {
      const capabilities = yield* detectCapabilities({
        root: join(tempDir(), "not", "yet", "created"),
        path: tempDir(),
        etc: tempDir(),
        mysql: { host: "127.0.0.1", port: yield* closedPort() },
        postgresql: { host: "127.0.0.1", port: yield* closedPort() },
      })
      assert.deepStrictEqual(
        { ...capabilities, diskFreeBytes: 0, ips: [] },
        {
          webServer: { kind: "none" },
          php: { versions: [], modes: [] },
          mysql: [],
          postgresql: [],
          python: { versions: [] },
          nodejs: { versions: [] },
          ftp: { kind: "none" },
          dns: { kind: "none" },
          mail: { mta: "none", imap: "none" },
          diskFreeBytes: 0,
          ips: [],
          passwordSchemes: {
            system: ["md5-crypt", "sha256-crypt", "sha512-crypt", "bcrypt", "yescrypt"],
            mail: [],
            ftp: [],
            mysql: [],
            postgresql: [],
            web: [],
          },
        },
      )
      assert.isTrue(capabilities.diskFreeBytes > 0, "a root that does not exist yet is measured on its nearest parent")
    }),
  )

  it.live("Apache, Exim, pure-ftpd, CGI PHP, mod_php; refused and silent servers", () =>
    Effect.gen(function* () {
      const bin = tempDir()
      const etc = tempDir()
      // Without its envvars apache2 complains and exits 1, after printing the version.
      writeStub(
        bin,
        "apache2",
        'echo "AH00111: Config variable APACHE_RUN_DIR is not defined" >&2; echo "Server version: Apache/2.4.57 (Debian)"; exit 1',
      )
      writeStub(bin, "php-cgi8.1", "exit 0")
      mkdirSync(join(etc, "apache2", "mods-enabled"), { recursive: true })
      writeStub(join(etc, "apache2", "mods-enabled"), "php8.2.load", "")
      writeStub(bin, "exim4", 'echo "Exim version 4.96 #2 built 02-Jan-2023 01:23:45"')
      writeStub(bin, "pure-ftpd", "exit 0")
      writeStub(bin, "pdns_server", 'echo "Oct 03 12:00:00 PowerDNS Authoritative Server 4.7.3 (C) 2001-2022 PowerDNS.COM BV"')
      writeStub(bin, "mysqld", 'echo "/usr/sbin/mysqld  Ver 8.0.36-0ubuntu0.22.04.1 for Linux on x86_64 ((Ubuntu))"')
      writeStub(bin, "psql", 'echo "psql (PostgreSQL) 16.2 (Ubuntu 16.2-1.pgdg22.04+1)"')
      const refused = yield* fakeMysql(errorPacket(1130, "Host '192.0.2.9' is not allowed to connect to this MySQL server"))
      const postgres = yield* fakePostgres()
      const capabilities = yield* detectCapabilities({
        root: tempDir(),
        path: bin,
        etc,
        mysql: { host: "127.0.0.1", port: refused },
        postgresql: { host: "127.0.0.1", port: postgres },
      })
      assert.deepStrictEqual(capabilities.webServer, { kind: "apache", version: "2.4.57" })
      assert.deepStrictEqual(capabilities.php, {
        versions: ["8.1", "8.2"],
        modes: ["cgi", "fastcgi", "module"],
        default: "8.2",
        defaultMode: "cgi",
      })
      assert.deepStrictEqual(capabilities.mail, { mta: "exim", imap: "none" })
      assert.deepStrictEqual(capabilities.ftp, { kind: "pure-ftpd" })
      assert.deepStrictEqual(capabilities.dns, { kind: "powerdns" })
      // The server refused us, so its version comes from the installed binary.
      assert.deepStrictEqual(
        capabilities.mysql.map(({ engine, version }) => ({ engine, version })),
        [{ engine: "mysql", version: "8.0.36" }],
      )
      // No pg_lsclusters: a reachable server, versioned by the client tools.
      assert.deepStrictEqual(capabilities.postgresql, [
        { id: `localhost:${postgres}`, engine: "postgresql", version: "16.2", host: "127.0.0.1", port: postgres, default: true },
      ])
    }),
  )

  it.live("a reachable server with no tools to name its version says unknown", () =>
    Effect.gen(function* () {
      const postgres = yield* fakePostgres()
      const capabilities = yield* detectCapabilities({
        root: tempDir(),
        path: tempDir(),
        etc: tempDir(),
        mysql: false,
        postgresql: { host: "127.0.0.1", port: postgres },
      })
      assert.deepStrictEqual(
        capabilities.postgresql.map((server) => server.version),
        ["unknown"],
      )
      assert.deepStrictEqual(capabilities.mysql, [])
    }),
  )

  it.live("skips Ferry's own Node.js and programs that hang or print nonsense", () =>
    Effect.gen(function* () {
      const base = tempDir()
      const own = join(base, "node_modules", ".bin")
      mkdirSync(own, { recursive: true })
      symlinkSync(process.execPath, join(own, "node"))
      const system = join(base, "usr-bin")
      writeStub(system, "node", 'echo "v18.19.0"')
      writeStub(system, "nodejs", 'echo "v18.19.0"')
      writeStub(system, "nginx", "exec sleep 30")
      writeStub(system, "named", 'echo "usage: named [-4|-6]"')
      writeStub(system, "dovecot", "kill -9 $$")
      const capabilities = yield* detectCapabilities({
        root: tempDir(),
        path: [own, system].join(":"),
        etc: tempDir(),
        mysql: false,
        postgresql: false,
        timeoutMs: 500,
      })
      assert.deepStrictEqual(capabilities.nodejs, { versions: ["18.19.0"], default: "18.19.0" })
      assert.deepStrictEqual(capabilities.webServer, { kind: "none" })
      assert.deepStrictEqual(capabilities.dns, { kind: "none" })
      assert.deepStrictEqual(capabilities.mail, { mta: "none", imap: "none" })
    }),
  )
})
