import { asRecord, asString, parseXml } from "@ferry/core"

/*
 * Which ispmanager wrote an ISPtar backup. The backups of 5, 6 and business 6 share one format
 * (§5) and nothing documented tells them apart, so Ferry looks for the panel's own words (§8 #7):
 *   1. a `backup2.metadata` elem in `.system/` (a restore handler of that name exists on
 *      ispmanager 6 servers, §4.4): a field whose name holds "version" and whose value starts
 *      with the major version, and any value naming "business";
 *   2. the `.info` file beside the data file: the same rules over its fields;
 *   3. weakly, `site` objects (a function of ispmanager 6 only, §7.3): 6 or business 6.
 * Without evidence every ISPtar adapter recognises the backup and the user picks one.
 */

export type IsptarEdition = "5" | "6" | "business6"

export interface PanelEvidence {
  readonly major?: number
  readonly version?: string
  readonly business?: boolean
  /** Where the evidence came from, for messages. */
  readonly source: string
}

const versionValue = /^(\d{1,2})\.\d{1,4}(\.\d{1,6})?/

/** Evidence in a list of key → value pairs (metadata fields, `.info` fields). */
export const evidenceOf = (pairs: Iterable<readonly [string, string]>, source: string): PanelEvidence | undefined => {
  let version: string | undefined
  let business = false
  let any = false
  for (const [key, value] of pairs) {
    const v = value.trim()
    if (version === undefined && /version/i.test(key) && versionValue.test(v)) version = v.slice(0, 40)
    if (/panel|product|edition|name|type|version/i.test(key) && /business/i.test(v)) business = true
    any = true
  }
  if (!any || (version === undefined && !business)) return undefined
  const major = version !== undefined ? Number(versionValue.exec(version)?.[1]) : undefined
  return {
    ...(major !== undefined ? { major } : {}),
    ...(version !== undefined ? { version } : {}),
    ...(business ? { business } : {}),
    source,
  }
}

/** Leaf fields of a small XML document (one or two levels), or `key=value` / `key: value` lines. */
export const keyValuesOf = (text: string): Array<readonly [string, string]> => {
  const trimmed = text.trimStart()
  const out: Array<readonly [string, string]> = []
  if (trimmed.startsWith("<")) {
    const tree = asRecord(parseXml(trimmed, { maxBytes: 256 * 1024 }))
    const walk = (record: Record<string, unknown>, depth: number) => {
      for (const [key, value] of Object.entries(record)) {
        if (key.startsWith("?")) continue
        const text = asString(value)
        if (text !== undefined) out.push([key, text])
        else if (depth < 2 && asRecord(value) !== undefined) walk(asRecord(value) as Record<string, unknown>, depth + 1)
      }
    }
    if (tree !== undefined) walk(tree, 0)
    return out
  }
  for (const line of text.split(/\r?\n/).slice(0, 1000)) {
    const match = /^\s*([A-Za-z_][\w.-]{0,63})\s*[=:\s]\s*(.{0,512})$/.exec(line)
    if (match) out.push([match[1] as string, (match[2] as string).trim()])
  }
  return out
}

export type EditionVerdict = IsptarEdition | "6-family" | "business-family" | undefined

/** The strongest evidence decides; `site` objects narrow an undecided backup to the 6 family. */
export const editionOf = (evidence: ReadonlyArray<PanelEvidence>, hasSiteObjects: boolean): EditionVerdict => {
  const withMajor = evidence.find((e) => e.major !== undefined)
  const business = evidence.some((e) => e.business === true)
  if (withMajor?.major === 5) return "5"
  if (withMajor?.major !== undefined && withMajor.major >= 6) return business ? "business6" : "6"
  if (business) return hasSiteObjects ? "business6" : "business-family"
  return hasSiteObjects ? "6-family" : undefined
}

export const editionClaims = (verdict: EditionVerdict, edition: IsptarEdition): boolean => {
  switch (verdict) {
    case undefined:
      return true
    case "6-family":
      return edition !== "5"
    case "business-family":
      return edition !== "6"
    default:
      return verdict === edition
  }
}

export const editionNames: Readonly<Record<IsptarEdition, string>> = {
  "5": "ispmanager 5",
  "6": "ispmanager 6",
  business6: "ispmanager business 6",
}
