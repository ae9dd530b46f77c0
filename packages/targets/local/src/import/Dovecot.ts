import { createHash, randomInt } from "node:crypto"
import {
  cryptSchemeLoose,
  type Entity,
  type PasswordHash,
  type PasswordScheme,
  type StepContext,
  StepFailed,
  type TargetError,
} from "@ferry/core"
import { Effect, Redacted } from "effect"
import { query } from "../Sqlite.ts"
import { orFailStep, resolveOwner } from "./Identifiers.ts"
import type { ImportEnv } from "./ImportEnv.ts"
import type { RecordStore } from "./Records.ts"

/*
 * Passwords of mail and FTP users (security item 43) and the Dovecot passwd-file.
 *
 * A source hash is kept when the receiving service verifies its scheme (the profile's
 * `passwordSchemes`, the same list the plan's password check used, so the report and the result
 * agree), the plan did not ask for a new password, and the value is a clean crypt string (no
 * ":", whitespace or control character: a passwd-style file would be corrupted). A plain
 * password is hashed here (SHA512-CRYPT), so it never lies on disk in clear text and the user
 * keeps it. Anything else gets a NEW random password, hashed with SHA512-CRYPT (understood by
 * Dovecot, Pure-FTPd and ProFTPD through crypt(3)) and recorded as a "generated-password" row
 * that the job summary lists; steps only say that one was generated, never the password.
 *
 * Resumed and repeated runs reuse what an earlier run wrote (the same generated password, the
 * same salt), so a second import leaves the files byte-identical.
 */

/* ---------- SHA512-CRYPT ($6$, Drepper's "Unix crypt using SHA-256 and SHA-512") ---------- */

const itoa64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
const defaultRounds = 5000

const sha512 = (...parts: ReadonlyArray<Buffer>): Buffer => {
  const hash = createHash("sha512")
  for (const part of parts) hash.update(part)
  return hash.digest()
}

/** `length` bytes of `source` repeated. */
const repeatTo = (source: Buffer, length: number): Buffer => {
  const out = Buffer.alloc(length)
  for (let i = 0; i < length; i += source.length) source.copy(out, i, 0, Math.min(source.length, length - i))
  return out
}

// Byte order of the final encoding, three bytes per group (from the specification).
const groups: ReadonlyArray<readonly [number, number, number]> = [
  [0, 21, 42],
  [22, 43, 1],
  [44, 2, 23],
  [3, 24, 45],
  [25, 46, 4],
  [47, 5, 26],
  [6, 27, 48],
  [28, 49, 7],
  [50, 8, 29],
  [9, 30, 51],
  [31, 52, 10],
  [53, 11, 32],
  [12, 33, 54],
  [34, 55, 13],
  [56, 14, 35],
  [15, 36, 57],
  [37, 58, 16],
  [59, 17, 38],
  [18, 39, 60],
  [40, 61, 19],
  [62, 20, 41],
]

const encode24 = (b2: number, b1: number, b0: number, chars: number): string => {
  let w = (b2 << 16) | (b1 << 8) | b0
  let out = ""
  for (let i = 0; i < chars; i++) {
    out += itoa64[w & 0x3f]
    w >>>= 6
  }
  return out
}

/** crypt(3) `$6$` of `password` with `salt` (at most 16 characters of the crypt alphabet are used). */
export const sha512Crypt = (password: string, salt: string, rounds = defaultRounds): string => {
  const p = Buffer.from(password, "utf8")
  const s = Buffer.from(salt.slice(0, 16), "utf8")
  const b = sha512(p, s, p)
  const aParts: Array<Buffer> = [p, s, repeatTo(b, p.length)]
  for (let n = p.length; n > 0; n >>>= 1) aParts.push(n & 1 ? b : p)
  const a = sha512(...aParts)
  const pBytes = repeatTo(sha512(...Array.from({ length: p.length }, () => p)), p.length)
  const sBytes = repeatTo(sha512(...Array.from({ length: 16 + (a[0] as number) }, () => s)), s.length)
  let c = a
  for (let i = 0; i < rounds; i++) {
    const parts: Array<Buffer> = [i & 1 ? pBytes : c]
    if (i % 3 !== 0) parts.push(sBytes)
    if (i % 7 !== 0) parts.push(pBytes)
    parts.push(i & 1 ? c : pBytes)
    c = sha512(...parts)
  }
  let encoded = ""
  for (const [x, y, z] of groups) encoded += encode24(c[x] as number, c[y] as number, c[z] as number, 4)
  encoded += encode24(0, 0, c[63] as number, 2)
  const roundsPart = rounds === defaultRounds ? "" : `rounds=${rounds}$`
  return `$6$${roundsPart}${s.toString("utf8")}$${encoded}`
}

