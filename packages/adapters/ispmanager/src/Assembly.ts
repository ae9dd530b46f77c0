import type { ParseNote, SnapshotBuilder } from "@ferry/core"
import type { Fields } from "./Fields.ts"
import { describeObject, type PanelObject } from "./PanelObject.ts"

/**
 * What the scan saw of the archive: directories (named or implied by files) up to a few levels
 * below the home, and the payload files that may be dumps or mailbox archives.
 */
export class ArchiveIndex {
  private readonly dirs = new Set<string>()
  private readonly maxDepth: number
  /** Files that may be content on their own (dumps, mailbox archives): path → size. */
  readonly payloads = new Map<string, number>()

  constructor(maxDepth = 8) {
    this.maxDepth = maxDepth
  }

  /** Record a directory entry, or the parents of a file. */
  see(path: string, isDirectory: boolean): void {
    const parts = path.split("/")
    const limit = Math.min(isDirectory ? parts.length : parts.length - 1, this.maxDepth)
    let prefix = ""
    for (let i = 0; i < limit; i++) {
      prefix = i === 0 ? (parts[0] as string) : `${prefix}/${parts[i]}`
      this.dirs.add(prefix)
    }
  }

  hasDir(path: string): boolean {
    return this.dirs.has(path.replace(/\/+$/, ""))
  }
}

/** Everything the entity builders share. */
export interface Assembly {
  readonly builder: SnapshotBuilder
  readonly adapter: string
  /** Archive-path prefix of the backup user's home ("" or "var/www/alice/data/"). */
  readonly homePrefix: string
  /** Home prefixes of other users (ispmanager 4 full backups hold several). */
  readonly otherHomes: Map<string, string>
  readonly index: ArchiveIndex
  /** Logins of the accounts built so far → account ids. */
  readonly accounts: Map<string, string>
  /** The backup's own user, when known (owner of everything that names no other account). */
  mainLogin: string | undefined
  /** Certificate names → SslCertificate ids, for sites that name their certificate. */
  readonly certificates: Map<string, string>
  /** Archive paths (ending in "/") of web and mail content, left out of the home content. */
  readonly owned: Array<string>
}

export const newAssembly = (builder: SnapshotBuilder, adapter: string, homePrefix: string, index: ArchiveIndex): Assembly => ({
  builder,
  adapter,
  homePrefix,
  otherHomes: new Map(),
  index,
  accounts: new Map(),
  mainLogin: undefined,
  certificates: new Map(),
  owned: [],
})

export const sourceHomeOf = (login: string): string => `/var/www/${login}/data`

export const note = (a: Assembly, severity: ParseNote["severity"], code: string, subject: string, path: string, message: string): void =>
  a.builder.note({ severity, code, subject, path, message })

export const noteObject = (a: Assembly, object: PanelObject, severity: ParseNote["severity"], code: string, message: string): void =>
  a.builder.note({
    severity,
    code,
    subject: describeObject(object),
    path: object.source.path,
    message: `${object.source.detail}: ${message}`,
  })

/**
 * The account an object belongs to: the account its owner names, else the backup's user. An
 * owner that is not an account of the backup (e.g. "root" on a user-level object) is reported.
 */
export const ownerId = (a: Assembly, object: PanelObject): string | null => {
  const named = object.owner ?? object.fields.text("owner", "site_owner")
  if (named !== undefined) {
    const id = a.accounts.get(named)
    if (id !== undefined) return id
  }
  const main = a.mainLogin !== undefined ? a.accounts.get(a.mainLogin) : undefined
  if (named !== undefined && main !== undefined && named !== a.mainLogin) {
    noteObject(
      a,
      object,
      "info",
      "owner-not-in-backup",
      `owner ${JSON.stringify(named.slice(0, 40))} is not a user of this backup; assigned to ${a.mainLogin}`,
    )
  }
  return main ?? null
}

/** Archive-path prefix of a user's home. */
export const homeOf = (a: Assembly, login: string): string => a.otherHomes.get(login) ?? a.homePrefix

/** The login of the account an object belongs to (for cron jobs), or the backup's user. */
export const ownerLogin = (a: Assembly, id: string | null): string =>
  id?.startsWith("account:") ? id.slice("account:".length) : (a.mainLogin ?? "")

/**
 * A path on the source server made relative to the owner's home (`/var/www/u/data/www/x` →
 * `www/x`); a relative path stays as it is. Undefined for paths outside the home or with `..`.
 */
export const homeRelative = (path: string, login: string | undefined): string | undefined => {
  let rel = path.trim()
  if (rel.startsWith("/")) {
    const home = login !== undefined ? sourceHomeOf(login) : undefined
    if (home === undefined || (rel !== home && !rel.startsWith(`${home}/`))) return undefined
    rel = rel.slice(home.length)
  }
  rel = rel.replace(/^\/+|\/+$/g, "")
  if (rel.split("/").some((part) => part === ".." || part === ".")) return undefined
  if (/[\0\r\n\\]/.test(rel)) return undefined
  return rel
}

const secretKey = /pass|secret|token|key|hash|crypt|pwd/i

/**
 * Copy the fields nobody read into `extras` (kept for review, never applied): short single-line
 * values only, and never a field whose name suggests a secret. The rest stay listed by name only.
 */
export const putExtras = (extras: Record<string, string>, fields: Fields, prefix = ""): void => {
  for (const key of fields.unused()) {
    if (secretKey.test(key)) continue
    const value = fields.value(key) ?? ""
    if (value.length === 0 || value.length > 256 || /[\r\n\0]/.test(value)) continue
    extras[`${prefix}${key}`] = value
  }
}
