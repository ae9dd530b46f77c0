import { type Entity, type Importer, type StepContext, StepFailed, type StepResult } from "@ferry/core"
import { Effect } from "effect"
import type { ImporterPart } from "./ImportEnv.ts"

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
