import { createCipheriv } from "node:crypto"
import * as path from "node:path"
import { AdapterError, type Mailbox } from "@ferry/core"
import { writeArchive } from "@ferry/testing"
import { Redacted } from "effect"
import { describe, expect, it } from "vitest"
import { decryptSym, parseSecretKey, secretKeyName } from "../src/index.ts"
import { inspect, inspectFailure, tempDir } from "./Support.ts"

/* plesk.md §5: `$AES-128-CBC$<base64 IV>$<base64 ciphertext>` with the source server's key. */

const key = Buffer.from("8f1e2d3c4b5a69788796a5b4c3d2e1f0", "hex")
const iv = Buffer.from("00112233445566778899aabbccddeeff", "hex")

/** Test vectors made here with node:crypto, independently of the adapter. */
const encrypt = (plain: string, padding: "pkcs7" | "zero", k: Uint8Array = key): string => {
  const bytes = Buffer.from(plain, "utf8")
  const data = padding === "zero" ? Buffer.concat([bytes, Buffer.alloc((16 - (bytes.length % 16)) % 16)]) : bytes
  const cipher = createCipheriv("aes-128-cbc", k, iv)
  cipher.setAutoPadding(padding === "pkcs7")
  return `$AES-128-CBC$${iv.toString("base64")}$${Buffer.concat([cipher.update(data), cipher.final()]).toString("base64")}`
}

describe("sym passwords", () => {
  it("decrypt with the right key, whatever the padding; wrong keys and malformed values give nothing", () => {
    expect(decryptSym(encrypt("s3cret-Pass", "pkcs7"), key)).toBe("s3cret-Pass")
    expect(decryptSym(encrypt("s3cret-Pass", "zero"), key)).toBe("s3cret-Pass")
    expect(decryptSym(encrypt("exactly16bytes!!", "zero"), key)).toBe("exactly16bytes!!")
    expect(decryptSym(encrypt("pässwörd €", "pkcs7"), key)).toBe("pässwörd €")
    expect(decryptSym(encrypt("s3cret-Pass", "pkcs7"), Buffer.alloc(16, 7))).toBeUndefined()
    expect(decryptSym("$AES-128-CBC$bm90IDE2IGJ5dGVz$AAAA", key)).toBeUndefined()
    expect(decryptSym("plain text", key)).toBeUndefined()
  })

  it("the key is given as 32 hex digits or base64, nothing else", () => {
    expect(parseSecretKey(key.toString("hex"))).toEqual(key)
    expect(parseSecretKey(key.toString("base64"))).toEqual(key)
    expect(parseSecretKey(` ${key.toString("hex").toUpperCase()}\n`)).toEqual(key)
    expect(typeof parseSecretKey("too short")).toBe("string")
    expect(typeof parseSecretKey(Buffer.alloc(32).toString("hex"))).toBe("string")
  })

  const backup = async (value: string) => {
    const xml = `<migration-dump dump-format="panel"><domain name="a.example"><mailsystem><mailusers><mailuser name="info" mailbox-quota="-1"><properties><password type="sym">${value}</password></properties></mailuser></mailusers></mailsystem></domain></migration-dump>`
    return writeArchive({ "dump_1.xml": xml }, path.join(await tempDir(), "sym.tar"), "tar")
  }
  const mailbox = (snapshot: { entities: ReadonlyArray<unknown> }) =>
    snapshot.entities.find((e) => (e as Mailbox)._tag === "Mailbox") as Mailbox

  it("with the key the mailbox gets the clear text (scheme plain)", async () => {
    const { snapshot } = await inspect(await backup(encrypt("Mailbox-Secret-1", "zero")), {
      read: { secrets: { [secretKeyName]: key.toString("base64") } },
    })
    const hash = mailbox(snapshot).passwordHash
    expect(hash?.scheme).toBe("plain")
    expect(hash && Redacted.value(hash.value)).toBe("Mailbox-Secret-1")
    expect(JSON.stringify(snapshot)).not.toContain("Mailbox-Secret-1")
  })

  it("without the key it stays scheme plesk-sym, with a note saying how to give the key", async () => {
    const value = encrypt("Mailbox-Secret-1", "pkcs7")
    const { snapshot } = await inspect(await backup(value))
    const hash = mailbox(snapshot).passwordHash
    expect(hash?.scheme).toBe("plesk-sym")
    expect(hash && Redacted.value(hash.value)).toBe(value)
    expect(snapshot.notes.find((n) => n.code === "password-sym-no-key")?.message).toMatch(/secret "plesk-secret-key"/)
  })

  it("with another server's key it stays plesk-sym and says so", async () => {
    const { snapshot } = await inspect(await backup(encrypt("Mailbox-Secret-1", "pkcs7")), {
      read: { secrets: { [secretKeyName]: Buffer.alloc(16, 9).toString("hex") } },
    })
    expect(mailbox(snapshot).passwordHash?.scheme).toBe("plesk-sym")
    expect(snapshot.notes.map((n) => n.code)).toContain("password-sym-undecryptable")
  })

  it("a malformed key fails the read before anything is read", async () => {
    const failure = await inspectFailure(await backup(encrypt("x", "pkcs7")), { read: { secrets: { [secretKeyName]: "not-a-key" } } })
    expect(failure).toBeInstanceOf(AdapterError)
    expect((failure as AdapterError).message).toMatch(/32 hex digits or base64/)
    expect((failure as AdapterError).message).not.toContain("not-a-key")
  })
})
