/*
 * A streaming MIME multipart reader for single-file panel dumps (Plesk 7/8, plesk.md §2.1):
 * headers up to the first blank line, parts separated by `--BOUNDARY` lines, nested multiparts
 * (signed dumps) followed into, bodies decoded per Content-Transfer-Encoding. Bodies stream in
 * chunks; memory holds one chunk plus a delimiter's worth of look-behind.
 */

/** A malformed dump; the scanner turns it into an `ArchiveError`. */
export class MimeFormatError extends Error {
  override readonly name = "MimeFormatError"
  readonly kind: "corrupt" | "unsupported" | "too-deep"
  constructor(kind: "corrupt" | "unsupported" | "too-deep", message: string) {
    super(message)
    this.kind = kind
  }
}

export const corrupt = (message: string) => new MimeFormatError("corrupt", message)

const maxLineBytes = 16 * 1024
const maxHeaderBytes = 64 * 1024
const maxHeaderLines = 256
/** Multiparts inside multiparts: a signed dump is one level. */
export const maxMultipartDepth = 4

/**
 * True when the first bytes are mail-style header lines that declare a multipart body: the
 * start of a MIME dump. Header names are printable ASCII; nothing before the headers.
 */
export const looksLikeMimeDump = (head: Uint8Array): boolean => {
  const text = Buffer.from(head.subarray(0, 64 * 1024)).toString("latin1")
  const end = /\r?\n\r?\n/.exec(text)
  const headers = end ? text.slice(0, end.index + end[0].length) : text
  if (headers.includes("\u0000")) return false
  const lines = headers.split(/\r?\n/)
  let multipart = false
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string
    if (line === "") return i > 0 && multipart
    if (i === lines.length - 1) break // cut off by the end of the head
    if (i > 0 && (line.startsWith(" ") || line.startsWith("\t"))) continue
    if (!/^[!-9;-~]+:/.test(line)) return false
    if (/^content-type:[ \t]*multipart\//i.test(line)) multipart = true
  }
  return multipart
}

export const LF = 0x0a
export const CR = 0x0d

/** Bytes of an async iterator with line reads and delimiter search. */
export class ByteSource {
  private buffer: Buffer = Buffer.alloc(0)
  private inputEnded = false
  private readonly iterator: AsyncIterator<Uint8Array>

  constructor(iterator: AsyncIterator<Uint8Array>) {
    this.iterator = iterator
  }

  /** Read more input; false at the end of the input. */
  private async more(): Promise<boolean> {
    if (this.inputEnded) return false
    const next = await this.iterator.next()
    if (next.done) {
      this.inputEnded = true
      return false
    }
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value)
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk])
    return true
  }

  /** One line without its CR LF (latin1), or undefined at the end of the input. */
  async readLine(): Promise<string | undefined> {
    let searched = 0
    while (true) {
      const at = this.buffer.indexOf(LF, searched)
      if (at >= 0) {
        if (at > maxLineBytes) throw corrupt(`a header line is longer than ${maxLineBytes} bytes`)
        const end = at > 0 && this.buffer[at - 1] === CR ? at - 1 : at
        const line = this.buffer.toString("latin1", 0, end)
        this.buffer = this.buffer.subarray(at + 1)
        return line
      }
      searched = this.buffer.length
      if (searched > maxLineBytes) throw corrupt(`a header line is longer than ${maxLineBytes} bytes`)
      if (!(await this.more())) {
        if (this.buffer.length === 0) return undefined
        const line = this.buffer.toString("latin1")
        this.buffer = Buffer.alloc(0)
        return line
      }
    }
  }

  /**
   * The data up to the next line that starts with `delimiter` (followed by `--`, blanks or the
   * line end), in chunks. The delimiter itself is consumed; the line break before it belongs to
   * the delimiter. A reader that stops early can `drain` the rest.
   */
  until(delimiter: Buffer): BodyReader {
    return new BodyReader(this, delimiter)
  }

  /** Internal: the buffer and refill for `BodyReader`. */
  get ended(): boolean {
    return this.inputEnded
  }
  get pending(): Buffer {
    return this.buffer
  }
  consume(bytes: number): void {
    this.buffer = this.buffer.subarray(bytes)
  }
  async fill(): Promise<boolean> {
    return this.more()
  }
}

const isDelimiterEnd = (byte: number | undefined): boolean =>
  byte === undefined || byte === 0x2d || byte === 0x20 || byte === 0x09 || byte === CR || byte === LF

