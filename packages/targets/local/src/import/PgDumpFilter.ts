import type { TransformCallback } from "node:stream"
import { DumpRefused, LineFilter, type LineLimits, type Rewrites } from "./DumpFilter.ts"

/*
 * PostgreSQL plain dumps run through psql, which executes backslash meta-commands (`\!`, `\o |cmd`,
 * `\copy … program`) as the OS user running it (CVE-2025-8714). Defence in layers: the client runs
 * as `nobody` with `-X`, Ferry prepends its OWN random `\restrict` key when psql supports it (an
 * attacker's dump cannot guess it to `\unrestrict`), and this filter tracks psql's lexical state
 * (quotes, dollar quotes, comments, COPY data) so every meta-command line outside COPY data is
 * replaced by a comment, and a meta-command hidden inside a statement refuses the dump. Ownership,
 * privilege and role statements are dropped (rule 24): the staging role could not run them anyway.
 */

export interface PgFilterOptions extends LineLimits {
  /** Ferry's random `\restrict` key (psql ≥ 15.14 / 16.10 / 17.6); undefined: filter only. */
  readonly restrictKey?: string
  /** Awaited before the end of the stream is passed on (a producer such as pg_restore must succeed first). */
  readonly beforeEnd?: () => Promise<void>
}

const droppedStatements: ReadonlyArray<readonly [RegExp, string]> = [
  [/^ALTER\s[^;]*\sOWNER\s+TO\s/i, "OWNER TO dropped"],
  [/^(?:GRANT|REVOKE)\s|^ALTER\s+DEFAULT\s+PRIVILEGES\b/i, "GRANT/REVOKE dropped"],
  [
    /^(?:SET\s+(?:(?:SESSION|LOCAL)\s+)?(?:SESSION\s+AUTHORIZATION|ROLE)|RESET\s+(?:SESSION\s+AUTHORIZATION|ROLE))\b/i,
    "SET SESSION AUTHORIZATION / SET ROLE dropped",
  ],
  [/^(?:CREATE|ALTER|DROP)\s+(?:ROLE|USER|GROUP)\b/i, "CREATE/ALTER ROLE dropped"],
  [/^(?:CREATE|ALTER|DROP)\s+DATABASE\b|^COMMENT\s+ON\s+DATABASE\b/i, "database statement dropped"],
  [/^COMMENT\s+ON\s+EXTENSION\b|^CREATE\s+EXTENSION\s+(?:IF\s+NOT\s+EXISTS\s+)?"?plpgsql"?\s/i, "plpgsql extension statement dropped"],
]

/** Client encodings whose multibyte characters may contain `\` or quote bytes: psql lexes them differently. */
const unsafeEncodings = /^(?:SJIS|SHIFT_JIS|BIG5|GBK|UHC|GB18030|JOHAB|WIN932|WIN936|WIN949|WIN950|MSKANJI|SHIFTJIS)$/i

type State =
  | { readonly kind: "normal" }
  | { readonly kind: "line-comment" }
  | { readonly kind: "block"; readonly depth: number }
  | { readonly kind: "single"; readonly escapes: boolean }
  | { readonly kind: "double" }
  | { readonly kind: "dollar"; readonly tag: string }

const normal: State = { kind: "normal" }
const identChar = /[A-Za-z0-9_$\x80-\xff]/
const dollarTag = /^\$(?:[A-Za-z_\x80-\xff][A-Za-z0-9_\x80-\xff]*)?\$/

/** psql's lexer, reduced to what decides where statements end and where a meta-command starts. */
class PgScanner {
  state: State = normal
  /** Non-blank, non-comment text since the last `;`. */
  inStatement = false
  /** The current statement's first characters (COPY … FROM stdin, SET … detection). */
  statement = ""
  stdStrings = true
  private prev = ""
  private carry = ""

