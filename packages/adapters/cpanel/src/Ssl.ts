import {
  type CertificateInfo,
  certificateInfo,
  csrInfo,
  isPrivateKeyLabel,
  pemBlocks,
  privateKeyPublicDer,
  type SslCertificate,
} from "@ferry/core"
import { Redacted } from "effect"
import type { Assembly, SeenFile } from "./Collected.ts"
import type { SiteInfo } from "./Userdata.ts"

interface KeyDraft {
  readonly pem: string
  readonly publicDer: string | undefined
  readonly path: string
  paired: boolean
}

interface CertDraft {
  readonly name: string
  readonly pem: string
  readonly info: CertificateInfo
  readonly chain: Array<string>
  readonly path: string
  key?: KeyDraft
  vhost?: string
}

const note = (a: Assembly, severity: "info" | "warning" | "error", code: string, subject: string, path: string, message: string) =>
  a.builder.note({ severity, code, subject, path, message })

const baseName = (path: string): string => (path.split("/").pop() as string).replace(/\.(crt|cert|pem|key|csr|cabundle)$/, "")

/**
 * Read one PEM file: keys go to `keys`; the certificate whose public key matches a key of the same
 * file (else the first one) is the leaf, the others its chain. A bad certificate is a note.
 */
const readPemFile = (a: Assembly, file: SeenFile, name: string, keys: Array<KeyDraft>, certs: Array<CertDraft>, vhost?: string): void => {
  if (file.text === undefined) {
    note(a, "error", "file-too-large", `file ${file.path}`, file.path, "the file is larger than Ferry reads; ignored")
    return
  }
  const blocks = pemBlocks(file.text)
  const fileKeys: Array<KeyDraft> = []
  for (const block of blocks.filter((b) => isPrivateKeyLabel(b.label))) {
    const key: KeyDraft = { pem: block.text, publicDer: privateKeyPublicDer(block.text), path: file.path, paired: false }
    if (key.publicDer === undefined) {
      note(
        a,
        "warning",
        "ssl-key-unreadable",
        `key in ${file.path}`,
        file.path,
        `a private key (${block.label}) cannot be read (encrypted or damaged); it is not carried over`,
      )
      continue
    }
    fileKeys.push(key)
    keys.push(key)
  }
  const parsed: Array<{ pem: string; info: CertificateInfo }> = []
  for (const block of blocks.filter((b) => b.label === "CERTIFICATE" || b.label === "TRUSTED CERTIFICATE")) {
    try {
      parsed.push({ pem: block.text, info: certificateInfo(block.text) })
    } catch (e) {
      note(
        a,
        "warning",
        "ssl-certificate-unreadable",
        `certificate in ${file.path}`,
        file.path,
        `a certificate cannot be read: ${e instanceof Error ? e.message : String(e)}`,
      )
    }
  }
  if (parsed.length === 0) {
    if (fileKeys.length === 0 && blocks.length === 0 && file.text.trim() !== "") {
      note(a, "warning", "ssl-file-unreadable", `file ${file.path}`, file.path, "no PEM blocks in the file")
    }
    return
  }
  const leafIndex = Math.max(
    0,
    parsed.findIndex((c) => fileKeys.some((k) => k.publicDer === c.info.publicKeyDer)),
  )
  const leaf = parsed[leafIndex] as { pem: string; info: CertificateInfo }
  const chain = parsed.filter((_, i) => i !== leafIndex).map((c) => c.pem)
  const key = fileKeys.find((k) => k.publicDer === leaf.info.publicKeyDer)
  if (key) key.paired = true
  certs.push({ name, pem: leaf.pem, info: leaf.info, chain, path: file.path, ...(key ? { key } : {}), ...(vhost ? { vhost } : {}) })
}

/**
 * Certificates and keys: v4 `apache_tls/<vhost>`, v3 `sslcerts/` + `sslkeys/` (+ `ssldomain`),
 * and the user's store `homedir/ssl/{certs,keys,csrs}` (§5.13, pitfall 20). Keys pair with
 * certificates by public key; private keys stay `Redacted`; nothing here fails the read.
 */
