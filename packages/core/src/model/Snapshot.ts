import { Schema } from "effect"
import { Entity, type EntityTag, entityTags } from "./Entity.ts"

/**
 * Content that stays in the archive until import: a directory tree (web root, Maildir) or a single
 * file (a dump). Sizes are exact byte counts of the regular files under `path`.
 */
export const ContentRef = Schema.Struct({
  id: Schema.String,
  kind: Schema.Literals(["web", "mail", "database-dump", "mailing-list", "home", "other"]),
  /** Archive path of the directory (ending in "/") or file. */
  path: Schema.String,
  /** Paths under `path` that belong to other content refs and are not part of this one. */
  excludes: Schema.Array(Schema.String),
  bytes: Schema.Number,
  files: Schema.Number,
})
export type ContentRef = typeof ContentRef.Type

/**
 * Something the adapter saw but could not map to an entity, or mapped with a caveat. Nothing in a
 * backup is dropped silently: it is an entity or a note.
 */
export const ParseNote = Schema.Struct({
  severity: Schema.Literals(["info", "warning", "error"]),
  code: Schema.String,
  /** What the note is about: an entity id or a description ("file mysql/roundcube.sql"). */
  subject: Schema.String,
  path: Schema.String,
  message: Schema.String,
})
export type ParseNote = typeof ParseNote.Type

export const SnapshotSource = Schema.Struct({
  panel: Schema.String,
  panelVersion: Schema.optionalKey(Schema.String),
  /** Format generation inside a panel (cPanel archive version 3/4, Plesk repository, …). */
  formatVersion: Schema.optionalKey(Schema.String),
  archive: Schema.Struct({
    path: Schema.String,
    container: Schema.String,
    bytes: Schema.Number,
    entries: Schema.Number,
    /** Bytes of all regular-file bodies, after decompression. */
    contentBytes: Schema.Number,
  }),
  /** Source host name if the backup records it. */
  hostname: Schema.optionalKey(Schema.String),
})
export type SnapshotSource = typeof SnapshotSource.Type

/**
 * A file of the archive that is itself an archive whose entries the adapter read under `mount`
 * (cPanel's legacy `homedir.tar`, ispmanager's data file): the importer opens it the same way, so
 * content paths under `mount` resolve.
 */
export const NestedArchive = Schema.Struct({ path: Schema.String, mount: Schema.String })
export type NestedArchive = typeof NestedArchive.Type

export const Snapshot = Schema.Struct({
  source: SnapshotSource,
  entities: Schema.Array(Entity),
  content: Schema.Array(ContentRef),
  notes: Schema.Array(ParseNote),
  nested: Schema.optionalKey(Schema.Array(NestedArchive)),
})
export type Snapshot = typeof Snapshot.Type

export type EntityCounts = Record<EntityTag, number>

export const countEntities = (snapshot: Pick<Snapshot, "entities">): EntityCounts => {
  const counts = Object.fromEntries(entityTags.map((tag) => [tag, 0])) as EntityCounts
  for (const entity of snapshot.entities) counts[entity._tag]++
  return counts
}
