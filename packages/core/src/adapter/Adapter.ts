import { type Effect, Schema } from "effect"
import type { ArchiveHandle, ScanOptions } from "../archive/Archive.ts"
import type { EntryType } from "../archive/ArchiveEntry.ts"
import type { ArchiveError } from "../archive/ArchiveError.ts"
import type { Snapshot } from "../model/Snapshot.ts"

/** The start of an archive as detection sees it: a listing and the text of small files. */
export interface DetectProbe {
  readonly archive: { readonly path: string; readonly container: string }
  /** Entries in archive order: the first few dozen or more (see `Inspector`), all when `complete`. */
  readonly entries: ReadonlyArray<{ readonly path: string; readonly type: EntryType; readonly size: number }>
  /** Text of small files near the top of the archive (see `Inspector` for the exact window). */
  readonly files: ReadonlyMap<string, string>
  /** True when the listing covers the whole archive. */
  readonly complete: boolean
}

export interface Detection {
  readonly _tag: "Detected"
  readonly adapter: string
  /** Archive path of the payload root ("" for the archive root), without trailing slash. */
  readonly root: string
  readonly panelVersion?: string
  readonly formatVersion?: string
  /** Short facts for the user ("user=exuser"). */
  readonly facts: Readonly<Record<string, string>>
}

/** The adapter knows this format but will not read it (e.g. two payloads, a legacy variant). */
export interface DetectionRefusal {
  readonly _tag: "Refused"
  readonly adapter: string
  readonly reason: string
}

export type DetectResult = Detection | DetectionRefusal | undefined

/** Options a user passes to an adapter (secrets to decrypt passwords, backup passwords, …). */
export interface ReadOptions {
  readonly secrets?: Readonly<Record<string, string>>
}

export interface ReadContext {
  readonly archive: ArchiveHandle
  readonly detection: Detection
  readonly options: ReadOptions
  /** Pass to `archive.scan` so progress and limits apply. */
  readonly scanOptions: ScanOptions
}

/** A metadata file the adapter cannot read at all; most problems are parse notes instead. */
export class AdapterError extends Schema.TaggedError<AdapterError>()("AdapterError", {
  adapter: Schema.String,
  path: Schema.String,
  detail: Schema.String,
}) {
  override get message(): string {
    return `${this.adapter}: ${this.path}: ${this.detail}`
  }
}

/**
 * A source panel. One small value: an id, a name, `detect` (pure: decides from the probe) and
 * `read` (streams the archive once into a Snapshot). Adapters never touch the receiving server.
 */
export interface Adapter {
  readonly id: string
  readonly displayName: string
  readonly detect: (probe: DetectProbe) => DetectResult
  readonly read: (context: ReadContext) => Effect.Effect<Snapshot, AdapterError | ArchiveError>
}

export const make = (adapter: Adapter): Adapter => adapter