/** True when `hash` is the `$6$` crypt of `password` (used to reuse an earlier run's salt). */
export const verifySha512Crypt = (password: string, hash: string): boolean => {
  const match = /^\$6\$(?:rounds=(\d{4,9})\$)?([./0-9A-Za-z]{1,16})\$[./0-9A-Za-z]{86}$/.exec(hash)
  if (match === null) return false
  const rounds = match[1] === undefined ? defaultRounds : Number(match[1])
  return sha512Crypt(password, match[2] as string, rounds) === hash
}

const randomString = (alphabet: string, length: number): string =>
  Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join("")

/** A random password: 20 characters of letters and digits (≈119 bits), easy to pass on. */
export const generatePassword = (): string => randomString("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789", 20)

export const randomSalt = (): string => randomString(itoa64, 16)

/* ---------- which password a user gets ---------- */

export type PasswordService = "mail" | "ftp"

/** Dovecot's prefix per kept scheme (`doveadm pw -l`; each verified with `doveadm pw -t`). */
export const dovecotPrefix: Readonly<Partial<Record<PasswordScheme, string>>> = {
  "md5-crypt": "{MD5-CRYPT}",
  "sha256-crypt": "{SHA256-CRYPT}",
  "sha512-crypt": "{SHA512-CRYPT}",
  bcrypt: "{BLF-CRYPT}",
  "des-crypt": "{DES-CRYPT}",
  // Dovecot has no yescrypt scheme of its own; {CRYPT} hands the string to crypt(3), which
  // verifies `$y$` with libxcrypt (Debian 11+, Ubuntu 22.04+, RHEL 9) and fails closed elsewhere.
  yescrypt: "{CRYPT}",
}

/** Schemes a crypt(3)-based FTP server verifies as they are (Pure-FTPd, ProFTPD). */
export const cryptSchemes: ReadonlySet<PasswordScheme> = new Set([
  "md5-crypt",
  "sha256-crypt",
  "sha512-crypt",
  "bcrypt",
  "des-crypt",
  "yescrypt",
])

export type PasswordChoice =
  | { readonly _tag: "keep"; readonly scheme: PasswordScheme; readonly value: string }
  | { readonly _tag: "hash-plain"; readonly password: string }
  | { readonly _tag: "new"; readonly reason: string }

/** A hash that can sit in a passwd-style line: printable ASCII, no ":" and no space. */
const cleanHash = (value: string): boolean => /^[!-9;-~]+$/.test(value)

/**
 * What to do with a source password. `accepted` is the profile's list for the service, `supported`
 * the schemes the file format can carry, `forceNew` the plan's `newPasswords` for the service.
 */
export const choosePassword = (
  hash: PasswordHash | undefined,
  accepted: ReadonlyArray<PasswordScheme>,
  supported: ReadonlySet<PasswordScheme>,
  forceNew: boolean,
): PasswordChoice => {
  if (hash === undefined) return { _tag: "new", reason: "the backup holds no password" }
  if (forceNew) return { _tag: "new", reason: `the plan gives it a new password (${hash.scheme} hash)` }
  const value = Redacted.value(hash.value)
  if (hash.scheme === "plain")
    return value === "" ? { _tag: "new", reason: "the backup holds an empty password" } : { _tag: "hash-plain", password: value }
  if (hash.scheme === "unknown") return { _tag: "new", reason: "the password hash is in an unrecognised format" }
  if (hash.scheme === "plesk-sym") return { _tag: "new", reason: "the password is encrypted with the source panel's key" }
  if (!supported.has(hash.scheme) || !accepted.includes(hash.scheme))
    return { _tag: "new", reason: `the receiving server cannot verify ${hash.scheme} hashes` }
  if (!cleanHash(value) || cryptSchemeLoose(value) !== hash.scheme)
    return { _tag: "new", reason: `the ${hash.scheme} hash is malformed (it would corrupt the password file)` }
  return { _tag: "keep", scheme: hash.scheme, value }
}

