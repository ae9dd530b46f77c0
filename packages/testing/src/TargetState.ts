import { createHash } from "node:crypto"
import { createReadStream } from "node:fs"
import { lstat, readdir, readlink } from "node:fs/promises"
import { join } from "node:path"
import { DatabaseSync } from "node:sqlite"

/*
 * Fingerprints of what an import left behind, to compare two runs (an interrupted-and-resumed
 * import against an uninterrupted one) or a run against the snapshot: every file of the target
 * root with its type, mode and content hash, and the inventory rows (jobs excluded).
 */

export interface TreeEntry {
  readonly type: "file" | "directory" | "symlink" | "other"
  readonly mode: number
  readonly size: number
  /** sha256 of a file's bytes, or a symlink's target. */
  readonly digest: string
}

const hashFile = (path: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const hash = createHash("sha256")
    createReadStream(path)
      .on("data", (chunk) => hash.update(chunk))
      .on("error", reject)
      .on("end", () => resolve(hash.digest("hex")))
  })

/** Every entry under `root` by relative path, symlinks not followed. */
export const treeEntries = async (root: string, skip: (rel: string) => boolean = () => false): Promise<Map<string, TreeEntry>> => {
  const out = new Map<string, TreeEntry>()
  const walk = async (dir: string, prefix: string): Promise<void> => {
    const names = (await readdir(dir)).sort()
    for (const name of names) {
      const rel = prefix === "" ? name : `${prefix}/${name}`
      if (skip(rel)) continue
      const path = join(dir, name)
      const stat = await lstat(path)
      const mode = stat.mode & 0o7777
      if (stat.isDirectory()) {
        out.set(rel, { type: "directory", mode, size: 0, digest: "" })
        await walk(path, rel)
      } else if (stat.isSymbolicLink()) out.set(rel, { type: "symlink", mode, size: 0, digest: await readlink(path) })
      else if (stat.isFile()) out.set(rel, { type: "file", mode, size: stat.size, digest: await hashFile(path) })
      else out.set(rel, { type: "other", mode, size: 0, digest: "" })
    }
  }
  await walk(root, "")
  return out
}

/** One hash over {@link treeEntries}. */
export const treeDigest = async (root: string, skip?: (rel: string) => boolean): Promise<string> => {
  const hash = createHash("sha256")
  for (const [rel, e] of await treeEntries(root, skip)) hash.update(`${rel}\0${e.type}\0${e.mode.toString(8)}\0${e.size}\0${e.digest}\n`)
  return hash.digest("hex")
}

/** Inventory rows of `<stateDir>/ferry.db` by table, jobs and migrations left out. */
export const inventoryRows = (stateDir: string): Record<string, Array<Record<string, unknown>>> => {
  const db = new DatabaseSync(join(stateDir, "ferry.db"), { readOnly: true })
  try {
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as Array<{
        name: string
      }>
    )
      .map((t) => t.name)
      .filter((name) => !name.startsWith("job") && name !== "schema_migrations")
    const out: Record<string, Array<Record<string, unknown>>> = {}
    for (const table of tables) {
      const rows = db.prepare(`SELECT * FROM "${table.replaceAll('"', '""')}"`).all() as Array<Record<string, unknown>>
      out[table] = rows.map((r) => ({ ...r })).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1))
    }
    return out
  } finally {
    db.close()
  }
}
