import { asRecord, asString, parseXml, SafeParseError } from "@ferry/core"
import { Fields } from "./Fields.ts"
import type { PanelObject } from "./PanelObject.ts"

/*
 * `.system/` special files (ispmanager.md §4.3, §8 #1). Documented: each object is an `elem`
 * holding `backup` (type, subtype, name, owner, path) and `data` (form fields). Not documented:
 * file names, the root element, and whether a file holds one `elem` or many. Ferry reads every
 * XML file in `.system/` and takes the `elem`s it finds: the root itself, or children of the
 * root, or children of one more level (`<doc><list><elem>`); `backup` fields may be child
 * elements or attributes.
 */

export const databaseSubtypes = new Set(["mysql", "postgresql"])

/** `db.mysql` → db + mysql, `db.users.postgresql` → db.users + postgresql. */
export const splitType = (type: string, subtype: string | undefined): { type: string; subtype: string | undefined } => {
  const lower = type.trim().toLowerCase()
  const last = lower.slice(lower.lastIndexOf(".") + 1)
  if (subtype === undefined && lower.includes(".") && databaseSubtypes.has(last)) {
    return { type: lower.slice(0, lower.lastIndexOf(".")), subtype: last }
  }
  return { type: lower, subtype: subtype?.trim().toLowerCase() || undefined }
}

const listOf = (value: unknown): Array<unknown> => (Array.isArray(value) ? value : value === undefined ? [] : [value])

/** The root `elem`s, else those of the root element, else those one level further down. */
const elemsIn = (tree: Record<string, unknown>): Array<unknown> => {
  if (tree["elem"] !== undefined) return listOf(tree["elem"])
  const found: Array<unknown> = []
  for (const [key, value] of Object.entries(tree)) {
    if (key.startsWith("?")) continue
    const root = asRecord(value)
    if (root === undefined) continue
    if (root["elem"] !== undefined) return listOf(root["elem"])
    for (const inner of Object.values(root)) {
      for (const item of listOf(inner)) found.push(...listOf(asRecord(item)?.["elem"]))
    }
  }
  return found
}

export interface SystemFile {
  readonly objects: ReadonlyArray<PanelObject>
  /** Elems that could not be read (no type or name), in words. */
  readonly problems: ReadonlyArray<string>
}

/** Hostile constructs (DOCTYPE, entities, nesting, size) as opposed to plain syntax errors. */
export const isHostileXmlError = (error: SafeParseError): boolean => /DOCTYPE|entit|too large|nested|expanded|security/i.test(error.message)

/**
 * Parse one `.system` file. Throws `SafeParseError` when the XML is unreadable or hostile
 * (`isHostileXmlError`); a file that parses but holds no `elem` gives no objects.
 */
export const parseSystemFile = (text: string, path: string, displayPath: string = path): SystemFile => {
  const tree = asRecord(parseXml(text, { isArray: (name) => name === "elem" }))
  if (tree === undefined) throw new SafeParseError("not an XML document")
  const objects: Array<PanelObject> = []
  const problems: Array<string> = []
  elemsIn(tree).forEach((value, index) => {
    const elem = asRecord(value)
    const backup = asRecord(elem?.["backup"])
    const rawType = asString(backup?.["type"])?.trim()
    const name = asString(backup?.["name"])?.trim()
    if (elem === undefined || backup === undefined || !rawType || !name) {
      problems.push(`elem #${index + 1} has no backup type or name`)
      return
    }
    const { type, subtype } = splitType(rawType, asString(backup["subtype"]))
    const owner = asString(backup["owner"])?.trim() || undefined
    const objectPath = asString(backup["path"])?.trim() || undefined
    objects.push({
      type,
      subtype,
      name,
      owner,
      path: objectPath,
      fields: new Fields(asRecord(elem["data"])),
      source: { path, detail: `${displayPath} elem #${index + 1} (${type} ${name.slice(0, 80)})` },
    })
  })
  return { objects, problems }
}
