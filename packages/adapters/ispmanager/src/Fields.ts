import { asRecord } from "@ferry/core"

/*
 * The form fields of one panel object (an ispmanager 4 `item` or an ISPtar `elem`'s `data`), as
 * the safe XML parser returns them: strings, repeated elements as arrays, nested elements as
 * records. Readers ask by name — with aliases, since field names are only partly documented —
 * and every field asked for is marked, so the rest can be reported by name.
 */

const onValues = new Set(["on", "yes", "true", "1", "enabled", "active"])
const offValues = new Set(["off", "no", "false", "0", "disabled", "inactive", ""])

const textOf = (value: unknown): string | undefined => {
  if (typeof value === "string") return value
  if (typeof value === "number" || typeof value === "boolean") return String(value)
  if (Array.isArray(value)) {
    const parts = value.map(textOf).filter((v): v is string => v !== undefined && v !== "")
    return parts.length > 0 ? parts.join(" ") : undefined
  }
  const record = asRecord(value)
  if (record !== undefined && "#text" in record) return textOf(record["#text"])
  if (record !== undefined && Object.keys(record).length === 0) return ""
  return undefined
}

export class Fields {
  private readonly raw: Readonly<Record<string, unknown>>
  private readonly used = new Set<string>()

  constructor(raw: Readonly<Record<string, unknown>> | undefined) {
    this.raw = raw ?? Object.create(null)
  }

  /** Field names in document order. */
  keys(): Array<string> {
    return Object.keys(this.raw)
  }

  has(key: string): boolean {
    return Object.hasOwn(this.raw, key)
  }

  /** Mark fields as consumed without reading them (e.g. confirm-password fields). */
  mark(...keys: ReadonlyArray<string>): void {
    for (const key of keys) this.used.add(key)
  }

  /** The first present field among `keys`, trimmed; "" counts as present. */
  value(...keys: ReadonlyArray<string>): string | undefined {
    for (const key of keys) {
      if (!this.has(key)) continue
      this.used.add(key)
      const text = textOf(this.raw[key])
      if (text !== undefined) return text.trim()
    }
    return undefined
  }

  /** The first non-empty field among `keys`, trimmed. */
  text(...keys: ReadonlyArray<string>): string | undefined {
    for (const key of keys) {
      const value = this.value(key)
      if (value !== undefined && value !== "") return value
    }
    return undefined
  }

  /** on/off style flags; undefined when absent or not a flag. */
  flag(...keys: ReadonlyArray<string>): boolean | undefined {
    for (const key of keys) {
      const value = this.value(key)?.toLowerCase()
      if (value === undefined) continue
      if (onValues.has(value)) return true
      if (offValues.has(value)) return false
    }
    return undefined
  }

  /** A non-negative decimal number; undefined when absent or not a number. */
  number(...keys: ReadonlyArray<string>): number | undefined {
    const value = this.text(...keys)
    if (value === undefined || !/^\d{1,15}(\.\d{1,6})?$/.test(value)) return undefined
    return Number(value)
  }

  /** A list written with spaces, commas, semicolons or line breaks. */
  list(...keys: ReadonlyArray<string>): Array<string> {
    const value = this.text(...keys)
    return value === undefined ? [] : value.split(/[\s,;]+/).filter((v) => v !== "")
  }

  /** Repeated nested elements (`<record>…</record>` several times), each as fields. */
  children(key: string): Array<Fields> {
    if (!this.has(key)) return []
    this.used.add(key)
    const value = this.raw[key]
    const items = Array.isArray(value) ? value : [value]
    return items
      .map((item) => asRecord(item))
      .filter((r): r is Record<string, unknown> => r !== undefined)
      .map((r) => new Fields(r))
  }

  /** Every string value with its key (for PEM blocks stored under unknown field names). */
  strings(): Array<readonly [string, string]> {
    const out: Array<readonly [string, string]> = []
    for (const key of this.keys()) {
      const text = textOf(this.raw[key])
      if (text !== undefined) out.push([key, text])
    }
    return out
  }

  /** Fields nobody asked for, in document order. */
  unused(): Array<string> {
    return this.keys().filter((key) => !this.used.has(key))
  }
}
