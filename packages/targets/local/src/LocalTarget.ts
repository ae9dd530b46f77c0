import { resolve } from "node:path"
import { type Importer, type ImportTarget, StepFailed, type Target, type TargetError } from "@ferry/core"
import { Effect, type Scope } from "effect"
import { detectCapabilities } from "./Detect.ts"
import { type InventoryStore, openInventory } from "./InventoryStore.ts"
import { makeAccountPart } from "./import/AccountPart.ts"
import { makeAliasesPart } from "./import/Aliases.ts"
import { makeCronPart } from "./import/CronPart.ts"
import { makeDatabasePart } from "./import/DatabasePart.ts"
import { loadDatabaseServers } from "./import/DatabaseServers.ts"
import { makeDnsPart } from "./import/DnsPart.ts"
import { makeFtpPart } from "./import/FtpPart.ts"
import type { DatabaseServerAccess, ImportEnv, ImporterPart } from "./import/ImportEnv.ts"
import { makeLayout } from "./import/Layout.ts"
import { type GeneratedPassword, generatedPasswordsFor, joinParts } from "./import/LocalImporter.ts"
import { makeMailContentPart } from "./import/MailContent.ts"
import { makeMailPart } from "./import/MailPart.ts"
import { makeMailSettingsPart } from "./import/MailSettings.ts"
import { makeRecordStore } from "./import/Records.ts"
import { makeSslPart } from "./import/SslPart.ts"
import { makeWebPart } from "./import/WebPart.ts"
import { loadProfile } from "./Profile.ts"
import { makeSqliteJournal } from "./SqliteJournal.ts"

/** This machine as a receiving server: a data root, a state directory and a profile. */
export interface LocalTarget extends Target, ImportTarget {
  /** Where imported data lands. */
  readonly root: string
  /** Holds ferry.db (the inventory and the job journal); created 0700. */
  readonly stateDir: string
  readonly store: InventoryStore
  /** Passwords the importer generated for these entities (a job's steps), for the job summary. */
  readonly generatedPasswords: (entities: ReadonlySet<string>) => Effect.Effect<ReadonlyArray<GeneratedPassword>, TargetError>
}

export type { GeneratedPassword } from "./import/LocalImporter.ts"

export interface LocalTargetOptions {
  readonly root: string
  readonly stateDir: string
  /** A ferry.yaml; without one the host is probed (detectCapabilities) on first use. */
  readonly profile?: string
  readonly id?: string
  /** Database servers the importer may write to (tests); default: from the profile and the environment. */
  readonly databaseServers?: ReadonlyMap<string, DatabaseServerAccess>
}

/**
 * The importer parts, in the order their `finish` runs. A kind no part handles fails its steps
 * with "not-supported" (joinParts), so a missing part shows in the job, not as lost data.
 */
const partMakers: ReadonlyArray<(env: ImportEnv) => ImporterPart> = [
  // Files (A1): accounts and homes, sites and web content, DNS zones, certificates.
  makeAccountPart,
  makeWebPart,
  makeDnsPart,
  makeSslPart,
  // Mail, FTP, cron (A2).
  makeMailPart,
  makeMailContentPart,
  makeMailSettingsPart,
  makeAliasesPart,
  makeFtpPart,
  (env) => makeCronPart(env),
  // Databases (B).
  makeDatabasePart,
]

/**
 * The importer, built on first use: it needs the capabilities (a probe of the host without a
 * profile), which `ferry check` and `ferry jobs list` should not pay for. A target that cannot
 * be read fails each step with the reason.
 */
const lazyImporter = (env: Effect.Effect<ImportEnv, TargetError>): Importer => {
  let built: Importer | undefined
  const importer = Effect.map(env, (resolved) => {
    built ??= joinParts(partMakers.map((make) => make(resolved)))
    return built
  })
  const unreadable = (step: string) => (error: TargetError) =>
    new StepFailed({ step, code: "target-unreadable", reason: `the receiving server cannot be read: ${error.message}` })
  return {
    apply: (entity, ctx) =>
      importer.pipe(
        Effect.mapError(unreadable(entity.id)),
        Effect.flatMap((i) => i.apply(entity, ctx)),
      ),
    content: (ref, entity, ctx) =>
      importer.pipe(
        Effect.mapError(unreadable(ref.id)),
        Effect.flatMap((i) => i.content(ref, entity, ctx)),
      ),
    finish: (ctx) =>
      importer.pipe(
        Effect.flatMap((i) => i.finish(ctx)),
        Effect.catch((error) =>
          Effect.succeed([{ level: "error" as const, message: `the receiving server cannot be read: ${error.message}` }]),
        ),
      ),
  }
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
  const records = makeRecordStore(store.connection)
  const env = yield* Effect.cached(
    Effect.gen(function* () {
      const resolved = yield* capabilities
      const databaseServers =
        options.databaseServers ??
        (yield* loadDatabaseServers({ capabilities: resolved, ...(options.profile !== undefined ? { profile: options.profile } : {}) }))
      return {
        root,
        stateDir,
        store,
        records,
        layout: makeLayout(root),
        capabilities: resolved,
        runningAsRoot: process.getuid?.() === 0,
        databaseServers,
      } satisfies ImportEnv
    }),
  )
  return {
    id: options.id ?? "local",
    root,
    stateDir,
    store,
    capabilities,
    inventory: store.inventory,
    journal: makeSqliteJournal(store.connection),
    importer: lazyImporter(env),
    generatedPasswords: (entities) => generatedPasswordsFor(records, entities),
  }
})
