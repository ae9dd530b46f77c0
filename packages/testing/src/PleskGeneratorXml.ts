import { dkimPrivateKeyPem, dkimPublicKeyPem, selfSignedCertificatePem, selfSignedKeyPem } from "./fixtures/SelfSignedPem.ts"
import { type ArchiveMember, dumpMember, mailMembers, storedPassword, webMembers } from "./PleskGeneratorContent.ts"
import { syntheticCsrPem } from "./PleskGeneratorSamples.ts"
import type { PleskCertificateSpec, PleskPasswordSpec, PleskSpec } from "./PleskGeneratorSpec.ts"
import { seedOf, syntheticHex } from "./SyntheticContent.ts"

/*
 * XML of synthetic Plesk backups in three dialects: Plesk 8 `dump.xml` (bare child elements,
 * personal data in attributes, content named by MIME part), Plesk 9–11 `migration-dump`
 * (properties/preferences wrappers, `pinfo`, content in `.tgz` files at the root) and the
 * Plesk 10–18 repository (the same elements plus `gen_info`, per-object XML files, content in
 * each object's directory).
 */

export type Dialect = "plesk8" | "migration" | "repository"

type Child = string | undefined | false
export type Attrs = Readonly<Record<string, string | number | boolean | undefined>>

export const escapeXml = (value: string): string =>
  value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

/** An element; children are XML strings (use `escapeXml` for text). */
export const el = (name: string, attrs: Attrs = {}, ...children: ReadonlyArray<Child | ReadonlyArray<Child>>): string => {
  const a = Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join("")
  const body = children
    .flat()
    .filter((c): c is string => typeof c === "string" && c !== "")
    .join("")
  return body === "" ? `<${name}${a}/>` : `<${name}${a}>${body}</${name}>`
}

/** An element holding text. */
export const textEl = (name: string, value: string, attrs: Attrs = {}): string => el(name, attrs, escapeXml(value))

/** PEM text as Plesk writes it: indented inside its element. */
const pem = (name: string, text: string): string =>
  textEl(
    name,
    `\n${text
      .trim()
      .split("\n")
      .map((l) => `        ${l}`)
      .join("\n")}\n      `,
  )

/** A content file the generator must write, and what an adapter should find for it. */
export interface PendingContent {
  /** Archive path (tree) or MIME part name (Plesk 8). */
  readonly path: string
  readonly members: ReadonlyArray<ArchiveMember>
  /** Plesk 8 dump parts are plain SQL files, not archives. */
  readonly plain?: boolean
  /** MIME naming of the part (Plesk 8): by filename, or by Content-ID, base64-encoded. */
  readonly mime?: "filename" | "content-id"
  /** Entities that reference this file. */
  readonly owners: ReadonlyArray<{ readonly kind: "web" | "mail" | "database-dump" | "mailing-list"; readonly owner: string }>
}

/** Where content goes for one dialect; returns the XML that references it. */
export class ContentSink {
  readonly pending: Array<PendingContent> = []
  readonly dialect: Dialect
  readonly ext: string
  readonly spec: PleskSpec

  constructor(dialect: Dialect, ext: string, spec: PleskSpec) {
    this.dialect = dialect
    this.ext = ext
    this.spec = spec
  }

  /** `<cid>` naming one file relative to the backup root. */
  cid(type: string, dir: string, file: string, offset?: string): string {
    return el("content", {}, el("cid", { type, path: dir, offset }, textEl("content-file", file)))
  }

  private file(dir: string, name: string): string {
    return dir === "" ? name : `${dir}/${name}`
  }

  web(domain: string, dir: string, files: number, bytes: number, type: "user-data" | "docroot"): string {
    const seed = seedOf(this.spec.seed, `web:${domain}`)
    if (this.dialect === "plesk8") {
      this.pending.push({
        path: `${domain}.httpdocs`,
        members: webMembers("", files, bytes, seed),
        mime: "filename",
        owners: [{ kind: "web", owner: domain }],
      })
      return ""
    }
    const prefix = type === "user-data" ? "httpdocs/" : ""
    const name =
      this.dialect === "repository"
        ? `backup_user-data_${this.spec.backupId}.${this.ext}`
        : `${domain}_docroot_${this.spec.backupId}.${this.ext}`
    this.pending.push({
      path: this.file(dir, name),
      members: webMembers(prefix, files, bytes, seed),
      owners: [{ kind: "web", owner: domain }],
    })
    return this.cid(type, dir, name)
  }

  /** Extra content a site has (cgi-bin, logs): not the site's main content. */
  extra(domain: string, dir: string, type: "cgi" | "logs"): string {
    const members = [
      {
        name: type === "cgi" ? "test.cgi" : "access_log",
        size: 120,
        kind: "web-text" as const,
        seed: seedOf(this.spec.seed, `${type}:${domain}`),
      },
    ]
    if (this.dialect === "plesk8") {
      if (type === "cgi") this.pending.push({ path: `${domain}.cgi-bin`, members, mime: "filename", owners: [] })
      return ""
    }
    const name =
      this.dialect === "repository"
        ? `backup_${type}_${this.spec.backupId}.${this.ext}`
        : `${domain}_${type}_${this.spec.backupId}.${this.ext}`
    this.pending.push({ path: this.file(dir, name), members, owners: [] })
    return el("cid", { type, path: dir }, textEl("content-file", name))
  }

