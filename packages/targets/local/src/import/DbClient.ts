import { spawn } from "node:child_process"
import { createHash, randomBytes } from "node:crypto"
import { accessSync, constants, readFileSync, statSync } from "node:fs"
import { isIP } from "node:net"
import type { Readable } from "node:stream"
import { Effect, Schema } from "effect"
import type { DatabaseServerAccess } from "./ImportEnv.ts"

/*
 * Runs the database clients (mariadb/mysql, psql, pg_restore) for the importer. Never a shell:
 * an absolute program, an argv array of Ferry's own options and validated names, a clean
 * environment. Passwords travel in the environment (MYSQL_PWD, PGPASSWORD), never in argv,
 * and SQL (which may hold password hashes) goes through stdin (security rules 11, 14, 20).
 *
 * Database and user names are checked with Identifiers.ts (rule 12); the MySQL host part of an
 * account, and quoting, live here.
 */

/** Where clients are looked up; the admin's PATH is not trusted. */
export const clientSearchPath = ["/usr/local/bin", "/usr/bin", "/bin", "/usr/local/sbin", "/usr/sbin"]

/* Identifiers ------------------------------------------------------------------------------- */

/** Host part of a MySQL account: `localhost`, `%`, an IP (optionally `/netmask`), a host name or `%` pattern. */
export const isMysqlHost = (host: string): boolean => {
  if (host === "localhost" || host === "%") return true
  const [address, mask, ...rest] = host.split("/")
  if (rest.length === 0 && mask !== undefined) return isIP(address ?? "") === 4 && isIP(mask) === 4
  if (isIP(host) !== 0) return true
  return host.length <= 255 && /^[A-Za-z0-9%_]([A-Za-z0-9%_.-]*[A-Za-z0-9%_])?$/.test(host)
}

export const quoteMysqlIdent = (name: string): string => `\`${name.replaceAll("`", "``")}\``
export const quotePgIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`

/** A MySQL string literal; only for values Ferry checked (no NUL or line breaks ever reach here). */
export const mysqlString = (value: string): string => {
  if (/[\0\r\n]/.test(value)) throw new Error("refusing a control character in an SQL literal")
  return `'${value.replaceAll("\\", "\\\\").replaceAll("'", "''")}'`
}

/** A PostgreSQL string literal (sessions run with standard_conforming_strings on). */
export const pgString = (value: string): string => {
  if (/[\0\r\n]/.test(value)) throw new Error("refusing a control character in an SQL literal")
  return `'${value.replaceAll("'", "''")}'`
}

/** 8 hex digits of SHA-256: the suffix of Ferry's staging, shadow and owner names. */
export const shortHash = (text: string): string => createHash("sha256").update(text).digest("hex").slice(0, 8)

/** A fresh password: 40 hex digits, nothing to escape anywhere. */
export const randomSecret = (): string => randomBytes(20).toString("hex")

/* Processes --------------------------------------------------------------------------------- */

export class ClientError extends Schema.TaggedError<ClientError>()("ClientError", {
  program: Schema.String,
  /** The client's own words, passwords removed, first lines only. */
  detail: Schema.String,
}) {
  override get message(): string {
    return `${this.program}: ${this.detail}`
  }
}

export interface ClientRun {
  /** Program name ("mariadb", "psql"), looked up on {@link clientSearchPath}. */
  readonly program: string
  readonly args: ReadonlyArray<string>
  /** Added to a minimal environment (PATH, LANG, HOME). */
  readonly env?: Readonly<Record<string, string>>
  readonly stdin?: Readable | string
  /** Run as this user (root only): the dump loader runs as `nobody`. */
  readonly user?: { readonly uid: number; readonly gid: number }
  /** Removed from every message. */
  readonly secrets: ReadonlyArray<string>
  /** stdout kept up to this many bytes (default 16 MiB); the rest is read and dropped. */
  readonly stdoutLimit?: number
  /** Hand stdout to the caller instead of collecting it (a pipeline into another client). */
  readonly stdoutTo?: (stdout: Readable) => void
  readonly timeoutMs?: number
  /** Aborting kills the client (a producer whose consumer failed). */
  readonly signal?: AbortSignal
}

export interface ClientOutput {
  readonly code: number | null
  readonly signal: string | null
  readonly stdout: string
  readonly stderr: string
  /** Why the input stream failed (a truncated gzip, a refused dump line); the client was killed. */
  readonly inputError?: string
}

const stderrLimit = 64 * 1024

const programCache = new Map<string, string | undefined>()

/** The absolute path of a client program, or undefined when it is not installed. */
export const findProgram = (name: string): string | undefined => {
  if (programCache.has(name)) return programCache.get(name)
  let found: string | undefined
  for (const dir of clientSearchPath) {
    try {
      accessSync(`${dir}/${name}`, constants.X_OK)
      if (!statSync(`${dir}/${name}`).isFile()) continue
      found = `${dir}/${name}`
      break
    } catch {}
  }
  programCache.set(name, found)
  return found
}

