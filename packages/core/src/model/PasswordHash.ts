import { Redacted, Schema } from "effect"

/**
 * How a stored password is encoded. The scheme decides whether a receiving service can keep the
 * hash (Dovecot, FTP, MySQL plugins, PostgreSQL); `unknown` is carried but never guessed at.
 */
export const PasswordScheme = Schema.Literals([
  "md5-crypt",
  "sha256-crypt",
  "sha512-crypt",
  "bcrypt",
  "yescrypt",
  "des-crypt",
  "mysql-native",
  "mysql-old",
  "caching-sha2",
  "sha256-password",
  "postgres-md5",
  "postgres-scram",
  "plain",
  "plesk-sym",
  "unknown",
])
export type PasswordScheme = typeof PasswordScheme.Type

/**
 * A password as the source stored it. The value is `Redacted`: it prints as `<redacted>`, and
 * the JSON views of Ferry show only the scheme. Only the import step unwraps it.
 */
export const PasswordHash = Schema.Struct({
  scheme: PasswordScheme,
  value: Schema.Redacted(Schema.String),
})
export type PasswordHash = typeof PasswordHash.Type

export const makePasswordHash = (scheme: PasswordScheme, value: string): PasswordHash => ({
  scheme,
  value: Redacted.make(value),
})

/** Recognises a crypt(3) string by its prefix (`$1$`, `$5$`, `$6$`, `$2y$`, `$y$`, DES). */
export const cryptScheme = (hash: string): PasswordScheme => {
  // Salts are limited to the crypt alphabet: a ":" or line break would corrupt passwd-style files.
  if (/^\$1\$[./0-9A-Za-z]{0,8}\$[./0-9A-Za-z]{22}$/.test(hash)) return "md5-crypt"
  if (/^\$5\$(rounds=\d+\$)?[./0-9A-Za-z]{0,16}\$[./0-9A-Za-z]{43}$/.test(hash)) return "sha256-crypt"
  if (/^\$6\$(rounds=\d+\$)?[./0-9A-Za-z]{0,16}\$[./0-9A-Za-z]{86}$/.test(hash)) return "sha512-crypt"
  if (/^\$2[abxy]\$\d{2}\$[./0-9A-Za-z]{53}$/.test(hash)) return "bcrypt"
  if (/^\$y\$[./0-9A-Za-z]+\$[./0-9A-Za-z]+\$[./0-9A-Za-z]{43}$/.test(hash)) return "yescrypt"
  if (/^[./0-9A-Za-z]{13}$/.test(hash)) return "des-crypt"
  return "unknown"
}

/**
 * Like {@link cryptScheme}, but tolerant of redacted fixtures and shortened salts: a string with a
 * known prefix and no characters outside the crypt alphabet counts as that scheme.
 */
export const cryptSchemeLoose = (hash: string): PasswordScheme => {
  const strict = cryptScheme(hash)
  if (strict !== "unknown") return strict
  if (/[:\s]/.test(hash)) return "unknown"
  if (hash.startsWith("$1$")) return "md5-crypt"
  if (hash.startsWith("$5$")) return "sha256-crypt"
  if (hash.startsWith("$6$")) return "sha512-crypt"
  if (/^\$2[abxy]\$/.test(hash)) return "bcrypt"
  if (hash.startsWith("$y$")) return "yescrypt"
  return "unknown"
}

/** A password field that may hold no usable secret (`*`, `!`, `!!`, empty) — locked accounts. */
export const isLockedCrypt = (hash: string): boolean => hash === "" || /^[!*]/.test(hash)

/** MySQL `IDENTIFIED BY PASSWORD` / `authentication_string` values. */
export const mysqlScheme = (hash: string, plugin?: string): PasswordScheme => {
  if (plugin === "caching_sha2_password") return "caching-sha2"
  if (plugin === "sha256_password") return "sha256-password"
  if (/^\*[0-9A-Fa-f]{40}$/.test(hash)) return "mysql-native"
  if (/^[0-9A-Fa-f]{16}$/.test(hash)) return "mysql-old"
  return "unknown"
}

/** PostgreSQL `rolpassword` values. */
export const postgresScheme = (hash: string): PasswordScheme => {
  if (/^md5[0-9a-f]{32}$/.test(hash)) return "postgres-md5"
  if (/^SCRAM-SHA-256\$\d+:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/.test(hash)) return "postgres-scram"
  return "unknown"
}
