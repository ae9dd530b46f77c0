import { createPrivateKey, createPublicKey, X509Certificate } from "node:crypto"

export type PemLabel = string

export interface PemBlock {
  readonly label: PemLabel
  readonly text: string
}

/** Every PEM block in a text, in order (keys, certificates, CSRs mixed as cPanel stores them). */
export const pemBlocks = (text: string): Array<PemBlock> => {
  const blocks: Array<PemBlock> = []
  const re = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g
  for (const match of text.matchAll(re)) {
    blocks.push({
      label: match[1] ?? "",
      text: `${match[0]
        .split(/\r?\n/)
        .map((l) => l.trim())
        .join("\n")}\n`,
    })
  }
  return blocks
}

export const isPrivateKeyLabel = (label: string): boolean => /PRIVATE KEY$/.test(label)

export interface CertificateInfo {
  readonly subject: string
  readonly issuer: string
  readonly commonName: string | undefined
  readonly domains: ReadonlyArray<string>
  readonly notBefore: string
  readonly notAfter: string
  readonly fingerprintSha256: string
  readonly selfSigned: boolean
  readonly keyType: string | undefined
  readonly publicKeyDer: string
}

/** Read a certificate with node:crypto: subject, SANs, validity, fingerprint, key type. */
export const certificateInfo = (pem: string): CertificateInfo => {
  const cert = new X509Certificate(pem)
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(cert.subject)?.[1]
  const sans = (cert.subjectAltName ?? "")
    .split(/,\s*/)
    .filter((s) => s.startsWith("DNS:"))
    .map((s) => s.slice(4).toLowerCase())
  const domains = [...new Set([...(cn ? [cn.toLowerCase()] : []), ...sans])]
  const key = cert.publicKey
  return {
    subject: cert.subject.replace(/\n/g, ", "),
    issuer: cert.issuer.replace(/\n/g, ", "),
    commonName: cn,
    domains,
    notBefore: new Date(cert.validFrom).toISOString(),
    notAfter: new Date(cert.validTo).toISOString(),
    fingerprintSha256: cert.fingerprint256,
    selfSigned: cert.checkIssued(cert),
    keyType: key.asymmetricKeyType,
    publicKeyDer: key.export({ type: "spki", format: "der" }).toString("base64"),
  }
}

/**
 * The public key (SPKI DER, base64) of a private key, for pairing keys with certificates.
 * Undefined for encrypted or unreadable keys.
 */
export const privateKeyPublicDer = (pem: string): string | undefined => {
  try {
    return createPublicKey(createPrivateKey({ key: pem, format: "pem" }))
      .export({ type: "spki", format: "der" })
      .toString("base64")
  } catch {
    return undefined
  }
}