/** Passwords, hashes and `PASSWORD '…'` literals out of a client's message; the first lines only. */
export const redact = (text: string, secrets: ReadonlyArray<string>, maxLines = 8): string => {
  let out = text
  for (const secret of secrets) if (secret.length >= 4) out = out.replaceAll(secret, "<redacted>")
  out = out.replace(/(PASSWORD|IDENTIFIED\s+(?:BY|VIA|WITH)[^']*|USING)\s*(\(\s*)?'[^'\n]*'/gi, "$1 '<redacted>'")
  const lines = out
    .split("\n")
    .map((line) => line.trimEnd())
    .filter((line) => line !== "")
  const head = lines.slice(0, maxLines).map((line) => (line.length > 400 ? `${line.slice(0, 400)}…` : line))
  return lines.length > maxLines ? `${head.join("\n")}\n… (${lines.length - maxLines} more lines)` : head.join("\n")
}

/**
 * Starts a client and collects its output. An error of the input stream kills the client at once
 * (SIGKILL, stdin left open) so a loader never commits half a dump.
 */
export const spawnClient = (run: ClientRun): Promise<ClientOutput> =>
  new Promise((resolve) => {
    const path = findProgram(run.program)
    if (path === undefined) {
      resolve({ code: 127, signal: null, stdout: "", stderr: `${run.program} is not installed` })
      return
    }
    const child = spawn(path, [...run.args], {
      env: { PATH: clientSearchPath.join(":"), LANG: "C.UTF-8", LC_ALL: "C.UTF-8", HOME: "/nonexistent", ...run.env },
      cwd: "/",
      stdio: ["pipe", "pipe", "pipe"],
      ...(run.user !== undefined ? { uid: run.user.uid, gid: run.user.gid } : {}),
      ...(run.signal !== undefined ? { signal: run.signal, killSignal: "SIGKILL" as const } : {}),
      windowsHide: true,
    })
    let inputError: string | undefined
    const stdoutChunks: Array<Buffer> = []
    let stdoutBytes = 0
    const stderrChunks: Array<Buffer> = []
    let stderrBytes = 0
    const limit = run.stdoutLimit ?? 16 * 1024 * 1024
    if (run.stdoutTo !== undefined) run.stdoutTo(child.stdout)
    else
      child.stdout.on("data", (chunk: Buffer) => {
        if (stdoutBytes < limit) stdoutChunks.push(chunk)
        stdoutBytes += chunk.length
      })
    child.stderr.on("data", (chunk: Buffer) => {
      if (stderrBytes < stderrLimit) stderrChunks.push(chunk)
      stderrBytes += chunk.length
    })
    // The client may exit before reading all input (an SQL error): that is its exit code's story.
    child.stdin.on("error", () => {})
    const timer =
      run.timeoutMs !== undefined
        ? setTimeout(() => {
            inputError ??= `no answer within ${Math.round((run.timeoutMs as number) / 1000)} s`
            child.kill("SIGKILL")
          }, run.timeoutMs)
        : undefined
    const fail = (error: unknown) => {
      inputError ??= error instanceof Error ? error.message : String(error)
      child.kill("SIGKILL")
    }
    if (typeof run.stdin === "string") child.stdin.end(run.stdin)
    else if (run.stdin !== undefined) {
      run.stdin.on("error", fail)
      run.stdin.pipe(child.stdin)
    } else child.stdin.end()
    child.on("error", fail)
    child.on("close", (code, signal) => {
      if (timer !== undefined) clearTimeout(timer)
      if (run.stdin !== undefined && typeof run.stdin !== "string") {
        run.stdin.unpipe(child.stdin)
        run.stdin.resume()
      }
      const stderr = Buffer.concat(stderrChunks).toString("utf8")
      resolve({
        code,
        signal,
        stdout: Buffer.concat(stdoutChunks).toString("utf8"),
        stderr: redact(stderr, run.secrets, 12),
        ...(inputError !== undefined ? { inputError: redact(inputError, run.secrets) } : {}),
      })
    })
  })

/** Runs a client; a non-zero exit, a signal or an input error is a ClientError with its message. */
export const runClient = (run: ClientRun): Effect.Effect<ClientOutput, ClientError> =>
  Effect.flatMap(
    Effect.promise(() => spawnClient(run)),
    (out) =>
      out.code === 0 && out.inputError === undefined
        ? Effect.succeed(out)
        : Effect.fail(new ClientError({ program: run.program, detail: clientFailure(out) })),
  )

export const clientFailure = (out: ClientOutput): string =>
  out.inputError !== undefined
    ? out.inputError
    : out.stderr !== ""
      ? out.stderr
      : out.signal !== null
        ? `killed by ${out.signal}`
        : `exit status ${out.code}`

/** uid/gid of `nobody` (from /etc/passwd; 65534 when it cannot be read). */
export const nobody = (): { readonly uid: number; readonly gid: number } => {
  try {
    for (const line of readFileSync("/etc/passwd", "utf8").split("\n")) {
      const [name, , uid, gid] = line.split(":")
      if (name === "nobody" && uid !== undefined && gid !== undefined) return { uid: Number(uid), gid: Number(gid) }
    }
  } catch {}
  return { uid: 65534, gid: 65534 }
}

/* Connection arguments ---------------------------------------------------------------------- */

const isLoopback = (host: string): boolean => host === "localhost" || host === "127.0.0.1" || host === "::1"

/** `mariadb` options to reach a server (after `--no-defaults`, which must come first). */
export const mysqlConnectArgs = (server: DatabaseServerAccess, user: string): Array<string> =>
  server.socket !== undefined
    ? ["--protocol=socket", `--socket=${server.socket}`, `--user=${user}`]
    : ["--protocol=tcp", `--host=${server.host}`, `--port=${server.port}`, `--user=${user}`]

/** Host parts the server sees for Ferry's own connections (the shadow accounts are created for them). */
export const mysqlClientHosts = (server: DatabaseServerAccess): ReadonlyArray<string> =>
  server.socket !== undefined ? ["localhost"] : isLoopback(server.host) ? ["localhost", "127.0.0.1", "::1"] : ["%"]

export const pgConnectArgs = (server: DatabaseServerAccess, user: string, database: string): Array<string> => [
  `--host=${server.socket ?? server.host}`,
  `--port=${server.port}`,
  `--username=${user}`,
  `--dbname=${database}`,
  "--no-password",
]

/* Admin sessions ---------------------------------------------------------------------------- */

/** Decodes `mariadb --batch` output: tab-separated fields with \\t, \\n, \\0, \\\\ escaped. */
export const parseMysqlBatch = (stdout: string): Array<Array<string>> =>
  stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) =>
      line
        .split("\t")
        .map((field) => field.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c === "t" ? "\t" : c === "0" ? "\0" : c))),
    )

