import { resolve } from "node:path"
import type { Target, TargetError } from "@ferry/core"
import { Effect, type Scope } from "effect"
import { detectCapabilities } from "./Detect.ts"
import { type InventoryStore, openInventory } from "./InventoryStore.ts"
import { loadProfile } from "./Profile.ts"

/** This machine as a receiving server: a data root, a state directory and a profile. */
export interface LocalTarget extends Target {
  /** Where imported data lands. */
  readonly root: string
  /** Holds ferry.db (the inventory); created 0700. */
  readonly stateDir: string
  readonly store: InventoryStore
}

export interface LocalTargetOptions {
  readonly root: string
  readonly stateDir: string
  /** A ferry.yaml; without one the host is probed (detectCapabilities) on first use. */
  readonly profile?: string
  readonly id?: string
}

/**
 * Opens the inventory and reads the profile. A profile is validated here, so a broken ferry.yaml
 * fails before any work; detection runs once, when the capabilities are first asked for.
 */
export const makeLocalTarget = Effect.fn("LocalTarget.make")(function* (
  options: LocalTargetOptions,
): Effect.fn.Return<LocalTarget, TargetError, Scope.Scope> {
  const root = resolve(options.root)
  const stateDir = resolve(options.stateDir)
  const capabilities =
    options.profile !== undefined
      ? Effect.succeed(yield* loadProfile(options.profile, { root }))
      : yield* Effect.cached(detectCapabilities({ root }))
  const store = yield* openInventory(stateDir)
  return {
    id: options.id ?? "local",
    root,
    stateDir,
    store,
    capabilities,
    inventory: store.inventory,
  }
})
