import type { Capabilities, ContentRef, ContentSink, Entity, EntityOf, EntityTag, StepContext, StepFailed, StepResult } from "@ferry/core"
import type { Effect } from "effect"
import type { InventoryStore } from "../InventoryStore.ts"
import type { Layout } from "./Layout.ts"
import type { RecordStore } from "./Records.ts"

/** Everything an importer part needs about the local target. */
export interface ImportEnv {
  readonly root: string
  readonly stateDir: string
  readonly store: InventoryStore
  readonly records: RecordStore
  readonly layout: Layout
  readonly capabilities: Capabilities
  /** Ferry runs as root: files get the account's uid/gid (lchown), clients drop to `nobody`. */
  readonly runningAsRoot: boolean
  /** Database servers Ferry may write to (from ferry.yaml / the environment), by server id. */
  readonly databaseServers: ReadonlyMap<string, DatabaseServerAccess>
}

/** How to reach a database server with administrative rights (never taken from a backup). */
export interface DatabaseServerAccess {
  readonly id: string
  readonly engine: "mariadb" | "mysql" | "postgresql"
  readonly host: string
  readonly port: number
  /** Unix socket directory or file, preferred over host/port when set. */
  readonly socket?: string
  readonly adminUser: string
  /** Read from a file or the environment; passed to clients through the environment, never argv. */
  readonly adminPassword?: string
}

export type ApplyFn<T extends EntityTag> = (entity: EntityOf<T>, ctx: StepContext) => Effect.Effect<StepResult, StepFailed>
export type ContentFn = (ref: ContentRef, entity: Entity, ctx: StepContext) => Effect.Effect<ContentSink, StepFailed>
export type FinishLine = { readonly level: "info" | "warning" | "error"; readonly message: string }

/** A slice of the local importer (files, mail, databases, …); LocalImporter joins the parts. */
export interface ImporterPart {
  readonly apply?: { readonly [T in EntityTag]?: ApplyFn<T> }
  readonly content?: { readonly [K in ContentRef["kind"]]?: ContentFn }
  readonly finish?: (ctx: { readonly jobId: string }) => Effect.Effect<ReadonlyArray<FinishLine>>
}
