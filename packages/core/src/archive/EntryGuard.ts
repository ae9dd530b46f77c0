import type { EntryType, SkippedEntry } from "./ArchiveEntry.ts"
import { type ArchiveErrorReason, EntryConflict, LimitExceeded, UnsafeLink, UnsupportedEntry } from "./ArchiveError.ts"
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
  /** Not passed to visitors; `skipped` is reported (devices, FIFOs), undefined for the root itself. */
  | { readonly _tag: "skip"; readonly skipped: SkippedEntry | undefined }
  | { readonly _tag: "refuse"; readonly reason: ArchiveErrorReason }

const typeCode: Record<EntryType, string> = { file: "f", directory: "d", symlink: "l", hardlink: "f" }

/** One name seen so far: its kind and the name as stored (before Unicode normalisation). */
interface Seen {
  readonly code: string
  readonly stored: string
}

/**
 * The checks that need memory of earlier entries (checklist items 4–10, 13–17): duplicates that
 * change kind, names that collide after Unicode normalisation, case-only variants of another
 * kind (a directory `Site` and a symlink `site`), entries below a symlink or a file, links that
 * walk through other links or leave their (nested) archive, hard links to missing or
 * non-regular targets, and the entry, byte and name-memory limits. One guard covers an archive
 * and the archives nested in it.
 *
 * Memory: one short record per entry name, bounded by `maxNameBytes`.
 */
export class EntryGuard {
  private readonly seen = new Map<string, Seen>() // collision key -> first entry with that key
  private readonly symlinks = new Set<string>() // collision keys of symlink paths
  private readonly traversedByLinks = new Set<string>() // paths earlier links walk through
  readonly limits: ArchiveLimits
  entries = 0
  declaredBytes = 0
  nameBytes = 0

  constructor(limits: ArchiveLimits) {
    this.limits = limits
  }

