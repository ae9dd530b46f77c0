import type { Autoresponder, Entity, MailFilter, MailingList, StepContext, StepResult } from "@ferry/core"
import { StepFailed } from "@ferry/core"
import { Effect } from "effect"
import { stringify } from "yaml"
import { mailDomainName, splitAddress } from "./Aliases.ts"
import { inventoryFailure, ownerIds, requireDomainOwner } from "./Dovecot.ts"
import { domainName, mailboxLocalPart, orFailStep } from "./Identifiers.ts"
import type { ImportEnv, ImporterPart } from "./ImportEnv.ts"
import { combineOutcomes } from "./Records.ts"
import { toStepFailed, writeFileAtomic } from "./SafeFs.ts"

/*
 * Autoresponders, mail filters and mailing lists of a mail domain, in one YAML document per
 * domain (`layout.mailSettings(domain)`), rendered from their records. Autoresponders are rebuilt
 * from their model fields (subject, body, sender, interval, dates): never from a path or program
 * the backup names (checklist item 41). Filters are kept as the source wrote them, for review:
 * nothing executes them. Values with a NUL byte are refused; one-line values (subject, sender,
 * charset) must not hold line breaks (security rule 13).
 */

export const autoresponderKind = "autoresponder"
export const mailFilterKind = "mail-filter"
export const mailingListKind = "mailing-list"

const maxText = 64 * 1024

export interface AutoresponderData {
  readonly address: string
  readonly from?: string
  readonly subject: string
  readonly body: string
  readonly charset?: string
  readonly html: boolean
  readonly intervalHours?: number
  /** ISO 8601 times. */
  readonly startsAt?: string
  readonly stopsAt?: string
}

export interface MailFilterData {
  readonly scope: string
  readonly name: string
  readonly format: MailFilter["format"]
  readonly definition: string
}

export interface MailingListData {
  readonly name: string
  readonly address: string
  readonly manager: MailingList["manager"]
  readonly admins: ReadonlyArray<string>
  readonly members: ReadonlyArray<string>
}

const fail = (step: string, code: string, reason: string) => new StepFailed({ step, code, reason })
const hasNul = (text: string) => text.includes("\0")
const oneLine = (text: string) => !/[\u0000-\u001f\u007f]/.test(text)

/** Seconds (or milliseconds, as some adapters give) since the epoch → ISO time, when plausible. */
const isoTime = (value: number | undefined): string | undefined => {
  if (value === undefined || !Number.isFinite(value) || value <= 0) return undefined
  const ms = value > 1e11 ? value : value * 1000
  const date = new Date(ms)
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString()
}

