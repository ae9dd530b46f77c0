import { domainToASCII } from "node:url"
import { type Entity, type StepContext, StepFailed } from "@ferry/core"
import { Effect, Result, Schema } from "effect"

/*
 * Allow-lists for every name that reaches a path, a config file, SQL or argv (security rule 12,
 * checklist items 28–32). Each check returns the normalised name or says which rule refused it;
 * nothing here tries to repair a name (a refused entity fails its step, the admin renames it).
 */

export class InvalidIdentifier extends Schema.TaggedError<InvalidIdentifier>()("InvalidIdentifier", {
  /** What the name is: "system user", "domain", "mailbox", "database", … */
  kind: Schema.String,
  /** The value as given, JSON-quoted in messages (it may hold control characters). */
  value: Schema.String,
  /** Stable rule name: empty, too-long, characters, leading, reserved, label, … */
  rule: Schema.String,
  detail: Schema.String,
}) {
  override get message(): string {
    return `${this.kind} ${JSON.stringify(this.value)} refused (${this.rule}): ${this.detail}`
  }
}

export type Checked = Result.Result<string, InvalidIdentifier>

const refuse = (kind: string, value: string, rule: string, detail: string): Checked =>
  Result.fail(new InvalidIdentifier({ kind, value, rule, detail }))

/** A checked name as an effect that fails the step `step` (code "invalid-name"). */
export const orFailStep = (step: string, checked: Checked): Effect.Effect<string, StepFailed> =>
  Result.isSuccess(checked)
    ? Effect.succeed(checked.success)
    : Effect.fail(new StepFailed({ step, code: "invalid-name", reason: checked.failure.message }))

/* ---------- system users ---------- */

/**
 * Names a tenant may never get: system accounts of Debian and the services Ferry configures, and
 * Ferry's own administrator (checklist item 31).
 */
export const reservedSystemUsers: ReadonlySet<string> = new Set([
  "root",
  "daemon",
  "bin",
  "sys",
  "sync",
  "games",
  "man",
  "lp",
  "mail",
  "news",
  "uucp",
  "proxy",
  "www-data",
  "backup",
  "list",
  "irc",
  "gnats",
  "nobody",
  "nogroup",
  "sshd",
  "messagebus",
  "postfix",
  "dovecot",
  "dovenull",
  "vmail",
  "mysql",
  "postgres",
  "bind",
  "named",
  "nginx",
  "ftp",
  "proftpd",
  "pure-ftpd",
  "ftpsecure",
  "systemd-network",
  "systemd-resolve",
  "systemd-timesync",
  "_apt",
  "ferry",
  "admin",
  // The check phase's list (core check/builtin/Identifiers.ts), so both sides refuse the same names.
  "administrator",
  "adm",
  "shutdown",
  "halt",
  "operator",
  "nfsnobody",
  "www",
  "apache",
  "httpd",
  "postdrop",
  "exim",
  "mailnull",
  "smmsp",
  "mariadb",
  "pgsql",
  "ntp",
  "chrony",
  "syslog",
  "polkitd",
  "uuidd",
  "tss",
  "tcpdump",
  "clamav",
  "redis",
  "memcached",
  "cpanel",
  "psaadm",
  "psaftp",
])

/**
 * A Unix login / system user: lowercase letter or `_` first, then `[a-z0-9_-]`, at most 32
 * characters (useradd's default NAME_REGEX; also Accounts.loginPattern), not reserved.
 */
export const systemUser = (value: string): Checked => {
  const kind = "system user"
  if (value === "") return refuse(kind, value, "empty", "the name is empty")
  if (value.length > 32) return refuse(kind, value, "too-long", "at most 32 characters")
  if (!/^[a-z_]/.test(value)) return refuse(kind, value, "leading", "must start with a lowercase letter or _")
  if (!/^[a-z_][a-z0-9_-]*$/.test(value)) return refuse(kind, value, "characters", "only a-z, 0-9, _ and - are allowed")
  if (reservedSystemUsers.has(value) || value.startsWith("systemd-"))
    return refuse(kind, value, "reserved", "the name belongs to the system or to a service")
  return Result.succeed(value)
}

/** Ferry's administrator login (Accounts.adminLogin): a valid owner, never a system user. */
const administrator = "admin"

/** The login of an owner id `account:<login>` (as the adapters form them), checked as a system user. */
export const ownerLogin = (ownerId: string | null): Checked => {
  if (ownerId === null) return refuse("owner", "", "empty", "the entity has no owning account")
  if (!ownerId.startsWith("account:")) return refuse("owner", ownerId, "format", "expected an account id like account:<login>")
  const login = ownerId.slice("account:".length)
  return login === administrator ? Result.succeed(login) : systemUser(login)
}

