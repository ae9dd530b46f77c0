import type { ContentRef, NestedArchive } from "../model/Snapshot.ts"

/** A content file that is itself an archive (Plesk content `.tgz`/`.tzst`, ispmanager mail archives). */
const archiveName = /\.(tgz|tar|tar\.gz|tzst|tar\.zst|tar\.bz2|tbz2?)$/i
/**
 * A dump packed in a compressed archive (Plesk's sqldump content). A plain `.tar` dump is
 * pg_dump's tar format (cPanel `psql/<db>.tar`): the loader needs the whole file.
 */
const packedDumpName = /\.(tgz|tar\.gz|tzst|tar\.zst|tar\.bz2|tbz2?)$/i

/** Where entries of a content ref kept in an archive file appear when that file is opened. */
export const packedMount = (ref: ContentRef): string => `${ref.path}.d`

export type Route =
  | { readonly _tag: "write"; readonly ref: ContentRef; readonly rel: string }
  /** Open this entry as a nested archive under `mount` and route its entries. */
  | { readonly _tag: "nested"; readonly mount: string }
  | { readonly _tag: "none" }

const none: Route = { _tag: "none" }

/**
 * Sends each archive entry to the content ref it belongs to, in one pass. Directory refs are
 * found by walking up the entry's parents (cheap with thousands of refs); the deepest ref or
 * exclusion wins, so a site's docroot inside a home goes to the site, and an entry of a ref
 * that is not active in this run (done, or skipped by the plan) goes nowhere.
 */
export class ContentRouter {
  /** Directory path (ending "/") → ref, or null for an excluded or inactive subtree. */
  private readonly dirs = new Map<string, ContentRef | null>()
  private readonly files = new Map<string, ContentRef | null>()
  private readonly packed = new Map<string, ContentRef>()
  private readonly nested: ReadonlyArray<NestedArchive>

  constructor(refs: ReadonlyArray<ContentRef>, active: ReadonlySet<string>, nested: ReadonlyArray<NestedArchive>) {
    // Exclusions first, so a ref declared on an excluded path overrides the null marker.
    for (const ref of refs) for (const excluded of ref.excludes) if (!this.dirs.has(excluded)) this.dirs.set(excluded, null)
    for (const ref of refs) {
      const target = active.has(ref.id) ? ref : null
      if (ref.path.endsWith("/")) this.dirs.set(ref.path, target)
      else if (ref.kind !== "database-dump" || packedDumpName.test(ref.path)) {
        this.files.set(ref.path, target)
        if (target !== null) this.packed.set(`${packedMount(ref)}/`, target)
      } else this.files.set(ref.path, target)
    }
    this.nested = nested.filter((n) => refs.some((r) => active.has(r.id) && r.path.startsWith(`${n.mount}/`)))
  }

  /** True when nothing is left to import (no active ref). */
  get empty(): boolean {
    for (const ref of this.dirs.values()) if (ref !== null) return false
    for (const ref of this.files.values()) if (ref !== null) return false
    return true
  }

  route(path: string, isFile: boolean): Route {
    if (isFile) {
      const nested = this.nested.find((n) => n.path === path)
      if (nested !== undefined) return { _tag: "nested", mount: nested.mount }
      const file = this.files.get(path)
      if (file === null) return none
      if (file !== undefined) {
        if (file.kind === "database-dump" && !packedDumpName.test(file.path)) return { _tag: "write", ref: file, rel: baseName(path) }
        return { _tag: "nested", mount: packedMount(file) }
      }
    }
    // Walk up: "a/b/c.txt" tries "a/b/", then "a/".
    let end = path.length
    while (end > 0) {
      const slash = path.lastIndexOf("/", end - 1)
      if (slash < 0) break
      const dir = path.slice(0, slash + 1)
      const packed = this.packed.get(dir)
      if (packed !== undefined) return routeInside(packed, path, dir)
      const ref = this.dirs.get(dir)
      if (ref === null) return none
      if (ref !== undefined) return routeInside(ref, path, dir)
      end = slash
    }
    return none
  }
}

const routeInside = (ref: ContentRef, path: string, dir: string): Route => {
  const rel = path.slice(dir.length)
  if (rel === "") return none
  if (ref.kind === "database-dump") return { _tag: "write", ref, rel: baseName(rel) }
  return { _tag: "write", ref, rel }
}

const baseName = (path: string): string => path.slice(path.lastIndexOf("/") + 1)
