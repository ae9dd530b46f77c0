import { parseXml, SafeParseError } from "@ferry/core"

/*
 * Plesk XML as a tree that remembers what the adapter read. Plesk's backup schema is not public
 * and its importers read attributes and child elements alike (plesk.md §3), so every lookup
 * accepts both forms. Whatever was never looked at is reported at the end with its XML path:
 * nothing in the metadata is dropped without a note.
 */

type Raw = Record<string, unknown>

/**
 * A DOCTYPE that only names a local DTD file (`<!DOCTYPE dump SYSTEM "plesk.dtd">`): no internal
 * subset, no URL or path. Anything else with a DOCTYPE stays refused by `parseXml`.
 */
const bareDoctype =
  /^(\uFEFF?\s*(?:<\?xml[^>]{0,200}\?>\s*)?(?:<!--[^>]{0,2000}?-->\s*)*)<!DOCTYPE\s+[A-Za-z_][\w.-]{0,100}\s+SYSTEM\s+(?:"[A-Za-z0-9._-]{1,100}"|'[A-Za-z0-9._-]{1,100}')\s*>/

export interface ParsedXml {
  readonly root: XNode
  /** The document had a DOCTYPE naming a local DTD file (never read), removed before parsing. */
  readonly droppedDoctype: boolean
}

/**
 * Parse with `parseXml` (no entity declarations, nesting and size capped). A DOCTYPE that only
 * names a local DTD file is removed first: it declares nothing and the DTD is never read (old
 * Plesk dumps may carry one). Any other DOCTYPE or ENTITY is refused by `parseXml`.
 */
export const parsePleskXml = (text: string, file: string, maxBytes: number): ParsedXml => {
  const match = bareDoctype.exec(text)
  const source = match ? `${match[1] ?? ""}${text.slice(match[0].length)}` : text
  const tree = parseXml(source, { isArray: () => true, maxBytes }) as Raw
  const names = Object.keys(tree).filter((k) => k !== "?xml" && k !== "#text")
  const first = names[0]
  if (first === undefined) throw new SafeParseError("the document has no root element")
  const rootValue = (tree[first] as Array<unknown>)[0]
  const raw = typeof rootValue === "object" && rootValue !== null ? (rootValue as Raw) : { "#text": String(rootValue ?? "") }
  return { root: new XNode(file, raw, first, first), droppedDoctype: match !== null }
}

/** The name of the root element, read without parsing (for detection and messages). */
export const rootElementName = (text: string): string | undefined => {
  let rest = text.slice(0, 256 * 1024).replace(/^\uFEFF/, "")
  for (let i = 0; i < 64; i++) {
    rest = rest.trimStart()
    if (rest.startsWith("<?")) {
      const end = rest.indexOf("?>")
      if (end < 0) return undefined
      rest = rest.slice(end + 2)
    } else if (rest.startsWith("<!--")) {
      const end = rest.indexOf("-->")
      if (end < 0) return undefined
      rest = rest.slice(end + 3)
    } else if (rest.startsWith("<!")) {
      // A DOCTYPE, possibly with an internal subset: skip to the `]>` or `>` that ends it.
      const subset = rest.indexOf("[")
      const close = rest.indexOf(">")
      if (close < 0) return undefined
      if (subset >= 0 && subset < close) {
        const end = rest.indexOf("]>", subset)
        const endSpaced = /\]\s*>/.exec(rest.slice(subset))
        if (end < 0 && !endSpaced) return undefined
        rest = rest.slice(endSpaced ? subset + endSpaced.index + endSpaced[0].length : end + 2)
      } else rest = rest.slice(close + 1)
    } else {
      return /^<([A-Za-z_][\w.:-]*)/.exec(rest)?.[1]
    }
  }
  return undefined
}

const wrappers = new Set(["preferences", "properties", "limits-and-permissions"])

const asItems = (value: unknown): Array<unknown> => (Array.isArray(value) ? value : value === undefined ? [] : [value])

/** An element: attributes and child elements by name, each read at most into one wrapper. */
export class XNode {
  /** Archive path of the XML file. */
  readonly file: string
  readonly raw: Raw
  /** XML path with `[name]` discriminators, for messages. */
  readonly path: string
  /** XML path without discriminators, for grouping notes. */
  readonly pattern: string
  private readonly used = new Set<string>()
  /** Wrappers of child elements and attributes, made once so what was read is remembered. */
  private readonly children = new Map<string, Array<XNode>>()
  private readonly ignored = new Set<string>()
  private everything = false

