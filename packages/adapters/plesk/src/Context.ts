import type { ParseNote, SnapshotBuilder } from "@ferry/core"
import type { ContentIndex } from "./Content.ts"
import type { PasswordReader } from "./Passwords.ts"
import type { XNode } from "./Xml.ts"

/** The backup generations this adapter reads (plesk.md §2). */
export type Generation = "mime" | "migration-dump" | "repository"

export const adapterId = "plesk"

/** Metadata XML is read into memory up to this size. */
export const xmlCap = 64 * 1024 * 1024

/** Everything the entity builders share once the scan is over. */
export interface Assembly {
  readonly builder: SnapshotBuilder
  readonly generation: Generation
  /** Archive-path prefix of the backup root ("" or "sub/"). */
  readonly prefix: string
  readonly passwords: PasswordReader
  readonly content: ContentIndex
  /** Domain names already taken by an entity, across the whole backup. */
  readonly domains: Set<string>
}

/** A note about an XML element: its archive file and its XML path. */
export const noteAt = (a: Assembly, node: XNode, severity: ParseNote["severity"], code: string, subject: string, message: string): void =>
  a.builder.note({ severity, code, subject, path: node.file, message: `${node.path}: ${message}` })

/** A DNS name as Plesk stores it: LDH labels (underscores allowed for service labels), ≤ 253. */
export const isDomainName = (name: string): boolean =>
  name.length <= 253 && /^(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(name)

/** Logins of panel users, system users, FTP and web users. */
export const isLogin = (name: string): boolean => /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/.test(name)

/** A mailbox local part. */
export const isLocalPart = (name: string): boolean => /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}$/.test(name) && !name.includes("..")

/** Database and database-user names Ferry carries (security rule 12). */
export const isSqlName = (name: string): boolean => /^[A-Za-z0-9_$-]{1,80}$/.test(name)

/** A path below a root written by the source: no absolute part, no `..`. Undefined if unsafe. */
export const cleanRelative = (value: string): string | undefined => {
  const trimmed = value
    .trim()
    .replace(/^\.\/+/, "")
    .replace(/\/+$/, "")
    .replace(/\/{2,}/g, "/")
  if (trimmed.includes("\\") || trimmed.includes("\u0000")) return undefined
  if (trimmed.split("/").some((part) => part === ".." || part === ".")) return undefined
  return trimmed.replace(/^\/+/, "")
}

/** A number of bytes; negative means unlimited (null); undefined for absent or malformed values. */
export const bytesOrUnlimited = (value: string | undefined, unit = 1): number | null | undefined => {
  const v = value?.trim()
  if (v === undefined || v === "") return undefined
  if (!/^-?\d{1,18}$/.test(v)) return undefined
  const n = Number(v)
  return n < 0 ? null : n * unit
}

/** At most `n` items of a list for a message, with a count of the rest. */
export const listForMessage = (items: ReadonlyArray<string>, n = 8): string =>
  items.length <= n ? items.join(", ") : `${items.slice(0, n).join(", ")} and ${items.length - n} more`
