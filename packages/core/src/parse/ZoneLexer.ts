/**
 * RFC 1035 §5.1 master-file lexing: physical lines become entries (one record or directive each),
 * parentheses join lines, `;` starts a comment outside quotes, `\` escapes the next character.
 * Tokens keep their text exactly as written (quotes and escapes included) so that rdata can be
 * carried in presentation form.
 */

export interface ZoneToken {
  readonly text: string
  readonly quoted: boolean
}

export interface ZoneEntry {
  readonly line: number
  /** The entry's first line starts with a blank: the owner is the previous record's. */
  readonly blankOwner: boolean
  readonly tokens: ReadonlyArray<ZoneToken>
}

export interface ZoneLexError {
  readonly line: number
  readonly error: string
}

export interface ZoneLexLimits {
  readonly maxLineLength: number
  readonly maxEntryLength: number
}

const isControl = (c: string): boolean => {
  const code = c.charCodeAt(0)
  return (code < 0x20 && c !== "\t") || code === 0x7f
}

/** Entries of a zone file in order; errors are yielded in place of the entry they spoil. */
export function* zoneEntries(text: string, limits: ZoneLexLimits): Generator<ZoneEntry | ZoneLexError> {
  const lines = text.split("\n")
  let tokens: Array<ZoneToken> = []
  let start = 0
  let blankOwner = false
  let depth = 0
  let length = 0
  let error: string | undefined

  const fail = (message: string): void => {
    error ??= message
  }

  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index] as string
    const physical = raw.endsWith("\r") ? raw.slice(0, -1) : raw
    if (depth === 0) {
      tokens = []
      start = index + 1
      blankOwner = physical.startsWith(" ") || physical.startsWith("\t")
      length = 0
      error = undefined
    }
    if (physical.length > limits.maxLineLength) {
      fail(`line ${index + 1} is longer than ${limits.maxLineLength} characters`)
      // Without the rest of the line the parentheses cannot be tracked; end the entry here.
      yield { line: start, error: error ?? "" }
      depth = 0
      continue
    }
    length += physical.length
    if (length > limits.maxEntryLength) fail(`record is longer than ${limits.maxEntryLength} characters`)

    let current: string | undefined
    let quoted = false
    const flush = (): void => {
      if (current !== undefined) tokens.push({ text: current, quoted })
      current = undefined
      quoted = false
    }
    let i = 0
    while (i < physical.length) {
      const c = physical[i] as string
      if (quoted) {
        if (c === "\\") {
          const next = physical[i + 1]
          if (next === undefined) break
          current += c + next
          i += 2
          continue
        }
        if (isControl(c)) fail("control character inside a quoted string")
        current += c
        i++
        if (c === '"') flush()
        continue
      }
      if (c === " " || c === "\t") {
        flush()
      } else if (c === ";") {
        break
      } else if (c === "(") {
        flush()
        if (depth > 0) fail("nested parentheses")
        depth++
      } else if (c === ")") {
        flush()
        if (depth === 0) fail("')' without '('")
        else depth--
      } else if (c === '"') {
        if (current !== undefined) fail("quote in the middle of a word")
        flush()
        current = c
        quoted = true
      } else if (c === "\\") {
        const next = physical[i + 1]
        if (next === undefined) {
          fail("backslash at the end of a line")
        } else {
          current = (current ?? "") + c + next
          i += 2
          continue
        }
      } else if (isControl(c)) {
        fail(`control character U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`)
      } else {
        current = (current ?? "") + c
      }
      i++
    }
    if (quoted) {
      fail("unterminated quoted string")
      flush()
    }
    flush()
    if (depth === 0) {
      if (error !== undefined) yield { line: start, error }
      else if (tokens.length > 0) yield { line: start, blankOwner, tokens }
    }
  }
  if (depth > 0) yield { line: start, error: error ?? "'(' without ')'" }
}
