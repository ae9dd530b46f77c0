import type { Readable } from "node:stream"
import * as zlib from "node:zlib"
import { createBunzip2 } from "./Bzip2.ts"
import { looksLikeMimeDump } from "./MimeParser.ts"

/** What the first bytes of a file say it is; file names are never trusted. */
export type Container =
  | "tar"
  | "tar.gz"
  | "tar.zst"
  | "tar.bz2"
  | "gzip"
  | "zstd"
  | "zip"
  | "bzip2"
  | "xz"
  /** OpenSSL `enc` output (`Salted__`): decrypted while scanning (see `Encrypted.ts`). */
  | "aes"
  /** A DAR slice (old ispmanager 5 backups): recognised only to be refused clearly. */
  | "dar"
  /** A MIME multipart dump (Plesk 7/8), plain or gzip-compressed: scanned part by part (`MimeScanner.ts`). */
  | "mime"
  | "mime.gz"
  | "directory"
  | "unknown"

export const sniff = (head: Uint8Array): Exclude<Container, "directory" | "tar.gz" | "tar.zst" | "mime.gz"> => {
  const b = head
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) return "gzip"
  if (b.length >= 4 && b[0] === 0x28 && b[1] === 0xb5 && b[2] === 0x2f && b[3] === 0xfd) return "zstd"
  if (b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && (b[2] === 0x03 || b[2] === 0x05) && (b[3] === 0x04 || b[3] === 0x06)) {
    return "zip"
  }
  if (b.length >= 3 && b[0] === 0x42 && b[1] === 0x5a && b[2] === 0x68) return "bzip2"
  if (b.length >= 6 && b[0] === 0xfd && b[1] === 0x37 && b[2] === 0x7a && b[3] === 0x58 && b[4] === 0x5a && b[5] === 0x00) {
    return "xz"
  }
  if (isTarHeader(b)) return "tar"
  if (looksLikeMimeDump(b)) return "mime"
  return "unknown"
}

/** A 512-byte block with "ustar" at 257, or a v7 header whose checksum adds up. */
export const isTarHeader = (b: Uint8Array): boolean => {
  if (b.length < 512) return false
  const magic = Buffer.from(b.subarray(257, 262)).toString("latin1")
  if (magic === "ustar") return true
  const stored = Number.parseInt(
    Buffer.from(b.subarray(148, 156))
      .toString("latin1")
      .replace(/[\0 ]+$/, "")
      .trim(),
    8,
  )
  if (!Number.isFinite(stored)) return false
  let sum = 0
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : (b[i] ?? 0)
  return sum === stored && b[0] !== 0
}

/** Inflate settings measured fastest on these machines (stack.md §3.3). */
const chunkSize = 256 * 1024

export const decompressor = (kind: "gzip" | "zstd" | "bzip2"): Readable & NodeJS.WritableStream =>
  kind === "gzip" ? zlib.createGunzip({ chunkSize }) : kind === "zstd" ? zlib.createZstdDecompress({ chunkSize }) : createBunzip2(chunkSize)
