import * as zlib from "node:zlib"

/*
 * A byte-level tar writer for tests. tar-stream's packer refuses (rightly) to write most hostile
 * shapes — `..` names, NUL bytes, overriding PAX records, GNU long-name blocks, sparse and device
 * types, broken checksums, v7 headers — so the hostile corpus builds its archives block by block
 * from the ustar / GNU / POSIX.1-2001 header layout.
 */

export const blockSize = 512

/** Single-character type flags of ustar, GNU and PAX headers. */
export const TypeFlag = {
  file: "0",
  oldFile: "\0",
  hardlink: "1",
  symlink: "2",
  charDevice: "3",
  blockDevice: "4",
  directory: "5",
  fifo: "6",
  contiguous: "7",
  pax: "x",
  paxGlobal: "g",
  gnuLongName: "L",
  gnuLongLink: "K",
  gnuSparse: "S",
  gnuVolumeLabel: "V",
} as const

export interface RawHeader {
  /** Written into the 100-byte name field as UTF-8 (truncated at 100 bytes). */
  readonly name: string
  readonly typeflag?: string
  readonly mode?: number
  readonly uid?: number
  readonly gid?: number
  /** Declared body size; the body itself is written separately (it may differ, e.g. truncation). */
  readonly size?: number
  /** Base-256 size encoding (GNU), needed above 8 GiB. */
  readonly sizeEncoding?: "octal" | "base256"
  readonly mtime?: number
  readonly linkname?: string
  readonly uname?: string
  readonly gname?: string
  readonly devmajor?: number
  readonly devminor?: number
  /** ustar "ustar\0" + "00"; gnu "ustar " + " \0"; v7 leaves the magic empty. */
  readonly format?: "ustar" | "gnu" | "v7"
  /** ustar prefix field (155 bytes), joined to the name with "/" by readers. */
  readonly prefix?: string
  /** Add this to the correct checksum (a non-zero value makes the header corrupt). */
  readonly checksumDelta?: number
}

const writeString = (block: Buffer, value: string, offset: number, length: number): void => {
  Buffer.from(value, "utf8").copy(block, offset, 0, length)
}

const writeOctal = (block: Buffer, value: number, offset: number, length: number): void => {
  const digits = Math.trunc(value).toString(8)
  if (digits.length > length - 1) throw new Error(`${value} does not fit in ${length - 1} octal digits`)
  writeString(block, `${digits.padStart(length - 1, "0")}\0`, offset, length)
}

const writeBase256 = (block: Buffer, value: number, offset: number, length: number): void => {
  let rest = value
  for (let i = length - 1; i > 0; i--) {
    block[offset + i] = rest % 256
    rest = Math.floor(rest / 256)
  }
  block[offset] = 0x80
}

/** Sum of the header bytes with the checksum field counted as eight spaces. */
export const headerChecksum = (block: Uint8Array): number => {
  let sum = 0
  for (let i = 0; i < blockSize; i++) sum += i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0)
  return sum
}

/** One 512-byte header block. */
export const header = (h: RawHeader): Buffer => {
  const block = Buffer.alloc(blockSize)
  writeString(block, h.name, 0, 100)
  writeOctal(block, h.mode ?? 0o644, 100, 8)
  writeOctal(block, h.uid ?? 1000, 108, 8)
  writeOctal(block, h.gid ?? 1000, 116, 8)
  if (h.sizeEncoding === "base256") writeBase256(block, h.size ?? 0, 124, 12)
  else writeOctal(block, h.size ?? 0, 124, 12)
  writeOctal(block, h.mtime ?? 1_700_000_000, 136, 12)
  const typeflag = h.typeflag ?? TypeFlag.file
  block[156] = typeflag === "\0" ? 0 : typeflag.charCodeAt(0)
  if (h.linkname !== undefined) writeString(block, h.linkname, 157, 100)
  const format = h.format ?? "ustar"
  if (format === "ustar") {
    writeString(block, "ustar\0", 257, 6)
    writeString(block, "00", 263, 2)
  } else if (format === "gnu") {
    writeString(block, "ustar ", 257, 6)
    writeString(block, " \0", 263, 2)
  }
  if (format !== "v7") {
    writeString(block, h.uname ?? "user", 265, 32)
    writeString(block, h.gname ?? "user", 297, 32)
    writeOctal(block, h.devmajor ?? 0, 329, 8)
    writeOctal(block, h.devminor ?? 0, 337, 8)
    if (h.prefix !== undefined) writeString(block, h.prefix, 345, 155)
  }
  const checksum = headerChecksum(block) + (h.checksumDelta ?? 0)
  writeString(block, `${checksum.toString(8).padStart(6, "0")}\0 `, 148, 8)
  return block
}

