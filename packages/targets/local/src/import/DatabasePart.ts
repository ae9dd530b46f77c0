import type { ArchiveEntry, ContentSink, Database, DatabaseUser, Entity, StepContext, StepResult, TargetError } from "@ferry/core"
import { StepFailed } from "@ferry/core"
import { Effect, Result } from "effect"
import { serverFor } from "./DatabaseServers.ts"
import { applyDatabaseUser } from "./DatabaseUsers.ts"
import { type ClientError, quoteMysqlIdent, quotePgIdent, randomSecret, shortHash } from "./DbClient.ts"
import { type OpenedDump, openDump, type Rewrites } from "./DumpFilter.ts"
import { databaseName, orFailStep, replacesExisting, resolveOwner } from "./Identifiers.ts"
import type { DatabaseServerAccess, ImportEnv, ImporterPart } from "./ImportEnv.ts"
import { makeMariaDb, type StageNames, type StoredObject } from "./MariaDb.ts"
import { makePostgres } from "./Postgres.ts"

/*
 * Databases (security rules 19–23, checklist items 33–40, 47–50). The content step loads a dump
 * into a staging database through a shadow account and swaps it in at commit; a failed load
 * drops the staging database and leaves any live database as it was. The Database settings step
 * makes sure the database exists (empty when the backup has no dump) and records it; the
 * DatabaseUser step (DatabaseUsers.ts) creates users from the model, never from grant files.
 *
 * Idempotency: staging and shadow names derive from the job, the server and the database, so a
 * resumed job drops what a killed run left and loads again. A "database" record (kind, key
 * `<server>/<name>`) says which job made the live database and how far the swap got: a commit
 * already done by this job is not repeated, a swap interrupted half way is finished from the
 * stored object definitions.
 */

export const databaseRecordKind = "database"

interface DatabaseRecord {
  readonly server: string
  readonly engine: string
  readonly name: string
  /** The job that loaded (or created) the live database. */
  readonly job: string
  readonly state: "swapping" | "loaded" | "ready"
  /** Whether the live database existed before this job (a replace). */
  readonly replaced?: boolean
  /** MariaDB: stored objects to re-create, kept while swapping. */
  readonly objects?: ReadonlyArray<StoredObject>
}

const inventoryFailure = (step: string) => (error: TargetError) =>
  new StepFailed({ step, code: "inventory", reason: `the inventory could not be updated: ${error.detail}` })

/** Database names a backup may never take (system schemas, Ferry's own prefix). */
const reservedDatabase = (name: string): boolean =>
  /^(mysql|information_schema|performance_schema|sys|postgres|template0|template1)$/i.test(name) || /^ferry_/i.test(name)

/** Engine operations both servers share, for the part below. */
interface Engine {
  readonly databaseExists: (name: string) => Effect.Effect<boolean, ClientError>
  readonly dropStaging: (names: StageNames) => Effect.Effect<void, ClientError>
  readonly createStaging: (names: StageNames, password: string, db: Database) => Effect.Effect<void, ClientError>
  readonly load: (names: StageNames, password: string, dump: OpenedDump) => Effect.Effect<Rewrites, ClientError>
  /** Definitions to keep before the swap (MariaDB stored objects). */
  readonly prepareSwap: (names: StageNames, live: string) => Effect.Effect<ReadonlyArray<StoredObject>, ClientError>
  readonly swap: (
    names: StageNames,
    live: string,
    objects: ReadonlyArray<StoredObject>,
    replace: boolean,
  ) => Effect.Effect<void, ClientError>
  readonly ensureDatabase: (live: string, db: Database) => Effect.Effect<boolean, ClientError>
  readonly dropDatabase: (live: string) => Effect.Effect<void, ClientError>
}

export const engineFor = (server: DatabaseServerAccess, runningAsRoot: boolean): Engine => {
  if (server.engine === "postgresql") {
    const pg = makePostgres(server, runningAsRoot)
    return {
      databaseExists: pg.databaseExists,
      dropStaging: pg.dropStaging,
      createStaging: (names, password) => pg.createStaging(names, password),
      load: pg.load,
      prepareSwap: () => Effect.succeed([]),
      swap: (names, live, _objects, replace) => pg.swap(names, live, replace),
      ensureDatabase: (live) => pg.ensureDatabase(live),
      dropDatabase: (live) => pg.admin.exec(`DROP DATABASE IF EXISTS ${quotePgIdent(live)} WITH (FORCE);`),
    }
  }
  const maria = makeMariaDb(server, runningAsRoot)
  const charset = (db: Database) => ({ charset: db.charset, collation: db.collation })
  return {
    databaseExists: maria.databaseExists,
    dropStaging: maria.dropStaging,
    createStaging: (names, password, db) => maria.createStaging(names, password, charset(db)),
    load: maria.load,
    prepareSwap: maria.storedObjects,
    swap: maria.swap,
    ensureDatabase: (live, db) => maria.ensureDatabase(live, charset(db)),
    dropDatabase: (live) => maria.admin.exec(`DROP DATABASE IF EXISTS ${quoteMysqlIdent(live)};`),
  }
}

