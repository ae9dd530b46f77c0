import { Readable, Transform, type TransformCallback } from "node:stream"
import { createGunzip, createZstdDecompress } from "node:zlib"

/*
 * Dumps are hostile input (security rules 20–24, checklist items 33–40). They are filtered in
 * stream, line by line, before a client sees them: memory stays flat because only the first
 * `headBytes` of a line are held (a 1 GiB extended INSERT passes through in chunks), and a line
 * longer than `maxLineBytes` is refused. Lines are handled as latin1 strings so every byte of
 * the dump reaches the server unchanged unless a rule rewrites it.
 */

export class DumpRefused extends Error {
  override readonly name = "DumpRefused"
}

export type DumpFormat = "sql" | "pg-custom" | "pg-tar"

export interface OpenedDump {
  readonly format: DumpFormat
  readonly compression: "none" | "gzip" | "zstd"
  readonly stream: Readable
}

/** The first `bytes` of a stream, and a stream that yields the whole body again. */
const peek = async (source: Readable, bytes: number): Promise<{ head: Buffer; stream: Readable }> => {
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>
  const chunks: Array<Buffer> = []
  let total = 0
  let ended = false
  while (total < bytes) {
    const next = await iterator.next()
    if (next.done === true) {
      ended = true
      break
    }
    chunks.push(next.value)
    total += next.value.length
  }
  const head = Buffer.concat(chunks)
  async function* body() {
    if (head.length > 0) yield head
    if (ended) return
    for (;;) {
      const next = await iterator.next()
      if (next.done === true) return
      yield next.value
    }
  }
  return { head, stream: Readable.from(body(), { objectMode: false }) }
}

const formatOf = (head: Buffer): DumpFormat =>
  head.subarray(0, 5).toString("latin1") === "PGDMP"
    ? "pg-custom"
    : head.subarray(257, 262).toString("latin1") === "ustar"
      ? "pg-tar"
      : "sql"

/** Recognises a dump by its first bytes: gzip or zstd (decompressed once), pg_dump custom or tar, else SQL text. */
export const openDump = async (source: Readable): Promise<OpenedDump> => {
  const first = await peek(source, 512)
  const magic = first.head.subarray(0, 4)
  const compression =
    magic[0] === 0x1f && magic[1] === 0x8b ? "gzip" : magic.equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd])) ? "zstd" : "none"
  if (compression === "none") return { format: formatOf(first.head), compression, stream: first.stream }
  const decompressor = compression === "gzip" ? createGunzip() : createZstdDecompress()
  first.stream.on("error", (error) => decompressor.destroy(error))
  const inner = await peek(first.stream.pipe(decompressor), 512)
  return { format: formatOf(inner.head), compression, stream: inner.stream }
}

export interface LineLimits {
  /** Bytes of a line held for the rules; the rest of a longer line streams through. */
  readonly headBytes?: number
  /** A longer line is refused (a row larger than any max_allowed_packet). */
  readonly maxLineBytes?: number
}

/**
 * Splits a byte stream into lines with a bounded buffer. A line that fits in `headBytes` goes to
 * `line`; a longer one goes to `longHead` with its first bytes and then to `longRest` in chunks.
 */
export abstract class LineFilter extends Transform {
  private parts: Array<Buffer> = []
  private held = 0
  private lineBytes = 0
  private mode: "head" | "pass" | "drop" = "head"
  protected lineNo = 0
  private readonly headBytes: number
  private readonly maxLineBytes: number

  constructor(limits: LineLimits) {
    super()
    this.headBytes = limits.headBytes ?? 256 * 1024
    this.maxLineBytes = limits.maxLineBytes ?? 1024 * 1024 * 1024
  }

  /** A whole line (with its "\n" unless it is the last); returns what to write. */
  protected abstract line(text: string): string
  /** The first bytes of a long line: what to write, and whether the rest passes or is dropped. */
  protected abstract longHead(text: string): { readonly out: string; readonly rest: "pass" | "drop" }
  protected longRest(text: string): string {
    return text
  }
  /** Appended after the last line; throws DumpRefused when the dump is incomplete. */
  protected abstract trailer(): string

  private emitText(text: string): void {
    if (text !== "") this.push(Buffer.from(text, "latin1"))
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      let start = 0
      while (start < chunk.length) {
        const newline = chunk.indexOf(10, start)
        const end = newline === -1 ? chunk.length : newline + 1
        const piece = chunk.subarray(start, end)
        this.lineBytes += piece.length
        if (this.lineBytes > this.maxLineBytes)
          throw new DumpRefused(`line ${this.lineNo + 1} is longer than ${this.maxLineBytes} bytes (a row larger than max_allowed_packet)`)
        if (this.mode === "head") {
          this.parts.push(piece)
          this.held += piece.length
          if (newline !== -1) this.emitText(this.line(this.takeLine()))
          else if (this.held > this.headBytes) {
            const head = this.longHead(this.takeLine())
            this.emitText(head.out)
            this.mode = head.rest
          }
        } else if (this.mode === "pass") this.emitText(this.longRest(piece.toString("latin1")))
        if (newline !== -1) {
          this.mode = "head"
          this.lineBytes = 0
          this.lineNo++
        }
        start = end
      }
      callback()
    } catch (error) {
      callback(error as Error)
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      if (this.held > 0) this.emitText(this.line(this.takeLine()))
      this.emitText(this.trailer())
      callback()
    } catch (error) {
      callback(error as Error)
    }
  }

  private takeLine(): string {
    const text = Buffer.concat(this.parts).toString("latin1")
    this.parts = []
    this.held = 0
    return text
  }
}

