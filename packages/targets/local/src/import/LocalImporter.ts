import { type Entity, type Importer, type StepContext, StepFailed, type StepResult } from "@ferry/core"
import { Effect } from "effect"
import type { ImporterPart } from "./ImportEnv.ts"
import type { RecordStore } from "./Records.ts"

type AnyApply = (entity: Entity, ctx: StepContext) => Effect.Effect<StepResult, StepFailed>

/**
 * Joins importer parts into one Importer. An entity kind or content kind that no part handles
 * fails its step with the reason, so nothing is dropped silently.
 */
export const joinParts = (parts: ReadonlyArray<ImporterPart>): Importer => {
  const apply = new Map<string, AnyApply>()
  const content = new Map<string, NonNullable<ImporterPart["content"]>[keyof NonNullable<ImporterPart["content"]>]>()
  for (const part of parts) {
    for (const [tag, fn] of Object.entries(part.apply ?? {})) if (fn !== undefined) apply.set(tag, fn as unknown as AnyApply)
    for (const [kind, fn] of Object.entries(part.content ?? {})) if (fn !== undefined) content.set(kind, fn)
  }
  return {
    apply: (entity, ctx) => {
      const fn = apply.get(entity._tag)
      return fn !== undefined
        ? fn(entity, ctx)
        : Effect.fail(new StepFailed({ step: entity.id, code: "not-supported", reason: `this target cannot import a ${entity._tag} yet` }))
    },
    content: (ref, entity, ctx) => {
      const fn = content.get(ref.kind)
      return fn !== undefined
        ? fn(ref, entity, ctx)
        : Effect.fail(new StepFailed({ step: ref.id, code: "not-supported", reason: `this target cannot import ${ref.kind} content yet` }))
    },
    finish: (ctx) =>
      Effect.gen(function* () {
        const lines = []
        for (const part of parts) if (part.finish !== undefined) lines.push(...(yield* part.finish(ctx)))
        return lines
      }),
  }
}

/*
 * Passwords the importer had to generate (a hash the target cannot use, a service without a
 * password in the backup) are kept as records of this kind, one per entity and service, so the
 * job summary can list them separately (security rule 29) and a re-run reuses the same password
 * instead of generating another one.
 */
export const generatedPasswordKind = "generated-password"

export interface GeneratedPassword {
  /** Entity id ("mailbox:info@example.com"). */
  readonly entity: string
  /** What the password is for: "mail", "ftp", "mysql", "postgresql", "system", "web". */
  readonly service: string
  /** What to log in with. */
  readonly login: string
  readonly password: string
}

export const generatedPasswordKey = (entity: string, service: string): string => `${entity}#${service}`

/** Record a generated password (owner: the account's login); the same value again is "unchanged". */
export const recordGeneratedPassword = (records: RecordStore, owner: string, generated: GeneratedPassword) =>
  records.put(generatedPasswordKind, generatedPasswordKey(generated.entity, generated.service), owner, generated)

/** The password generated earlier for this entity and service, to reuse on a re-run. */
export const generatedPasswordOf = (records: RecordStore, entity: string, service: string) =>
  Effect.map(records.get(generatedPasswordKind, generatedPasswordKey(entity, service)), (row) =>
    row === undefined ? undefined : asGeneratedPassword(row.data),
  )

const asGeneratedPassword = (data: unknown, fallbackEntity?: string): GeneratedPassword | undefined => {
  if (typeof data !== "object" || data === null) return undefined
  const { service, login, password } = data as Record<string, unknown>
  const entity = (data as Record<string, unknown>)["entity"] ?? fallbackEntity
  return typeof entity === "string" && typeof service === "string" && typeof login === "string" && typeof password === "string"
    ? { entity, service, login, password }
    : undefined
}

/**
 * The generated passwords of these entities (a job's steps). A row that does not name its entity
 * is listed with its owner's account when the job imported that account.
 */
export const generatedPasswordsFor = (records: RecordStore, entities: ReadonlySet<string>) =>
  Effect.map(records.list(generatedPasswordKind), (rows) =>
    rows
      .map((row) => asGeneratedPassword(row.data, `account:${row.owner}`))
      .filter((p): p is GeneratedPassword => p !== undefined && entities.has(p.entity)),
  )
