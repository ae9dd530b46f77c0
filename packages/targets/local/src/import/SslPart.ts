import { createHash, createPrivateKey, type KeyObject, X509Certificate } from "node:crypto"
import { dirname } from "node:path"
import {
  type Csr,
  csrInfo,
  isPrivateKeyLabel,
  pemBlocks,
  privateKeyPublicDer,
  type SslCertificate,
  type StepContext,
  StepFailed,
  type StepResult,
  type TargetError,
} from "@ferry/core"
import { Effect, Redacted, Result } from "effect"
import { domainName, fileName, orFailStep, resolveOwner } from "./Identifiers.ts"
import type { ImportEnv, ImporterPart } from "./ImportEnv.ts"
import { combineOutcomes, type PutOutcome } from "./Records.ts"
import { ensureDir, removeFile, toStepFailed, writeFileAtomic } from "./SafeFs.ts"

/*
 * Certificates and CSRs (checklist item 46). The certificate file holds the leaf followed by its
 * chain in leaf → root order (what nginx wants as ssl_certificate); the chain alone is written
 * next to it; the key goes to a 0700 directory as 0600. Among several keys the one whose public
 * key matches the certificate is kept (node:crypto checkPrivateKey); an encrypted key or no
 * matching key fails the step with the reason. A certificate without any key is written, and the
 * step says HTTPS cannot use it.
 */

export const sslRecordKind = "ssl-certificate"
export const csrRecordKind = "csr"

export interface SslRecord {
  readonly name: string
  /** Leaf + chain (fullchain). */
  readonly certificate: string
  readonly key: string | null
  readonly chain: string | null
  readonly domains: ReadonlyArray<string>
  readonly fingerprint: string
}

const inventoryFailed = (step: string) => (error: TargetError) => new StepFailed({ step, code: "inventory", reason: error.message })

/** A file name from the first valid domain and the fingerprint: readable, unique, allow-listed. */
export const certificateFileName = (domains: ReadonlyArray<string>, fingerprint: string): string => {
  const first = domains
    .map((d) => (d.startsWith("*.") ? { wildcard: true, name: d.slice(2) } : { wildcard: false, name: d }))
    .map((d) => ({ ...d, checked: domainName(d.name) }))
    .find((d) => Result.isSuccess(d.checked))
  const base =
    first === undefined || Result.isFailure(first.checked) ? "certificate" : `${first.wildcard ? "wildcard." : ""}${first.checked.success}`
  const hex = fingerprint.replace(/[^0-9a-fA-F]/g, "").toLowerCase()
  return `${base}-${hex.slice(0, 12) || "0"}`
}

const isEncrypted = (label: string, text: string) => label === "ENCRYPTED PRIVATE KEY" || /Proc-Type:\s*4,ENCRYPTED/.test(text)

/** The private key among `text`'s blocks that `matches`; counts what could not be read. */
export const pickKey = (
  text: string,
  matches: (key: KeyObject, pem: string) => boolean,
): { found?: string; encrypted: number; others: number } => {
  let encrypted = 0
  let others = 0
  for (const block of pemBlocks(text).filter((b) => isPrivateKeyLabel(b.label))) {
    if (isEncrypted(block.label, block.text)) {
      encrypted++
      continue
    }
    try {
      const key = createPrivateKey({ key: block.text, format: "pem" })
      if (matches(key, block.text)) return { found: block.text, encrypted, others }
      others++
    } catch {
      encrypted++ // a passphrase-less read failed: damaged or encrypted in a form without the header
    }
  }
  return { encrypted, others }
}

/**
 * The chain in leaf → root order: each next certificate is the issuer of the previous one
 * (checkIssued + signature). Certificates that are not on that path are returned apart.
 */
export const orderChain = (
  leaf: X509Certificate,
  chain: ReadonlyArray<X509Certificate>,
): { ordered: Array<X509Certificate>; unrelated: Array<X509Certificate> } => {
  const remaining = chain.filter((c) => c.fingerprint256 !== leaf.fingerprint256)
  const ordered: Array<X509Certificate> = []
  let current = leaf
  while (remaining.length > 0) {
    if (current.checkIssued(current) && ordered.length > 0) break // reached a self-signed root
    const index = remaining.findIndex((c) => current.checkIssued(c) && current.verify(c.publicKey))
    if (index < 0) break
    const [next] = remaining.splice(index, 1) as [X509Certificate]
    ordered.push(next)
    current = next
  }
  return { ordered, unrelated: remaining }
}

const pem = (cert: X509Certificate): string => `${cert.toString().trim()}\n`