  constructor(file: string, raw: Raw, path: string, pattern: string) {
    this.file = file
    this.raw = raw
    this.path = path
    this.pattern = pattern
  }

  /** Child elements (and attributes) called `name`, as nodes; marks them read. */
  all(name: string): Array<XNode> {
    this.used.add(name)
    const cached = this.children.get(name)
    if (cached !== undefined) return cached
    const nodes = asItems(this.raw[name]).map((item, index, items) => {
      const raw: Raw = typeof item === "object" && item !== null ? (item as Raw) : { "#text": item === undefined ? "" : String(item) }
      const label = asItems(raw["name"])[0]
      const discriminator = typeof label === "string" && label !== "" ? `[${label.slice(0, 80)}]` : items.length > 1 ? `[${index + 1}]` : ""
      return new XNode(this.file, raw, `${this.path}/${name}${discriminator}`, `${this.pattern}/${name}`)
    })
    this.children.set(name, nodes)
    return nodes
  }

  /** The first child element (or attribute) called `name`. */
  one(name: string): XNode | undefined {
    return this.all(name)[0]
  }

  /** Children along a `/`-separated path, e.g. `mailusers/mailuser`. */
  at(path: string): Array<XNode> {
    let nodes: Array<XNode> = [this]
    for (const step of path.split("/")) nodes = nodes.flatMap((n) => n.all(step))
    return nodes
  }

  /** Children along the first of several paths that has any (dialects of different generations). */
  atAny(paths: ReadonlyArray<string>): Array<XNode> {
    for (const path of paths) {
      if (!this.present(path)) continue
      return this.at(path)
    }
    return []
  }

  /** Whether a path exists, without marking anything read. */
  present(path: string): boolean {
    let raws: Array<Raw> = [this.raw]
    for (const step of path.split("/")) {
      raws = raws.flatMap((r) =>
        asItems(r[step]).map((item) => (typeof item === "object" && item !== null ? (item as Raw) : { "#text": String(item) })),
      )
      if (raws.length === 0) return false
    }
    return true
  }

  /** Text of this element. */
  text(): string | undefined {
    this.used.add("#text")
    const value = asItems(this.raw["#text"])[0]
    return typeof value === "string" ? value : undefined
  }

  /** Text of an attribute or child element (`a/b` paths allowed); undefined when absent. */
  get(path: string): string | undefined {
    const node = this.at(path)[0]
    if (node === undefined) return undefined
    return node.text() ?? ""
  }

  /** `get` over several paths: the first present one. */
  getAny(paths: ReadonlyArray<string>): string | undefined {
    for (const path of paths) if (this.present(path)) return this.get(path)
    return undefined
  }

  /** A boolean attribute or element: "true"/"on"/"1"/"yes" or an empty flag element. */
  flag(path: string): boolean | undefined {
    const value = this.get(path)
    if (value === undefined) return undefined
    const v = value.trim().toLowerCase()
    return v === "" || v === "true" || v === "on" || v === "1" || v === "yes" || v === "enabled"
  }

  /** Mark names as deliberately handled (their content is covered by a note or not needed). */
  ignore(...names: ReadonlyArray<string>): void {
    for (const name of names) {
      this.used.add(name)
      this.ignored.add(name)
    }
  }

  /** Mark the whole element as handled (a stub replaced by its own file, a refused object). */
  consumeAll(): void {
    this.everything = true
  }

  /** Names present on this element. */
  names(): Array<string> {
    return Object.keys(this.raw).filter((k) => k !== "#text" || (asItems(this.raw[k])[0] ?? "") !== "")
  }

  /** Everything under this node that nobody read: `{ path, pattern }` per unread name. */
  unread(): Array<{ readonly path: string; readonly pattern: string }> {
    if (this.everything) return []
    const out: Array<{ path: string; pattern: string }> = []
    for (const name of this.names()) {
      if (this.ignored.has(name)) continue
      if (!this.used.has(name)) {
        // An empty element (`<preferences/>`) carries nothing.
        if (asItems(this.raw[name]).every((item) => item === "")) continue
        // Plesk's grouping elements say nothing themselves: report what is inside them.
        if (wrappers.has(name) && asItems(this.raw[name]).every((item) => typeof item === "object")) {
          for (const child of this.all(name)) out.push(...child.unread())
          continue
        }
        out.push({
          path: name === "#text" ? `${this.path} (text)` : `${this.path}/${name}`,
          pattern: name === "#text" ? `${this.pattern} (text)` : `${this.pattern}/${name}`,
        })
        continue
      }
      if (name === "#text") continue
      for (const child of this.all(name)) out.push(...child.unread())
    }
    return out
  }
}
