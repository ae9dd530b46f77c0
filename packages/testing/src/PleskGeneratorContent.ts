import { createCipheriv } from "node:crypto"
import type { Readable } from "node:stream"
import { pipeline } from "node:stream/promises"
import * as zlib from "node:zlib"
import tar from "tar-stream"
import type { TreeNode } from "./FixtureBuilder.ts"
import type { PleskPasswordSpec } from "./PleskGeneratorSpec.ts"
import { type ContentKind, seedOf, syntheticBody } from "./SyntheticContent.ts"

/* Content archives of synthetic Plesk backups, and `sym` password encryption. */

/** How content archives are written: small ones in memory (tgz, tzst), large ones as lazy tars. */
export type ContentFormat = "tgz" | "tzst" | "tar"

export interface ArchiveMember {
  readonly name: string
  readonly size: number
  readonly kind: ContentKind
  readonly seed: number
  readonly head?: string
}

const block = (size: number): number => Math.ceil(size / 512) * 512

/** Exact size of a tar of `members` as tar-stream writes it (names < 100 bytes, no PAX). */
export const tarSize = (members: ReadonlyArray<ArchiveMember>): number => members.reduce((n, m) => n + 512 + block(m.size), 0) + 1024

const packMembers = (members: ReadonlyArray<ArchiveMember>): Readable => {
  const pack = tar.pack()
  const feed = async () => {
    for (const member of members) {
      if (Buffer.byteLength(member.name) >= 100) throw new Error(`member name too long for an exact tar size: ${member.name}`)
      const entry = pack.entry({ name: member.name, size: member.size, mode: 0o644, mtime: new Date(1_700_000_000_000) })
      await pipeline(syntheticBody(member.kind, member.size, member.seed, member.head ?? "")(), entry)
    }
    pack.finalize()
  }
  feed().catch((e) => pack.destroy(e))
  return pack as unknown as Readable
}

const collect = async (stream: Readable): Promise<Buffer> => {
  const chunks: Array<Buffer> = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** A content archive as a tree node with its exact size: compressed in memory, or a lazy tar. */
export const contentArchive = async (
  members: ReadonlyArray<ArchiveMember>,
  format: ContentFormat,
): Promise<{ node: TreeNode; bytes: number }> => {
  if (format === "tar") {
    const size = tarSize(members)
    return { node: { type: "file", size, content: () => packMembers(members), mode: 0o644 }, bytes: size }
  }
  const raw = await collect(packMembers(members))
  const body = format === "tgz" ? zlib.gzipSync(raw, { level: 6 }) : zlib.zstdCompressSync(raw)
  return { node: { type: "file", content: new Uint8Array(body), mode: 0o644 }, bytes: body.length }
}

/** `n` web files adding up to `bytes` under `dir/`. */
export const webMembers = (dir: string, files: number, bytes: number, seed: number): Array<ArchiveMember> => {
  const count = Math.max(1, files)
  return Array.from({ length: count }, (_, i) => {
    const size = i === count - 1 ? bytes - Math.floor(bytes / count) * (count - 1) : Math.floor(bytes / count)
    return i === 0
      ? {
          name: `${dir}index.php`,
          size,
          kind: "web-text" as const,
          seed: seedOf(seed, `${dir}:${i}`),
          head: "<?php echo 'synthetic'; ?>\n",
        }
      : {
          name: `${dir}assets/f${i}.${i % 2 === 0 ? "png" : "css"}`,
          size,
          kind: (i % 2 === 0 ? "web-binary" : "web-text") as ContentKind,
          seed: seedOf(seed, `${dir}:${i}`),
        }
  })
}

/** Maildir messages of one mailbox under `dir` (`Maildir/` or `<user>/Maildir/`). */
export const mailMembers = (dir: string, address: string, messages: number, bytes: number, seed: number): Array<ArchiveMember> =>
  Array.from({ length: messages }, (_, i) => ({
    name: `${dir}cur/${1_700_000_000 + i}.M${i}P1.synth,S=${bytes}:2,S`,
    size: bytes,
    kind: "mail" as const,
    seed: seedOf(seed, `${address}:${i}`),
    head: `From: sender${i}@elsewhere.example\nTo: ${address}\nSubject: message ${i}\n\n`,
  }))

/** A SQL dump body. */
export const dumpMember = (name: string, bytes: number, seed: number): ArchiveMember => ({
  name,
  size: bytes,
  kind: "sql",
  seed,
  head: "-- synthetic dump\nCREATE TABLE `t` (`id` int);\n",
})

/** A small body as bytes (Plesk 8 SQL parts are plain files). */
export const memberBytes = async (member: ArchiveMember): Promise<Buffer> =>
  collect(syntheticBody(member.kind, member.size, member.seed, member.head ?? "")())

/**
 * The stored form of a password: `sym` values are encrypted as Plesk does,
 * `$AES-128-CBC$<base64 IV>$<base64 ciphertext>`, padded with NULs or PKCS#7 (both occur).
 */
export const storedPassword = (password: PleskPasswordSpec, secretKeyHex: string, seed: number): string => {
  if (password.type !== "sym") return password.value
  const key = Buffer.from(secretKeyHex, "hex")
  const iv = Buffer.alloc(16)
  for (let i = 0; i < 16; i++) iv[i] = ((seedOf(seed, `iv:${password.value}`) >>> ((i % 4) * 8)) & 0xff) ^ i
  const plain = Buffer.from(password.value, "utf8")
  const zeroPadded = seed % 2 === 0
  const padded = zeroPadded ? Buffer.concat([plain, Buffer.alloc(16 - (plain.length % 16 || 16))]) : plain
  const cipher = createCipheriv("aes-128-cbc", key, iv)
  cipher.setAutoPadding(!zeroPadded)
  const data = Buffer.concat([cipher.update(padded), cipher.final()])
  return `$AES-128-CBC$${iv.toString("base64")}$${data.toString("base64")}`
}