/**
 * The login that owns `entity` on the target: the plan's `owner` change (its `to` is a login),
 * else the owning account of the snapshot; the source administrator, an owner that is not an
 * account, or no owner at all mean Ferry's administrator ("admin"). Other logins are checked as
 * system users.
 */
export const resolveOwner = (entity: Entity, ctx: StepContext): Checked => {
  const changed = ctx.decision.changes.findLast((c) => c.field === "owner")?.to
  if (changed !== undefined) return changed === administrator ? Result.succeed(administrator) : systemUser(changed)
  if (entity.owner === null) return Result.succeed(administrator)
  const owner = ctx.entity(entity.owner)
  if (owner === undefined) return entity.owner.startsWith("account:") ? ownerLogin(entity.owner) : Result.succeed(administrator)
  if (owner._tag !== "Account" || owner.kind === "admin") return Result.succeed(administrator)
  return systemUser(owner.login)
}

/* ---------- domains ---------- */

const label = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/

/**
 * A domain name: IDNA → punycode, lowercase, one trailing dot dropped; LDH labels of 1–63
 * characters, at least two labels, at most 253 characters, not an IP address (item 29).
 */
export const domainName = (value: string): Checked => {
  const kind = "domain"
  if (value === "") return refuse(kind, value, "empty", "the name is empty")
  if (/[\s\0-\x1f\x7f/\\'"`;|$(){}<>&*?!#%,@:=]/.test(value))
    return refuse(kind, value, "characters", "only letters, digits, - and . are allowed")
  if (value.includes("..")) return refuse(kind, value, "label", "empty label (..)")
  const trimmed = value.endsWith(".") ? value.slice(0, -1) : value
  if (trimmed === "" || trimmed.startsWith(".")) return refuse(kind, value, "label", "empty label")
  const ascii = domainToASCII(trimmed).toLowerCase()
  if (ascii === "") return refuse(kind, value, "idna", "not a valid internationalised domain name")
  if (ascii.length > 253) return refuse(kind, value, "too-long", "at most 253 characters")
  const labels = ascii.split(".")
  if (labels.length < 2) return refuse(kind, value, "label", "a hosted domain has at least two labels")
  const bad = labels.find((l) => !label.test(l))
  if (bad !== undefined) return refuse(kind, value, "label", `label ${JSON.stringify(bad)} is not letters, digits and inner hyphens (1-63)`)
  if (/^[0-9]+$/.test(labels[labels.length - 1] as string))
    return refuse(kind, value, "label", "the last label is numeric (an IP address?)")
  return Result.succeed(ascii)
}

/* ---------- mail ---------- */

/**
 * A mailbox local part, lowercased: letters, digits, `.`, `_`, `+`, `-`; starts with a letter,
 * digit or `_`; no `..`, no trailing `.`; at most 64 characters (RFC 5321). Stricter than RFC
 * 5322 atext on purpose: `|`, `$`, backticks, `/` and quotes never reach a path or a config.
 */
export const mailboxLocalPart = (value: string): Checked => {
  const kind = "mailbox"
  if (value === "") return refuse(kind, value, "empty", "the local part is empty")
  if (value.length > 64) return refuse(kind, value, "too-long", "at most 64 characters")
  const lower = value.toLowerCase()
  if (!/^[a-z0-9_]/.test(lower)) return refuse(kind, value, "leading", "must start with a letter, a digit or _")
  if (!/^[a-z0-9._+-]+$/.test(lower)) return refuse(kind, value, "characters", "only letters, digits, ., _, + and - are allowed")
  if (lower.includes("..") || lower.endsWith(".")) return refuse(kind, value, "dots", "no empty dot-separated part")
  return Result.succeed(lower)
}

/** `local@domain`, each half checked; returns the normalised address. */
export const mailAddress = (value: string): Checked => {
  const at = value.lastIndexOf("@")
  if (at <= 0) return refuse("mail address", value, "format", "expected local@domain")
  const local = mailboxLocalPart(value.slice(0, at))
  if (Result.isFailure(local)) return local
  const domain = domainName(value.slice(at + 1))
  if (Result.isFailure(domain)) return domain
  return Result.succeed(`${local.success}@${domain.success}`)
}

/* ---------- databases ---------- */

export type DatabaseEngineName = "mariadb" | "mysql" | "postgresql"

/** Database name limits: MariaDB/MySQL 64 characters, PostgreSQL 63 (NAMEDATALEN - 1). */
export const databaseNameMax: Readonly<Record<DatabaseEngineName, number>> = { mariadb: 64, mysql: 64, postgresql: 63 }
/** User name limits: MariaDB 80 (since 10.0), MySQL 32 (since 5.7.8), PostgreSQL 63. */
export const databaseUserMax: Readonly<Record<DatabaseEngineName, number>> = { mariadb: 80, mysql: 32, postgresql: 63 }

const sqlName = (kind: string, value: string, max: number): Checked => {
  if (value === "") return refuse(kind, value, "empty", "the name is empty")
  if (value.length > max) return refuse(kind, value, "too-long", `at most ${max} characters on this server`)
  if (!/^[A-Za-z0-9_]+$/.test(value)) return refuse(kind, value, "characters", "only A-Z, a-z, 0-9 and _ are allowed")
  if (/^[0-9]+$/.test(value)) return refuse(kind, value, "characters", "a name of digits only is not allowed")
  return Result.succeed(value)
}

/** A database name (`[A-Za-z0-9_]`, not digits only, within the engine's limit; item 30). */
export const databaseName = (value: string, engine: DatabaseEngineName): Checked => sqlName("database", value, databaseNameMax[engine])

/** A database user name (`[A-Za-z0-9_]`, not digits only, within the engine's limit; item 30). */
export const databaseUser = (value: string, engine: DatabaseEngineName): Checked => sqlName("database user", value, databaseUserMax[engine])

/* ---------- files ---------- */

/**
 * One file name component Ferry builds a path from (certificate names, pool names): starts with a
 * letter or digit, then `[A-Za-z0-9._-]`, no `..`, at most 128 characters.
 */
export const fileName = (value: string, kind = "file name"): Checked => {
  if (value === "") return refuse(kind, value, "empty", "the name is empty")
  if (value.length > 128) return refuse(kind, value, "too-long", "at most 128 characters")
  if (!/^[A-Za-z0-9]/.test(value)) return refuse(kind, value, "leading", "must start with a letter or a digit")
  if (!/^[A-Za-z0-9._-]+$/.test(value)) return refuse(kind, value, "characters", "only letters, digits, ., _ and - are allowed")
  if (value.includes("..")) return refuse(kind, value, "dots", "no .. in a file name")
  return Result.succeed(value)
}

export const certificateName = (value: string): Checked => fileName(value, "certificate name")

/**
 * A path relative to a home ("public_html", "sites/a/web"): components are file names of
 * `[A-Za-z0-9._~+-]` (no `.`/`..`, no empty component, no leading `-`), at most 32 deep.
 */
export const relativePath = (value: string, kind = "path"): Checked => {
  const trimmed = value.replace(/\/+$/, "")
  if (trimmed === "") return refuse(kind, value, "empty", "the path is empty")
  if (trimmed.startsWith("/")) return refuse(kind, value, "absolute", "must be relative to the home")
  const parts = trimmed.split("/")
  if (parts.length > 32) return refuse(kind, value, "too-deep", "at most 32 components")
  for (const part of parts) {
    if (part === "" || part === "." || part === "..")
      return refuse(kind, value, "component", `component ${JSON.stringify(part)} is not allowed`)
    if (part.length > 255 || !/^[A-Za-z0-9_~+][A-Za-z0-9._~+-]*$/.test(part))
      return refuse(kind, value, "characters", `component ${JSON.stringify(part)}: only letters, digits and . _ ~ + - are allowed`)
  }
  return Result.succeed(parts.join("/"))
}

/** A PHP version as packaged on Debian ("8.2"). */
export const phpVersion = (value: string): Checked =>
  /^[5-9]\.[0-9]$/.test(value) ? Result.succeed(value) : refuse("PHP version", value, "format", "expected major.minor such as 8.2")

/**
 * A value written into one of Ferry's own config lines (rule 13): no CR, LF, NUL or other control
 * characters; at most `max` characters.
 */
export const configValue = (value: string, kind = "value", max = 4096): Checked => {
  if (value.length > max) return refuse(kind, value, "too-long", `at most ${max} characters`)
  if (/[\0-\x1f\x7f]/.test(value)) return refuse(kind, value, "control-character", "contains a line break or a control character")
  return Result.succeed(value)
}

/**
 * The admin chose "replace existing" for this entity, or for the account that owns it (the
 * existing-user check puts the choice on the account; its databases and users follow it).
 */
export const replacesExisting = (entity: { readonly owner: string | null }, ctx: StepContext): boolean => {
  const chosen = (changes: ReadonlyArray<{ readonly field: string; readonly to: string }> | undefined) =>
    changes?.some((c) => c.field === "existing" && c.to === "replace") === true
  return chosen(ctx.decision.changes) || (entity.owner !== null && chosen(ctx.decisionOf(entity.owner)?.changes))
}
