import { Readable } from "node:stream"
import { prng } from "./Deterministic.ts"

/*
 * Bodies for synthetic backups: exact sizes, deterministic, streamed in 64 KiB slices of a fixed
 * pool per kind, so gigabytes cost no memory beyond the pools. Each pool mixes text and noise so
 * gzip ratios land where real backups do (dumps ~3×, mail ~2×, web content ~1.3×); slices start at
 * pseudo-random offsets of a 4 MiB pool, beyond gzip's 32 KiB window, so repetition does not help.
 */

export type ContentKind = "sql" | "mail" | "web-text" | "web-binary"

const poolBytes = 4 * 1024 * 1024
const sliceBytes = 64 * 1024

/** FNV-1a of a string mixed with a seed: a stable per-file seed. */
export const seedOf = (seed: number, text: string): number => {
  let hash = (0x811c9dc5 ^ seed) >>> 0
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash
}

const syllables = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "si", "de", "pa", "gu", "er", "an", "ol", "is", "te", "ba", "no", "ri", "za"]

const vocabulary = (() => {
  const next = prng(7)
  return Array.from({ length: 2048 }, () => {
    const length = 1 + (next() % 4)
    return Array.from({ length }, () => syllables[next() % syllables.length]).join("")
  })
})()

const words = (next: () => number, count: number): string =>
  Array.from({ length: count }, () => vocabulary[next() % vocabulary.length]).join(" ")

const hex = (next: () => number, chars: number): string => {
  let out = ""
  while (out.length < chars) out += next().toString(16).padStart(8, "0")
  return out.slice(0, chars)
}

const base64Noise = (next: () => number, bytes: number): string => {
  const raw = Buffer.alloc(bytes)
  for (let i = 0; i < bytes; i += 4) raw.writeUInt32LE(next(), Math.min(i, bytes - 4))
  return (raw.toString("base64").match(/.{1,76}/g) ?? []).join("\n")
}

const fill = (make: (next: () => number) => string, seed: number): Buffer => {
  const next = prng(seed)
  const parts: Array<string> = []
  let length = 0
  while (length < poolBytes) {
    const part = make(next)
    parts.push(part)
    length += Buffer.byteLength(part)
  }
  return Buffer.from(parts.join("")).subarray(0, poolBytes)
}

const builders: Record<ContentKind, () => Buffer> = {
  sql: () =>
    fill((next) => {
      const id = next() % 1_000_000
      return `INSERT INTO \`wp_posts\` VALUES (${id},${next() % 50},'2023-${1 + (next() % 12)}-${1 + (next() % 28)} ${next() % 24}:${next() % 60}:00','${words(next, 6 + (next() % 30))}','${words(next, 3)}','publish','${hex(next, 24)}',${next() % 9999},'${hex(next, 32)}');\n`
    }, 11),
  mail: () => fill((next) => (next() % 3 === 0 ? `${base64Noise(next, 600)}\n` : `${words(next, 12 + (next() % 60))}.\n\n`), 12),
  "web-text": () =>
    fill(
      (next) =>
        `<div class="${words(next, 1)}"><p>${words(next, 8 + (next() % 40))}</p><a href="/${words(next, 1)}/${hex(next, 12)}">${words(next, 2)}</a></div>\n`,
      13,
    ),
  "web-binary": () => {
    const next = prng(14)
    const out = Buffer.alloc(poolBytes)
    for (let i = 0; i < poolBytes; i += 4) {
      // Runs of repeated bytes among noise, like palette images and fonts.
      const value = next()
      out.writeUInt32LE(value % 5 === 0 ? 0 : value, i)
    }
    return out
  },
}

const pools = new Map<ContentKind, Buffer>()
const poolFor = (kind: ContentKind): Buffer => {
  let pool = pools.get(kind)
  if (pool === undefined) {
    pool = builders[kind]()
    pools.set(kind, pool)
  }
  return pool
}

function* slices(kind: ContentKind, size: number, seed: number, head: Buffer): Generator<Buffer> {
  let remaining = size
  if (head.length > 0) {
    const first = head.subarray(0, Math.min(head.length, remaining))
    remaining -= first.length
    yield first
  }
  if (remaining === 0) return
  const pool = poolFor(kind)
  const next = prng(seed)
  if (kind === "sql") {
    yield* sqlSlices(pool, remaining, next)
    return
  }
  while (remaining > 0) {
    const length = Math.min(sliceBytes, remaining)
    const offset = next() % (pool.length - length)
    remaining -= length
    yield pool.subarray(offset, offset + length)
  }
}

const sqlTrailer = Buffer.from("\n-- Dump completed on 2024-01-01  0:00:00\n")

/**
 * A loadable dump body: whole INSERT lines from the pool, padding as a comment, and mysqldump's
 * trailer, so the database importer can load it (and tell it from a truncated dump).
 */
function* sqlSlices(pool: Buffer, size: number, next: () => number): Generator<Buffer> {
  let remaining = size
  const reserve = Math.min(sqlTrailer.length, remaining)
  while (remaining - reserve > 256) {
    const want = Math.min(sliceBytes, remaining - reserve)
    const start = pool.indexOf(10, next() % (pool.length - sliceBytes)) + 1
    const end = pool.lastIndexOf(10, start + want - 1) + 1
    if (start <= 0 || end <= start) break
    remaining -= end - start
    yield pool.subarray(start, end)
  }
  const pad = remaining - reserve
  if (pad > 0) yield Buffer.from(pad >= 3 ? `--${" ".repeat(pad - 3)}\n` : "\n".repeat(pad))
  yield sqlTrailer.subarray(sqlTrailer.length - reserve)
}

/**
 * A lazy body of exactly `size` bytes: `head` (truncated if longer than `size`) followed by pool
 * slices chosen by `seed`. Every call returns a fresh stream with the same bytes.
 */
export const syntheticBody = (kind: ContentKind, size: number, seed: number, head = ""): (() => Readable) => {
  const headBytes = Buffer.from(head, "utf8")
  return () => Readable.from(slices(kind, size, seed, headBytes), { objectMode: false, highWaterMark: sliceBytes })
}

/** Short deterministic text, for small bodies built in memory. */
export const syntheticWords = (seed: number, count: number): string => words(prng(seed), count)

/** Deterministic lowercase hex. */
export const syntheticHex = (seed: number, chars: number): string => hex(prng(seed), chars)

const cryptAlphabet = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

/** A well-formed (but meaningless) SHA-512 crypt string. */
export const syntheticSha512Crypt = (seed: number): string => {
  const next = prng(seed)
  const pick = (n: number) => Array.from({ length: n }, () => cryptAlphabet[next() % 64]).join("")
  return `$6$${pick(16)}$${pick(86)}`
}

/** A well-formed (but meaningless) MySQL native password hash. */
export const syntheticMysqlHash = (seed: number): string => `*${syntheticHex(seed, 40).toUpperCase()}`
