import * as zlib from "node:zlib"

/*
 * A tiny ZIP writer for tests and fixtures: stored or deflated members, Unix modes in the
 * external attributes (version made by 3 = Unix), and the shapes hostile cases need (names
 * given as raw bytes, a declared size that differs from the body, encrypted flags). Built in
 * memory: for small archives only.
 */

export interface ZipMember {
  /** UTF-8 name (bit 11 set), or raw bytes written as they are (bit 11 clear). */
  readonly name: string | Uint8Array
  readonly body?: Uint8Array | string
  /** Unix mode with file type (0o100644 file, 0o040755 directory, 0o120777 symlink). */
  readonly mode?: number
  /** Deflate the body (method 8) instead of storing it. */
  readonly deflate?: boolean
  /** Uncompressed size written in the headers (zip64 when above 4 GiB); default: the body's. */
  readonly declaredSize?: number
  /** CRC-32 written in the headers; default: the body's. */
  readonly crc?: number
  /** Set the "encrypted" flag (the body is not actually encrypted). */
  readonly encryptedFlag?: boolean
  /** DOS time fields; default 2024-05-01 12:00. */
  readonly dosTime?: number
  readonly dosDate?: number
}

const defaultDosTime = 12 << 11
const defaultDosDate = ((2024 - 1980) << 9) | (5 << 5) | 1

export const zipArchive = (members: ReadonlyArray<ZipMember>): Buffer => {
  const locals: Array<Buffer> = []
  const centrals: Array<Buffer> = []
  let offset = 0
  for (const member of members) {
    const utf8 = typeof member.name === "string"
    const name = typeof member.name === "string" ? Buffer.from(member.name, "utf8") : Buffer.from(member.name)
    const raw = typeof member.body === "string" ? Buffer.from(member.body, "utf8") : Buffer.from(member.body ?? new Uint8Array())
    const stored = member.deflate ? zlib.deflateRawSync(raw) : raw
    const method = member.deflate ? 8 : 0
    const crc = member.crc ?? zlib.crc32(raw)
    const declared = member.declaredSize ?? raw.length
    const zip64 = declared > 0xfffffffe
    const extra = zip64 ? Buffer.alloc(12) : Buffer.alloc(0)
    if (zip64) {
      extra.writeUInt16LE(0x0001, 0)
      extra.writeUInt16LE(8, 2)
      extra.writeBigUInt64LE(BigInt(declared), 4)
    }
    const flags = (utf8 ? 0x800 : 0) | (member.encryptedFlag ? 0x1 : 0)
    const time = member.dosTime ?? defaultDosTime
    const date = member.dosDate ?? defaultDosDate

    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(zip64 ? 45 : 20, 4)
    local.writeUInt16LE(flags, 6)
    local.writeUInt16LE(method, 8)
    local.writeUInt16LE(time, 10)
    local.writeUInt16LE(date, 12)
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(stored.length, 18)
    local.writeUInt32LE(zip64 ? 0xffffffff : declared, 22)
    local.writeUInt16LE(name.length, 26)
    local.writeUInt16LE(extra.length, 28)

    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE((3 << 8) | 20, 4)
    central.writeUInt16LE(zip64 ? 45 : 20, 6)
    central.writeUInt16LE(flags, 8)
    central.writeUInt16LE(method, 10)
    central.writeUInt16LE(time, 12)
    central.writeUInt16LE(date, 14)
    central.writeUInt32LE(crc, 16)
    central.writeUInt32LE(stored.length, 20)
    central.writeUInt32LE(zip64 ? 0xffffffff : declared, 24)
    central.writeUInt16LE(name.length, 28)
    central.writeUInt16LE(extra.length, 30)
    central.writeUInt32LE(((member.mode ?? 0o100644) << 16) >>> 0, 38)
    central.writeUInt32LE(offset, 42)

    locals.push(local, name, extra, stored)
    centrals.push(central, name, extra)
    offset += local.length + name.length + extra.length + stored.length
  }
  const directory = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(members.length, 8)
  end.writeUInt16LE(members.length, 10)
  end.writeUInt32LE(directory.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, directory, end])
}
