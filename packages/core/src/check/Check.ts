import { Schema } from "effect"
import type { Entity, EntityOf, EntityTag } from "../model/Entity.ts"
import type { Snapshot } from "../model/Snapshot.ts"
import type { Capabilities, Inventory } from "../target/Target.ts"
import type { ImportOptions } from "./ImportOptions.ts"

/** One setting an import changes: `php.version` "8.1" → "8.2". */
export const Change = Schema.Struct({
  field: Schema.String,
  from: Schema.String,
  to: Schema.String,
})
export type Change = typeof Change.Type

/** What a finding does to one entity. */
export type Effect =
  /**
   * Not imported. `keepDependents`: the entities hanging off it are not skipped with it (an
   * account merged into an existing client keeps its domains).
   */
  | { readonly entity: string; readonly action: "skip"; readonly keepDependents?: boolean }
  | { readonly entity: string; readonly action: "change"; readonly changes: ReadonlyArray<Change> }
  /** Imported, but its password hash is unusable on the target: a new password is generated. */
  | { readonly entity: string; readonly action: "new-password"; readonly service: string }

/**
 * A conflict found by a check: data, never an exception. `critical` findings keep entities out
 * of the import; `warning` findings import them with changed settings (the seed's two lists).
 */
export interface Finding {
  readonly code: string
  readonly severity: "critical" | "warning"
  /** The seed's wording where there is one: "MySQL DBMS server not found". */
  readonly title: string
  /** What exactly was found, for the affected entities ("PHP 8.1 is not installed"). */
  readonly message: string
  /** What Ferry will do about it ("the sites will be imported with PHP 8.2"). */
  readonly resolution: string
  readonly effects: ReadonlyArray<Effect>
  /** The import cannot start until this is resolved (not enough disk, an unknown new owner). */
  readonly blocking?: boolean
}

/** The decision so far for each entity, as later checks see it. */
export interface PlanView {
  readonly isSkipped: (id: string) => boolean
  /** Effective value after earlier changes (e.g. a PHP version another check changed). */
  readonly changed: (id: string, field: string) => string | undefined
}

export interface CheckContext {
  readonly snapshot: Snapshot
  readonly capabilities: Capabilities
  readonly inventory: Inventory
  readonly options: ImportOptions
  readonly plan: PlanView
  /** Entities of a kind that are still going to be imported (not skipped so far), in snapshot order. */
  readonly active: <T extends EntityTag>(tag: T) => ReadonlyArray<EntityOf<T>>
  readonly entity: (id: string) => Entity | undefined
}

/**
 * One check of the pipeline: a small value. Checks run in registry order; each sees the plan
 * as earlier checks left it, so an entity already skipped is not reported again.
 */
export interface Check {
  readonly id: string
  readonly title: string
  readonly run: (context: CheckContext) => ReadonlyArray<Finding>
}

export const make = (check: Check): Check => check