  mailbox(address: string, dir: string, messages: number, bytes: number): { readonly xml: string; readonly attr?: string } {
    const seed = seedOf(this.spec.seed, `mail:${address}`)
    if (this.dialect === "plesk8") {
      const part = `${address}.mdir`
      this.pending.push({
        path: part,
        members: mailMembers("", address, messages, bytes, seed),
        mime: "content-id",
        owners: [{ kind: "mail", owner: address }],
      })
      return { xml: "", attr: part }
    }
    if (this.dialect === "repository") {
      const local = address.split("@")[0] as string
      const name = `backup_domainmail_${this.spec.backupId}.${this.ext}`
      const path = this.file(dir, name)
      const existing = this.pending.find((p) => p.path === path)
      const members = mailMembers(`${local}/Maildir/`, address, messages, bytes, seed)
      const owner = { kind: "mail" as const, owner: address }
      if (existing === undefined) this.pending.push({ path, members, owners: [owner] })
      else
        this.pending[this.pending.indexOf(existing)] = {
          ...existing,
          members: [...existing.members, ...members],
          owners: [...existing.owners, owner],
        }
      return { xml: this.cid("mailbox", dir, name, local) }
    }
    const name = `${address.replace("@", "_at_")}_mailbox_${this.spec.backupId}.${this.ext}`
    this.pending.push({
      path: this.file(dir, name),
      members: mailMembers("Maildir/", address, messages, bytes, seed),
      owners: [{ kind: "mail", owner: address }],
    })
    return { xml: this.cid("mailbox", dir, name) }
  }

  /** The repository's per-domain mail archive, referenced from `mailsystem` too. */
  domainMail(dir: string): string {
    if (this.dialect !== "repository") return ""
    const name = `backup_domainmail_${this.spec.backupId}.${this.ext}`
    return this.pending.some((p) => p.path === this.file(dir, name)) ? this.cid("domainmail", dir, name) : ""
  }

  database(domain: string, db: string, dir: string, bytes: number): { readonly xml: string; readonly attr?: string } {
    const member = dumpMember(`${db}.sql`, bytes, seedOf(this.spec.seed, `db:${db}`))
    if (this.dialect === "plesk8") {
      const part = `${domain}.${db}.sql`
      this.pending.push({ path: part, members: [member], plain: true, mime: "filename", owners: [{ kind: "database-dump", owner: db }] })
      return { xml: "", attr: part }
    }
    const name =
      this.dialect === "repository"
        ? `backup_sqldump_${db}_${this.spec.backupId}.${this.ext}`
        : `${domain}_sqldump_${db}_${this.spec.backupId}.${this.ext}`
    this.pending.push({ path: this.file(dir, name), members: [member], owners: [{ kind: "database-dump", owner: db }] })
    return { xml: el("content", {}, el("cid", { type: "sqldump", path: dir }, textEl("content-file", name))) }
  }

  list(address: string, dir: string): string {
    if (this.dialect === "plesk8") return ""
    const name = `${this.dialect === "repository" ? "backup_" : ""}maillist_${address.replace("@", "_at_")}_${this.spec.backupId}.${this.ext}`
    const members = [
      { name: "archive/2023-November.txt", size: 300, kind: "mail" as const, seed: seedOf(this.spec.seed, `list:${address}`) },
    ]
    this.pending.push({ path: this.file(dir, name), members, owners: [{ kind: "mailing-list", owner: address }] })
    return this.cid("maillist", dir, name)
  }
}

export const passwordXml = (sink: ContentSink, password: PleskPasswordSpec, salt: string): string =>
  textEl("password", storedPassword(password, sink.spec.secretKey, seedOf(sink.spec.seed, salt)), { type: password.type })

export const guidOf = (sink: ContentSink, what: string): string => {
  const hex = syntheticHex(seedOf(sink.spec.seed, `guid:${what}`), 32)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

export const certificatesXml = (certs: ReadonlyArray<PleskCertificateSpec> | undefined, wrapped: boolean): string => {
  const items = (certs ?? []).map((c) =>
    el(
      "certificate",
      { name: c.name },
      pem("certificate-data", selfSignedCertificatePem),
      c.withKey && pem("private-key", selfSignedKeyPem),
      c.withCsr && pem("signing-request", syntheticCsrPem),
    ),
  )
  if (items.length === 0) return ""
  return wrapped ? el("certificates", {}, items) : items.join("")
}

export const domainKeysXml = (): string =>
  el("domain-keys", { state: "true" }, pem("private-key", dkimPrivateKeyPem), pem("public-key", dkimPublicKeyPem))