export const buildSsl = (a: Assembly, sites: ReadonlyArray<SiteInfo>): void => {
  const keys: Array<KeyDraft> = []
  const certs: Array<CertDraft> = []
  for (const file of a.meta.children("apache_tls")) {
    a.meta.markUsed(file.rel)
    const vhost = file.rel.slice("apache_tls/".length)
    readPemFile(a, file, vhost, keys, certs, vhost)
  }
  for (const dir of ["sslcerts", "sslkeys"]) {
    for (const file of a.meta.children(dir)) {
      a.meta.markUsed(file.rel)
      readPemFile(a, file, baseName(file.rel), keys, certs)
    }
  }
  for (const [rel, file] of a.home.files) {
    if (/^ssl\/(certs|keys)\/[^/]+$/.test(rel)) readPemFile(a, file, baseName(rel), keys, certs)
  }

  for (const cert of certs) {
    if (cert.key) continue
    const key = keys.find((k) => k.publicDer === cert.info.publicKeyDer)
    if (key) {
      key.paired = true
      cert.key = key
    }
  }

  // Site links: apache_tls by vhost; v3 by the domain named in `ssldomain`.
  const links = new Map<string, string>()
  const sslDomain = a.meta.text("ssldomain")?.trim().toLowerCase()
  const merged = new Map<string, SslCertificate>()
  for (const cert of certs) {
    const fingerprint = cert.info.fingerprintSha256.replace(/:/g, "").toLowerCase()
    const id = `ssl:${fingerprint}`
    const site =
      cert.vhost !== undefined
        ? sites.find((s) => s.vhost === cert.vhost)
        : sslDomain && cert.path.startsWith(`${a.prefix}sslcerts/`) && cert.info.domains.includes(sslDomain)
          ? sites.find((s) => s.domain === sslDomain)
          : undefined
    if (site) links.set(site.id, id)
    const existing = merged.get(id)
    if (existing && (existing.privateKey !== undefined || !cert.key)) continue
    merged.set(id, {
      _tag: "SslCertificate",
      id,
      owner: a.accountId,
      source: { path: cert.path },
      name: existing?.name ?? cert.name,
      certificatePem: cert.pem,
      ...(cert.key ? { privateKey: Redacted.make(cert.key.pem) } : {}),
      chainPem: cert.chain.length > 0 ? cert.chain : [...(existing?.chainPem ?? [])],
      subject: cert.info.subject,
      issuer: cert.info.issuer,
      domains: [...cert.info.domains],
      notBefore: cert.info.notBefore,
      notAfter: cert.info.notAfter,
      fingerprintSha256: fingerprint,
      ...(cert.info.keyType !== undefined ? { keyType: cert.info.keyType } : {}),
      selfSigned: cert.info.selfSigned,
      keyMatches: cert.key !== undefined,
    })
  }
  for (const cert of merged.values()) {
    a.builder.add(cert)
    if (!cert.keyMatches)
      note(
        a,
        "warning",
        "ssl-key-missing",
        cert.id,
        cert.source.path,
        `no private key in the backup matches the certificate for ${cert.domains.join(", ") || cert.subject}`,
      )
  }
  for (const [siteId, certId] of links) {
    const site = a.builder.get("Site", siteId)
    if (site) a.builder.update({ ...site, ssl: { ...site.ssl, enabled: true, certificate: certId } })
  }
  if (sslDomain && !links.size && certs.length > 0) {
    note(
      a,
      "info",
      "ssldomain-unmatched",
      "ssldomain",
      `${a.prefix}ssldomain`,
      `ssldomain names ${sslDomain}, but no installed certificate covers a site of that name`,
    )
  }

  for (const [rel, file] of a.home.files) {
    if (!/^ssl\/csrs\/[^/]+$/.test(rel) || file.text === undefined) continue
    const name = baseName(rel)
    const id = `csr:${name}`
    try {
      const info = csrInfo(file.text)
      const key = keys.find((k) => k.publicDer === info.publicKeyDer)
      if (key) key.paired = true
      const pem = pemBlocks(file.text).find((b) => /REQUEST/.test(b.label))?.text ?? file.text
      a.builder.add({
        _tag: "Csr",
        id,
        owner: a.accountId,
        source: { path: file.path },
        name,
        pem,
        subject: info.subject,
        domains: [...info.domains],
        ...(key ? { privateKey: Redacted.make(key.pem) } : {}),
      })
    } catch (e) {
      note(a, "warning", "csr-unreadable", id, file.path, `the CSR cannot be read: ${e instanceof Error ? e.message : String(e)}`)
    }
  }
  const pairedDers = new Set(keys.filter((k) => k.paired).map((k) => k.publicDer))
  for (const key of keys.filter((k) => !pairedDers.has(k.publicDer))) {
    note(
      a,
      "info",
      "ssl-key-unpaired",
      `key in ${key.path}`,
      key.path,
      "a private key that matches no certificate or CSR of the backup; it is not carried over",
    )
  }
}
