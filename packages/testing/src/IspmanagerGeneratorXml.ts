/* Small XML writing helpers for the synthetic ispmanager generators. */

export const escapeXml = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

/** A field value: text, a repeated element, or nested fields (one element holding children). */
export type XmlValue = string | number | boolean | ReadonlyArray<XmlValue> | XmlFields
export type XmlFields = ReadonlyArray<readonly [string, XmlValue]>

const isFields = (value: XmlValue): value is XmlFields =>
  Array.isArray(value) && value.length > 0 && value.every((v) => Array.isArray(v) && v.length === 2 && typeof v[0] === "string")

export const xmlFields = (fields: XmlFields, indent: string): string =>
  fields
    .map(([name, value]) => {
      if (typeof value === "boolean") return `${indent}<${name}>${value ? "on" : "off"}</${name}>`
      if (typeof value === "string" || typeof value === "number") return `${indent}<${name}>${escapeXml(String(value))}</${name}>`
      if (isFields(value)) return `${indent}<${name}>\n${xmlFields(value, `${indent}  `)}\n${indent}</${name}>`
      return (value as ReadonlyArray<XmlValue>).map((item) => xmlFields([[name, item]], indent)).join("\n")
    })
    .join("\n")

export const xmlDocument = (root: string, body: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<${root}>\n${body}\n</${root}>\n`
