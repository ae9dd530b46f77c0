import {
  type ArchiveErrorReason,
  EntryConflict,
  LimitExceeded,
  UnsafeLink,
  UnsupportedEntry,
} from "./ArchiveError.ts"
import type { EntryType, SkippedEntry } from "./ArchiveEntry.ts"
import type { ArchiveLimits } from "./ArchiveLimits.ts"
import { collisionKey, normaliseEntryName, resolveSymlinkTarget } from "./EntryName.ts"

/** What a container reader knows about an entry before the guard looks at it. */
export interface RawEntry {
  readonly name: string
  readonly kind: EntryType | "special" | "sparse" | "unknown"
  readonly specialKind?: string
  readonly size: number
  readonly linkTarget?: string
}

export type GuardVerdict =
  | { readonly _tag: "accept"; readonly path: string; readonly linkTarget: string | undefined }
  | { readonly _tag: "skip"; readonly skipped: SkippedEntry }
  | { readonly _tag: "refuse"; readonly reason: ArchiveErrorReason }

const typeCode: Record<EntryType, string> = { file: "f", directory: "d", symlink: "l", hardlink: "h" }

/**
 * The checks that need memory of earlier entries (checklist items 4–10, 13–17): duplicates that
 * change type, case/normalisation collisions, writes below a symlink, hard links to missing or
 * non-regular targets, entry and byte limits. One guard covers an archive and its nested archives.
 *
 * Memory: one short record per entry name (the price of detecting duplicates and collisions).
 */
export class EntryGuard {
  private readonly seen = new Map<string, string>() // collision key -> type code + name
  private readonly symlinks = new Set<string>()
  entries = 0
  declaredBytes = 0

  readonly limits: ArchiveLimits

  constructor(limits: ArchiveLimits) {
    this.limits = limits
  }

  check(raw: RawEntry, mount: string): GuardVerdict {
    this.entries++
    if (this.entries > this.limits.maxEntries) {
      return refuse(new LimitExceeded({ limit: "entries", value: this.entries, max: this.limits.maxEntries, detail: "too many entries" }))
    }
    const normalised = normaliseEntryName(raw.name, this.limits)
    if (typeof normalised !== "string") return refuse(normalised)
    const path = mount === "" ? normalised : `${mount}/${normalised}`

    if (raw.kind === "sparse") {
      return refuse(new UnsupportedEntry({ kind: "sparse", detail: "sparse files are not supported; re-create the archive without --sparse" }))
    }
    if (raw.kind === "unknown") return refuse(new UnsupportedEntry({ kind: "unknown-type", detail: "unknown entry type" }))
    if (raw.kind === "special") return { _tag: "skip", skipped: { path, kind: raw.specialKind ?? "special" } }

    if (raw.size > this.limits.maxEntryBytes) {
      return refuse(new LimitExceeded({ limit: "entry-bytes", value: raw.size, max: this.limits.maxEntryBytes, detail: "declared entry size is too large" }))
    }
    this.declaredBytes += raw.size
    if (this.declaredBytes > this.limits.maxTotalBytes) {
      return refuse(new LimitExceeded({ limit: "total-bytes", value: this.declaredBytes, max: this.limits.maxTotalBytes, detail: "the archive expands to too many bytes" }))
    }

    // No entry may live below a symlink of this archive (no write through a link).
    const through = this.symlinkAncestor(path)
    if (through !== undefined) {
      return refuse(new EntryConflict({ rule: "write-through-symlink", other: through, detail: "the entry would be written through a symbolic link" }))
    }

    let linkTarget: string | undefined
    if (raw.kind === "symlink") {
      const resolved = resolveSymlinkTarget(path, raw.linkTarget ?? "")
      if (typeof resolved !== "string") return refuse(resolved)
      linkTarget = raw.linkTarget
    } else if (raw.kind === "hardlink") {
      const target = normaliseEntryName(raw.linkTarget ?? "", this.limits)
      if (typeof target !== "string") {
        return refuse(new UnsafeLink({ rule: "hardlink-escapes", target: raw.linkTarget ?? "", detail: target.detail }))
      }
      const full = mount === "" ? target : `${mount}/${target}`
      const earlier = this.seen.get(collisionKey(full))
      if (earlier === undefined || earlier.slice(1) !== full) {
        return refuse(new UnsafeLink({ rule: "hardlink-missing-target", target: raw.linkTarget ?? "", detail: "a hard link must point at an earlier regular file of the same archive" }))
      }
      if (earlier[0] !== "f") {
        return refuse(new UnsafeLink({ rule: "hardlink-to-link", target: raw.linkTarget ?? "", detail: "a hard link must point at a regular file" }))
      }
      linkTarget = full
    }

    const key = collisionKey(path)
    const code = typeCode[raw.kind]
    const previous = this.seen.get(key)
    if (previous !== undefined) {
      const previousName = previous.slice(1)
      if (previousName !== path) {
        return refuse(new EntryConflict({ rule: "normalisation-collision", other: previousName, detail: "two names differ only by case or Unicode normalisation" }))
      }
      if (previous[0] !== code && !(previous[0] === "d" && code === "d")) {
        return refuse(new EntryConflict({ rule: "duplicate-type-change", other: previousName, detail: "the same name appears again as another kind of entry" }))
      }
    }
    this.seen.set(key, code + path)
    if (raw.kind === "symlink") this.symlinks.add(path)
    return { _tag: "accept", path, linkTarget }
  }

  private symlinkAncestor(path: string): string | undefined {
    if (this.symlinks.size === 0) return undefined
    let index = path.indexOf("/")
    while (index !== -1) {
      const prefix = path.slice(0, index)
      if (this.symlinks.has(prefix)) return prefix
      index = path.indexOf("/", index + 1)
    }
    return undefined
  }
}

const refuse = (reason: ArchiveErrorReason): GuardVerdict => ({ _tag: "refuse", reason })
