import type { Forwarder, ForwardTarget, StepContext, StepResult } from "@ferry/core"
import { StepFailed } from "@ferry/core"
import { Effect, Result } from "effect"
import { inventoryFailure, ownerIds, requireDomainOwner } from "./Dovecot.ts"
import { domainName, mailAddress } from "./Identifiers.ts"
import type { ImportEnv, ImporterPart } from "./ImportEnv.ts"
import { combineOutcomes } from "./Records.ts"
import { toStepFailed, writeFileAtomic } from "./SafeFs.ts"

/*
 * Forwarders of a mail domain, in `layout.aliases(domain)`, one line per source in Exim valias
 * style: `address: target, target`, `@domain: @other.domain` for whole-domain forwards, and
 * `*: …` for the domain's catch-all. The file is rendered from the "forwarder" and "mail-domain"
 * records, so importing a forwarder twice leaves one line (checklist item 49).
 *
 * Delivery to programs (`|cmd`), files (`/path`) and `:include:` lists runs with the mail
 * server's rights (security rule 25, checklist item 41): such targets are never written. A
 * forwarder keeps its other targets (the refused ones are in the step's notes); one with none
 * left fails with "forward-target-refused".
 */

export const forwarderKind = "forwarder"
export const mailDomainKind = "mail-domain"

export interface ForwarderData {
  readonly address: string
  readonly scope: "address" | "domain"
  /** Targets as written in the file (validated). */
  readonly targets: ReadonlyArray<string>
}

export interface CatchAllData {
  readonly action: "bounce" | "discard" | "forward" | "reject"
  readonly target?: string
  readonly message?: string
}

/** A lowercase LDH domain name (IDN → punycode), or undefined (Identifiers.domainName). */
export const mailDomainName = (name: string): string | undefined => {
  const checked = domainName(name)
  return Result.isSuccess(checked) ? checked.success : undefined
}

/** `local@domain` checked by the identifier rules (lowercased), split. */
export const splitAddress = (address: string): { local: string; domain: string } | undefined => {
  const checked = mailAddress(address)
  if (Result.isFailure(checked)) return undefined
  const at = checked.success.lastIndexOf("@")
  return { local: checked.success.slice(0, at), domain: checked.success.slice(at + 1) }
}

const localUser = /^[a-z_][a-z0-9_.-]{0,31}$/

/** A `:fail:` text: one line of printable characters, at most 200. */
const failText = (message: string | undefined): string => {
  const text = (message ?? "")
    .replace(/[\u0000-\u001f\u007f]/g, " ")
    .trim()
    .slice(0, 200)
  return text === "" ? "No such address here" : text
}

const shown = (t: ForwardTarget): string => {
  const value = t.value.length > 80 ? `${t.value.slice(0, 80)}…` : t.value
  return t.kind === "pipe" ? `|${value}` : t.kind === "include" ? `:include:${value}` : value
}

export interface CheckedTargets {
  readonly kept: ReadonlyArray<string>
  /** Why each refused target was left out (for notes). */
  readonly refused: ReadonlyArray<string>
}

/** The targets a forwarder keeps, as written in the file, and the refused ones. */
export const checkTargets = (forwarder: Pick<Forwarder, "address" | "scope" | "targets" | "keepCopy">): CheckedTargets => {
  const kept: Array<string> = []
  const refused: Array<string> = []
  let fail: string | undefined
  const add = (value: string) => {
    if (!kept.includes(value)) kept.push(value)
  }
  for (const target of forwarder.targets) {
    const value = target.value.trim()
    switch (target.kind) {
      case "pipe":
      case "file":
      case "include":
        refused.push(
          `${shown(target)} (delivery to a ${target.kind === "include" ? ":include: list" : target.kind === "pipe" ? "program" : "file"} is refused)`,
        )
        break
      case "discard":
        add(":blackhole:")
        break
      case "fail":
        fail = `:fail: ${failText(value)}`
        break
      case "local-user":
        if (forwarder.scope === "address" && localUser.test(value)) add(value)
        else refused.push(`${shown(target)} (not a valid user name)`)
        break
      case "address": {
        if (forwarder.scope === "domain") {
          const domain = mailDomainName(value.replace(/^@/, ""))
          if (domain !== undefined) add(`@${domain}`)
          else refused.push(`${shown(target)} (not a valid domain name)`)
          break
        }
        const parts = splitAddress(value)
        if (parts !== undefined) add(`${parts.local}@${parts.domain}`)
        else refused.push(`${shown(target)} (not a valid address)`)
        break
      }
    }
  }
  if (forwarder.keepCopy === true && forwarder.scope === "address") {
    const self = splitAddress(forwarder.address)
    if (self !== undefined && kept.length > 0) add(`${self.local}@${self.domain}`)
  }
  // `:fail:` takes the rest of the line in Exim: it can only come last, alone.
  if (fail !== undefined && kept.length === 0) kept.push(fail)
  else if (fail !== undefined) refused.push(`${fail} (a bounce cannot be combined with other targets)`)
  return { kept, refused }
}