  /**
   * Scans one piece of a line (`final`: the line is complete). Returns the offsets just after
   * each `;` that ends a statement and of each meta-command backslash, relative to `text`.
   */
  scan(text: string, final: boolean, onEnd: (statement: string) => void): { ends: Array<number>; meta: Array<number> } {
    const base = this.carry.length
    const input = this.carry + text
    this.carry = ""
    const ends: Array<number> = []
    const meta: Array<number> = []
    let i = 0
    const n = input.length
    while (i < n) {
      const c = input[i] as string
      // A token may be cut by the chunk boundary of a long line: keep the tail for the next piece.
      if (!final && i > n - 72 && "$-/*\\'".includes(c)) {
        this.carry = input.slice(i)
        break
      }
      const s = this.state
      if (s.kind === "normal") {
        if (c === "-" && input[i + 1] === "-") {
          this.state = { kind: "line-comment" }
          i += 2
          continue
        }
        if (c === "/" && input[i + 1] === "*") {
          this.state = { kind: "block", depth: 1 }
          i += 2
          continue
        }
        if (c === "\\") {
          if (input[i + 1] === ";" || input[i + 1] === ":") {
            i += 2
            continue
          }
          meta.push(i - base)
          i = n
          break
        }
        if (c === ";") {
          ends.push(i + 1 - base)
          const statement = this.statement
          this.inStatement = false
          this.statement = ""
          this.prev = c
          onEnd(statement)
          i++
          continue
        }
        if (c === "'") {
          const prefixed = /[Ee]/.test(this.prev) && !identChar.test(input[i - 2] ?? this.prevBefore)
          this.state = { kind: "single", escapes: prefixed || !this.stdStrings }
        } else if (c === '"') this.state = { kind: "double" }
        else if (c === "$" && !identChar.test(this.prev)) {
          const tag = dollarTag.exec(input.slice(i, i + 70))
          if (tag !== null) {
            this.state = { kind: "dollar", tag: tag[0] }
            this.inStatement = true
            this.note(tag[0])
            i += tag[0].length
            this.prev = "$"
            continue
          }
        }
        if (!/\s/.test(c)) this.inStatement = true
        this.note(c)
        this.prevBefore = this.prev
        this.prev = c
        i++
        continue
      }
      if (s.kind === "line-comment") {
        if (c === "\n") this.state = normal
      } else if (s.kind === "block") {
        if (c === "/" && input[i + 1] === "*") {
          this.state = { kind: "block", depth: s.depth + 1 }
          i++
        } else if (c === "*" && input[i + 1] === "/") {
          this.state = s.depth === 1 ? normal : { kind: "block", depth: s.depth - 1 }
          i++
        }
      } else if (s.kind === "single") {
        this.note(c)
        if (s.escapes && c === "\\") {
          this.note(input[i + 1] ?? "")
          i++
        } else if (c === "'") this.state = normal
      } else if (s.kind === "double") {
        this.note(c)
        if (c === '"') this.state = normal
      } else if (input.startsWith(s.tag, i)) {
        this.note(s.tag)
        this.state = normal
        i += s.tag.length
        this.prev = "$"
        continue
      }
      this.prevBefore = this.prev
      this.prev = c
      i++
    }
    return { ends, meta }
  }

  private prevBefore = ""

  private note(text: string): void {
    if (this.statement.length < 4096) this.statement += text
  }
}

/**
 * Filter for PostgreSQL plain dumps (and for pg_restore's script output of custom/tar archives).
 * `rewrites` counts what was dropped or replaced. A pg_dump whose header is there but whose
 * "dump complete" trailer is missing, or that ends inside a statement or COPY data, is refused.
 */
export class PgDumpFilter extends LineFilter {
  readonly rewrites: Rewrites = {}
  private readonly scanner = new PgScanner()
  private copying = false
  private dropping = false
  private started = false
  private pgDump = false
  private completed = false

  private readonly options: PgFilterOptions

  constructor(options: PgFilterOptions) {
    super(options)
    this.options = options
  }

  private count(rule: string): void {
    this.rewrites[rule] = (this.rewrites[rule] ?? 0) + 1
  }