/** The body of one part, read chunk by chunk until its delimiter. */
export class BodyReader {
  private readonly source: ByteSource
  private readonly needle: Buffer
  private readonly delimiter: Buffer
  private atStart = true
  private done = false

  constructor(source: ByteSource, delimiter: Buffer) {
    this.source = source
    this.delimiter = delimiter
    this.needle = Buffer.concat([Buffer.from([LF]), delimiter])
  }

  /** The next chunk of the body, or undefined once the delimiter was reached. */
  async next(): Promise<Buffer | undefined> {
    if (this.done) return undefined
    // Enough look-behind that a delimiter (and the CR before it) is never split between chunks.
    const keep = this.needle.length + 1
    while (true) {
      const buffer = this.source.pending
      if (this.atStart) {
        if (buffer.length < this.delimiter.length + 1 && (await this.source.fill())) continue
        this.atStart = false
        if (buffer.subarray(0, this.delimiter.length).equals(this.delimiter) && isDelimiterEnd(buffer[this.delimiter.length])) {
          this.source.consume(this.delimiter.length)
          this.done = true
          return undefined
        }
      }
      let found = -1
      let needMore = false
      for (let from = 0; ; ) {
        const at = buffer.indexOf(this.needle, from)
        if (at < 0) break
        const after = at + this.needle.length
        if (after >= buffer.length && !this.source.ended) {
          needMore = true
          break
        }
        if (isDelimiterEnd(buffer[after])) {
          found = at
          break
        }
        from = at + 1
      }
      if (found >= 0) {
        const end = found > 0 && buffer[found - 1] === CR ? found - 1 : found
        this.source.consume(found + this.needle.length)
        this.done = true
        return end > 0 ? buffer.subarray(0, end) : undefined
      }
      if (needMore) {
        await this.source.fill()
        continue
      }
      if (buffer.length > keep) {
        this.source.consume(buffer.length - keep)
        return buffer.subarray(0, buffer.length - keep)
      }
      if (!(await this.source.fill())) throw corrupt("the dump ends inside a part (no closing boundary)")
    }
  }

  /** Skip the rest of the body. */
  async drain(): Promise<void> {
    while ((await this.next()) !== undefined) {
      // discard
    }
  }
}

export interface Headers {
  /** Lower-cased names; the first occurrence wins. */
  readonly values: ReadonlyMap<string, string>
}

/** Header lines up to a blank line, unfolded, capped in size. Undefined at the end of input. */
export const readHeaders = async (source: ByteSource): Promise<Headers | undefined> => {
  const values = new Map<string, string>()
  let last: string | undefined
  let skipping = false
  let bytes = 0
  let lines = 0
  let sawAny = false
  while (true) {
    const line = await source.readLine()
    if (line === undefined) {
      if (!sawAny) return undefined
      throw corrupt("the dump ends inside a header block")
    }
    sawAny = true
    bytes += line.length + 1
    lines++
    if (bytes > maxHeaderBytes || lines > maxHeaderLines) throw corrupt("a header block is too large")
    if (line === "") return { values }
    if ((line.startsWith(" ") || line.startsWith("\t")) && last !== undefined) {
      if (!skipping) values.set(last, `${values.get(last) ?? ""} ${line.trim()}`)
      continue
    }
    const match = /^([!-9;-~]+):[ \t]*(.*)$/.exec(line)
    if (!match) throw corrupt(`not a header line: ${JSON.stringify(line.slice(0, 60))}`)
    const name = (match[1] as string).toLowerCase()
    last = name
    // A repeated header keeps its first value (a second Content-Type cannot re-route a part).
    skipping = values.has(name)
    if (!skipping) values.set(name, (match[2] as string).trim())
  }
}

/** `type/subtype; a=b; c="d"` → the type and its parameters (names lower-cased). */
export const parseParameters = (value: string): { readonly value: string; readonly params: ReadonlyMap<string, string> } => {
  const params = new Map<string, string>()
  const semicolon = value.indexOf(";")
  const head = (semicolon < 0 ? value : value.slice(0, semicolon)).trim().toLowerCase()
  let rest = semicolon < 0 ? "" : value.slice(semicolon + 1)
  while (rest.length > 0) {
    const match = /^\s*([^=;\s]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)\s*(?:;|$)/.exec(rest)
    if (!match) break
    const name = (match[1] as string).toLowerCase()
    let raw = (match[2] as string).trim()
    if (raw.startsWith('"')) raw = raw.slice(1, -1).replace(/\\(.)/g, "$1")
    if (!params.has(name)) params.set(name, raw)
    rest = rest.slice(match[0].length)
  }
  return { value: head, params }
}

