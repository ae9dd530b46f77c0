import { Context, Effect, Layer } from "effect"
import type { Snapshot } from "../model/Snapshot.ts"
import type { Target, TargetError } from "../target/Target.ts"
import { builtinChecks } from "./builtin/index.ts"
import type { Check } from "./Check.ts"
import type { ImportOptions } from "./ImportOptions.ts"
import { runChecks } from "./Pipeline.ts"
import type { Plan } from "./Plan.ts"

/**
 * The checks an application runs, in order. Library users start from `builtinChecks` and add or
 * remove their own: `CheckRegistry.layer([...builtinChecks.filter(c => c.id !== "disk-space"), myCheck])`.
 */
export class CheckRegistry extends Context.Service<CheckRegistry, { readonly checks: ReadonlyArray<Check> }>()(
  "@ferry/core/CheckRegistry",
) {
  static readonly layer = (checks: ReadonlyArray<Check> = builtinChecks) => Layer.succeed(CheckRegistry, CheckRegistry.of({ checks }))
}

/** Checks a snapshot against a receiving server and returns the plan (Check and Confirm steps). */
export class CheckPipeline extends Context.Service<
  CheckPipeline,
  { readonly check: (snapshot: Snapshot, target: Target, options: ImportOptions) => Effect.Effect<Plan, TargetError> }
>()("@ferry/core/CheckPipeline") {
  static readonly layer = Layer.effect(
    CheckPipeline,
    Effect.gen(function* () {
      const { checks } = yield* CheckRegistry
      const check = Effect.fn("CheckPipeline.check")(function* (snapshot: Snapshot, target: Target, options: ImportOptions) {
        const capabilities = yield* target.capabilities
        const inventory = yield* target.inventory
        return runChecks({ snapshot, capabilities, inventory, options, checks })
      })
      return CheckPipeline.of({ check })
    }),
  )
}