  check(raw: RawEntry, mount: string): GuardVerdict {
    this.entries++
    if (this.entries > this.limits.maxEntries) {
      return refuse(new LimitExceeded({ limit: "entries", value: this.entries, max: this.limits.maxEntries, detail: "too many entries" }))
    }
    // `tar -czf x.tgz .` stores the root itself as "./": nothing to check or visit.
    if (raw.kind === "directory" && /^(\.\/)*\.?\/*$/.test(raw.name) && raw.name !== "") return { _tag: "skip", skipped: undefined }
    const normalised = normaliseEntryName(raw.name, this.limits)
    if (typeof normalised !== "string") return refuse(normalised)
    const path = mount === "" ? normalised : `${mount}/${normalised}`
    const stored = storedName(raw.name, mount)

    if (raw.kind === "sparse") {
      return refuse(
        new UnsupportedEntry({ kind: "sparse", detail: "sparse files are not supported; re-create the archive without --sparse" }),
      )
    }
    if (raw.kind === "unknown") {
      return refuse(new UnsupportedEntry({ kind: "unknown-type", detail: `entry type ${raw.specialKind ?? "?"} is not supported` }))
    }
    if (raw.kind === "special") return { _tag: "skip", skipped: { path, kind: raw.specialKind ?? "special" } }

    if (raw.size > this.limits.maxEntryBytes) {
      return refuse(
        new LimitExceeded({
          limit: "entry-bytes",
          value: raw.size,
          max: this.limits.maxEntryBytes,
          detail: "declared entry size is too large",
        }),
      )
    }
    this.declaredBytes += raw.size
    if (this.declaredBytes > this.limits.maxTotalBytes) {
      return refuse(
        new LimitExceeded({
          limit: "total-bytes",
          value: this.declaredBytes,
          max: this.limits.maxTotalBytes,
          detail: "the archive expands to too many bytes",
        }),
      )
    }

    const parent = this.checkParents(path, stored)
    if (parent !== undefined) return refuse(parent)

    let linkTarget: string | undefined
    let traversed: ReadonlyArray<string> = []
    if (raw.kind === "symlink") {
      if (this.traversedByLinks.has(collisionKey(path))) {
        return refuse(
          new UnsafeLink({ rule: "through-symlink", target: raw.linkTarget ?? "", detail: "an earlier link resolves through this name" }),
        )
      }
      const resolved = resolveSymlinkTarget(path, raw.linkTarget ?? "", mount, (p) => this.symlinks.has(collisionKey(p)))
      if (!("resolved" in resolved)) return refuse(resolved)
      linkTarget = raw.linkTarget
      traversed = resolved.traversed
    } else if (raw.kind === "hardlink") {
      const hard = this.checkHardLink(raw.linkTarget ?? "", mount)
      if (typeof hard !== "string") return refuse(hard)
      linkTarget = hard
    }

    const conflict = this.record(path, stored, typeCode[raw.kind])
    if (conflict !== undefined) return refuse(conflict)
    if (raw.kind === "symlink") {
      this.symlinks.add(collisionKey(path))
      for (const through of traversed) this.traversedByLinks.add(collisionKey(through))
    }
    return { _tag: "accept", path, linkTarget }
  }

  /** Every parent must be (or become, implicitly) a directory: not a symlink, not a file. */
  private checkParents(path: string, stored: string): ArchiveErrorReason | undefined {
    const storedParts = stored.split("/")
    let index = path.indexOf("/")
    let depth = 1
    while (index !== -1) {
      const prefix = path.slice(0, index)
      const key = collisionKey(prefix)
      if (this.symlinks.has(key)) {
        return new EntryConflict({
          rule: "write-through-symlink",
          other: prefix,
          detail: "the entry would be written through a symbolic link",
        })
      }
      const seen = this.seen.get(key)
      if (seen === undefined) {
        this.remember(key, { code: "d", stored: storedParts.slice(0, depth).join("/") })
      } else if (seen.code !== "d") {
        return new EntryConflict({
          rule: "duplicate-type-change",
          other: seen.stored,
          detail: "the entry is stored below a file or link of the same name",
        })
      }
      index = path.indexOf("/", index + 1)
      depth++
    }
    return undefined
  }

  private checkHardLink(target: string, mount: string): string | UnsafeLink {
    const normalised = normaliseEntryName(target, this.limits)
    if (typeof normalised !== "string") return new UnsafeLink({ rule: "hardlink-escapes", target, detail: normalised.detail })
    const full = mount === "" ? normalised : `${mount}/${normalised}`
    const earlier = this.seen.get(collisionKey(full))
    if (earlier === undefined || earlier.stored.normalize("NFC") !== full) {
      return new UnsafeLink({
        rule: "hardlink-missing-target",
        target,
        detail: "a hard link must point at an earlier regular file of the same archive",
      })
    }
    if (earlier.code !== "f")
      return new UnsafeLink({ rule: "hardlink-to-link", target, detail: "a hard link must point at a regular file" })
    return full
  }

  private record(path: string, stored: string, code: string): ArchiveErrorReason | undefined {
    const key = collisionKey(path)
    const previous = this.seen.get(key)
    if (previous === undefined) {
      this.remember(key, { code, stored })
      return undefined
    }
    const samePath = previous.stored.normalize("NFC") === path
    if (samePath && previous.stored !== stored) {
      return new EntryConflict({
        rule: "normalisation-collision",
        other: previous.stored,
        detail: "two names differ only by Unicode normalisation",
      })
    }
    if (!samePath && previous.stored.toLowerCase() !== stored.toLowerCase()) {
      // Equal only after compatibility folding ("ﬀ" / "FF"): not a plain case variant.
      return new EntryConflict({
        rule: "normalisation-collision",
        other: previous.stored,
        detail: "two names are the same after Unicode compatibility folding",
      })
    }
    if (previous.code !== code) {
      const rule = samePath ? "duplicate-type-change" : "normalisation-collision"
      const detail = samePath
        ? "the same name appears again as another kind of entry"
        : "a name differing only by case is another kind of entry"
      return new EntryConflict({ rule, other: previous.stored, detail })
    }
    // Same kind: a repeated directory or file (tar appends replace), or a case-only variant,
    // which Linux file systems keep apart.
    return undefined
  }

  private remember(key: string, seen: Seen): void {
    this.nameBytes += key.length + seen.stored.length + 48
    if (this.nameBytes > this.limits.maxNameBytes) {
      throw new GuardLimit(
        new LimitExceeded({
          limit: "name-bytes",
          value: this.nameBytes,
          max: this.limits.maxNameBytes,
          detail: "the names of all entries take too much memory",
        }),
      )
    }
    this.seen.set(key, seen)
  }
}

/** Thrown inside the guard only; `check` callers see it as a refusal via `guardCheck`. */
export class GuardLimit extends Error {
  readonly reason: LimitExceeded
  constructor(reason: LimitExceeded) {
    super(reason.detail)
    this.reason = reason
  }
}

/** `guard.check` with the name-memory budget turned into a refusal. */
export const guardCheck = (guard: EntryGuard, raw: RawEntry, mount: string): GuardVerdict => {
  try {
    return guard.check(raw, mount)
  } catch (e) {
    if (e instanceof GuardLimit) return refuse(e.reason)
    throw e
  }
}

/** The stored name without a leading "./" or trailing "/", prefixed with the mount. */
const storedName = (raw: string, mount: string): string => {
  let name = raw
  while (name.startsWith("./")) name = name.slice(2)
  name = name.replace(/\/+$/, "")
  return mount === "" ? name : `${mount}/${name}`
}

const refuse = (reason: ArchiveErrorReason): GuardVerdict => ({ _tag: "refuse", reason })