/* MySQL / MariaDB --------------------------------------------------------------------------- */

export interface MysqlFilterOptions extends LineLimits {
  /** MariaDB does not know MySQL 8's `_0900_` collations: rewrite them (checklist item 37). */
  readonly targetIsMariaDb: boolean
}

/** What a filter changed, by rule; the import log lists the counts. */
export type Rewrites = Record<string, number>

const definer =
  /DEFINER\s*=\s*(?:`(?:[^`]|``)*`|'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*"|[A-Za-z0-9_$.-]+)(?:\s*@\s*(?:`(?:[^`]|``)*`|'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*"|[A-Za-z0-9_$.%:-]+))?/gi
const dataLine = /^(?:INSERT|REPLACE)\s/i
const version = String.raw`(?:\/\*!\d*\s*)?`
const droppedStatements: ReadonlyArray<readonly [RegExp, string]> = [
  [/^\s*USE\s/i, "USE statement dropped"],
  [new RegExp(`^\\s*${version}(?:CREATE|DROP|ALTER)\\s+(?:DATABASE|SCHEMA)\\b`, "i"), "CREATE/DROP DATABASE dropped"],
  // Binary log and GTID settings need SUPER; they say nothing about the data.
  [new RegExp(`^\\s*${version}SET\\s+@@(?:GLOBAL\\.|SESSION\\.SQL_LOG_BIN)`, "i"), "binary-log setting dropped"],
]

/**
 * MySQL dump rules: `DEFINER=…` becomes `DEFINER=CURRENT_USER` (the shadow account; the commit
 * re-creates stored objects for the tenant), `USE` and `CREATE DATABASE` are dropped (the client
 * is already in the staging database), MariaDB's sandbox line is dropped (`--binary-mode` does
 * the same for every client), and `_0900_` collations become `utf8mb4_unicode_ci` on MariaDB.
 * Data lines (INSERT/REPLACE) are never rewritten. A mysqldump whose header is there but whose
 * "Dump completed" trailer is missing is refused as truncated.
 */
export class MysqlDumpFilter extends LineFilter {
  readonly rewrites: Rewrites = {}
  private dropping = false
  private mysqldump = false
  private completed = false
  /** Inside a multi-line INSERT (phpMyAdmin writes one row per line): data, never rewritten. */
  private inData = false

  private readonly options: MysqlFilterOptions

  constructor(options: MysqlFilterOptions) {
    super(options)
    this.options = options
  }

  private count(rule: string, n = 1): void {
    this.rewrites[rule] = (this.rewrites[rule] ?? 0) + n
  }

  private rewrite(text: string): string {
    if (dataLine.test(text)) {
      this.inData = !/;\s*$/.test(text)
      return text
    }
    let out = text.replace(definer, (match) => {
      if (/^DEFINER\s*=\s*CURRENT_USER\b/i.test(match)) return match
      this.count("DEFINER rewritten to the loading account")
      return "DEFINER=CURRENT_USER"
    })
    if (this.options.targetIsMariaDb)
      out = out.replace(/\butf8mb4_0900_(\w+)/g, (_, kind: string) => {
        this.count("utf8mb4_0900 collation rewritten to utf8mb4_unicode_ci (MariaDB has no _0900_ collations)")
        return kind === "bin" ? "utf8mb4_bin" : "utf8mb4_unicode_ci"
      })
    return out
  }

  protected line(text: string): string {
    if (this.lineNo < 5 && /^-- (MySQL|MariaDB) dump \d/.test(text)) this.mysqldump = true
    if (/^-- Dump completed/.test(text)) this.completed = true
    if (this.inData) {
      this.inData = !/;\s*$/.test(text)
      return text
    }
    if (this.dropping) {
      if (/;\s*$/.test(text)) this.dropping = false
      return ""
    }
    if (this.lineNo < 3 && /^\/\*M?!999999\\- enable the sandbox mode \*\/\s*$/.test(text)) {
      this.count("MariaDB sandbox line dropped (the client runs with --binary-mode)")
      return ""
    }
    for (const [pattern, rule] of droppedStatements)
      if (pattern.test(text)) {
        this.count(rule)
        this.dropping = !/;\s*(\*\/\s*;?\s*)?$/.test(text)
        return ""
      }
    return this.rewrite(text)
  }

  protected longHead(text: string): { readonly out: string; readonly rest: "pass" | "drop" } {
    // A long line is taken as a whole statement (mysqldump's extended INSERT).
    if (this.inData || dataLine.test(text)) {
      this.inData = false
      return { out: text, rest: "pass" }
    }
    for (const [pattern, rule] of droppedStatements)
      if (pattern.test(text)) {
        this.count(rule)
        return { out: "", rest: "drop" }
      }
    return { out: this.rewrite(text), rest: "pass" }
  }

  protected trailer(): string {
    if (this.dropping) throw new DumpRefused("the dump ends inside a statement (truncated?)")
    if (this.mysqldump && !this.completed) throw new DumpRefused('the dump has no "-- Dump completed" line: it is truncated')
    return ""
  }
}
