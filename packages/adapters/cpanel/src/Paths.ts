import * as posix from "node:path/posix"

/** cPanel logins: a lowercase letter, then lowercase letters, digits, `_` or `-` (32 at most). */
export const isCpanelUser = (name: string): boolean => /^[a-z][a-z0-9_-]{0,31}$/.test(name)

/** A DNS name as cPanel stores it: lowercase LDH labels with at least one dot, ≤ 253 bytes. */
export const isDomainName = (name: string): boolean =>
  name.length <= 253 && /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(name)

/** A mailbox local part as cPanel accepts it. */
export const isLocalPart = (name: string): boolean => /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}$/.test(name) && !name.includes("..")

/** Database and database-user names Ferry carries (security rule 12). */
export const isSqlName = (name: string): boolean => /^[A-Za-z0-9_$-]{1,80}$/.test(name)

/**
 * `sds`, `sds2` and `addons` write a domain with its first dot replaced by `_`
 * (`blog_example.com`); labels may hold further underscores, so only the first one is a dot.
 */
export const fromUnderscoreForm = (value: string): string => {
  const at = value.indexOf("_")
  return at < 0 ? value : `${value.slice(0, at)}.${value.slice(at + 1)}`
}

/** The archive-path prefix of a payload root ("" or "cpmove-USER/"). */
export const rootPrefix = (root: string): string => (root === "" ? "" : `${root}/`)

/**
 * An absolute source path made relative to the account's home, trying every known home prefix
 * (`/home/u`, `/home2/u`, …; pitfall 7). Undefined when the path is outside all of them or
 * would climb out of the home.
 */
export const homeRelative = (absolute: string, homePrefixes: ReadonlyArray<string>): string | undefined => {
  if (!absolute.startsWith("/")) return undefined
  const normalised = posix.normalize(absolute).replace(/\/+$/, "")
  const prefixes = [...homePrefixes].map((p) => posix.normalize(p).replace(/\/+$/, "")).sort((a, b) => b.length - a.length)
  for (const prefix of prefixes) {
    if (prefix === "" || prefix === "/") continue
    if (normalised === prefix) return ""
    if (normalised.startsWith(`${prefix}/`)) {
      const rel = normalised.slice(prefix.length + 1)
      if (rel.split("/").some((part) => part === ".." || part === "." || part === "")) return undefined
      return rel
    }
  }
  return undefined
}

/** A home-relative path that a user wrote (sds2): no absolute part, no `..`. */
export const cleanRelative = (value: string): string | undefined => {
  const trimmed = value.replace(/^\.\/+/, "").replace(/\/+$/, "")
  if (trimmed.startsWith("/") || trimmed.split("/").some((part) => part === ".." || part === ".")) return undefined
  return trimmed
}

/** Lines of a small text file, without blank lines and surrounding whitespace. */
export const nonEmptyLines = (text: string): Array<string> =>
  text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "")

/** Among directory paths (ending "/"), keep those not inside another one of the set. */
export const outermost = (paths: Iterable<string>): Array<string> => {
  const sorted = [...new Set(paths)].sort((a, b) => a.length - b.length)
  const kept: Array<string> = []
  for (const path of sorted) if (!kept.some((outer) => path.startsWith(outer))) kept.push(path)
  return kept
}

/** At most `n` items of a list for a message, with a count of the rest. */
export const listForMessage = (items: ReadonlyArray<string>, n = 8): string =>
  items.length <= n ? items.join(", ") : `${items.slice(0, n).join(", ")} and ${items.length - n} more`