export const makeSslPart = (env: ImportEnv): ImporterPart => {
  const { layout, root } = env

  const ensureSslDirs = (step: string, keyPath: string, certPath: string) =>
    Effect.gen(function* () {
      yield* ensureDir(root, dirname(certPath), { mode: 0o755 })
      yield* ensureDir(root, dirname(keyPath), { mode: 0o700 })
    }).pipe(Effect.mapError(toStepFailed(step, "certificate directory")))

  const applyCertificate = Effect.fn("SslPart.certificate")(function* (entity: SslCertificate, ctx: StepContext) {
    const step = entity.id
    const owner = yield* orFailStep(step, resolveOwner(entity, ctx))
    const leaf = yield* Effect.try({
      try: () => new X509Certificate(entity.certificatePem),
      catch: () => new StepFailed({ step, code: "ssl-certificate-unreadable", reason: `the certificate ${entity.name} cannot be read` }),
    })
    const chainCerts: Array<X509Certificate> = []
    for (const text of entity.chainPem)
      for (const block of pemBlocks(text).filter((b) => b.label === "CERTIFICATE")) {
        const parsed = Result.try(() => new X509Certificate(block.text))
        if (Result.isFailure(parsed))
          return yield* new StepFailed({
            step,
            code: "ssl-chain-unreadable",
            reason: `a chain certificate of ${entity.name} cannot be read`,
          })
        chainCerts.push(parsed.success)
      }
    const notes: Array<string> = []
    const { ordered, unrelated } = orderChain(leaf, chainCerts)
    const inputOrder = chainCerts.filter((c) => !unrelated.includes(c) && c.fingerprint256 !== leaf.fingerprint256)
    if (ordered.some((c, i) => inputOrder[i] !== c)) notes.push("the chain was reordered leaf → root")
    if (unrelated.length > 0) notes.push(`${unrelated.length} certificate(s) that do not belong to the chain were left out`)

    let keyPem: string | undefined
    if (entity.privateKey !== undefined) {
      const choice = pickKey(Redacted.value(entity.privateKey), (key) => leaf.checkPrivateKey(key))
      if (choice.found === undefined) {
        const reason =
          choice.others === 0 && choice.encrypted > 0
            ? `the private key of ${entity.name} is encrypted (passphrase-protected); decrypt it and import again`
            : `no private key matches the certificate ${entity.name}${choice.encrypted > 0 ? ` (${choice.encrypted} key(s) encrypted)` : ""}`
        return yield* new StepFailed({
          step,
          code: choice.others === 0 && choice.encrypted > 0 ? "ssl-key-encrypted" : "ssl-key-mismatch",
          reason,
        })
      }
      keyPem = choice.found
    } else notes.push(`no private key for ${entity.name}: HTTPS cannot use this certificate`)

    const name = yield* orFailStep(step, fileName(certificateFileName(entity.domains, leaf.fingerprint256), "certificate name"))
    const certPath = layout.sslCertificate(name)
    const keyPath = layout.sslKey(name)
    const chainPath = layout.sslChain(name)
    yield* ensureSslDirs(step, keyPath, certPath)
    const fsFailed = toStepFailed(step, `certificate ${entity.name}`)
    const outcomes: Array<PutOutcome> = []
    outcomes.push(
      yield* writeFileAtomic(root, certPath, [leaf, ...ordered].map(pem).join(""), { mode: 0o644 }).pipe(Effect.mapError(fsFailed)),
    )
    if (ordered.length > 0)
      outcomes.push(yield* writeFileAtomic(root, chainPath, ordered.map(pem).join(""), { mode: 0o644 }).pipe(Effect.mapError(fsFailed)))
    else if (yield* removeFile(root, chainPath).pipe(Effect.mapError(fsFailed))) outcomes.push("updated")
    if (keyPem !== undefined) outcomes.push(yield* writeFileAtomic(root, keyPath, keyPem, { mode: 0o600 }).pipe(Effect.mapError(fsFailed)))
    const record: SslRecord = {
      name,
      certificate: certPath,
      key: keyPem === undefined ? null : keyPath,
      chain: ordered.length > 0 ? chainPath : null,
      domains: entity.domains,
      fingerprint: leaf.fingerprint256,
    }
    outcomes.push(yield* env.records.put(sslRecordKind, entity.id, owner, record).pipe(Effect.mapError(inventoryFailed(step))))
    return { outcome: combineOutcomes(outcomes), ...(notes.length > 0 ? { notes } : {}) } satisfies StepResult
  })

  const applyCsr = Effect.fn("SslPart.csr")(function* (entity: Csr, ctx: StepContext) {
    const step = entity.id
    const owner = yield* orFailStep(step, resolveOwner(entity, ctx))
    const info = yield* Effect.try({
      try: () => csrInfo(entity.pem),
      catch: (e) =>
        new StepFailed({
          step,
          code: "csr-unreadable",
          reason: `the CSR ${entity.name} cannot be read: ${e instanceof Error ? e.message : String(e)}`,
        }),
    })
    const block = pemBlocks(entity.pem).find((b) => /CERTIFICATE REQUEST$/.test(b.label)) as { text: string }
    const hash = createHash("sha256").update(block.text).digest("hex")
    const name = yield* orFailStep(step, fileName(`csr-${certificateFileName(info.domains, hash)}`, "CSR name"))
    const csrPath = layout.csr(name)
    const keyPath = layout.sslKey(name)
    const notes: Array<string> = []
    let keyPem: string | undefined
    if (entity.privateKey !== undefined) {
      const choice = pickKey(Redacted.value(entity.privateKey), (_key, text) => privateKeyPublicDer(text) === info.publicKeyDer)
      if (choice.found === undefined)
        notes.push(`the private key stored with the CSR ${entity.name} does not match it (or is encrypted); it was left out`)
      keyPem = choice.found
    }
    yield* ensureSslDirs(step, keyPath, csrPath)
    const fsFailed = toStepFailed(step, `CSR ${entity.name}`)
    const outcomes: Array<PutOutcome> = [yield* writeFileAtomic(root, csrPath, block.text, { mode: 0o644 }).pipe(Effect.mapError(fsFailed))]
    if (keyPem !== undefined) outcomes.push(yield* writeFileAtomic(root, keyPath, keyPem, { mode: 0o600 }).pipe(Effect.mapError(fsFailed)))
    outcomes.push(
      yield* env.records
        .put(csrRecordKind, entity.id, owner, { name, csr: csrPath, key: keyPem === undefined ? null : keyPath, domains: info.domains })
        .pipe(Effect.mapError(inventoryFailed(step))),
    )
    return { outcome: combineOutcomes(outcomes), ...(notes.length > 0 ? { notes } : {}) } satisfies StepResult
  })

  return { apply: { SslCertificate: applyCertificate, Csr: applyCsr } }
}
