import { Socket } from "node:net"
import { Effect } from "effect"

/*
 * Reachability probes that need no login. A MySQL/MariaDB server speaks first: its initial
 * handshake packet carries the version string. PostgreSQL waits for the client, so the probe
 * sends an SSLRequest, which any PostgreSQL server answers with a single "S" or "N".
 */

export interface MysqlGreeting {
  readonly engine: "mysql" | "mariadb"
  /** "10.11.6", "8.0.36"; undefined when the server answered with an error packet. */
  readonly version: string | undefined
  /** The raw version string ("5.5.5-10.11.6-MariaDB-0+deb12u1"), or the error message. */
  readonly banner: string
}

const maxPacketBytes = 16 * 1024

/** Engine and version from a MySQL server version string. */
export const mysqlVersionInfo = (banner: string): { readonly engine: "mysql" | "mariadb"; readonly version: string | undefined } => {
  // MariaDB before 11 prefixes "5.5.5-" so that old replication clients accept it.
  const text = banner.replace(/^5\.5\.5-/, "")
  const version = /^(\d+\.\d+(?:\.\d+)?)/.exec(text)?.[1]
  return { engine: /mariadb/i.test(text) ? "mariadb" : "mysql", version }
}

/**
 * Reads the initial handshake packet (3-byte little-endian length, sequence number, payload).
 * Protocol 10 (and 9) payloads start with the protocol byte and a NUL-terminated version; 0xff
 * is an error packet ("Host … is not allowed to connect"), which still proves a server is there.
 */
export const parseMysqlHandshake = (bytes: Uint8Array): MysqlGreeting | undefined => {
  if (bytes.length < 5) return undefined
  const length = (bytes[0] ?? 0) | ((bytes[1] ?? 0) << 8) | ((bytes[2] ?? 0) << 16)
  if (length === 0 || length > maxPacketBytes || bytes.length < 4 + length) return undefined
  const payload = Buffer.from(bytes.subarray(4, 4 + length))
  const first = payload[0]
  if (first === 0xff) {
    // Error packet: code (2 bytes), optionally "#" + SQLSTATE (5 bytes), message.
    const rest = payload.subarray(3)
    const message = (rest[0] === 0x23 ? rest.subarray(6) : rest).toString("utf8").slice(0, 200)
    return { engine: /mariadb/i.test(message) ? "mariadb" : "mysql", version: undefined, banner: message }
  }
  if (first !== 10 && first !== 9) return undefined
  const end = payload.indexOf(0, 1)
  if (end <= 1) return undefined
  const banner = payload.subarray(1, end).toString("latin1")
  if (!/^\d+\.\d+/.test(banner)) return undefined
  return { ...mysqlVersionInfo(banner), banner }
}

/** Connects, lets `onData` decide when it has seen enough, and always closes the socket. */
const exchange = <A>(
  host: string,
  port: number,
  timeoutMs: number,
  greet: Uint8Array | undefined,
  onData: (received: Buffer) => { readonly done: false } | { readonly done: true; readonly value: A | undefined },
): Effect.Effect<A | undefined> =>
  Effect.callback<A | undefined>((resume) => {
    const socket = new Socket()
    let received = Buffer.alloc(0)
    let finished = false
    const finish = (value: A | undefined) => {
      if (finished) return
      finished = true
      socket.destroy()
      resume(Effect.succeed(value))
    }
    socket.setTimeout(timeoutMs, () => finish(undefined))
    socket.on("error", () => finish(undefined))
    socket.on("close", () => {
      const step = onData(received)
      finish(step.done ? step.value : undefined)
    })
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk])
      if (received.length > maxPacketBytes + 4) return finish(undefined)
      const step = onData(received)
      if (step.done) finish(step.value)
    })
    socket.connect({ host, port }, () => {
      if (greet !== undefined) socket.write(greet)
    })
    return Effect.sync(() => finish(undefined))
  })

export const probeMysql = (host: string, port: number, timeoutMs: number): Effect.Effect<MysqlGreeting | undefined> =>
  exchange(host, port, timeoutMs, undefined, (bytes) => {
    if (bytes.length < 4) return { done: false }
    const length = (bytes[0] ?? 0) | ((bytes[1] ?? 0) << 8) | ((bytes[2] ?? 0) << 16)
    if (length > maxPacketBytes) return { done: true, value: undefined }
    if (bytes.length < 4 + length) return { done: false }
    return { done: true, value: parseMysqlHandshake(bytes) }
  })

/** SSLRequest: length 8, request code 80877103. */
const sslRequest = Uint8Array.of(0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f)

/** True when a PostgreSQL server answers on host:port. */
export const probePostgresql = (host: string, port: number, timeoutMs: number): Effect.Effect<boolean> =>
  exchange(host, port, timeoutMs, sslRequest, (bytes) =>
    bytes.length === 0 ? { done: false } : { done: true, value: bytes[0] === 0x53 || bytes[0] === 0x4e ? true : undefined },
  ).pipe(Effect.map((answer) => answer === true))
