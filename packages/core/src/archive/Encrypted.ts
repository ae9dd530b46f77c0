import { createDecipheriv, createHash, pbkdf2Sync } from "node:crypto"
import { type Readable, Transform } from "node:stream"
import { sniff } from "./Sniff.ts"
import { peek } from "./TarScanner.ts"

/*
 * `.aes` backups (ispmanager 5.81+). ispmanager documents only "AES-256 via OpenSSL"; the cipher
 * mode, key derivation and header are not published. Ferry assumes the output of
 * `openssl enc -aes-256-cbc`: "Salted__", an 8-byte salt, then AES-256-CBC ciphertext with
 * PKCS#7 padding, the key and IV derived from the password and salt by one of
 *   - PBKDF2-HMAC-SHA256, 10000 iterations (`openssl enc -pbkdf2`, its default count),
 *   - EVP_BytesToKey with MD5 (OpenSSL before 1.1.0, or `-md md5`),
 *   - EVP_BytesToKey with SHA-256 (OpenSSL 1.1.0+ without `-pbkdf2`).
 * Each is tried on the first blocks; the one whose plaintext starts like an archive (gzip, zstd,
 * bzip2 or tar) is used. A wrong password (or another scheme) matches none of them.
 */

export const saltedMagic = Buffer.from("Salted__", "latin1")

export const isOpenSslEncrypted = (head: Uint8Array): boolean => head.length >= 16 && Buffer.from(head.subarray(0, 8)).equals(saltedMagic)

export type KeyDerivation = "pbkdf2-sha256" | "evp-md5" | "evp-sha256"

export const keyDerivations: ReadonlyArray<KeyDerivation> = ["pbkdf2-sha256", "evp-md5", "evp-sha256"]

const keyBytes = 32
const ivBytes = 16

/** OpenSSL's EVP_BytesToKey with one iteration: D_i = H(D_(i-1) || password || salt). */
const evpBytesToKey = (hash: "md5" | "sha256", password: Buffer, salt: Buffer): Buffer => {
  const out: Array<Buffer> = []
  let length = 0
  let previous = Buffer.alloc(0)
  while (length < keyBytes + ivBytes) {
    previous = createHash(hash).update(previous).update(password).update(salt).digest()
    out.push(previous)
    length += previous.length
  }
  return Buffer.concat(out)
}

export const deriveKeyIv = (password: string, salt: Uint8Array, derivation: KeyDerivation): { key: Buffer; iv: Buffer } => {
  const secret = Buffer.from(password, "utf8")
  const saltBytes = Buffer.from(salt)
  const material =
    derivation === "pbkdf2-sha256"
      ? pbkdf2Sync(secret, saltBytes, 10_000, keyBytes + ivBytes, "sha256")
      : evpBytesToKey(derivation === "evp-md5" ? "md5" : "sha256", secret, saltBytes)
  return { key: material.subarray(0, keyBytes), iv: material.subarray(keyBytes, keyBytes + ivBytes) }
}

/** The first whole blocks decrypted without padding checks, to test a candidate key. */
const trialDecrypt = (ciphertext: Buffer, key: Buffer, iv: Buffer): Buffer => {
  const whole = ciphertext.subarray(0, ciphertext.length - (ciphertext.length % 16))
  const decipher = createDecipheriv("aes-256-cbc", key, iv)
  decipher.setAutoPadding(false)
  return Buffer.concat([decipher.update(whole), decipher.final()])
}

const looksLikeArchive = (plain: Uint8Array): boolean => {
  const kind = sniff(plain)
  return kind === "gzip" || kind === "zstd" || kind === "bzip2" || kind === "tar"
}

/** Drops the first `count` bytes of a stream (the `Salted__` header `peek` hands back). */
const skipBytes = (count: number): Transform => {
  let left = count
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (left >= chunk.length) {
        left -= chunk.length
        return done()
      }
      const rest = chunk.subarray(left)
      left = 0
      done(null, rest)
    },
  })
}

export type DecryptOutcome =
  | { readonly _tag: "Decrypted"; readonly stream: Readable; readonly derivation: KeyDerivation }
  | { readonly _tag: "NotEncrypted" }
  | { readonly _tag: "WrongPassword" }

/**
 * Decrypt an OpenSSL `enc` stream. The plaintext is streamed; a wrong padding at the very end
 * (a truncated or tampered file) surfaces as a stream error. `derivation` skips the trial: later
 * volumes of a split backup, encrypted one by one, do not start like an archive.
 */
export const decryptOpenSsl = async (input: Readable, password: string, derivation?: KeyDerivation): Promise<DecryptOutcome> => {
  const { head, stream } = await peek(input, 16 + 1024)
  if (!isOpenSslEncrypted(head)) {
    stream.destroy()
    return { _tag: "NotEncrypted" }
  }
  const salt = head.subarray(8, 16)
  const trial = Buffer.from(head.subarray(16))
  for (const candidate of derivation !== undefined ? [derivation] : keyDerivations) {
    const { key, iv } = deriveKeyIv(password, salt, candidate)
    if (derivation === undefined && !looksLikeArchive(trialDecrypt(trial, key, iv))) continue
    const decipher = createDecipheriv("aes-256-cbc", key, iv)
    const body = skipBytes(16)
    stream.on("error", (e) => decipher.destroy(e))
    body.on("error", (e) => decipher.destroy(e))
    stream.pipe(body).pipe(decipher)
    return { _tag: "Decrypted", stream: decipher, derivation: candidate }
  }
  stream.destroy()
  return { _tag: "WrongPassword" }
}
