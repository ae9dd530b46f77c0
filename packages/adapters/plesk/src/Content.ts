import * as posix from "node:path/posix"
import type { ContentRef, SnapshotBuilder } from "@ferry/core"
import { cleanRelative, listForMessage } from "./Context.ts"
import type { XNode } from "./Xml.ts"

type Kind = ContentRef["kind"]

/** `cid` types that are logs and statistics: measured and reported, not imported. */
const statisticsTypes = new Set(["logs", "webstat", "webstat_ssl", "ftp_stat", "anon_ftpstat", "statistics", "action-log"])
/** `cid` types holding web-server configuration, never applied (security rule 27). */
const configTypes = new Set(["apache-files", "conf", "skel"])

/**
 * The content files of a backup (every file that is not metadata XML) and the refs declared on
 * them. Content stays in its archive: a ref points at the content file in the outer archive and
 * is measured by that file's size (plesk.md §4); nested archives are opened only on import.
 */
export class ContentIndex {
  private readonly builder: SnapshotBuilder
  private readonly prefix: string
  /** Archive path → size of every candidate content file. */
  readonly files: ReadonlyMap<string, number>
  private readonly claimed = new Map<string, string>()
  private readonly refByFile = new Map<string, string>()
  private readonly offsets = new Map<string, { count: number; subject: string }>()

  constructor(builder: SnapshotBuilder, prefix: string, files: ReadonlyMap<string, number>) {
    this.builder = builder
    this.prefix = prefix
    this.files = files
  }

  /** Mark a file as accounted for (by a ref or a note). */
  claim(path: string, by: string): void {
    if (!this.claimed.has(path)) this.claimed.set(path, by)
  }

  /**
   * The archive files a `cid` names: `<root>/<path>/<file>`, else `<root>/<file>` (Plesk 11
   * placement), else next to the XML that names it. Every `content-file` counts (volumes).
   */
  resolve(cid: XNode): { readonly found: Array<string>; readonly missing: Array<string>; readonly unsafe: Array<string> } {
    const dir = cleanRelative(cid.get("path") ?? "")
    const xmlDir = posix.dirname(cid.file.slice(this.prefix.length))
    const names = cid.all("content-file").map((f) => f.text() ?? "")
    if (names.length === 0) {
      const own = cid.text()
      if (own !== undefined && own !== "") names.push(own)
    }
    cid.ignore("size")
    const found: Array<string> = []
    const missing: Array<string> = []
    const unsafe: Array<string> = []
    for (const raw of names) {
      const name = cleanRelative(raw)
      if (name === undefined || name === "" || dir === undefined) {
        unsafe.push(raw)
        continue
      }
      const candidates = [dir === "" ? name : `${dir}/${name}`, name, xmlDir === "." ? name : `${xmlDir}/${name}`].map(
        (c) => `${this.prefix}${c}`,
      )
      const hit = candidates.find((c) => this.files.has(c))
      if (hit !== undefined) found.push(hit)
      else missing.push(name)
    }
    return { found, missing, unsafe }
  }

  /**
   * Declare the content a `cid` names under `id` and return the id of its first file. Further
   * volumes become refs `<id>:2`, `<id>:3`, …; a file another cid already declared keeps its
   * first id. Missing or unsafe names and sub-directory offsets are noted.
   */
  ref(cid: XNode, kind: Kind, id: string, subject: string): string | undefined {
    const type = cid.get("type") ?? ""
    const offset = cid.get("offset")
    const { found, missing, unsafe } = this.resolve(cid)
    const note = (severity: "info" | "warning" | "error", code: string, message: string) =>
      this.builder.note({ severity, code, subject, path: cid.file, message: `${cid.path}: ${message}` })
    if (unsafe.length > 0)
      note(
        "error",
        "content-name-unsafe",
        `content file names that leave the backup were refused: ${listForMessage(unsafe.map((u) => JSON.stringify(u.slice(0, 80))))}`,
      )
    if (missing.length > 0)
      note(
        "warning",
        "content-missing",
        `the ${type || "content"} file ${listForMessage(missing)} is not in the backup; that content is not imported`,
      )
    let first: string | undefined
    found.forEach((path, index) => {
      const existing = this.refByFile.get(path)
      const refId = existing ?? (index === 0 ? id : `${id}:${index + 1}`)
      if (existing === undefined) {
        this.builder.declareContent({ id: refId, kind, path })
        this.refByFile.set(path, refId)
      }
      this.claim(path, refId)
      first ??= refId
      if (offset !== undefined && offset !== "") {
        const seen = this.offsets.get(path) ?? { count: 0, subject }
        seen.count++
        this.offsets.set(path, seen)
      }
    })
    if (found.length > 1)
      note("info", "content-volumes", `the ${type || "content"} content spans ${found.length} files (refs ${first} and ${first}:2…)`)
    return first
  }

  /** Handle a `cid` that is not imported (logs, statistics, server configuration) or unknown. */
  other(cid: XNode, subject: string): void {
    const type = cid.get("type") ?? ""
    cid.ignore("offset")
    const { found } = this.resolve(cid)
    for (const path of found) this.claim(path, `${type} of ${subject}`)
    const files = found.length > 0 ? ` (${listForMessage(found)})` : ""
    const [severity, code, message] = statisticsTypes.has(type)
      ? (["info", "content-not-imported", `${type} content${files} is logs or statistics; not imported`] as const)
      : configTypes.has(type)
        ? ([
            "warning",
            "content-config-not-applied",
            `${type} content${files} is web-server configuration; Ferry never applies it`,
          ] as const)
        : type === "pd"
          ? ([
              "info",
              "content-not-imported",
              `protected-directory password files${files} are rebuilt from the metadata; not imported`,
            ] as const)
          : (["warning", "content-type-unknown", `content of type ${JSON.stringify(type.slice(0, 40))}${files} is not imported`] as const)
    this.builder.note({ severity, code, subject, path: cid.file, message: `${cid.path}: ${message}` })
  }

  /** A Plesk 8 MIME part referenced by name (`<domain>.httpdocs`, a `cid` attribute). */
  part(name: string): string | undefined {
    const clean = cleanRelative(name)
    if (clean === undefined || clean === "") return undefined
    const path = `${this.prefix}${clean}`
    return this.files.has(path) ? path : undefined
  }

  /** Declare a single file as a ref (MIME parts). */
  declareFile(path: string, kind: Kind, id: string): string {
    const existing = this.refByFile.get(path)
    if (existing !== undefined) return existing
    this.builder.declareContent({ id, kind, path })
    this.refByFile.set(path, id)
    this.claim(path, id)
    return id
  }

  /** Notes for shared content files with offsets, and for every file nothing accounted for. */
  finish(): void {
    for (const [path, { count, subject }] of this.offsets) {
      this.builder.note({
        severity: "info",
        code: "content-shared-archive",
        subject,
        path,
        message: `${count} objects keep their content in sub-directories of this one archive; it is one content ref, split on import`,
      })
    }
    const unclaimed = [...this.files.keys()].filter((p) => !this.claimed.has(p))
    for (const path of unclaimed) {
      this.builder.note({
        severity: "warning",
        code: "content-unreferenced",
        subject: `file ${path}`,
        path,
        message: "no metadata of the backup refers to this file; not imported",
      })
    }
  }
}