/** RFC 2231 `filename*=utf-8''na%20me`. */
const extendedValue = (raw: string): string | undefined => {
  const match = /^([^']*)'[^']*'(.*)$/.exec(raw)
  if (!match) return undefined
  try {
    const bytes = Buffer.from(
      (match[2] as string).replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
      "latin1",
    )
    return /^utf-?8$/i.test(match[1] as string) ? bytes.toString("utf8") : bytes.toString("latin1")
  } catch {
    return undefined
  }
}

export interface PartInfo {
  /** Entry name: disposition filename, type name, Content-ID, `dump.xml` for an unnamed XML part, or `part-N`. */
  readonly name: string
  readonly contentType: string
  readonly encoding: string
  /** Inner boundary when the part is itself a multipart. */
  readonly boundary: string | undefined
}

export const partInfo = (headers: Headers, index: number): PartInfo => {
  const type = parseParameters(headers.values.get("content-type") ?? "text/plain")
  const disposition = parseParameters(headers.values.get("content-disposition") ?? "")
  const filenameStar = disposition.params.get("filename*")
  const contentId = headers.values
    .get("content-id")
    ?.trim()
    .replace(/^<(.*)>$/, "$1")
  const name =
    (filenameStar !== undefined ? extendedValue(filenameStar) : undefined) ||
    disposition.params.get("filename") ||
    type.params.get("name") ||
    contentId ||
    (type.value === "text/xml" || type.value === "application/xml" ? "dump.xml" : `part-${index}`)
  const boundary = type.value.startsWith("multipart/") ? type.params.get("boundary") : undefined
  return {
    name,
    contentType: type.value,
    encoding: (headers.values.get("content-transfer-encoding") ?? "binary").trim().toLowerCase(),
    boundary,
  }
}

/** One leaf part, positioned at the start of its body. */
export interface LeafPart extends PartInfo {
  readonly index: number
  readonly body: BodyReader
}

/**
 * Every leaf part of a MIME dump, in order. The top headers must declare a multipart with a
 * boundary. The caller reads (or drains) each part's body before asking for the next.
 */
export async function* leafParts(source: ByteSource): AsyncGenerator<LeafPart, void, void> {
  const top = await readHeaders(source)
  if (top === undefined) throw corrupt("the file is empty")
  const info = partInfo(top, 0)
  if (info.boundary === undefined) throw corrupt("the top headers declare no multipart boundary")
  const counter = { parts: 0 }
  yield* multipart(source, info.boundary, 1, counter)
}

async function* multipart(
  source: ByteSource,
  boundary: string,
  depth: number,
  counter: { parts: number },
): AsyncGenerator<LeafPart, void, void> {
  if (depth > maxMultipartDepth) throw new MimeFormatError("too-deep", `multiparts nested more than ${maxMultipartDepth} deep`)
  if (boundary.length === 0 || boundary.length > 200) throw corrupt("a multipart boundary is empty or too long")
  const delimiter = Buffer.from(`--${boundary}`, "latin1")
  await source.until(delimiter).drain() // preamble
  let closed = await afterDelimiter(source)
  while (!closed) {
    const headers = await readHeaders(source)
    if (headers === undefined) throw corrupt("the dump ends where a part should start")
    counter.parts++
    const info = partInfo(headers, counter.parts)
    if (info.boundary !== undefined) {
      yield* multipart(source, info.boundary, depth + 1, counter)
      await source.until(delimiter).drain() // epilogue of the inner multipart
    } else {
      const body = source.until(delimiter)
      yield { ...info, index: counter.parts, body }
      await body.drain()
    }
    closed = await afterDelimiter(source)
  }
}

/** The rest of a delimiter line: `--` closes the multipart; anything else but blanks is an error. */
const afterDelimiter = async (source: ByteSource): Promise<boolean> => {
  const rest = await source.readLine()
  if (rest === undefined) return true
  if (rest.startsWith("--")) return true
  if (rest.trim() !== "") throw corrupt("text after a boundary delimiter")
  return false
}
