import type { SkippedEntry } from "@ferry/core"
import { type Assembly, listForMessage } from "./Context.ts"
import type { XNode } from "./Xml.ts"

export interface Leftovers {
  /** Every XML document that was walked (root and per-object descriptions). */
  readonly documents: ReadonlyArray<XNode>
  /** XML documents that are not Plesk backup descriptions. */
  readonly unrecognised: ReadonlyArray<XNode>
  /** Files whose external-DTD DOCTYPE was removed before parsing. */
  readonly doctypes: ReadonlyArray<string>
  readonly strays: ReadonlyArray<string>
  readonly links: ReadonlyArray<string>
  readonly discovered: number
  readonly skipped: ReadonlyArray<SkippedEntry>
  readonly prefix: string
}

/**
 * The notes that make the snapshot account for everything: XML content nobody read (grouped by
 * XML path, with a count), files that are no backup metadata, links, special files, the
 * `.discovered` technical information, and files outside the backup root.
 */
export const finishNotes = (a: Assembly, left: Leftovers): void => {
  const note = a.builder.note.bind(a.builder)
  const unread = new Map<string, { count: number; example: string; file: string }>()
  for (const doc of left.documents) {
    for (const item of doc.unread()) {
      const seen = unread.get(item.pattern)
      if (seen === undefined) unread.set(item.pattern, { count: 1, example: item.path, file: doc.file })
      else seen.count++
    }
  }
  for (const [pattern, { count, example, file }] of unread) {
    note({
      severity: "warning",
      code: "xml-not-imported",
      subject: pattern,
      path: file,
      message: `${example}${count > 1 ? ` (and ${count - 1} more like it)` : ""}: Ferry has no place for this element or attribute; not imported`,
    })
  }
  for (const doc of left.unrecognised) {
    doc.consumeAll()
    note({
      severity: "warning",
      code: "xml-unrecognised",
      subject: `file ${doc.file}`,
      path: doc.file,
      message: `an XML file that is not a Plesk backup description (root element ${doc.pattern}); not imported`,
    })
  }
  for (const path of left.doctypes) {
    note({
      severity: "info",
      code: "xml-doctype-ignored",
      subject: `file ${path}`,
      path,
      message: "the document names an external DTD; it was ignored (never fetched)",
    })
  }
  note({
    severity: "info",
    code: "source-identifiers",
    subject: "identifiers",
    path: left.documents[0]?.file ?? "",
    message: "Plesk object identifiers (guid, id, creation dates of domains) are not carried; the receiving server assigns its own",
  })
  if (left.discovered > 0) {
    note({
      severity: "info",
      code: "discovered-not-imported",
      subject: ".discovered",
      path: `${left.prefix}.discovered`,
      message: `${left.discovered} files of backup technical information (.discovered) are not imported`,
    })
  }
  for (const path of left.links) {
    note({
      severity: "warning",
      code: "link-in-backup",
      subject: `entry ${path}`,
      path,
      message: "a link among the backup's files; never followed, not imported",
    })
  }
  a.builder.skippedEntries(left.skipped)
  if (left.strays.length > 0) {
    note({
      severity: "info",
      code: "outside-backup",
      subject: "entries outside the backup root",
      path: left.strays[0] as string,
      message: `${left.strays.length} entries lie outside the backup root (${left.prefix || "."}); not imported: ${listForMessage(left.strays)}`,
    })
  }
}
