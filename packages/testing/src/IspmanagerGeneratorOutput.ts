import { createCipheriv, createHash, pbkdf2Sync } from "node:crypto"
import { createWriteStream, type WriteStream } from "node:fs"
import * as fs from "node:fs/promises"
import * as nodePath from "node:path"
import type { Readable } from "node:stream"
import * as zlib from "node:zlib"
import { seedOf } from "./SyntheticContent.ts"

/*
 * Output stages for synthetic ispmanager backups: gzip, encryption the way `openssl enc
 * -aes-256-cbc` writes it ("Salted__", an 8-byte salt, AES-256-CBC with PKCS#7 padding; key and
 * IV from PBKDF2-SHA256 with 10000 iterations as `-pbkdf2` does, or from EVP_BytesToKey-MD5 as
 * OpenSSL before 1.1.0 did), and splitting into `.partN` volumes. Written independently of Ferry's
 * reader so the tests compare two implementations. Salts are derived from a seed: fixtures are
 * reproducible byte for byte.
 */

export interface Encryption {
  readonly password: string
  readonly derivation?: "pbkdf2" | "md5"
}

const keyIv = (encryption: Encryption, salt: Buffer): { key: Buffer; iv: Buffer } => {
  const password = Buffer.from(encryption.password, "utf8")
  let material: Buffer
  if ((encryption.derivation ?? "pbkdf2") === "pbkdf2") {
    material = pbkdf2Sync(password, salt, 10_000, 48, "sha256")
  } else {
    const blocks: Array<Buffer> = []
    let previous = Buffer.alloc(0)
    while (blocks.length * 16 < 48) {
      previous = createHash("md5")
        .update(Buffer.concat([previous, password, salt]))
        .digest()
      blocks.push(previous)
    }
    material = Buffer.concat(blocks)
  }
  return { key: material.subarray(0, 32), iv: material.subarray(32, 48) }
}

/** An encryptor for one OpenSSL `enc` file: call `header()` first, then `update`, then `final`. */
const encryptor = (encryption: Encryption, saltSeed: number) => {
  const salt = Buffer.alloc(8)
  salt.writeUInt32LE(seedOf(saltSeed, "salt-a"), 0)
  salt.writeUInt32LE(seedOf(saltSeed, "salt-b"), 4)
  const { key, iv } = keyIv(encryption, salt)
  const cipher = createCipheriv("aes-256-cbc", key, iv)
  return {
    header: () => Buffer.concat([Buffer.from("Salted__", "latin1"), salt]),
    update: (chunk: Buffer) => cipher.update(chunk),
    final: () => cipher.final(),
  }
}

const write = (out: WriteStream, chunk: Buffer): Promise<void> =>
  chunk.length === 0 || out.write(chunk) ? Promise.resolve() : new Promise((resolve) => out.once("drain", () => resolve()))

const close = (out: WriteStream): Promise<void> =>
  new Promise((resolve, reject) => {
    out.once("error", reject)
    out.end(() => resolve())
  })

/**
 * Gzip `tar` and write it to `path`, or split into `path.part1 … partN` of `volumeBytes` each,
 * each volume encrypted on its own when `encryption` is given (`path.partN.aes`; one file:
 * `path.aes`). Returns the files written, in order.
 */
export const writeTgz = async (
  tar: Readable,
  path: string,
  options: { readonly volumeBytes?: number; readonly encryption?: Encryption; readonly seed: number },
): Promise<ReadonlyArray<string>> => {
  await fs.mkdir(nodePath.dirname(path), { recursive: true })
  const gz = tar.pipe(zlib.createGzip({ level: 6 }))
  tar.on("error", (e) => gz.destroy(e))
  const files: Array<string> = []
  const split = options.volumeBytes !== undefined
  const suffix = options.encryption !== undefined ? ".aes" : ""
  let out: WriteStream | undefined
  let crypt: ReturnType<typeof encryptor> | undefined
  let written = 0
  const open = async () => {
    const file = split ? `${path}.part${files.length + 1}${suffix}` : `${path}${suffix}`
    files.push(file)
    out = createWriteStream(file)
    written = 0
    if (options.encryption !== undefined) {
      crypt = encryptor(options.encryption, options.seed + files.length)
      await write(out, crypt.header())
    }
  }
  const finish = async () => {
    if (out === undefined) return
    if (crypt !== undefined) await write(out, crypt.final())
    await close(out)
    out = undefined
  }
  for await (const chunk of gz) {
    let data = chunk as Buffer
    while (data.length > 0) {
      if (out === undefined) await open()
      const room = split ? (options.volumeBytes as number) - written : data.length
      const piece = data.subarray(0, room)
      data = data.subarray(piece.length)
      written += piece.length
      await write(out as WriteStream, crypt !== undefined ? crypt.update(piece) : piece)
      if (split && written >= (options.volumeBytes as number)) await finish()
    }
  }
  if (out === undefined && files.length === 0) await open()
  await finish()
  return files
}
