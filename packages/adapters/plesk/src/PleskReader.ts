import * as posix from "node:path/posix"
import { AdapterError, type ArchiveEntry, type ReadContext, SafeParseError, SnapshotBuilder } from "@ferry/core"
import { Effect } from "effect"
import { ContentIndex } from "./Content.ts"
import { type Assembly, adapterId, type Generation, listForMessage, xmlCap } from "./Context.ts"
import { DatabaseUsers } from "./Databases.ts"
import { OwnXmls, objectOfDirectory, walkDump } from "./Hierarchy.ts"
import { PasswordReader } from "./Passwords.ts"
import { finishNotes } from "./ReadNotes.ts"
import { parseSecretKey, secretKeyName } from "./SymPassword.ts"
import { parsePleskXml, type XNode } from "./Xml.ts"

export interface SeenXml {
  readonly path: string
  /** Path relative to the backup root. */
  readonly rel: string
  readonly text: string
}

/** Attributes of the dump element: format facts, read for the version only. */
const dumpAttributes = [
  "dump-format",
  "content-included",
  "agent-name",
  "dump-version",
  "dump-original-version",
  "backup-id",
  "os",
  "version",
  "creation-date",
  "xmlns:xsi",
  "xsi:noNamespaceSchemaLocation",
  "guid",
]

/** The `migration-dump`/`dump` element of a document, or undefined when it is none. */
export const dumpOf = (root: XNode): XNode | undefined => {
  if (root.pattern === "migration-dump" || root.pattern === "dump") return root
  if (root.pattern === "Data" && root.present("migration-dump")) {
    root.ignore("Signature", "signature")
    return root.one("migration-dump")
  }
  return undefined
}

const fail = (path: string, detail: string) => new AdapterError({ adapter: adapterId, path, detail })

/**
 * Streams the backup once: metadata XML is read with a cap, every other file is a possible
 * content archive and is only measured (never opened). Entities are built after the scan from
 * the root XML and, for repositories, the per-object XMLs, so entry order does not matter.
 */