/** A sender: an address, optionally with a display name (`Name <a@b.c>`), one line. */
const validFrom = (from: string): boolean => {
  if (!oneLine(from) || from.length > 320) return false
  const angle = /^[^<>"]{0,200}<([^<>\s]+)>$/.exec(from.trim())
  return splitAddress(angle?.[1] ?? from.trim()) !== undefined
}

/** The domain a scope (address or domain name) belongs to. */
const domainOfScope = (scope: string): string | undefined => {
  const parts = splitAddress(scope)
  if (parts !== undefined) return parts.domain
  return mailDomainName(scope)
}

export const buildAutoresponder = (entity: Autoresponder): { data: AutoresponderData; notes: Array<string> } | string => {
  const parts = splitAddress(entity.address)
  if (parts === undefined) return `autoresponder ${JSON.stringify(entity.address.slice(0, 100))}: not a valid address`
  const address = `${parts.local}@${parts.domain}`
  if (hasNul(entity.subject) || hasNul(entity.body)) return `autoresponder ${address}: the message contains a NUL byte`
  if (!oneLine(entity.subject)) return `autoresponder ${address}: the subject contains a line break or control character`
  if (entity.subject.length > 998) return `autoresponder ${address}: the subject is longer than a mail header line`
  if (entity.body.length > maxText) return `autoresponder ${address}: the message is larger than ${maxText} characters`
  const notes: Array<string> = []
  let from: string | undefined
  if (entity.from !== undefined && entity.from.trim() !== "") {
    if (validFrom(entity.from)) from = entity.from.trim()
    else notes.push(`autoresponder ${address}: the sender is not a valid address; replies are sent from ${address}`)
  }
  const charset = entity.charset !== undefined && /^[A-Za-z0-9_.:-]{1,40}$/.test(entity.charset) ? entity.charset : undefined
  if (entity.charset !== undefined && charset === undefined)
    notes.push(`autoresponder ${address}: the character set is not valid; UTF-8 is assumed`)
  const interval =
    entity.intervalHours !== undefined && Number.isFinite(entity.intervalHours) && entity.intervalHours >= 0
      ? entity.intervalHours
      : undefined
  const startsAt = isoTime(entity.startsAt)
  const stopsAt = isoTime(entity.stopsAt)
  return {
    data: {
      address,
      ...(from !== undefined ? { from } : {}),
      subject: entity.subject,
      body: entity.body,
      ...(charset !== undefined ? { charset } : {}),
      html: entity.html === true,
      ...(interval !== undefined ? { intervalHours: interval } : {}),
      ...(startsAt !== undefined ? { startsAt } : {}),
      ...(stopsAt !== undefined ? { stopsAt } : {}),
    },
    notes,
  }
}

interface DomainSettings {
  readonly autoresponders: ReadonlyArray<AutoresponderData>
  readonly filters: ReadonlyArray<MailFilterData>
  readonly mailingLists: ReadonlyArray<MailingListData>
}

/** The YAML document of one domain (plain scalars, no anchors, no tags; same records → same bytes). */
export const renderMailSettings = (domain: string, settings: DomainSettings): string => {
  const document = {
    domain,
    autoresponders: settings.autoresponders,
    filters: settings.filters,
    mailingLists: settings.mailingLists,
  }
  const header = `# Mail settings of ${domain}: written by Ferry from its inventory; edits are replaced on the next import.\n`
  return header + stringify(document, { aliasDuplicateObjects: false, lineWidth: 0 })
}

const writeDomainSettings = (env: ImportEnv, step: string, domain: string) =>
  Effect.gen(function* () {
    const list = (kind: string) => env.records.list(kind, { keyPrefix: `${domain}/` }).pipe(Effect.mapError(inventoryFailure(step)))
    const settings: DomainSettings = {
      autoresponders: (yield* list(autoresponderKind)).map((r) => r.data as AutoresponderData),
      filters: (yield* list(mailFilterKind)).map((r) => r.data as MailFilterData),
      mailingLists: (yield* list(mailingListKind)).map((r) => r.data as MailingListData),
    }
    return yield* writeFileAtomic(env.root, env.layout.mailSettings(domain), renderMailSettings(domain, settings), {
      mode: 0o640,
      fsync: true,
    }).pipe(Effect.mapError(toStepFailed(step, `the mail settings of ${domain}`)))
  })

/** Record one setting and re-render the domain's document. */
const store = (env: ImportEnv, entity: Entity, ctx: StepContext, kind: string, domain: string, key: string, data: unknown) =>
  Effect.gen(function* () {
    const owner = yield* ownerIds(env, entity, ctx)
    yield* requireDomainOwner(env, entity.id, domain, owner.login)
    const put = yield* env.records.put(kind, `${domain}/${key}`, owner.login, data).pipe(Effect.mapError(inventoryFailure(entity.id)))
    const written = yield* writeDomainSettings(env, entity.id, domain)
    return combineOutcomes([put, written])
  })

const applyAutoresponder =
  (env: ImportEnv) =>
  (entity: Autoresponder, ctx: StepContext): Effect.Effect<StepResult, StepFailed> =>
    Effect.gen(function* () {
      const built = buildAutoresponder(entity)
      if (typeof built === "string") return yield* fail(entity.id, "autoresponder-invalid", built)
      const domain = built.data.address.slice(built.data.address.lastIndexOf("@") + 1)
      const outcome = yield* store(env, entity, ctx, autoresponderKind, domain, built.data.address, built.data)
      return { outcome, ...(built.notes.length > 0 ? { notes: built.notes } : {}) }
    })

const applyMailFilter =
  (env: ImportEnv) =>
  (entity: MailFilter, ctx: StepContext): Effect.Effect<StepResult, StepFailed> =>
    Effect.gen(function* () {
      const domain = domainOfScope(entity.scope)
      if (domain === undefined)
        return yield* fail(
          entity.id,
          "invalid-name",
          `mail filter ${JSON.stringify(entity.name.slice(0, 60))}: its scope is not an address or domain`,
        )
      if (!oneLine(entity.name) || entity.name.length > 200 || entity.name.includes("/"))
        return yield* fail(entity.id, "mail-filter-invalid", `mail filter of ${entity.scope}: the name is not one line of text`)
      if (hasNul(entity.definition) || entity.definition.length > maxText)
        return yield* fail(
          entity.id,
          "mail-filter-invalid",
          `mail filter ${entity.name} of ${entity.scope}: the rule contains a NUL byte or is too large`,
        )
      const scope = splitAddress(entity.scope) !== undefined ? entity.scope.replace(/@[^@]*$/, `@${domain}`) : domain
      const data: MailFilterData = { scope, name: entity.name, format: entity.format, definition: entity.definition }
      const outcome = yield* store(env, entity, ctx, mailFilterKind, domain, `${scope}/${entity.name}`, data)
      return {
        outcome,
        notes: [`mail filter ${entity.name} of ${scope}: kept in ${env.layout.mailSettings(domain)} for review; it is not active`],
      }
    })

const applyMailingList =
  (env: ImportEnv) =>
  (entity: MailingList, ctx: StepContext): Effect.Effect<StepResult, StepFailed> =>
    Effect.gen(function* () {
      const domain = yield* orFailStep(entity.id, domainName(entity.domain))
      const name = yield* orFailStep(entity.id, mailboxLocalPart(entity.name))
      const clean = (list: ReadonlyArray<string>) => {
        const kept = [
          ...new Set(list.map((a) => splitAddress(a.trim())).flatMap((p) => (p === undefined ? [] : [`${p.local}@${p.domain}`]))),
        ].sort()
        return { kept, dropped: list.length - kept.length }
      }
      const admins = clean(entity.admins)
      const members = clean(entity.members)
      const data: MailingListData = {
        name,
        address: `${name}@${domain}`,
        manager: entity.manager,
        admins: admins.kept,
        members: members.kept,
      }
      const outcome = yield* store(env, entity, ctx, mailingListKind, domain, name, data)
      const dropped = admins.dropped + members.dropped
      return {
        outcome,
        notes: [
          `mailing list ${data.address}: recorded in ${env.layout.mailSettings(domain)}; no list manager is set up by Ferry`,
          ...(dropped > 0 ? [`mailing list ${data.address}: ${dropped} invalid or duplicate address(es) left out`] : []),
        ],
      }
    })

export const makeMailSettingsPart = (env: ImportEnv) =>
  ({
    apply: { Autoresponder: applyAutoresponder(env), MailFilter: applyMailFilter(env), MailingList: applyMailingList(env) },
  }) satisfies ImporterPart
