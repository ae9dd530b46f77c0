import {
  cryptScheme,
  cryptSchemeLoose,
  makePasswordHash,
  mysqlScheme,
  type PasswordHash,
  postgresScheme,
  type SnapshotBuilder,
} from "@ferry/core"
import { decryptSym, isSymValue, secretKeyName } from "./SymPassword.ts"
import type { XNode } from "./Xml.ts"

/** Which service a password is for: decides how a `crypt` value is recognised. */
export type PasswordService = "panel" | "system" | "mail" | "web" | "mysql" | "postgresql"

const schemeOfCrypt = (value: string, service: PasswordService) => {
  if (service === "mysql") {
    const mysql = mysqlScheme(value)
    return mysql !== "unknown" ? mysql : cryptSchemeLoose(value)
  }
  if (service === "postgresql") {
    const pg = postgresScheme(value)
    return pg !== "unknown" ? pg : cryptSchemeLoose(value)
  }
  return cryptSchemeLoose(value)
}

/**
 * Reads `<password type="plain|crypt|sym">` elements (plesk.md §5). `sym` values are decrypted
 * when the source server's key was given; otherwise they stay scheme `plesk-sym`, which the plan
 * replaces with a new password.
 */
export class PasswordReader {
  private readonly builder: SnapshotBuilder
  private readonly key: Uint8Array | undefined
  private symKept = 0
  private symFailed = 0
  private symDecrypted = 0
  private firstSym: string | undefined

  constructor(builder: SnapshotBuilder, key: Uint8Array | undefined) {
    this.builder = builder
    this.key = key
  }

  read(node: XNode | undefined, service: PasswordService, subject: string): PasswordHash | undefined {
    if (node === undefined) return undefined
    const declared = node.get("type")?.trim().toLowerCase()
    const value = node.text() ?? ""
    node.ignore("encoding")
    const note = (severity: "info" | "warning", code: string, message: string) =>
      this.builder.note({ severity, code, subject, path: node.file, message: `${node.path}: ${message}` })
    if (value === "") {
      note("warning", "password-empty", "the password is empty; a new one is needed")
      return undefined
    }
    const type = declared ?? (isSymValue(value) ? "sym" : cryptScheme(value) !== "unknown" ? "crypt" : undefined)
    if (type === "plain") return makePasswordHash("plain", value)
    if (type === "crypt") return makePasswordHash(schemeOfCrypt(value, service), value)
    if (type === "sym") {
      this.firstSym ??= node.file
      if (this.key === undefined) {
        this.symKept++
        return makePasswordHash("plesk-sym", value)
      }
      const plain = decryptSym(value, this.key)
      if (plain === undefined) {
        this.symFailed++
        note(
          "warning",
          "password-sym-undecryptable",
          `the encrypted password cannot be decrypted with the given ${secretKeyName} (another server's key?); a new password is needed`,
        )
        return makePasswordHash("plesk-sym", value)
      }
      this.symDecrypted++
      return makePasswordHash("plain", plain)
    }
    note(
      "warning",
      "password-type-unknown",
      `password type ${JSON.stringify((declared ?? "").slice(0, 20))} is unknown; a new password is needed`,
    )
    return makePasswordHash("unknown", value)
  }

  /** One summary note about encrypted passwords. */
  finish(): void {
    if (this.symKept > 0) {
      this.builder.note({
        severity: "warning",
        code: "password-sym-no-key",
        subject: "passwords",
        path: this.firstSym ?? "",
        message: `${this.symKept} passwords are encrypted with the source server's key (type sym); give its /etc/psa/private/secret_key as secret "${secretKeyName}" (hex or base64) to keep them, otherwise new passwords are generated`,
      })
    }
    if (this.symDecrypted > 0) {
      this.builder.note({
        severity: "info",
        code: "password-sym-decrypted",
        subject: "passwords",
        path: this.firstSym ?? "",
        message: `${this.symDecrypted} encrypted passwords were decrypted with the given ${secretKeyName}${this.symFailed > 0 ? `; ${this.symFailed} could not be` : ""}`,
      })
    }
  }
}