export interface SettledPassword {
  readonly scheme: PasswordScheme
  /** The hash to write (without a Dovecot prefix). */
  readonly value: string
  readonly generated: boolean
  /** For the step's notes (never the password). */
  readonly note?: string
}

export interface SettleInput {
  readonly service: PasswordService
  /** Login the password is for (mailbox address, FTP login). */
  readonly login: string
  /** Account login owning the row. */
  readonly owner: string
  /** Step id, for errors. */
  readonly step: string
  /** How the step names the user in notes ("mailbox info@example.com"). */
  readonly label: string
  readonly choice: PasswordChoice
  /** What an earlier run wrote for this user, to reuse its salt or generated password. */
  readonly previous: { readonly scheme: string; readonly value: string } | undefined
}

export const generatedPasswordKind = "generated-password"
/** Key of a user's generated-password row: "mail:info@example.com", "ftp:bob". */
export const generatedPasswordKey = (service: PasswordService, login: string): string => `${service}:${login}`

export const inventoryFailure = (step: string) => (error: TargetError) =>
  new StepFailed({ step, code: "inventory", reason: `the inventory could not be updated: ${error.detail}` })

const hashOf = (password: string, previous: SettleInput["previous"]): string =>
  previous !== undefined && previous.scheme === "sha512-crypt" && verifySha512Crypt(password, previous.value)
    ? previous.value
    : sha512Crypt(password, randomSalt())

/** The hash to write for one user, generating (and recording) a new password when needed. */
export const settlePassword = (records: RecordStore, input: SettleInput): Effect.Effect<SettledPassword, StepFailed> =>
  Effect.gen(function* () {
    const key = generatedPasswordKey(input.service, input.login)
    const { choice } = input
    if (choice._tag !== "new") {
      // A generated password of an earlier import no longer applies: drop it from the list.
      if ((yield* records.get(generatedPasswordKind, key)) !== undefined) yield* records.remove(generatedPasswordKind, key)
      if (choice._tag === "keep") return { scheme: choice.scheme, value: choice.value, generated: false }
      return { scheme: "sha512-crypt" as const, value: hashOf(choice.password, input.previous), generated: false }
    }
    const existing = (yield* records.get(generatedPasswordKind, key))?.data as { password?: unknown } | undefined
    const password = typeof existing?.password === "string" && existing.password !== "" ? existing.password : generatePassword()
    yield* records.put(generatedPasswordKind, key, input.owner, {
      service: input.service,
      login: input.login,
      password,
      entity: input.step,
    })
    return {
      scheme: "sha512-crypt" as const,
      value: hashOf(password, input.previous),
      generated: true,
      note: `${input.label} has a new generated password (${choice.reason}); it is listed with the job's generated passwords`,
    }
  }).pipe(Effect.mapError((error) => (error instanceof StepFailed ? error : inventoryFailure(input.step)(error))))

/* ---------- Dovecot passwd-file ---------- */

export interface DovecotUser {
  /** "info@example.com" */
  readonly address: string
  readonly scheme: PasswordScheme
  readonly hash: string
  readonly uid: number
  readonly gid: number
  /** The Maildir, used as the user's home (Dovecot `mail_location = maildir:~/`). */
  readonly home: string
  /** Bytes; null = no quota rule. */
  readonly quotaBytes: number | null
  readonly enabled: boolean
}

/**
 * One passwd-file line: `user:{SCHEME}hash:uid:gid::home::extra fields`. A disabled mailbox keeps
 * its line (mail is still delivered) with the `nologin` passdb field, which refuses the login.
 */
