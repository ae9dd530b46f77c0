import { Schema } from "effect"

/* Why an archive, or an entry in it, was refused. Each reason names the security-checklist rule. */

export class UnsafePath extends Schema.TaggedError<UnsafePath>()("UnsafePath", {
  rule: Schema.Literals(["traversal", "absolute", "windows", "nul", "empty-component", "control-character", "too-long", "too-deep"]),
  detail: Schema.String,
}) {}

export class UnsafeLink extends Schema.TaggedError<UnsafeLink>()("UnsafeLink", {
  rule: Schema.Literals([
    "absolute-target",
    "escapes-root",
    "empty-target",
    "through-symlink",
    "hardlink-missing-target",
    "hardlink-to-link",
    "hardlink-escapes",
  ]),
  target: Schema.String,
  detail: Schema.String,
}) {}

export class EntryConflict extends Schema.TaggedError<EntryConflict>()("EntryConflict", {
  rule: Schema.Literals(["duplicate-type-change", "normalisation-collision", "write-through-symlink"]),
  other: Schema.String,
  detail: Schema.String,
}) {}

export class LimitExceeded extends Schema.TaggedError<LimitExceeded>()("LimitExceeded", {
  limit: Schema.Literals(["entries", "name-bytes", "total-bytes", "entry-bytes", "compression-ratio", "nesting", "metadata-bytes"]),
  value: Schema.Number,
  max: Schema.Number,
  detail: Schema.String,
}) {}

export class UnsupportedEntry extends Schema.TaggedError<UnsupportedEntry>()("UnsupportedEntry", {
  kind: Schema.Literals(["sparse", "unknown-type"]),
  detail: Schema.String,
}) {}

export class CorruptArchive extends Schema.TaggedError<CorruptArchive>()("CorruptArchive", {
  detail: Schema.String,
}) {}

export class UnsupportedFormat extends Schema.TaggedError<UnsupportedFormat>()("UnsupportedFormat", {
  format: Schema.String,
  detail: Schema.String,
}) {}

export class NotReadable extends Schema.TaggedError<NotReadable>()("NotReadable", {
  detail: Schema.String,
}) {}

export const ArchiveErrorReason = Schema.Union([
  UnsafePath,
  UnsafeLink,
  EntryConflict,
  LimitExceeded,
  UnsupportedEntry,
  CorruptArchive,
  UnsupportedFormat,
  NotReadable,
])
export type ArchiveErrorReason = typeof ArchiveErrorReason.Type

/**
 * The archive was refused. `entry` names the offending entry as stored (or "" for the archive as
 * a whole); the message is meant for a hosting admin.
 */
export class ArchiveError extends Schema.TaggedError<ArchiveError>()("ArchiveError", {
  archive: Schema.String,
  entry: Schema.String,
  reason: ArchiveErrorReason,
}) {
  override get message(): string {
    const where = this.entry === "" ? this.archive : `${this.archive}: entry ${JSON.stringify(this.entry)}`
    return `${where}: ${describeReason(this.reason)}`
  }
}

export const describeReason = (reason: ArchiveErrorReason): string => {
  switch (reason._tag) {
    case "UnsafePath":
      return `unsafe name (${reason.rule}): ${reason.detail}`
    case "UnsafeLink":
      return `unsafe link to ${JSON.stringify(reason.target)} (${reason.rule}): ${reason.detail}`
    case "EntryConflict":
      return `conflicts with ${JSON.stringify(reason.other)} (${reason.rule}): ${reason.detail}`
    case "LimitExceeded":
      return `limit exceeded (${reason.limit}: ${reason.value} > ${reason.max}): ${reason.detail}`
    case "UnsupportedEntry":
      return `unsupported entry (${reason.kind}): ${reason.detail}`
    case "CorruptArchive":
      return `corrupt or truncated archive: ${reason.detail}`
    case "UnsupportedFormat":
      return `unsupported format (${reason.format}): ${reason.detail}`
    case "NotReadable":
      return `cannot read: ${reason.detail}`
  }
}