export const readPlesk = Effect.fn("PleskAdapter.read")(function* (ctx: ReadContext) {
  const root = ctx.detection.root
  const prefix = root === "" ? "" : `${root}/`
  const secret = ctx.options.secrets?.[secretKeyName]
  let key: Uint8Array | undefined
  if (secret !== undefined) {
    const parsed = parseSecretKey(secret)
    if (typeof parsed === "string") return yield* fail(secretKeyName, parsed)
    key = parsed
  }
  const builder = new SnapshotBuilder()
  const xmls: Array<SeenXml> = []
  const files = new Map<string, number>()
  const strays: Array<string> = []
  const links: Array<string> = []
  let discovered = 0
  let sawDiscovered = false

  const visit = (entry: ArchiveEntry) =>
    Effect.gen(function* () {
      if (entry.type === "file") builder.file(entry.path, entry.size, true)
      if (root !== "" && entry.path === root) return
      if (!entry.path.startsWith(prefix)) {
        if (entry.type !== "directory") strays.push(entry.path)
        return
      }
      const rel = entry.path.slice(prefix.length)
      if (/(^|\/)\.discovered(\/|$)/.test(rel)) {
        sawDiscovered = true
        if (entry.type === "file") discovered++
        return
      }
      if (entry.type === "directory") return
      if (entry.type !== "file") {
        links.push(entry.path)
        return
      }
      if (/\.xml$/i.test(rel)) {
        if (entry.size > xmlCap) return yield* fail(entry.path, `the metadata file is larger than ${xmlCap} bytes, more than Ferry reads`)
        xmls.push({ path: entry.path, rel, text: yield* entry.readText(xmlCap) })
        return
      }
      files.set(entry.path, entry.size)
    })

  const stats = yield* ctx.archive.scan(visit, ctx.scanOptions)

  const parsed: Array<{ readonly xml: SeenXml; readonly root: XNode; readonly dump: XNode | undefined; readonly doctype: boolean }> = []
  for (const xml of xmls) {
    try {
      const { root: node, droppedDoctype } = parsePleskXml(xml.text, xml.path, xmlCap)
      parsed.push({ xml, root: node, dump: dumpOf(node), doctype: droppedDoctype })
    } catch (e) {
      const detail = e instanceof SafeParseError ? e.message : String(e)
      return yield* fail(xml.path, `the metadata XML is refused (${detail}); the backup is not imported`)
    }
  }
  const rootDumps = parsed.filter((p) => p.dump !== undefined && !p.xml.rel.includes("/"))
  if (rootDumps.length === 0) {
    return yield* fail(root || ".", "no Plesk backup description (migration-dump or dump XML) at the backup root")
  }
  let main = rootDumps[0] as (typeof rootDumps)[number]
  if (rootDumps.length > 1) {
    const ids = new Set(rootDumps.map((p) => /_(\d{10})\.xml$/i.exec(p.xml.rel)?.[1] ?? p.xml.rel))
    if (ids.size > 1) {
      return yield* fail(
        root || ".",
        `the backup root holds ${rootDumps.length} backup descriptions (${listForMessage(rootDumps.map((p) => p.xml.rel))}); import one backup at a time`,
      )
    }
    main = rootDumps.find((p) => !/^converted_/i.test(p.xml.rel)) ?? main
  }

  if (main.root.pattern === "Data") {
    builder.note({
      severity: "info",
      code: "signature-not-verified",
      subject: "backup signature",
      path: main.xml.path,
      message: "the backup is signed; Ferry cannot verify Plesk signatures and treats it as untrusted input like any other",
    })
  }
  const own = new OwnXmls()
  const unrecognised: Array<XNode> = []
  for (const p of parsed) {
    if (p === main) continue
    const object = p.dump !== undefined && p.xml.rel.includes("/") ? objectOfDirectory(posix.dirname(p.xml.rel)) : undefined
    if (p.dump !== undefined && object !== undefined && own.add(object.kind, object.name, p.dump)) {
      p.dump.ignore(...dumpAttributes, "dump-info")
      continue
    }
    unrecognised.push(p.root)
  }
  const generation: Generation = ctx.archive.container.startsWith("mime")
    ? "mime"
    : sawDiscovered || parsed.some((p) => p !== main && p.dump !== undefined)
      ? "repository"
      : "migration-dump"

  const passwords = new PasswordReader(builder, key)
  const content = new ContentIndex(builder, prefix, files)
  const a: Assembly = { builder, generation, prefix, passwords, content, domains: new Set() }
  const dump = main.dump as XNode
  const panelVersion = dump.getAny(["dump-version", "version"])?.trim()
  dump.ignore(...dumpAttributes)
  if (dump.present("dump-info")) {
    dump.ignore("dump-info")
    builder.note({
      severity: "info",
      code: "dump-info",
      subject: "backup header",
      path: dump.file,
      message: `${dump.path}/dump-info describes the backup itself; not imported`,
    })
  }
  const databaseUsers = new DatabaseUsers()
  walkDump({ a, own, databaseUsers }, dump)
  databaseUsers.build(a)
  passwords.finish()
  content.finish()
  finishNotes(a, {
    documents: parsed.filter((p) => !unrecognised.includes(p.root)).map((p) => p.root),
    unrecognised,
    doctypes: parsed.filter((p) => p.doctype).map((p) => p.xml.path),
    strays,
    links,
    discovered,
    skipped: stats.skipped,
    prefix,
  })

  const archive = ctx.archive
  return builder.build({
    panel: adapterId,
    ...(panelVersion && /^[0-9][0-9A-Za-z.\-_ ]{0,40}$/.test(panelVersion) ? { panelVersion } : {}),
    formatVersion: generation,
    archive: {
      path: archive.path,
      container: archive.container,
      bytes: archive.bytes > 0 ? archive.bytes : stats.sourceBytes,
      entries: stats.entries,
      contentBytes: stats.contentBytes,
    },
  })
})