/** The catch-all line's right-hand side, or undefined when there is none (or it is unusable). */
export const catchAllTarget = (catchAll: CatchAllData | undefined): string | undefined => {
  if (catchAll === undefined) return undefined
  switch (catchAll.action) {
    case "discard":
      return ":blackhole:"
    case "bounce":
    case "reject":
      return `:fail: ${failText(catchAll.message)}`
    case "forward": {
      const target = catchAll.target?.trim() ?? ""
      const parts = splitAddress(target)
      if (parts !== undefined) return `${parts.local}@${parts.domain}`
      return localUser.test(target) ? target : undefined
    }
  }
}

const clean = (text: string) => !/[\u0000-\u001f\u007f]/.test(text)

/** The aliases file of one domain (sorted: addresses, then domain forwards, then the catch-all). */
export const renderAliases = (domain: string, forwarders: ReadonlyArray<ForwarderData>, catchAll: string | undefined): string => {
  const lines = [...forwarders]
    .filter((f) => f.targets.length > 0 && clean(f.address) && f.targets.every(clean))
    .map((f) => `${f.scope === "domain" ? `@${f.address}` : f.address}: ${f.targets.join(", ")}`)
    .sort((a, b) => {
      const rank = (line: string) => (line.startsWith("@") ? 1 : 0)
      return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0)
    })
  if (catchAll !== undefined && clean(catchAll)) lines.push(`*: ${catchAll}`)
  return [`# Forwarders of ${domain}: written by Ferry from its inventory; edits are replaced on the next import.`, ...lines, ""].join("\n")
}

/** Re-render `layout.aliases(domain)` from the records; returns the write outcome. */
export const writeDomainAliases = (env: ImportEnv, step: string, domain: string) =>
  Effect.gen(function* () {
    const forwarders = yield* env.records.list(forwarderKind, { keyPrefix: `${domain}/` })
    const mailDomain = yield* env.records.get(mailDomainKind, domain)
    const catchAll = catchAllTarget((mailDomain?.data as { catchAll?: CatchAllData } | undefined)?.catchAll)
    const text = renderAliases(
      domain,
      forwarders.map((r) => r.data as ForwarderData),
      catchAll,
    )
    return yield* writeFileAtomic(env.root, env.layout.aliases(domain), text, { mode: 0o644, fsync: true }).pipe(
      Effect.mapError(toStepFailed(step, `the forwarders of ${domain}`)),
    )
  }).pipe(Effect.mapError((e) => (e instanceof StepFailed ? e : inventoryFailure(step)(e))))

/** The domain a forwarder belongs to and its normalised source address. */
const sourceOf = (forwarder: Forwarder): { domain: string; address: string } | undefined => {
  if (forwarder.scope === "domain") {
    const domain = mailDomainName(forwarder.address.replace(/^@/, ""))
    return domain === undefined ? undefined : { domain, address: domain }
  }
  const parts = splitAddress(forwarder.address)
  return parts === undefined ? undefined : { domain: parts.domain, address: `${parts.local}@${parts.domain}` }
}

const applyForwarder =
  (env: ImportEnv) =>
  (forwarder: Forwarder, ctx: StepContext): Effect.Effect<StepResult, StepFailed> =>
    Effect.gen(function* () {
      const source = sourceOf(forwarder)
      if (source === undefined)
        return yield* new StepFailed({
          step: forwarder.id,
          code: "invalid-name",
          reason: `forwarder ${JSON.stringify(forwarder.address.slice(0, 100))}: not a valid ${forwarder.scope === "domain" ? "domain name" : "address"}`,
        })
      const owner = yield* ownerIds(env, forwarder, ctx)
      yield* requireDomainOwner(env, forwarder.id, source.domain, owner.login)
      const { kept, refused } = checkTargets(forwarder)
      if (kept.length === 0)
        return yield* new StepFailed({
          step: forwarder.id,
          code: refused.length > 0 ? "forward-target-refused" : "forward-no-target",
          reason:
            refused.length > 0
              ? `forwarder ${source.address}: every target was refused: ${refused.join("; ")}`
              : `forwarder ${source.address} has no target`,
        })
      const data: ForwarderData = { address: source.address, scope: forwarder.scope, targets: kept }
      const key = `${source.domain}/${forwarder.scope === "domain" ? "@" : source.address}`
      const put = yield* env.records.put(forwarderKind, key, owner.login, data).pipe(Effect.mapError(inventoryFailure(forwarder.id)))
      const written = yield* writeDomainAliases(env, forwarder.id, source.domain)
      return {
        outcome: combineOutcomes([put, written]),
        ...(refused.length > 0 ? { notes: [`forwarder ${source.address}: targets left out: ${refused.join("; ")}`] } : {}),
      }
    })

/** Forwarders (the MailDomain catch-all is rendered into the same file by the mail part). */
export const makeAliasesPart = (env: ImportEnv) =>
  ({
    apply: { Forwarder: applyForwarder(env) },
  }) satisfies ImporterPart