interface Target {
  readonly server: DatabaseServerAccess
  readonly engine: Engine
  readonly live: string
  readonly names: StageNames
  readonly owner: string
  readonly key: string
  readonly replace: boolean
}

const resolveTarget = (env: ImportEnv, db: Database, ctx: StepContext, step: string) =>
  Effect.gen(function* () {
    const server = yield* serverFor(env, step, db.engine, ctx.decision.changes.findLast((c) => c.field === "server")?.to)
    const live = yield* orFailStep(step, databaseName(db.name, server.engine))
    if (reservedDatabase(live))
      return yield* new StepFailed({ step, code: "invalid-name", reason: `database ${live}: the name is reserved on the receiving server` })
    const owner = yield* orFailStep(step, resolveOwner(db, ctx))
    const hash = shortHash(`${ctx.jobId}/${server.id}/${live}`)
    const target: Target = {
      server,
      engine: engineFor(server, env.runningAsRoot),
      live,
      names: { stage: `ferry_stage_${hash}`, shadow: `ferry_shadow_${hash}` },
      owner,
      key: `${server.id}/${live}`,
      replace: replacesExisting(db, ctx),
    }
    return target
  })

const readRecord = (env: ImportEnv, key: string, step: string) =>
  Effect.map(Effect.mapError(env.records.get(databaseRecordKind, key), inventoryFailure(step)), (row) =>
    row === undefined ? undefined : (row.data as DatabaseRecord),
  )

const clientFailed = (step: string, code: string, what: string) => (error: ClientError) =>
  new StepFailed({ step, code, reason: `${what}: ${error.detail}` })

const rewriteNotes = (live: string, rewrites: Rewrites): Array<string> =>
  Object.entries(rewrites).map(([rule, count]) => `database ${live}: ${rule} (${count}×)`)

/** The content sink of one dump: load into staging on `write`, swap on `commit`. */
const dumpSink = (env: ImportEnv, db: Database, ctx: StepContext, step: string) =>
  Effect.gen(function* () {
    const t = yield* resolveTarget(env, db, ctx, step)
    const label = `database ${t.live}`
    const record = yield* readRecord(env, t.key, step)
    const ours = record?.job === ctx.jobId
    const done: ContentSink = {
      write: () => Effect.void,
      commit: Effect.succeed({ outcome: "unchanged" }),
      discard: Effect.void,
    }
    if (ours && (record.state === "loaded" || record.state === "ready")) return done
    const put = (data: DatabaseRecord) => Effect.mapError(env.records.put(databaseRecordKind, t.key, t.owner, data), inventoryFailure(step))
    const finishSwap = (objects: ReadonlyArray<StoredObject>, replace: boolean, existed: boolean, notes: ReadonlyArray<string>) =>
      Effect.gen(function* () {
        yield* put({
          server: t.server.id,
          engine: t.server.engine,
          name: t.live,
          job: ctx.jobId,
          state: "swapping",
          replaced: existed,
          objects,
        })
        yield* Effect.mapError(
          t.engine.swap(t.names, t.live, objects, replace),
          clientFailed(step, "database-swap-failed", `${label}: the loaded dump could not be moved into place`),
        )
        yield* put({ server: t.server.id, engine: t.server.engine, name: t.live, job: ctx.jobId, state: "loaded", replaced: existed })
        return { outcome: existed ? "updated" : "created", notes } satisfies StepResult
      })
    if (ours && record.state === "swapping")
      // Killed while swapping: the load is complete, finish the move (no second drop of the live database).
      return {
        write: () => Effect.void,
        commit: finishSwap(record.objects ?? [], false, record.replaced === true, []),
        discard: Effect.void,
      } satisfies ContentSink

    const fail = clientFailed(step, "database-unavailable", `${label}: the database server ${t.server.id} refused`)
    const existed = yield* Effect.mapError(t.engine.databaseExists(t.live), fail)
    if (existed && !t.replace)
      return yield* new StepFailed({
        step,
        code: "database-exists",
        reason: `${label} already exists on ${t.server.id}; choose "replace existing" to overwrite it`,
      })
    // A run killed during a load left its staging database and shadow account: start over.
    yield* Effect.mapError(t.engine.dropStaging(t.names), fail)
    let loaded: Rewrites | undefined
    let swapping = false
    const notes: Array<string> = []
    const cleanup = Effect.ignore(t.engine.dropStaging(t.names))

    const write = (_rel: string, entry: ArchiveEntry): Effect.Effect<void, StepFailed> =>
      Effect.gen(function* () {
        if (entry.type !== "file") return
        if (loaded !== undefined) {
          notes.push(`${label}: ${entry.path} was not loaded (one dump per database)`)
          return
        }
        const password = randomSecret()
        yield* Effect.mapError(t.engine.createStaging(t.names, password, db), fail)
        const dump = yield* Effect.tryPromise({
          try: () => openDump(entry.stream()),
          catch: (e) => new StepFailed({ step, code: "database-load-failed", reason: `${label}: the dump cannot be read: ${String(e)}` }),
        }).pipe(Effect.tapError(() => cleanup))
        const wrongFormat = t.server.engine !== "postgresql" && dump.format !== "sql"
        if (wrongFormat) {
          dump.stream.resume()
          yield* cleanup
          return yield* new StepFailed({
            step,
            code: "database-dump-format",
            reason: `${label}: the dump is a PostgreSQL archive (${dump.format}), not a MySQL dump`,
          })
        }
        const result = yield* Effect.result(t.engine.load(t.names, password, dump))
        if (Result.isFailure(result)) {
          yield* cleanup
          return yield* new StepFailed({
            step,
            code: "database-load-failed",
            reason: `${label}: the dump did not load: ${result.failure.detail}`,
          })
        }
        loaded = result.success
        if (dump.compression !== "none") notes.push(`${label}: the dump was ${dump.compression}-compressed`)
      })

    const commit = Effect.gen(function* () {
      if (loaded === undefined) {
        yield* cleanup
        return yield* new StepFailed({ step, code: "database-dump-missing", reason: `${label}: the backup holds no dump file for it` })
      }
      const objects = yield* Effect.mapError(
        t.engine.prepareSwap(t.names, t.live),
        clientFailed(step, "database-swap-failed", `${label}: the stored objects of the dump cannot be moved`),
      )
      swapping = true
      return yield* finishSwap(objects, t.replace && existed, existed, [...rewriteNotes(t.live, loaded), ...notes])
    })

    const discard = Effect.gen(function* () {
      yield* cleanup
      // A swap that failed half way on a database this job created: no half database stays behind.
      if (swapping && !existed) yield* Effect.ignore(t.engine.dropDatabase(t.live))
      if (swapping) yield* Effect.ignore(env.records.remove(databaseRecordKind, t.key))
    })
    return { write, commit, discard } satisfies ContentSink
  })

