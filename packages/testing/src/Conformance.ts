import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as nodePath from "node:path"
import {
  type Adapter,
  AdapterRegistry,
  ArchiveError,
  type Entity,
  InspectError,
  type InspectOptions,
  Inspector,
  Snapshot,
} from "@ferry/core"
import { Effect, Layer, Redacted, Result, Schema } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { hostileCorpus } from "./HostileCorpus.ts"

/*
 * The contract every adapter meets, as a vitest suite: call `adapterConformance` at the top level
 * of an adapter's test file. The checks on snapshots are plain functions (`snapshotProblems`,
 * `snapshotSecrets`) so they can be tested on their own.
 */

export interface FixtureSource {
  readonly name: string
  /** Writes the backup inside `dir` and returns its path. */
  readonly build: (dir: string) => Promise<string>
}

export interface ConformanceOptions {
  readonly adapter: Adapter.Adapter
  /** Backups this adapter must recognise and read. */
  readonly own: ReadonlyArray<FixtureSource>
  /** Backups of other panels (or of nothing) that it must not recognise. */
  readonly foreign: ReadonlyArray<FixtureSource>
  /** Adapters that must not recognise this adapter's own backups. */
  readonly otherAdapters?: ReadonlyArray<Adapter.Adapter>
}

const inspectorLayer = (adapters: ReadonlyArray<Adapter.Adapter>) => Inspector.layer.pipe(Layer.provide(AdapterRegistry.layer(adapters)))

/** `Inspector.detect` with only `adapters` registered; defects reject the promise. */
export const detectWith = (adapters: ReadonlyArray<Adapter.Adapter>, path: string, options: InspectOptions = {}) =>
  Effect.runPromise(
    Effect.result(
      Effect.gen(function* () {
        const inspector = yield* Inspector
        const { detection } = yield* inspector.detect(path, options)
        return detection
      }).pipe(Effect.provide(inspectorLayer(adapters))),
    ),
  )

/** `Inspector.inspect` with only `adapters` registered; defects reject the promise. */
export const inspectWith = (adapters: ReadonlyArray<Adapter.Adapter>, path: string, options: InspectOptions = {}) =>
  Effect.runPromise(
    Effect.result(
      Effect.gen(function* () {
        const inspector = yield* Inspector
        return yield* inspector.inspect(path, options)
      }).pipe(Effect.provide(inspectorLayer(adapters))),
    ),
  )

/** Every `Redacted` value in a snapshot, unwrapped (password hashes, private keys). */
export const snapshotSecrets = (snapshot: Snapshot): Array<string> => {
  const out: Array<string> = []
  const walk = (value: unknown): void => {
    if (Redacted.isRedacted(value)) {
      out.push(String(Redacted.value(value)))
      return
    }
    if (Array.isArray(value)) for (const item of value) walk(item)
    else if (value !== null && typeof value === "object") for (const item of Object.values(value)) walk(item)
  }
  walk(snapshot)
  return out
}

const passwordHashes = (value: unknown, path: string, out: Array<{ path: string; value: unknown }>): void => {
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      passwordHashes(item, `${path}[${i}]`, out)
    })
  } else if (value !== null && typeof value === "object" && !Redacted.isRedacted(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (key === "passwordHash" && item !== null && typeof item === "object")
        out.push({ path: `${path}.${key}`, value: (item as { value?: unknown }).value })
      passwordHashes(item, `${path}.${key}`, out)
    }
  }
}

/**
 * What is wrong with a snapshot, in words (empty when nothing is): duplicate ids, owners that
 * are not accounts, dangling references, unmeasured content, unredacted or leaked secrets.
 */
export const snapshotProblems = (snapshot: Snapshot): Array<string> => {
  const problems: Array<string> = []
  const entities = new Map<string, Entity>()
  for (const entity of snapshot.entities) {
    if (entities.has(entity.id)) problems.push(`duplicate entity id ${entity.id}`)
    entities.set(entity.id, entity)
  }
  const contentIds = new Set<string>()
  for (const ref of snapshot.content) {
    if (contentIds.has(ref.id) || entities.has(ref.id)) problems.push(`duplicate id ${ref.id} (content)`)
    contentIds.add(ref.id)
    if (ref.path === "") problems.push(`content ${ref.id} has no path`)
    if (!(ref.bytes >= 0) || !(ref.files >= 0)) problems.push(`content ${ref.id} has bytes ${ref.bytes}, files ${ref.files}`)
  }
  const entityRef = (from: Entity, field: string, id: string | undefined, tag?: Entity["_tag"]) => {
    if (id === undefined) return
    const target = entities.get(id)
    if (target === undefined) problems.push(`${from.id}: ${field} ${JSON.stringify(id)} is not an entity of the snapshot`)
    else if (tag !== undefined && target._tag !== tag)
      problems.push(`${from.id}: ${field} ${JSON.stringify(id)} is a ${target._tag}, expected ${tag}`)
  }
  const contentRef = (from: Entity, field: string, id: string | undefined) => {
    if (id !== undefined && !contentIds.has(id))
      problems.push(`${from.id}: ${field} ${JSON.stringify(id)} is not a content ref of the snapshot`)
  }
  for (const entity of entities.values()) {
    if (entity.owner !== null) entityRef(entity, "owner", entity.owner, "Account")
    if (entity.source.path === "") problems.push(`${entity.id}: source.path is empty`)
    switch (entity._tag) {
      case "Domain":
        entityRef(entity, "parent", entity.parent)
        entityRef(entity, "site", entity.site, "Site")
        break
      case "Site":
        entityRef(entity, "domain", entity.domain)
        contentRef(entity, "content", entity.content)
        entityRef(entity, "ssl.certificate", entity.ssl?.certificate, "SslCertificate")
        break
      case "Mailbox":
        contentRef(entity, "content", entity.content)
        break
      case "Database":
        contentRef(entity, "dump", entity.dump)
        break
      default:
        break
    }
  }
  const hashes: Array<{ path: string; value: unknown }> = []
  passwordHashes(snapshot.entities, "entities", hashes)
  for (const hash of hashes) if (!Redacted.isRedacted(hash.value)) problems.push(`${hash.path}.value is not Redacted`)
  const json = JSON.stringify(snapshot)
  for (const secret of snapshotSecrets(snapshot)) {
    // Very short values ("x", "*") would match by accident; real hashes and keys are long.
    if (secret.length >= 8 && json.includes(secret))
      problems.push(`a secret value appears in JSON.stringify(snapshot): ${secret.slice(0, 4)}…`)
  }
  return problems
}

