import { asRecord, asString, parseXml } from "@ferry/core"

/*
 * `PBKP_XML_LISTING` (§3.4): the home's hierarchy (`dir`, `file`, `link` with `name`, links with
 * `uid`, `gid`, `perm`, `src`). Ferry only compares it with what the archive holds; owners, modes
 * and link targets in it are attacker-controlled and never applied.
 */

export interface ListedTree {
  readonly files: ReadonlyArray<string>
  readonly links: ReadonlyArray<{ readonly path: string; readonly target: string }>
  readonly dirs: number
}

const listOf = (value: unknown): Array<unknown> => (Array.isArray(value) ? value : value === undefined ? [] : [value])

/** Throws `SafeParseError` for unreadable or hostile XML. */
export const parseListing = (text: string, maxItems = 1_000_000): ListedTree => {
  const tree = asRecord(parseXml(text, { isArray: (name) => name === "dir" || name === "file" || name === "link" }))
  const files: Array<string> = []
  const links: Array<{ path: string; target: string }> = []
  let dirs = 0
  const walk = (node: Record<string, unknown>, prefix: string, depth: number) => {
    if (depth > 64 || files.length + dirs > maxItems) return
    for (const file of listOf(node["file"])) {
      const name = asString(asRecord(file)?.["name"])
      if (name !== undefined) files.push(`${prefix}${name}`)
    }
    for (const link of listOf(node["link"])) {
      const record = asRecord(link)
      const name = asString(record?.["name"])
      if (name !== undefined) links.push({ path: `${prefix}${name}`, target: asString(record?.["src"]) ?? "" })
    }
    for (const dir of listOf(node["dir"])) {
      const record = asRecord(dir)
      const name = asString(record?.["name"])
      if (record === undefined || name === undefined) continue
      dirs++
      walk(record, `${prefix}${name}/`, depth + 1)
    }
  }
  const doc = asRecord(tree?.["doc"])
  if (doc !== undefined) walk(doc, "", 0)
  return { files, links, dirs }
}