const contentFn = (env: ImportEnv) => (ref: { readonly id: string }, entity: Entity, ctx: StepContext) =>
  entity._tag === "Database"
    ? dumpSink(env, entity, ctx, ref.id)
    : Effect.fail(new StepFailed({ step: ref.id, code: "not-supported", reason: `a database dump of a ${entity._tag} cannot be imported` }))

/** Database settings step: the database exists (empty without a dump) and is recorded. */
const applyDatabase = (env: ImportEnv) => (db: Database, ctx: StepContext) =>
  Effect.gen(function* () {
    const step = db.id
    const t = yield* resolveTarget(env, db, ctx, step)
    const label = `database ${t.live}`
    const record = yield* readRecord(env, t.key, step)
    const fail = clientFailed(step, "database-unavailable", `${label}: the database server ${t.server.id} refused`)
    const put = (data: DatabaseRecord) => Effect.mapError(env.records.put(databaseRecordKind, t.key, t.owner, data), inventoryFailure(step))
    const base = { server: t.server.id, engine: t.server.engine, name: t.live }
    const notes: Array<string> = []
    let outcome: StepResult["outcome"] = "unchanged"
    let job = record?.job ?? ctx.jobId
    const exists = yield* Effect.mapError(t.engine.databaseExists(t.live), fail)
    if (!exists) {
      // Recorded first: a run killed right after CREATE DATABASE finds a database of its own.
      job = ctx.jobId
      yield* put({ ...base, job, state: "ready" })
      yield* Effect.mapError(t.engine.ensureDatabase(t.live, db), fail)
      outcome = "created"
      if (db.dump !== undefined) notes.push(`${label} was created empty: its dump was not loaded`)
    } else if (record === undefined) {
      if (!t.replace)
        return yield* new StepFailed({
          step,
          code: "database-exists",
          reason: `${label} already exists on ${t.server.id} and was not imported by Ferry; choose "replace existing" to take it over`,
        })
      yield* Effect.mapError(t.engine.ensureDatabase(t.live, db), fail)
      outcome = "updated"
      notes.push(`${label} already existed and is kept as it was (the backup has no dump for it)`)
    } else if (record.job === ctx.jobId && record.state !== "ready") outcome = record.replaced === true ? "updated" : "created"
    yield* Effect.mapError(env.store.record.database(t.live, t.owner, db.engine), inventoryFailure(step))
    yield* put({ ...base, job, state: "ready", ...(record?.replaced !== undefined ? { replaced: record.replaced } : {}) })
    return { outcome, notes } satisfies StepResult
  })

export const makeDatabasePart = (env: ImportEnv): ImporterPart => ({
  content: { "database-dump": contentFn(env) },
  apply: {
    Database: applyDatabase(env),
    DatabaseUser: (user: DatabaseUser, ctx: StepContext) => applyDatabaseUser(env, user, ctx),
  },
})
