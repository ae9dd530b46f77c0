import type { DetectProbe, DetectResult } from "@ferry/core"
import { adapterId } from "./Context.ts"
import { rootElementName } from "./Xml.ts"

/** What a small file says about itself, from its root element alone (no parsing). */
const describe = (text: string): "migration-dump" | "dump" | "windows" | undefined => {
  const name = rootElementName(text)
  if (name === "migration-dump") return "migration-dump"
  if (name === "Data" && /<migration-dump[\s>/]/.test(text.slice(0, 1 << 20))) return "migration-dump"
  // Plesk 7/8 `dump.xml` describes domains or users; a bare `<dump>` of some other tool does not.
  if (name === "dump" && /<(domain|client|reseller|admin)[\s>/]/.test(text.slice(0, 1 << 20))) return "dump"
  // Plesk 8 for Windows `info.xml` (plesk.md §2): clients/client/domain with sys_user / mail_name.
  if (name !== undefined && /<clients[\s>]/.test(text) && /<(sys_user|mail_name|mbox_quota)[\s>/]/.test(text)) return "windows"
  return undefined
}

const versionOf = (text: string): string | undefined => {
  const head = text.slice(0, 8192)
  const match = /<(?:migration-dump|dump)\b[^>]*?\s(?:dump-version|version)="([0-9][0-9A-Za-z._-]{0,30})"/.exec(head)
  return match?.[1]
}

/**
 * A description larger than the probe's text window: the first part of a MIME dump, or a root
 * file of a repository (`.discovered/` beside it: every Plesk 10+ backup has one, plesk.md §2.2)
 * that the probe listed but did not read. The read verifies it and fails clearly if it is none.
 */
const largeDescription = (probe: DetectProbe): DetectResult => {
  // A MIME dump starts with its dump.xml part (plesk.md §2.1); Plesk is the only panel writing them.
  const first = probe.entries[0]
  if (
    probe.archive.container.startsWith("mime") &&
    first !== undefined &&
    first.type === "file" &&
    !probe.files.has(first.path) &&
    first.size > 0
  ) {
    return {
      _tag: "Detected",
      adapter: adapterId,
      root: "",
      formatVersion: "mime",
      facts: { generation: "mime", description: "larger than the detection window; checked on read" },
    }
  }
  for (const entry of probe.entries) {
    const parts = entry.path.split("/")
    const root = parts[0] === ".discovered" ? "" : parts[1] === ".discovered" ? (parts[0] as string) : undefined
    if (root === undefined) continue
    const prefix = root === "" ? "" : `${root}/`
    const unread = probe.entries.some(
      (e) =>
        e.type === "file" &&
        e.path.startsWith(prefix) &&
        !e.path.slice(prefix.length).includes("/") &&
        !probe.files.has(e.path) &&
        e.size > 0,
    )
    if (unread)
      return {
        _tag: "Detected",
        adapter: adapterId,
        root,
        formatVersion: "repository",
        facts: { generation: "repository", description: "larger than the detection window; checked on read" },
      }
  }
  return undefined
}

/**
 * A Plesk backup is recognised by its description, never by file names (plesk.md §2): a file at
 * the root (or one directory down: the Plesk 11 sub-directory layout, an extracted copy in a
 * folder) whose root element is `migration-dump` (Plesk 9–18, also inside the signed `Data`
 * envelope), or `dump` inside a MIME dump (Plesk 7/8). ZIP backups are Plesk for Windows and
 * are refused.
 */
export const detectPlesk = (probe: DetectProbe): DetectResult => {
  const container = probe.archive.container
  const found: Array<{ root: string; kind: "migration-dump" | "dump" | "windows"; version: string | undefined }> = []
  for (const [path, text] of probe.files) {
    const parts = path.split("/")
    if (parts.length > 2) continue
    const kind = describe(text)
    if (kind === undefined) continue
    if (kind === "dump" && !container.startsWith("mime")) continue
    found.push({ root: parts.length === 2 ? (parts[0] as string) : "", kind, version: versionOf(text) })
  }
  if (found.length === 0) return largeDescription(probe)
  if (container === "zip" || found.some((f) => f.kind === "windows")) {
    return {
      _tag: "Refused",
      adapter: adapterId,
      reason:
        "this is a Plesk for Windows backup (ZIP / info.xml); Ferry reads Plesk for Linux backups only: the Windows format (IIS sites, MSSQL databases, no passwords in Plesk 8) is not documented well enough to import safely",
    }
  }
  const shallowest = Math.min(...found.map((f) => (f.root === "" ? 0 : 1)))
  const roots = [...new Set(found.filter((f) => (f.root === "" ? 0 : 1) === shallowest).map((f) => f.root))]
  if (roots.length > 1) {
    return {
      _tag: "Refused",
      adapter: adapterId,
      reason: `the archive holds ${roots.length} Plesk backups (${roots.slice(0, 4).join(", ")}); import them one at a time`,
    }
  }
  const root = roots[0] as string
  const chosen = found.find((f) => f.root === root) as (typeof found)[number]
  const discovered = probe.entries.some((e) => `${e.path}/`.startsWith(`${root === "" ? "" : `${root}/`}.discovered/`))
  const generation = container.startsWith("mime") ? "mime" : discovered ? "repository" : "migration-dump"
  return {
    _tag: "Detected",
    adapter: adapterId,
    root,
    ...(chosen.version !== undefined ? { panelVersion: chosen.version } : {}),
    formatVersion: generation,
    facts: { generation, ...(chosen.version !== undefined ? { version: chosen.version } : {}) },
  }
}
