/**
 * Lexers for the one-statement-per-line SQL files of a cPanel backup (`mysql.sql`,
 * `psql_users.sql`, `psql_grants.sql`). They only split text into tokens for the narrow grammars
 * of the readers; comments inside a statement are refused, not skipped.
 */

export type Token =
  | { readonly kind: "word"; readonly text: string }
  | { readonly kind: "string"; readonly text: string }
  | { readonly kind: "ident"; readonly text: string }
  | { readonly kind: "punct"; readonly text: string }

/** A line that does not fit the grammar; the message never quotes the line (it may hold secrets). */
export class SqlSyntaxError extends Error {}

const codePoint = (c: string): string => `U+${c.codePointAt(0)?.toString(16).toUpperCase().padStart(4, "0")}`

/** Read up to the closing quote (a doubled quote stands for itself); `decodeEscape` decodes `\x`. */
const readQuoted = (
  line: string,
  start: number,
  quote: string,
  decodeEscape: ((c: string) => string) | undefined,
  what: string,
): { readonly text: string; readonly end: number } => {
  let text = ""
  let j = start
  for (;;) {
    const d = line[j]
    if (d === undefined) throw new SqlSyntaxError(`unterminated ${what}`)
    if (d === "\\" && decodeEscape !== undefined) {
      const e = line[j + 1]
      if (e === undefined) throw new SqlSyntaxError(`unterminated ${what}`)
      text += decodeEscape(e)
      j += 2
    } else if (d === quote) {
      if (line[j + 1] !== quote) return { text, end: j + 1 }
      text += quote
      j += 2
    } else {
      text += d
      j++
    }
  }
}

const mysqlEscapes: Record<string, string> = { "0": "\0", b: "\b", n: "\n", r: "\r", t: "\t", Z: "\x1a", "%": "\\%", _: "\\_" }
const mysqlEscape = (c: string): string => mysqlEscapes[c] ?? c

/** MySQL: `'…'`/`"…"` strings with backslash escapes, `` `…` `` identifiers. */
export const tokenizeMysql = (line: string): Array<Token> => {
  const tokens: Array<Token> = []
  let i = 0
  while (i < line.length) {
    const c = line[i] as string
    if (c === " " || c === "\t") {
      i++
    } else if (/[A-Za-z0-9_$]/.test(c)) {
      let j = i
      while (j < line.length && /[A-Za-z0-9_$]/.test(line[j] as string)) j++
      tokens.push({ kind: "word", text: line.slice(i, j) })
      i = j
    } else if (c === "'" || c === '"') {
      const { text, end } = readQuoted(line, i + 1, c, mysqlEscape, "quoted string")
      tokens.push({ kind: "string", text })
      i = end
    } else if (c === "`") {
      const { text, end } = readQuoted(line, i + 1, "`", undefined, "quoted identifier")
      tokens.push({ kind: "ident", text })
      i = end
    } else if ("*.,@();".includes(c)) {
      tokens.push({ kind: "punct", text: c })
      i++
    } else if (c === "-" || c === "/" || c === "#") {
      throw new SqlSyntaxError("comment or operator inside a statement")
    } else {
      throw new SqlSyntaxError(`unexpected character ${codePoint(c)}`)
    }
  }
  return tokens
}

const postgresEscapes: Record<string, string> = { b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" }
const postgresEscape = (c: string): string => {
  if (/[0-7xuU]/.test(c)) throw new SqlSyntaxError("numeric escapes in E'…' strings are not supported")
  return postgresEscapes[c] ?? c
}

/**
 * PostgreSQL: `"…"` identifiers, `'…'` strings (standard-conforming: no backslash escapes) and
 * `E'…'` strings (backslash escapes). Dollar quoting and `U&` strings are refused.
 */
export const tokenizePostgres = (line: string): Array<Token> => {
  const tokens: Array<Token> = []
  let i = 0
  while (i < line.length) {
    const c = line[i] as string
    if (c === " " || c === "\t") {
      i++
    } else if ((c === "E" || c === "e") && line[i + 1] === "'") {
      const { text, end } = readQuoted(line, i + 2, "'", postgresEscape, "quoted string")
      tokens.push({ kind: "string", text })
      i = end
    } else if (/[A-Za-z_]/.test(c) || /^-?\d/.test(line.slice(i, i + 2))) {
      let j = i + 1
      while (j < line.length && /[A-Za-z0-9_$]/.test(line[j] as string)) j++
      if (line[j] === "'" || line[j] === "&") throw new SqlSyntaxError("unsupported string prefix")
      tokens.push({ kind: "word", text: line.slice(i, j) })
      i = j
    } else if (c === "'") {
      const { text, end } = readQuoted(line, i + 1, "'", undefined, "quoted string")
      tokens.push({ kind: "string", text })
      i = end
    } else if (c === '"') {
      const { text, end } = readQuoted(line, i + 1, '"', undefined, "quoted identifier")
      tokens.push({ kind: "ident", text })
      i = end
    } else if (",.();=".includes(c)) {
      tokens.push({ kind: "punct", text: c })
      i++
    } else if (c === "-" || c === "/") {
      throw new SqlSyntaxError("comment or operator inside a statement")
    } else {
      throw new SqlSyntaxError(`unexpected character ${codePoint(c)}`)
    }
  }
  return tokens
}

/** Walks a statement's tokens; every mismatch is a {@link SqlSyntaxError}. */
export class Cursor {
  private index = 0
  private readonly tokens: ReadonlyArray<Token>
  constructor(tokens: ReadonlyArray<Token>) {
    this.tokens = tokens
  }
  peek(offset = 0): Token | undefined {
    return this.tokens[this.index + offset]
  }
  next(): Token {
    const token = this.tokens[this.index]
    if (token === undefined) throw new SqlSyntaxError("statement ends too early")
    this.index++
    return token
  }
  isKeyword(word: string, offset = 0): boolean {
    const token = this.peek(offset)
    return token?.kind === "word" && token.text.toUpperCase() === word
  }
  isPunct(text: string): boolean {
    const token = this.peek()
    return token?.kind === "punct" && token.text === text
  }
  keyword(word: string): void {
    if (!this.isKeyword(word)) throw new SqlSyntaxError(`expected ${word}`)
    this.index++
  }
  punct(text: string): void {
    if (!this.isPunct(text)) throw new SqlSyntaxError(`expected '${text}'`)
    this.index++
  }
  get done(): boolean {
    return this.index >= this.tokens.length
  }
}