export const dovecotPasswdLine = (user: DovecotUser): string => {
  const prefix = dovecotPrefix[user.scheme] ?? "{CRYPT}"
  const extra = [
    ...(user.quotaBytes !== null ? [`userdb_quota_rule=*:bytes=${Math.max(0, Math.floor(user.quotaBytes))}`] : []),
    ...(user.enabled ? [] : ["nologin"]),
  ]
  return `${user.address}:${prefix}${user.hash}:${user.uid}:${user.gid}::${user.home}::${extra.join(" ")}`
}

/** The whole file of one domain, users sorted by address (stable bytes for the same records). */
export const renderDovecotPasswd = (domain: string, users: ReadonlyArray<DovecotUser>): string => {
  const lines = [...users].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0)).map(dovecotPasswdLine)
  return [`# Mailboxes of ${domain}: written by Ferry from its inventory; edits are replaced on the next import.`, ...lines, ""].join("\n")
}

/* ---------- owners and ids (shared by the mail, FTP and cron parts) ---------- */

export interface AccountIds {
  readonly login: string
  readonly uid: number
  readonly gid: number
}

/**
 * The account's uid (allocated when the account was imported) and gid (the account's own group,
 * same number). A file or line for an account without a uid would belong to root: refused.
 */
export const accountIds = (env: ImportEnv, step: string, login: string): Effect.Effect<AccountIds, StepFailed> =>
  query(env.store.connection, `reading account ${login}`, (db) => db.prepare("SELECT uid FROM accounts WHERE login = ?").get(login)).pipe(
    Effect.mapError(inventoryFailure(step)),
    Effect.flatMap((row) => {
      const uid = (row as { uid?: unknown } | undefined)?.uid
      if (row === undefined)
        return Effect.fail(
          new StepFailed({ step, code: "owner-missing", reason: `the owner ${login} does not exist on the receiving server` }),
        )
      if (typeof uid !== "number" || !Number.isInteger(uid) || uid <= 0)
        return Effect.fail(
          new StepFailed({ step, code: "owner-no-uid", reason: `the owner ${login} has no system user id; its files cannot be owned` }),
        )
      return Effect.succeed({ login, uid, gid: uid })
    }),
  )

/** The owner of an entity (the plan's new owner, else the owning account) with its ids. */
export const ownerIds = (env: ImportEnv, entity: Entity, ctx: StepContext): Effect.Effect<AccountIds, StepFailed> =>
  orFailStep(entity.id, resolveOwner(entity, ctx)).pipe(Effect.flatMap((login) => accountIds(env, entity.id, login)))

/** Owner options for SafeFs/FileSink: applied only when Ferry runs as root. */
export const fileOwner = (env: ImportEnv, ids: AccountIds): { readonly uid?: number; readonly gid?: number } =>
  env.runningAsRoot ? { uid: ids.uid, gid: ids.gid } : {}

/**
 * A mailbox, forwarder, list or setting may only be created in a mail domain its owner holds:
 * the domain is recorded for that account (inventory or "mail-domain" record) and for no other.
 * Without this, a backup of one tenant could add an address to another tenant's domain.
 */
export const requireDomainOwner = (env: ImportEnv, step: string, domain: string, login: string): Effect.Effect<void, StepFailed> =>
  Effect.gen(function* () {
    const inventory = yield* query(env.store.connection, `reading domain ${domain}`, (db) =>
      (db.prepare("SELECT owner FROM domains WHERE lower(name) = ?").all(domain) as Array<{ owner: string }>).map((r) => r.owner),
    ).pipe(Effect.mapError(inventoryFailure(step)))
    const mailDomain = yield* env.records.get("mail-domain", domain).pipe(Effect.mapError(inventoryFailure(step)))
    const owners = [...inventory, ...(mailDomain !== undefined ? [mailDomain.owner] : [])]
    const other = owners.find((o) => o !== login)
    if (other !== undefined)
      return yield* new StepFailed({
        step,
        code: "domain-not-owned",
        reason: `the domain ${domain} belongs to ${other} on the receiving server, not to ${login}`,
      })
    if (owners.length === 0)
      return yield* new StepFailed({
        step,
        code: "mail-domain-missing",
        reason: `the mail domain ${domain} is not on the receiving server (it was not imported or was skipped)`,
      })
  })
