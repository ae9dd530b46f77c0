import { createRequire } from "node:module"
import type * as FastXmlParser from "fast-xml-parser"
import YAML from "yaml"

// fast-xml-parser is loaded on first use: only the XML-based panels need it.
const require = createRequire(import.meta.url)
let xml: typeof FastXmlParser | undefined
const loadXml = () => (xml ??= require("fast-xml-parser") as typeof FastXmlParser)

/** A parse failure with a message meant for the report; parsers never throw anything else. */
export class SafeParseError extends Error {
  override readonly name = "SafeParseError"
}

const forbiddenKeys = new Set(["__proto__", "constructor", "prototype"])

/** Recursively copy into null-prototype objects, dropping prototype-polluting keys (rule 17). */
export const sanitiseTree = (value: unknown, depth = 0): unknown => {
  if (depth > 200) throw new SafeParseError("nesting is too deep")
  if (Array.isArray(value)) return value.map((v) => sanitiseTree(v, depth + 1))
  // YAML 1.1 `!!set` / `!!omap` come back as Set / Map: keep their content as an array / object.
  if (value instanceof Set) return [...value].map((v) => sanitiseTree(v, depth + 1))
  if (value instanceof Map) return sanitiseTree(Object.fromEntries([...value].map(([k, v]) => [String(k), v])), depth + 1)
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = Object.create(null)
    for (const [key, v] of Object.entries(value)) {
      if (forbiddenKeys.has(key)) continue
      out[key] = sanitiseTree(v, depth + 1)
    }
    return out
  }
  return value
}

/** JSON without prototype keys; objects come back with a null prototype. */
export const parseJson = (text: string): unknown => {
  try {
    return sanitiseTree(JSON.parse(text))
  } catch (e) {
    if (e instanceof SafeParseError) throw e
    throw new SafeParseError(`invalid JSON: ${e instanceof Error ? e.message : String(e)}`)
  }
}

/**
 * YAML (rule 16): core schema, no custom tags resolved, at most 10 aliases, no merge keys, one
 * document. cPanel writes YAML 1.1 (Syck), so `version: "1.1"` keeps its scalars as they were meant.
 */
export const parseYaml = (text: string, options: { readonly version?: "1.1" | "1.2" } = {}): unknown => {
  const docs = YAML.parseAllDocuments(text, {
    version: options.version ?? "1.2",
    merge: false,
    uniqueKeys: false,
    strict: false,
    prettyErrors: false,
    customTags: [],
    logLevel: "silent",
  })
  if (!Array.isArray(docs)) throw new SafeParseError("invalid YAML: an empty stream")
  if (docs.length === 0) return null
  if (docs.length !== 1) throw new SafeParseError(`a YAML file with ${docs.length} documents is refused (expected exactly one)`)
  const doc = docs[0] as (typeof docs)[number]
  if (doc.errors.length > 0) throw new SafeParseError(`invalid YAML: ${doc.errors[0]?.message ?? "unknown error"}`)
  try {
    return sanitiseTree(doc.toJS({ maxAliasCount: 10 }))
  } catch (e) {
    throw new SafeParseError(`unsafe YAML: ${e instanceof Error ? e.message : String(e)}`)
  }
}

const maxXmlBytes = 64 * 1024 * 1024

/**
 * XML (rule 15): DOCTYPE refused before parsing, entity declarations never processed, attributes
 * kept, values left as strings, nesting capped (stack.md §4).
 */
export const parseXml = (
  text: string,
  options: { readonly isArray?: (name: string, jpath: string) => boolean; readonly maxBytes?: number } = {},
): unknown => {
  if (text.length > (options.maxBytes ?? maxXmlBytes)) throw new SafeParseError("XML document is too large")
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) throw new SafeParseError("XML with a DOCTYPE or entity declarations is refused")
  const parser = new (loadXml().XMLParser)({
    ignoreAttributes: false,
    attributeNamePrefix: "",
    parseTagValue: false,
    parseAttributeValue: false,
    htmlEntities: true,
    // DOCTYPE and ENTITY declarations are refused above, so only the predefined and numeric
    // references remain, and none of them expands to more than it takes. The count is capped
    // so that a flood (checklist item 23: 10^6 references) is refused; real dumps with many
    // escaped values (thousands of "&amp;") are not.
    processEntities: { maxTotalExpansions: 500_000, maxExpandedLength: maxXmlBytes },
    maxNestedTags: 200,
    trimValues: true,
    ...(options.isArray ? { isArray: (name: string, jpath: unknown) => options.isArray?.(name, String(jpath)) ?? false } : {}),
  } as ConstructorParameters<typeof FastXmlParser.XMLParser>[0])
  try {
    return sanitiseTree(parser.parse(text, true))
  } catch (e) {
    throw new SafeParseError(`invalid XML: ${e instanceof Error ? e.message : String(e)}`)
  }
}

/** Narrowing helpers for parsed trees. */
export const asRecord = (value: unknown): Record<string, unknown> | undefined =>
  value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined

export const asString = (value: unknown): string | undefined =>
  typeof value === "string" ? value : typeof value === "number" || typeof value === "boolean" ? String(value) : undefined
