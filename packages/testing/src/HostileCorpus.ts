import type { ArchiveLimits } from "@ferry/core"
import { formatCases } from "./HostileFormatCases.ts"
import { limitCases } from "./HostileLimitCases.ts"
import { linkCases } from "./HostileLinkCases.ts"
import { pathCases } from "./HostilePathCases.ts"
import { zipCases } from "./HostileZipCases.ts"

/*
 * The hostile-archive corpus: one or more archives per item 1–18 and 21 of the security checklist
 * (`security.md` §3.1). Each case builds its archive into a given directory and says what a safe
 * reader must do with it. Adapter suites run every case through `inspect` as well.
 */

export type RefusalReason =
  | "UnsafePath"
  | "UnsafeLink"
  | "EntryConflict"
  | "LimitExceeded"
  | "UnsupportedEntry"
  | "CorruptArchive"
  | "UnsupportedFormat"

export interface Refused {
  readonly kind: "refused"
  readonly reason: RefusalReason
  /** The reason's discriminator: `rule` (paths, links, conflicts), `limit`, `kind` (entries) or `format`. */
  readonly rule?: string
  /** The offending entry as stored (after PAX / GNU long-name processing); "" for the archive itself. */
  readonly entry?: string
}

export interface Neutralised {
  readonly kind: "neutralised"
  /** What a reader must do instead of refusing, in words. */
  readonly check: string
  /** Sanitised modes the visitor must see, by entry path. */
  readonly modes?: Readonly<Record<string, number>>
  /** Entries that must be skipped and reported in `ScanStats.skipped`, not visited. */
  readonly skipped?: ReadonlyArray<{ readonly path: string; readonly kind: string }>
  /** Entries that must still reach the visitor. */
  readonly visited?: ReadonlyArray<string>
}

export interface HostileCase {
  /** `NN-name`, NN = checklist item. */
  readonly id: string
  readonly item: number
  readonly description: string
  /** Writes the archive (or directory) inside `dir` and returns its path. */
  readonly build: (dir: string) => Promise<string>
  readonly expect: Refused | Neutralised
  /** Small limits so bomb-like cases stay fast. */
  readonly limits?: Partial<ArchiveLimits>
}

/**
 * Entries a scan should open as nested archives, and where their entries are mounted: cPanel's
 * legacy `homedir.tar` mounts at `homedir`, so `top/homedir.tar` → `top/homedir`.
 */
export const nestedMount = (path: string): string | undefined => {
  const match = /^(.*)\.(tar|tar\.gz|tgz|tar\.zst)$/.exec(path)
  return match?.[1]
}

export const hostileCorpus: ReadonlyArray<HostileCase> = [...pathCases, ...linkCases, ...limitCases, ...formatCases, ...zipCases].sort(
  (a, b) => a.item - b.item || a.id.localeCompare(b.id),
)
