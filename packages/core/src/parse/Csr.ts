import { createPublicKey } from "node:crypto"
import { createRequire } from "node:module"
import type * as Asn1Csr from "@peculiar/asn1-csr"
import type * as Asn1Schema from "@peculiar/asn1-schema"
import type * as Asn1X509 from "@peculiar/asn1-x509"
import type { Name } from "@peculiar/asn1-x509"
import { pemBlocks } from "./Pem.ts"
import { SafeParseError } from "./SafeParse.ts"

/*
 * The ASN.1 libraries are loaded on first use: most backups carry no CSR, and loading them costs
 * start-up time and memory on every run of the CLI.
 */
const require = createRequire(import.meta.url)
let asn1: { csr: typeof Asn1Csr; schema: typeof Asn1Schema; x509: typeof Asn1X509 } | undefined
const loadAsn1 = () =>
  (asn1 ??= {
    csr: require("@peculiar/asn1-csr") as typeof Asn1Csr,
    schema: require("@peculiar/asn1-schema") as typeof Asn1Schema,
    x509: require("@peculiar/asn1-x509") as typeof Asn1X509,
  })

/** PKCS #9 extensionRequest: the extensions a CSR asks the CA to put in the certificate. */
const extensionRequestOid = "1.2.840.113549.1.9.14"

const maxPemLength = 64 * 1024

/** Short names as OpenSSL (and so Node's `X509Certificate.subject`) prints them. */
const attributeNames: Readonly<Record<string, string>> = {
  "2.5.4.3": "CN",
  "2.5.4.4": "SN",
  "2.5.4.5": "serialNumber",
  "2.5.4.6": "C",
  "2.5.4.7": "L",
  "2.5.4.8": "ST",
  "2.5.4.9": "street",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
  "2.5.4.12": "title",
  "2.5.4.15": "businessCategory",
  "2.5.4.17": "postalCode",
  "2.5.4.42": "GN",
  "1.2.840.113549.1.9.1": "emailAddress",
  "0.9.2342.19200300.100.1.1": "UID",
  "0.9.2342.19200300.100.1.25": "DC",
  "1.3.6.1.4.1.311.60.2.1.1": "jurisdictionL",
  "1.3.6.1.4.1.311.60.2.1.2": "jurisdictionST",
  "1.3.6.1.4.1.311.60.2.1.3": "jurisdictionC",
}

const printable = (text: string): string => text.replace(/[\x00-\x1f\x7f]/g, "?")

const hostnamePattern = /^(?:\*\.)?(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)+[a-z0-9-]{1,63}$/

/** A lower-cased host name, or undefined for anything that is not one (a CN like "My Shop"). */
const hostname = (value: string): string | undefined => {
  const name = value.trim().toLowerCase().replace(/\.$/, "")
  return name.length <= 253 && hostnamePattern.test(name) ? name : undefined
}

/** RDNs in encoded order, `TYPE=value` joined by ", " (multi-valued RDNs by "+"), like Pem.ts. */
const nameText = (name: Name): string =>
  name.map((rdn) => rdn.map((atv) => `${attributeNames[atv.type] ?? atv.type}=${printable(atv.value.toString())}`).join("+")).join(", ")

const commonNames = (name: Name): Array<string> =>
  name.flatMap((rdn) => rdn.filter((atv) => atv.type === "2.5.4.3").map((atv) => atv.value.toString()))

const requestedDnsNames = (request: Asn1Csr.CertificationRequest): Array<string> => {
  const { schema, x509 } = loadAsn1()
  const { AsnConvert } = schema
  const names: Array<string> = []
  for (const attribute of request.certificationRequestInfo.attributes ?? []) {
    if (attribute.type !== extensionRequestOid) continue
    for (const value of attribute.values) {
      for (const extension of AsnConvert.parse(value, x509.Extensions)) {
        if (extension.extnID !== x509.id_ce_subjectAltName) continue
        for (const general of AsnConvert.parse(extension.extnValue.buffer, x509.SubjectAlternativeName)) {
          if (general.dNSName !== undefined) names.push(general.dNSName)
        }
      }
    }
  }
  return names
}

/**
 * Subject, requested domains and public key of a PEM certificate signing request. `domains` is
 * the CN and the DNS names of the subjectAltName extension request, lower-cased and unique;
 * values that are not host names are left out. `publicKeyDer` is the SubjectPublicKeyInfo as
 * base64 DER, in the same form as `privateKeyPublicDer`, so keys and CSRs can be paired.
 * Throws `SafeParseError` for anything unreadable.
 */
export const csrInfo = (
  pem: string,
): { readonly subject: string; readonly domains: ReadonlyArray<string>; readonly publicKeyDer: string } => {
  if (pem.length > maxPemLength) throw new SafeParseError("certificate request is too large")
  const block = pemBlocks(pem).find((b) => b.label === "CERTIFICATE REQUEST" || b.label === "NEW CERTIFICATE REQUEST")
  if (block === undefined) throw new SafeParseError("no PEM certificate request found")
  const body = block.text
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("-----"))
    .join("")
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) throw new SafeParseError("certificate request is not valid base64")
  const der = Buffer.from(body, "base64")
  const { csr, schema } = loadAsn1()
  const { AsnConvert } = schema
  try {
    const request = AsnConvert.parse(der, csr.CertificationRequest)
    const info = request.certificationRequestInfo
    const spki = Buffer.from(AsnConvert.serialize(info.subjectPKInfo))
    let publicKeyDer: string
    try {
      // Re-exported through node:crypto so the bytes match `privateKeyPublicDer` exactly.
      publicKeyDer = createPublicKey({ key: spki, format: "der", type: "spki" }).export({ type: "spki", format: "der" }).toString("base64")
    } catch {
      publicKeyDer = spki.toString("base64")
    }
    const candidates = [...commonNames(info.subject), ...requestedDnsNames(request)]
    const domains = [...new Set(candidates.map(hostname).filter((d): d is string => d !== undefined))]
    return { subject: nameText(info.subject), domains, publicKeyDer }
  } catch (e) {
    if (e instanceof SafeParseError) throw e
    throw new SafeParseError(`unreadable certificate request: ${e instanceof Error ? printable(e.message).slice(0, 200) : "unknown error"}`)
  }
}