/** Statements and queries as the server's administrator (Ferry-built SQL only). */
export interface AdminSession {
  readonly exec: (sql: string, secrets?: ReadonlyArray<string>) => Effect.Effect<void, ClientError>
  readonly query: (sql: string) => Effect.Effect<Array<Array<string>>, ClientError>
}

const adminTimeoutMs = 10 * 60 * 1000

export const mysqlAdmin = (server: DatabaseServerAccess): AdminSession => {
  const run = (sql: string, secrets: ReadonlyArray<string>) =>
    runClient({
      program: mysqlProgram(),
      args: [
        "--no-defaults",
        ...mysqlConnectArgs(server, server.adminUser),
        "--batch",
        "--skip-column-names",
        "--binary-mode",
        "--local-infile=0",
      ],
      env: server.adminPassword !== undefined ? { MYSQL_PWD: server.adminPassword } : {},
      stdin: sql,
      secrets: [...secrets, ...(server.adminPassword !== undefined ? [server.adminPassword] : [])],
      timeoutMs: adminTimeoutMs,
    })
  return {
    exec: (sql, secrets = []) => Effect.asVoid(run(sql, secrets)),
    query: (sql) => Effect.map(run(sql, []), (out) => parseMysqlBatch(out.stdout)),
  }
}

export const postgresAdmin = (server: DatabaseServerAccess, database = "postgres"): AdminSession => {
  const run = (sql: string, secrets: ReadonlyArray<string>) =>
    runClient({
      program: "psql",
      args: ["-X", "-q", "-A", "-t", "-F", "\x1f", "-0", "-v", "ON_ERROR_STOP=1", ...pgConnectArgs(server, server.adminUser, database)],
      env: {
        ...(server.adminPassword !== undefined ? { PGPASSWORD: server.adminPassword } : {}),
        PGAPPNAME: "ferry",
        PGCONNECT_TIMEOUT: "30",
      },
      stdin: `SET standard_conforming_strings = on;\nSET client_min_messages = warning;\n${sql}\n`,
      secrets: [...secrets, ...(server.adminPassword !== undefined ? [server.adminPassword] : [])],
      timeoutMs: adminTimeoutMs,
    })
  return {
    exec: (sql, secrets = []) => Effect.asVoid(run(sql, secrets)),
    query: (sql) =>
      Effect.map(run(sql, []), (out) =>
        out.stdout
          .split("\0")
          .filter((row) => row !== "")
          .map((row) => row.split("\x1f")),
      ),
  }
}

/** `mariadb` where installed, else `mysql` (older packages). */
export const mysqlProgram = (): string => (findProgram("mariadb") !== undefined ? "mariadb" : "mysql")

let restrictSupport: Promise<boolean> | undefined

/**
 * Whether the installed psql knows `\restrict` (CVE-2025-8714 fix: 18, 17.6, 16.10, 15.14,
 * 14.19, 13.22 and later). Without it, the dump filter is the only guard against meta-commands.
 */
export const psqlSupportsRestrict = (): Promise<boolean> => {
  restrictSupport ??= spawnClient({ program: "psql", args: ["--version"], secrets: [] }).then((out) => {
    const match = /(\d+)\.(\d+)/.exec(out.stdout)
    if (out.code !== 0 || match === null) return false
    const major = Number(match[1])
    const minor = Number(match[2])
    const fixedIn: Record<number, number> = { 13: 22, 14: 19, 15: 14, 16: 10, 17: 6 }
    return major >= 18 || (fixedIn[major] !== undefined && minor >= (fixedIn[major] as number))
  })
  return restrictSupport
}
