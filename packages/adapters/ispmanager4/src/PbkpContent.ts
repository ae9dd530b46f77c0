import { Fields, type PanelObject } from "@ferry/adapter-ispmanager"
import { asRecord, asString, parseXml, SafeParseError } from "@ferry/core"

/*
 * `PBKP_CONTENT` (ispmanager.md §3.3): root `doc` with `version`, then one element per object
 * type holding `item`s; in each item `elid` names the object, `filename` names an attached
 * payload, every other child is a field of the ispmanager 4 edit form.
 */

export interface PbkpContent {
  readonly version: string | undefined
  readonly objects: ReadonlyArray<PanelObject>
  readonly problems: ReadonlyArray<string>
}

/** Throws `SafeParseError` for unreadable or hostile XML. */
export const parsePbkpContent = (text: string, path: string): PbkpContent => {
  const tree = asRecord(parseXml(text, { isArray: (name, jpath) => name === "item" && jpath.split(".").length === 3 }))
  const doc = asRecord(tree?.["doc"])
  if (doc === undefined) throw new SafeParseError("no <doc> root element")
  const objects: Array<PanelObject> = []
  const problems: Array<string> = []
  for (const [type, value] of Object.entries(doc)) {
    if (type === "version") continue
    const sections = Array.isArray(value) ? value : [value]
    for (const section of sections) {
      const record = asRecord(section)
      if (record === undefined) {
        if (asString(section)?.trim() !== "") problems.push(`<${type}> holds text instead of items`)
        continue
      }
      const items = Array.isArray(record["item"]) ? record["item"] : record["item"] === undefined ? [] : [record["item"]]
      const others = Object.keys(record).filter((k) => k !== "item")
      if (others.length > 0) problems.push(`<${type}> holds ${others.map((k) => `<${k}>`).join(", ")} besides items`)
      items.forEach((item, index) => {
        const fields = new Fields(asRecord(item))
        const elid = fields.text("elid")
        if (elid === undefined) {
          problems.push(`<${type}> item #${index + 1} has no elid`)
          return
        }
        objects.push({
          type: type.toLowerCase(),
          subtype: undefined,
          name: elid,
          owner: fields.text("owner"),
          path: undefined,
          fields,
          source: { path, detail: `${path} <${type}> item #${index + 1} (${elid.slice(0, 80)})` },
        })
      })
    }
  }
  return { version: asString(doc["version"])?.trim(), objects, problems }
}
