import { createPrivateKey, X509Certificate } from "node:crypto"
import { existsSync, readFileSync, statSync } from "node:fs"
import { dirname } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import type { Csr, SslCertificate } from "@ferry/core"
import { Effect, Redacted } from "effect"
import { makeSslPart, type SslRecord } from "../../src/import/SslPart.ts"
import { failure } from "../Support.ts"
import { applyWith, makeImportEnv, makeStepContext, makeTestPki, type TestPki } from "../support/ImportEnvFixture.ts"

let shared: TestPki | undefined
const pki = () => {
  shared ??= makeTestPki()
  return shared
}

const certOf = (more: Partial<SslCertificate> = {}): SslCertificate => ({
  _tag: "SslCertificate",
  id: "ssl:leaf",
  owner: null,
  source: { path: "ssl" },
  name: "example.com",
  certificatePem: pki().leaf,
  privateKey: Redacted.make(pki().leafKey),
  chainPem: [pki().intermediate, pki().root],
  subject: "CN=example.com",
  issuer: "CN=Ferry Test Intermediate",
  domains: ["example.com", "www.example.com"],
  notBefore: "",
  notAfter: "",
  fingerprintSha256: "",
  selfSigned: false,
  keyMatches: true,
  ...more,
})

const fingerprints = (pem: string) =>
  pem
    .split(/(?<=-----END CERTIFICATE-----\n)/)
    .filter((p) => p.trim() !== "")
    .map((p) => new X509Certificate(p).subject)

const setup = Effect.gen(function* () {
  const env = yield* makeImportEnv()
  const part = makeSslPart(env)
  const run = (entity: SslCertificate | Csr) => applyWith(part, entity, makeStepContext(entity))
  const record = (id: string) => env.records.get("ssl-certificate", id).pipe(Effect.map((r) => r?.data as SslRecord))
  return { env, run, record }
})

describe("SslPart", () => {
  it.effect("a matching key: cert + chain 0644, key 0600 in a 0700 directory; a re-run changes nothing", () =>
    Effect.gen(function* () {
      const { run, record } = yield* setup
      const result = yield* run(certOf())
      assert.strictEqual(result.outcome, "created")
      assert.isUndefined(result.notes)
      const r = yield* record("ssl:leaf")
      assert.match(r.name, /^example\.com-[0-9a-f]{12}$/)
      assert.strictEqual(statSync(r.certificate).mode & 0o777, 0o644)
      assert.strictEqual(statSync(r.key as string).mode & 0o777, 0o600)
      assert.strictEqual(statSync(dirname(r.key as string)).mode & 0o777, 0o700)
      assert.deepStrictEqual(fingerprints(readFileSync(r.certificate, "utf8")), [
        "CN=example.com",
        "CN=Ferry Test Intermediate",
        "CN=Ferry Test Root",
      ])
      assert.deepStrictEqual(fingerprints(readFileSync(r.chain as string, "utf8")), ["CN=Ferry Test Intermediate", "CN=Ferry Test Root"])
      const key = createPrivateKey(readFileSync(r.key as string, "utf8"))
      assert.isTrue(new X509Certificate(pki().leaf).checkPrivateKey(key))
      assert.strictEqual((yield* run(certOf())).outcome, "unchanged")
    }),
  )

  it.effect("a chain in the wrong order is put leaf → root; strangers are left out", () =>
    Effect.gen(function* () {
      const { run, record } = yield* setup
      const other = makeTestPki(["other.example"])
      const result = yield* run(certOf({ chainPem: [pki().root, other.root, pki().intermediate] }))
      assert.deepStrictEqual(result.notes, [
        "the chain was reordered leaf → root",
        "1 certificate(s) that do not belong to the chain were left out",
      ])
      const r = yield* record("ssl:leaf")
      assert.deepStrictEqual(fingerprints(readFileSync(r.certificate, "utf8")), [
        "CN=example.com",
        "CN=Ferry Test Intermediate",
        "CN=Ferry Test Root",
      ])
    }),
  )

  it.effect("several keys in one text: the one matching the certificate is kept", () =>
    Effect.gen(function* () {
      const { run, record } = yield* setup
      yield* run(certOf({ privateKey: Redacted.make(`${pki().otherKey}${pki().leafKey}`) }))
      const r = yield* record("ssl:leaf")
      assert.strictEqual(readFileSync(r.key as string, "utf8").trim(), pki().leafKey.trim())
    }),
  )

  it.effect("a key that does not match, or an encrypted key, fails the step with the reason", () =>
    Effect.gen(function* () {
      const { env, run } = yield* setup
      const mismatch = yield* failure(run(certOf({ privateKey: Redacted.make(pki().otherKey) })))
      assert.strictEqual(mismatch.code, "ssl-key-mismatch")
      assert.match(mismatch.reason, /no private key matches the certificate example\.com/)
      const encrypted = createPrivateKey(pki().leafKey).export({
        type: "pkcs8",
        format: "pem",
        cipher: "aes-256-cbc",
        passphrase: "secret",
      }) as string
      const locked = yield* failure(run(certOf({ privateKey: Redacted.make(encrypted) })))
      assert.strictEqual(locked.code, "ssl-key-encrypted")
      assert.match(locked.reason, /encrypted \(passphrase-protected\)/)
      assert.isUndefined(yield* env.records.get("ssl-certificate", "ssl:leaf"))
      assert.isFalse(existsSync(dirname(env.layout.sslCertificate("x"))))
    }),
  )

  it.effect("a certificate without a key is written, and the step says HTTPS cannot use it", () =>
    Effect.gen(function* () {
      const { run, record } = yield* setup
      const { privateKey: _, ...noKey } = certOf()
      const result = yield* run(noKey)
      assert.match(result.notes?.[0] ?? "", /no private key for example\.com/)
      assert.strictEqual((yield* record("ssl:leaf")).key, null)
    }),
  )

  it.effect("a CSR is written with its matching key", () =>
    Effect.gen(function* () {
      const { env, run } = yield* setup
      const csr = readFileSync(`${process.cwd()}/packages/testing/src/fixtures/CsrPem.ts`, "utf8")
      const block = (label: string) => new RegExp(`-----BEGIN ${label}-----[\\s\\S]*?-----END ${label}-----\\n`).exec(csr)?.[0] ?? ""
      const entity: Csr = {
        _tag: "Csr",
        id: "csr:shop",
        owner: null,
        source: { path: "ssl/csrs/shop.csr" },
        name: "shop",
        pem: block("CERTIFICATE REQUEST"),
        subject: "CN=shop.synth.example",
        domains: ["shop.synth.example"],
        privateKey: Redacted.make(block("PRIVATE KEY")),
      }
      assert.strictEqual((yield* run(entity)).outcome, "created")
      const stored = (yield* env.records.get("csr", "csr:shop"))?.data as { csr: string; key: string }
      assert.include(readFileSync(stored.csr, "utf8"), "BEGIN CERTIFICATE REQUEST")
      assert.strictEqual(statSync(stored.key).mode & 0o777, 0o600)
      assert.strictEqual((yield* run(entity)).outcome, "unchanged")
    }),
  )
})
