import { certificateInfo, csrInfo, isPrivateKeyLabel, pemBlocks, privateKeyPublicDer } from "@ferry/core"
import { Redacted } from "effect"
import { type Assembly, noteAt } from "./Context.ts"
import type { XNode } from "./Xml.ts"

/**
 * Certificates of a domain or of a user's certificate pool (`certificates/certificate` with
 * `certificate-data`, `private-key`, `ca-certificate`, `signing-request`; PEM text indented in
 * the XML). Returns certificate name → SslCertificate id for linking sites.
 */
export const readCertificates = (a: Assembly, nodes: ReadonlyArray<XNode>, scope: string, owner: string | null): Map<string, string> => {
  const byName = new Map<string, string>()
  for (const node of nodes) {
    const name = (node.get("name") ?? "").trim() || scope
    const subject = `certificate ${name} (${scope})`
    const pemOf = (key: string): string =>
      node
        .all(key)
        .map((n) => n.text() ?? "")
        .join("\n")
    const certText = pemOf("certificate-data")
    const keyText = pemOf("private-key")
    const caText = pemOf("ca-certificate")
    const csrText = pemOf("signing-request")
    node.ignore("guid", "id")
    const keys = pemBlocks(keyText)
      .filter((b) => isPrivateKeyLabel(b.label))
      .map((b) => ({ pem: b.text, publicDer: privateKeyPublicDer(b.text) }))
    if (keys.some((k) => k.publicDer === undefined)) {
      noteAt(
        a,
        node,
        "warning",
        "ssl-key-unreadable",
        subject,
        "a private key cannot be read (encrypted or damaged); it is not carried over",
      )
    }
    const certBlocks = pemBlocks(certText).filter((b) => b.label === "CERTIFICATE")
    const chain = pemBlocks(caText)
      .filter((b) => b.label === "CERTIFICATE")
      .map((b) => b.text)
    const leafBlock = certBlocks[0]
    if (leafBlock !== undefined) {
      try {
        const info = certificateInfo(leafBlock.text)
        const key = keys.find((k) => k.publicDer !== undefined && k.publicDer === info.publicKeyDer)
        const fingerprint = info.fingerprintSha256.replace(/:/g, "").toLowerCase()
        const id = `ssl:${fingerprint}`
        if (a.builder.has(id)) {
          byName.set(name, id)
        } else {
          a.builder.add({
            _tag: "SslCertificate",
            id,
            owner,
            source: { path: node.file, detail: node.path },
            name,
            certificatePem: leafBlock.text,
            ...(key ? { privateKey: Redacted.make(key.pem) } : {}),
            chainPem: [...certBlocks.slice(1).map((b) => b.text), ...chain],
            subject: info.subject,
            issuer: info.issuer,
            domains: [...info.domains],
            notBefore: info.notBefore,
            notAfter: info.notAfter,
            fingerprintSha256: fingerprint,
            ...(info.keyType !== undefined ? { keyType: info.keyType } : {}),
            selfSigned: info.selfSigned,
            keyMatches: key !== undefined,
          })
          byName.set(name, id)
          if (!key)
            noteAt(
              a,
              node,
              "warning",
              "ssl-key-missing",
              id,
              `no private key in the backup matches the certificate for ${info.domains.join(", ") || info.subject}`,
            )
        }
      } catch (e) {
        noteAt(
          a,
          node,
          "warning",
          "ssl-certificate-unreadable",
          subject,
          `the certificate cannot be read: ${e instanceof Error ? e.message.slice(0, 200) : String(e)}`,
        )
      }
    } else if (certText.trim() !== "") {
      noteAt(a, node, "warning", "ssl-certificate-unreadable", subject, "certificate-data holds no PEM certificate")
    }
    if (csrText.trim() !== "") {
      const id = `csr:${scope}:${name}`
      try {
        const info = csrInfo(csrText)
        const key = keys.find((k) => k.publicDer !== undefined && k.publicDer === info.publicKeyDer)
        const pem = pemBlocks(csrText).find((b) => /REQUEST/.test(b.label))?.text ?? csrText
        a.builder.add({
          _tag: "Csr",
          id,
          owner,
          source: { path: node.file, detail: node.path },
          name,
          pem,
          subject: info.subject,
          domains: [...info.domains],
          ...(key ? { privateKey: Redacted.make(key.pem) } : {}),
        })
      } catch (e) {
        noteAt(
          a,
          node,
          "warning",
          "csr-unreadable",
          id,
          `the CSR cannot be read: ${e instanceof Error ? e.message.slice(0, 200) : String(e)}`,
        )
      }
    }
  }
  return byName
}
