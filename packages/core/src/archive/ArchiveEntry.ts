import type { Readable } from "node:stream"
import type { Effect } from "effect"
import type { ArchiveError } from "./ArchiveError.ts"

export type EntryType = "file" | "directory" | "symlink" | "hardlink"

/**
 * One entry of an archive, already checked: its name is safe, links stay inside, limits hold.
 * The body can be read once — as bytes, text, a stream, or as a nested archive — while the
 * visitor runs; a body the visitor does not read is skipped.
 */
export interface ArchiveEntry {
  /** Normalised name, relative to the archive root (nested entries include their mount path). */
  readonly path: string
  /** Name as stored, for messages. */
  readonly rawPath: string
  readonly type: EntryType
  /** Bytes of the body (0 for everything but files). */
  readonly size: number
  /** Sanitised mode (no setuid/setgid/sticky, capped). */
  readonly mode: number
  readonly mtime: number | undefined
  /** Symlink: the target as stored (checked to stay inside). Hard link: the target's normalised path. */
  readonly linkTarget: string | undefined
  /** Path of the nested archive this entry came from, if any. */
  readonly nestedIn: string | undefined

  /** The whole body, refused with `LimitExceeded` if larger than `maxBytes`. */
  readonly readBytes: (maxBytes: number) => Effect.Effect<Uint8Array, ArchiveError>
  readonly readText: (maxBytes: number) => Effect.Effect<string, ArchiveError>
  /** The body as a Node stream, for content that is copied rather than parsed. */
  readonly stream: () => Readable
  /**
   * Read the body as an archive (tar, tar.gz, tar.zst) whose entries appear under `mountPath`,
   * with every check applied to the combined names (e.g. cPanel's legacy `homedir.tar`).
   */
  readonly scanNested: <E, R>(mountPath: string, visitor: EntryVisitor<E, R>) => Effect.Effect<void, ArchiveError | E, R>
}

export type EntryVisitor<E = never, R = never> = (entry: ArchiveEntry) => Effect.Effect<void, E, R>

/** An entry that was not passed to visitors: devices, FIFOs, sockets (checklist item 13). */
export interface SkippedEntry {
  readonly path: string
  readonly kind: string
}

export interface ScanStats {
  readonly entries: number
  /** Bytes read from the source file(s): compressed bytes for compressed archives. */
  readonly sourceBytes: number
  /** Bytes of all regular-file bodies after decompression. */
  readonly contentBytes: number
  readonly skipped: ReadonlyArray<SkippedEntry>
  /** True when the visitor stopped the scan early. */
  readonly stoppedEarly: boolean
}
