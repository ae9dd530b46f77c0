import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { csrInfo } from "../src/parse/Csr.ts"
import { privateKeyPublicDer } from "../src/parse/Pem.ts"
import { SafeParseError } from "../src/parse/SafeParse.ts"

const dir = mkdtempSync(join(tmpdir(), "ferry-csr-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

let counter = 0
/** A fresh key and CSR made by the openssl CLI; `keyArgs` choose the algorithm. */
const makeCsr = (keyArgs: ReadonlyArray<string>, subject: string, extra: ReadonlyArray<string> = []): { key: string; csr: string } => {
  counter++
  const keyPath = join(dir, `k${counter}.pem`)
  const csrPath = join(dir, `r${counter}.pem`)
  execFileSync("openssl", ["genpkey", ...keyArgs, "-out", keyPath], { stdio: "pipe" })
  execFileSync("openssl", ["req", "-new", "-utf8", "-key", keyPath, "-subj", subject, ...extra, "-out", csrPath], { stdio: "pipe" })
  return { key: readFileSync(keyPath, "utf8"), csr: readFileSync(csrPath, "utf8") }
}

const rsa = ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]
const ec = ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]

describe("csrInfo", () => {
  it("reads an RSA CSR with SANs: subject, CN + DNS names, public key", () => {
    const { key, csr } = makeCsr(rsa, "/C=US/ST=Illinois/O=Example Inc/CN=www.Example.com", [
      "-addext",
      "subjectAltName=DNS:www.example.com,DNS:Example.COM,DNS:*.example.net,IP:192.0.2.1,email:ops@example.com",
    ])
    const info = csrInfo(csr)
    expect(info.subject).toBe("C=US, ST=Illinois, O=Example Inc, CN=www.Example.com")
    expect(info.domains).toEqual(["www.example.com", "example.com", "*.example.net"])
    expect(info.publicKeyDer).toBe(privateKeyPublicDer(key))
  })

  it("reads an EC CSR without SANs", () => {
    const { key, csr } = makeCsr(ec, "/CN=shop.example.org/O=Bücher GmbH")
    const info = csrInfo(csr)
    expect(info.subject).toBe("CN=shop.example.org, O=Bücher GmbH")
    expect(info.domains).toEqual(["shop.example.org"])
    expect(info.publicKeyDer).toBe(privateKeyPublicDer(key))
  })

  it("reads an Ed25519 CSR and leaves a CN that is not a host name out of the domains", () => {
    const { key, csr } = makeCsr(["-algorithm", "ED25519"], "/CN=My Shop/emailAddress=ops@example.com", [
      "-addext",
      "subjectAltName=DNS:a.example.com",
    ])
    const info = csrInfo(csr)
    expect(info.subject).toBe("CN=My Shop, emailAddress=ops@example.com")
    expect(info.domains).toEqual(["a.example.com"])
    expect(info.publicKeyDer).toBe(privateKeyPublicDer(key))
  })

  it("does not pair a CSR with another key", () => {
    const first = makeCsr(ec, "/CN=one.example.com")
    const second = makeCsr(ec, "/CN=two.example.com")
    expect(csrInfo(first.csr).publicKeyDer).not.toBe(privateKeyPublicDer(second.key))
  })

  it("finds the CSR among other PEM blocks and accepts the old NEW CERTIFICATE REQUEST label", () => {
    const { key, csr } = makeCsr(ec, "/CN=mixed.example.com")
    expect(csrInfo(`${key}\n${csr}`).domains).toEqual(["mixed.example.com"])
    const old = csr.replace(/CERTIFICATE REQUEST-----/g, "NEW CERTIFICATE REQUEST-----")
    expect(csrInfo(old).publicKeyDer).toBe(privateKeyPublicDer(key))
    expect(csrInfo(csr.replace(/\n/g, "\r\n")).domains).toEqual(["mixed.example.com"])
  })

  it.each([
    ["empty text", ""],
    ["text without PEM", "hello"],
    ["a private key only", "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIHx2\n-----END PRIVATE KEY-----\n"],
    ["invalid base64", "-----BEGIN CERTIFICATE REQUEST-----\n!!!not base64!!!\n-----END CERTIFICATE REQUEST-----\n"],
    [
      "random bytes",
      `-----BEGIN CERTIFICATE REQUEST-----\n${Buffer.from("random bytes that are not DER at all").toString("base64")}\n-----END CERTIFICATE REQUEST-----\n`,
    ],
    ["a huge input", `-----BEGIN CERTIFICATE REQUEST-----\n${"A".repeat(70_000)}\n-----END CERTIFICATE REQUEST-----\n`],
  ])("throws SafeParseError for %s", (_name, text) => {
    expect(() => csrInfo(text)).toThrow(SafeParseError)
  })

  it("throws SafeParseError for a truncated CSR", () => {
    const { csr } = makeCsr(ec, "/CN=cut.example.com")
    const body = csr
      .split("\n")
      .filter((l) => l !== "" && !l.startsWith("-----"))
      .join("")
    const truncated = Buffer.from(body, "base64").subarray(0, 60).toString("base64")
    expect(() => csrInfo(`-----BEGIN CERTIFICATE REQUEST-----\n${truncated}\n-----END CERTIFICATE REQUEST-----\n`)).toThrow(SafeParseError)
  })
})
