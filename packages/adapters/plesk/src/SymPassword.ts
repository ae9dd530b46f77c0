import { createDecipheriv } from "node:crypto"

/*
 * Plesk `sym` passwords (plesk.md §5): `$AES-128-CBC$<base64 IV>$<base64 ciphertext>`, encrypted
 * with the raw bytes of the source server's `/etc/psa/private/secret_key`. Without that key the
 * value cannot be recovered.
 */

/** `ReadOptions.secrets` key for the source server's secret key (16 bytes, as hex or base64). */
export const secretKeyName = "plesk-secret-key"

/** The 16 key bytes from 32 hex digits or base64; a message when the text is neither. */
export const parseSecretKey = (text: string): Buffer | string => {
  const value = text.trim()
  if (/^[0-9A-Fa-f]{32}$/.test(value)) return Buffer.from(value, "hex")
  if (/^[A-Za-z0-9+/]{21,22}={0,2}$/.test(value) || /^[A-Za-z0-9_-]{22}$/.test(value)) {
    const bytes = Buffer.from(value, value.includes("-") || value.includes("_") ? "base64url" : "base64")
    if (bytes.length === 16) return bytes
  }
  return `${secretKeyName} must be the 16 raw bytes of the source server's /etc/psa/private/secret_key, given as 32 hex digits or base64`
}

const symPattern = /^\$AES-128-CBC\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/

/** True for a value in Plesk's `sym` notation. */
export const isSymValue = (value: string): boolean => symPattern.test(value.trim())

/**
 * The clear-text password, or undefined when the value is malformed or the key is wrong (the
 * result is not printable text). Trailing padding bytes (NUL or PKCS#7) are stripped.
 */
export const decryptSym = (value: string, key: Uint8Array): string | undefined => {
  const match = symPattern.exec(value.trim())
  if (!match || key.length !== 16) return undefined
  const iv = Buffer.from(match[1] as string, "base64")
  const data = Buffer.from(match[2] as string, "base64")
  if (iv.length !== 16 || data.length === 0 || data.length % 16 !== 0 || data.length > 4096) return undefined
  let plain: Buffer
  try {
    const decipher = createDecipheriv("aes-128-cbc", key, iv)
    decipher.setAutoPadding(false)
    plain = Buffer.concat([decipher.update(data), decipher.final()])
  } catch {
    return undefined
  }
  let end = plain.length
  while (end > 0 && (plain[end - 1] as number) < 0x20) end--
  if (end === 0) return undefined
  let text: string
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(plain.subarray(0, end))
  } catch {
    return undefined
  }
  // A wrong key gives bytes that are rarely valid UTF-8 and almost never free of control characters.
  return /[\u0000-\u001f\u007f]/.test(text) ? undefined : text
}