/** A comparable form of a snapshot: its JSON plus its unwrapped secrets, in order. */
const canonical = (snapshot: Snapshot) => ({ json: JSON.stringify(snapshot), secrets: snapshotSecrets(snapshot) })

const describeFailure = (error: unknown): string =>
  error instanceof ArchiveError || error instanceof InspectError ? `${error._tag}: ${error.message}` : String(error)

export const adapterConformance = (options: ConformanceOptions): void => {
  const { adapter } = options
  describe(`adapter conformance: ${adapter.id}`, () => {
    let dir = ""
    const builds = new Map<string, Promise<string>>()
    const built = (group: string, index: number, source: FixtureSource): Promise<string> => {
      const key = `${group}-${index}`
      let path = builds.get(key)
      if (path === undefined) {
        path = fs.mkdir(nodePath.join(dir, key), { recursive: true }).then(() => source.build(nodePath.join(dir, key)))
        builds.set(key, path)
      }
      return path
    }
    const snapshots = new Map<number, Promise<Snapshot>>()
    const snapshotOf = (index: number): Promise<Snapshot> => {
      let snapshot = snapshots.get(index)
      if (snapshot === undefined) {
        const source = options.own[index] as FixtureSource
        snapshot = built("own", index, source).then(async (path) => {
          const result = await inspectWith([adapter], path)
          if (Result.isFailure(result)) throw new Error(`${source.name}: inspect failed: ${describeFailure(result.failure)}`)
          return result.success.snapshot
        })
        snapshots.set(index, snapshot)
      }
      return snapshot
    }

    beforeAll(async () => {
      dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), `ferry-conformance-${adapter.id}-`))
    })
    afterAll(async () => {
      await fs.rm(dir, { recursive: true, force: true })
    })

    it("has own and foreign fixtures", () => {
      expect(options.own.length).toBeGreaterThan(0)
      expect(options.foreign.length).toBeGreaterThan(0)
    })

    describe("detect", () => {
      options.own.forEach((source, index) => {
        it(`recognises ${source.name}`, async () => {
          const result = await detectWith([adapter], await built("own", index, source))
          if (Result.isFailure(result)) throw new Error(`not recognised: ${describeFailure(result.failure)}`)
          expect(result.success._tag).toBe("Detected")
          expect(result.success.adapter).toBe(adapter.id)
        })
        for (const other of options.otherAdapters ?? []) {
          it(`is not recognised by ${other.id}: ${source.name}`, async () => {
            const result = await detectWith([other], await built("own", index, source))
            if (Result.isSuccess(result)) throw new Error(`${other.id} claimed it (root ${JSON.stringify(result.success.root)})`)
            expect(result.failure).toBeInstanceOf(InspectError)
            expect((result.failure as InspectError).reason._tag).toBe("NotRecognised")
          })
        }
      })
      options.foreign.forEach((source, index) => {
        it(`rejects ${source.name}`, async () => {
          const result = await detectWith([adapter], await built("foreign", index, source))
          if (Result.isSuccess(result)) throw new Error(`claimed a foreign backup (root ${JSON.stringify(result.success.root)})`)
          expect(result.failure, describeFailure(result.failure)).toBeInstanceOf(InspectError)
          expect((result.failure as InspectError).reason._tag).toBe("NotRecognised")
        })
      })
    })

    describe("read", () => {
      options.own.forEach((source, index) => {
        it(`${source.name}: the snapshot decodes with the Snapshot schema`, async () => {
          const snapshot = await snapshotOf(index)
          expect(() => Schema.decodeUnknownSync(Snapshot)(snapshot)).not.toThrow()
          expect(snapshot.source.panel).toBe(adapter.id)
        })
        it(`${source.name}: ids are unique, owners are accounts, references resolve, content is measured, secrets are redacted`, async () => {
          expect(snapshotProblems(await snapshotOf(index))).toEqual([])
        })
        it(`${source.name}: reading twice gives the same snapshot`, async () => {
          const first = await snapshotOf(index)
          const again = await inspectWith([adapter], await built("own", index, source))
          if (Result.isFailure(again)) throw new Error(`second inspect failed: ${describeFailure(again.failure)}`)
          expect(canonical(again.success.snapshot)).toEqual(canonical(first))
        })
      })
    })

    describe("hostile corpus", () => {
      for (const hostile of hostileCorpus) {
        it(`${hostile.id}: inspect fails with ArchiveError or InspectError`, async () => {
          const path = await built("hostile", hostileCorpus.indexOf(hostile), { name: hostile.id, build: hostile.build })
          const result = await inspectWith([adapter], path, hostile.limits !== undefined ? { limits: hostile.limits } : {})
          if (Result.isSuccess(result))
            throw new Error(`inspect produced a snapshot with ${result.success.snapshot.entities.length} entities`)
          const failure: unknown = result.failure
          expect(failure instanceof ArchiveError || failure instanceof InspectError, String(failure)).toBe(true)
        })
      }
    })
  })
}
