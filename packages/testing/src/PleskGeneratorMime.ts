import { pseudoRandomBytes } from "./Deterministic.ts"

/*
 * Plesk 7/8 single-file dumps (plesk.md §2.1): mail-style top headers, a multipart body whose
 * first part is `dump.xml` and whose other parts are content, named by Content-Disposition
 * filename or by Content-ID. A signed dump wraps that multipart in `multipart/signed`.
 */

export interface MimePart {
  /** Part name: a filename, or a Content-ID. */
  readonly name: string
  readonly naming: "filename" | "content-id" | "none"
  readonly contentType: string
  readonly encoding: "binary" | "base64" | "8bit"
  readonly body: Uint8Array
}

const base64Lines = (body: Uint8Array): string =>
  (
    Buffer.from(body)
      .toString("base64")
      .match(/.{1,76}/g) ?? []
  ).join("\r\n")

const partBytes = (part: MimePart): Buffer => {
  const headers = [`Content-Type: ${part.contentType}`]
  if (part.naming === "filename") headers.push(`Content-Disposition: attachment; filename="${part.name}"`)
  if (part.naming === "content-id") headers.push(`Content-ID: <${part.name}>`)
  headers.push(`Content-Transfer-Encoding: ${part.encoding}`)
  const body = part.encoding === "base64" ? Buffer.from(base64Lines(part.body)) : Buffer.from(part.body)
  return Buffer.concat([Buffer.from(`${headers.join("\r\n")}\r\n\r\n`), body])
}

const multipart = (boundary: string, parts: ReadonlyArray<Buffer>): Buffer => {
  const chunks: Array<Buffer> = [Buffer.from("This is a multi-part message in MIME format.\r\n")]
  for (const part of parts) chunks.push(Buffer.from(`--${boundary}\r\n`), part, Buffer.from("\r\n"))
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return Buffer.concat(chunks)
}

/** The whole dump file. `signed` nests the multipart in `multipart/signed` with a signature part. */
export const mimeDump = (
  parts: ReadonlyArray<MimePart>,
  options: { readonly version: string; readonly signed: boolean; readonly seed: number },
): Buffer => {
  const inner = `----=_PleskDump_${options.seed.toString(16).padStart(8, "0")}`
  const top = [
    "From: Plesk Backup <root@backup.example>",
    "To: admin@backup.example",
    "Subject: Plesk dump",
    `Dumped-PSA-Version: ${options.version}`,
    "MIME-Version: 1.0",
  ]
  const mixed = multipart(inner, parts.map(partBytes))
  if (!options.signed) {
    return Buffer.concat([Buffer.from([...top, `Content-Type: multipart/mixed; boundary="${inner}"`, "", ""].join("\r\n")), mixed])
  }
  const outer = `----=_PleskSigned_${options.seed.toString(16).padStart(8, "0")}`
  const signedPart = Buffer.concat([Buffer.from(`Content-Type: multipart/mixed;\r\n boundary="${inner}"\r\n\r\n`), mixed])
  const signature = partBytes({
    name: "smime.p7s",
    naming: "filename",
    contentType: "application/pkcs7-signature; name=smime.p7s",
    encoding: "base64",
    body: pseudoRandomBytes(256, options.seed),
  })
  return Buffer.concat([
    Buffer.from(
      [...top, `Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="${outer}"`, "", ""].join(
        "\r\n",
      ),
    ),
    multipart(outer, [signedPart, signature]),
  ])
}