/** A body padded with zeros to whole blocks. */
export const padded = (body: Uint8Array): Buffer => {
  const rest = body.length % blockSize
  return rest === 0 ? Buffer.from(body) : Buffer.concat([body, Buffer.alloc(blockSize - rest)])
}

const bodyBytes = (body: string | Uint8Array): Buffer => (typeof body === "string" ? Buffer.from(body, "utf8") : Buffer.from(body))

/** A header followed by its padded body; `size` defaults to the body's length. */
export const entry = (h: RawHeader, body: string | Uint8Array = ""): Buffer => {
  const bytes = bodyBytes(body)
  return Buffer.concat([header({ ...h, size: h.size ?? bytes.length }), padded(bytes)])
}

/** One PAX record, `"%d key=value\n"`, where the length counts the whole record including itself. */
export const paxRecord = (key: string, value: string): Buffer => {
  const payload = ` ${key}=${value}\n`
  const payloadBytes = Buffer.byteLength(payload)
  let length = payloadBytes + 1
  while (String(length).length + payloadBytes !== length) length = String(length).length + payloadBytes
  return Buffer.from(`${length}${payload}`, "utf8")
}

export type PaxRecords = ReadonlyArray<readonly [string, string]> | Readonly<Record<string, string>>

const recordsOf = (records: PaxRecords): ReadonlyArray<readonly [string, string]> =>
  Array.isArray(records) ? (records as ReadonlyArray<readonly [string, string]>) : Object.entries(records)

/** A PAX extended header (type `x`, applies to the next entry) or global header (type `g`). */
export const paxHeader = (records: PaxRecords, options: { readonly global?: boolean; readonly name?: string } = {}): Buffer => {
  const body = Buffer.concat(recordsOf(records).map(([key, value]) => paxRecord(key, value)))
  return entry(
    {
      name: options.name ?? (options.global ? "pax_global_header" : "PaxHeaders/entry"),
      typeflag: options.global ? TypeFlag.paxGlobal : TypeFlag.pax,
    },
    body,
  )
}

/** A GNU `././@LongLink` block carrying a long name (`L`) or a long link target (`K`). */
export const gnuLongName = (value: string, kind: "name" | "link" = "name"): Buffer =>
  entry(
    {
      name: "././@LongLink",
      typeflag: kind === "name" ? TypeFlag.gnuLongName : TypeFlag.gnuLongLink,
      format: "gnu",
      mode: 0o644,
      uid: 0,
      gid: 0,
    },
    Buffer.concat([Buffer.from(value, "utf8"), Buffer.alloc(1)]),
  )

/** Two zero blocks: the end-of-archive marker. */
export const endOfArchive = (): Buffer => Buffer.alloc(2 * blockSize)

/** Concatenate parts and append the end-of-archive marker. */
export const tar = (...parts: ReadonlyArray<Uint8Array>): Buffer => Buffer.concat([...parts, endOfArchive()])

/** Common entries with sensible defaults. */
export const file = (name: string, body: string | Uint8Array = "", h: Partial<RawHeader> = {}): Buffer =>
  entry({ name, typeflag: TypeFlag.file, ...h }, body)
export const directory = (name: string, h: Partial<RawHeader> = {}): Buffer =>
  entry({ name: name.endsWith("/") ? name : `${name}/`, typeflag: TypeFlag.directory, mode: 0o755, ...h })
export const symlink = (name: string, target: string, h: Partial<RawHeader> = {}): Buffer =>
  entry({ name, typeflag: TypeFlag.symlink, linkname: target, mode: 0o777, ...h })
export const hardlink = (name: string, target: string, h: Partial<RawHeader> = {}): Buffer =>
  entry({ name, typeflag: TypeFlag.hardlink, linkname: target, ...h })

export const gzip = (bytes: Uint8Array): Buffer => zlib.gzipSync(bytes)
export const zstd = (bytes: Uint8Array): Buffer => zlib.zstdCompressSync(bytes)