  private readonly statementEnded = (statement: string): void => {
    if (/^\s*COPY\b[\s\S]*\bFROM\s+STDIN\b/i.test(statement)) this.copying = true
    const conforming = /^\s*SET\s+(?:SESSION\s+|LOCAL\s+)?standard_conforming_strings\s*(?:=|TO)\s*'?(\w+)/i.exec(statement)
    if (conforming !== null) this.scanner.stdStrings = /^(?:on|true|1|yes)$/i.test(conforming[1] as string)
    const encoding = /client_encoding['"]?\s*(?:=|TO|,)\s*'?([A-Za-z0-9_]+)/i.exec(statement)
    if (encoding !== null && unsafeEncodings.test(encoding[1] as string))
      throw new DumpRefused(`the dump uses the client encoding ${encoding[1]}, which psql reads differently; convert it to UTF8 first`)
  }

  private prefix(): string {
    if (this.started) return ""
    this.started = true
    return this.options.restrictKey !== undefined ? `\\restrict ${this.options.restrictKey}\n` : ""
  }

  private refuse(at: number): never {
    throw new DumpRefused(`line ${this.lineNo + 1} (${at}): a psql meta-command inside an SQL statement`)
  }

  /** Scans a piece of SQL text, refusing meta-commands; returns what to write. */
  private sql(text: string, final: boolean): string {
    const wasCopying = this.copying
    const { ends, meta } = this.scanner.scan(text, final, this.statementEnded)
    if (meta.length > 0) this.refuse(meta[0] as number)
    if (this.dropping) {
      if (ends.length === 0) return ""
      this.dropping = false
      const rest = text.slice(ends[0])
      return rest.trim() === "" ? "" : rest
    }
    if (!wasCopying && this.copying && ends.length > 0 && text.slice(ends[ends.length - 1]).trim() !== "")
      throw new DumpRefused(`line ${this.lineNo + 1}: text after COPY … FROM stdin on the same line`)
    return text
  }

  /** Start of a line outside COPY data and outside any statement: meta-command lines and dropped statements. */
  private statementStart(text: string): string | undefined {
    const start = text.trimStart()
    if (start.startsWith("\\")) {
      const command = /^\\([A-Za-z!.?]+)/.exec(start)?.[1] ?? "?"
      this.count(`psql meta-command removed (\\${command})`)
      return `-- ferry: removed a psql meta-command (\\${command})\n`
    }
    for (const [pattern, rule] of droppedStatements)
      if (pattern.test(start)) {
        this.count(rule)
        this.dropping = true
        return undefined
      }
    return undefined
  }

  protected line(text: string): string {
    const prefix = this.prefix()
    if (this.lineNo < 5 && /^-- PostgreSQL database dump\s*$/.test(text)) this.pgDump = true
    if (/^-- PostgreSQL database dump complete\s*$/.test(text)) this.completed = true
    if (this.copying) {
      if (/^\\\.\r?\n?$/.test(text)) this.copying = false
      return prefix + text
    }
    if (this.scanner.state.kind === "normal" && !this.scanner.inStatement && !this.dropping) {
      const replaced = this.statementStart(text)
      if (replaced !== undefined) return prefix + replaced
    }
    return prefix + this.sql(text, true)
  }

  protected longHead(text: string): { readonly out: string; readonly rest: "pass" | "drop" } {
    const prefix = this.prefix()
    if (this.copying) return { out: prefix + text, rest: "pass" }
    if (this.scanner.state.kind === "normal" && !this.scanner.inStatement && !this.dropping) {
      const replaced = this.statementStart(text)
      if (replaced !== undefined) return { out: prefix + replaced, rest: "drop" }
    }
    return { out: prefix + this.sql(text, false), rest: "pass" }
  }

  protected override longRest(text: string): string {
    if (this.copying) return text
    return this.sql(text, text.endsWith("\n"))
  }

  protected trailer(): string {
    if (this.copying) throw new DumpRefused("the dump ends inside COPY data: it is truncated")
    const state = this.scanner.state.kind
    if (this.dropping || this.scanner.inStatement || (state !== "normal" && state !== "line-comment"))
      throw new DumpRefused("the dump ends inside a statement: it is truncated")
    if (this.pgDump && !this.completed) throw new DumpRefused('the dump has no "PostgreSQL database dump complete" line: it is truncated')
    const prefix = this.prefix()
    return prefix + (this.options.restrictKey !== undefined ? `\\unrestrict ${this.options.restrictKey}\n` : "")
  }

  override _flush(callback: TransformCallback): void {
    const before = this.options.beforeEnd
    if (before === undefined) {
      super._flush(callback)
      return
    }
    before().then(
      () => super._flush(callback),
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
    )
  }
}
