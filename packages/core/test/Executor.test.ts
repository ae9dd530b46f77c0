import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import tar from "tar-stream"
import {
  Archive,
  type ContentRef,
  type ContentSink,
  type Decision,
  type Entity,
  type Importer,
  planSteps,
  runJob,
  type Snapshot,
  StepFailed,
} from "../src/index.ts"
import { account, database, databaseUser, domain, mailbox, mailDomain, site, snapshot } from "./support/Entities.ts"
import { memoryJournal } from "./support/MemoryJournal.ts"

/* The executor against an in-memory journal and a recording importer, over a real tar. */

const files: Record<string, string> = {
  "home/u1/notes.txt": "home file",
  "home/u1/public_html/index.html": "<h1>hi</h1>",
  "home/u1/public_html/sub/a.txt": "aaaa",
  "mail/info/cur/1": "Subject: one\n\nbody",
  "mysql/u1_db.sql": "CREATE TABLE t (a int);",
}

const writeTar = async (path: string): Promise<void> => {
  const pack = tar.pack()
  const chunks: Array<Buffer> = []
  pack.on("data", (c: unknown) => {
    chunks.push(c as Buffer)
  })
  const done = new Promise<void>((resolve) => pack.on("end", () => resolve()))
  for (const [name, body] of Object.entries(files)) pack.entry({ name, size: Buffer.byteLength(body), mode: 0o644 }, body)
  pack.finalize()
  await done
  writeFileSync(path, Buffer.concat(chunks))
}

const ref = (id: string, kind: ContentRef["kind"], path: string, excludes: Array<string> = []): ContentRef => ({
  id,
  kind,
  path,
  excludes,
  bytes: Object.entries(files)
    .filter(([name]) => (path.endsWith("/") ? name.startsWith(path) && !excludes.some((e) => name.startsWith(e)) : name === path))
    .reduce((n, [, body]) => n + Buffer.byteLength(body), 0),
  files: 1,
})

const makeSnapshot = (): Snapshot =>
  snapshot(
    [
      account("u1"),
      domain("example.com", "u1"),
      site("example.com", "u1", { content: "content:web:example.com" }),
      mailDomain("example.com", "u1"),
      mailbox("info@example.com", "u1", { content: "content:mail:info@example.com" }),
      database("u1_db", "u1", { dump: "content:dump:mysql:u1_db" }),
      databaseUser("u1_user", "u1"),
    ],
    [
      ref("content:home:u1", "home", "home/u1/", ["home/u1/public_html/"]),
      ref("content:web:example.com", "web", "home/u1/public_html/"),
      ref("content:mail:info@example.com", "mail", "mail/info/"),
      ref("content:dump:mysql:u1_db", "database-dump", "mysql/u1_db.sql"),
    ],
  )

const decisionsFor = (snap: Snapshot, skip: ReadonlyArray<string> = []): Array<Decision> =>
  snap.entities.map((e) => ({
    id: e.id,
    tag: e._tag,
    label: e.id,
    action: skip.includes(e.id) ? "skip" : "import",
    changes: [],
    findings: skip.includes(e.id) ? ["test-skip"] : [],
    newPasswords: [],
  }))

interface Recorder {
  readonly applied: Array<string>
  readonly written: Map<string, Map<string, string>>
  readonly committed: Array<string>
  readonly discarded: Array<string>
}

const recordingImporter = (
  options: { readonly failOn?: ReadonlyArray<string>; readonly onApply?: (entity: Entity) => Effect.Effect<void> } = {},
) => {
  const rec: Recorder = { applied: [], written: new Map(), committed: [], discarded: [] }
  const importer: Importer = {
    apply: (entity) =>
      Effect.gen(function* () {
        if (options.onApply) yield* options.onApply(entity)
        if (options.failOn?.includes(entity.id))
          return yield* new StepFailed({ step: entity.id, code: "test-failure", reason: "told to fail" })
        const again = rec.applied.includes(entity.id)
        rec.applied.push(entity.id)
        return { outcome: again ? "unchanged" : "created" }
      }),
    content: (contentRef) =>
      Effect.sync((): ContentSink => {
        const tree = new Map<string, string>()
        return {
          write: (rel, entry) =>
            Effect.gen(function* () {
              if (options.failOn?.includes(contentRef.id))
                return yield* new StepFailed({ step: contentRef.id, code: "test-failure", reason: "told to fail" })
              if (entry.type === "file") tree.set(rel, yield* entry.readText(1 << 20))
            }),
          commit: Effect.sync(() => {
            rec.written.set(contentRef.id, tree)
            rec.committed.push(contentRef.id)
            return { outcome: "created" as const }
          }),
          discard: Effect.sync(() => {
            rec.discarded.push(contentRef.id)
          }),
        }
      }),
    finish: () => Effect.succeed([]),
  }
  return { importer, rec }
}

const withArchive = <A, E>(body: (path: string) => Effect.Effect<A, E>) =>
  Effect.acquireUseRelease(
    Effect.promise(async () => {
      const dir = mkdtempSync(join(tmpdir(), "ferry-executor-"))
      await writeTar(join(dir, "backup.tar"))
      return dir
    }),
    (dir) => body(join(dir, "backup.tar")),
    (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true })),
  )

const setup = (path: string, skip: ReadonlyArray<string> = []) =>
  Effect.gen(function* () {
    const snap = makeSnapshot()
    const decisions = decisionsFor(snap, skip)
    const journal = memoryJournal()
    yield* journal.create({ id: "j1", backup: path, panel: "test", options: {}, decisions, steps: planSteps(snap, decisions) })
    const archive = yield* Archive.open(path)
    return { snap, journal, archive }
  })

describe("Executor", () => {
  it.effect("imports structure, then content in one pass, then settings", () =>
    withArchive((path) =>
      Effect.gen(function* () {
        const { snap, journal, archive } = yield* setup(path)
        const { importer, rec } = recordingImporter()
        const job = yield* runJob({ jobId: "j1", archive, snapshot: snap, journal, importer })
        assert.strictEqual(job.status, "completed")
        assert.deepStrictEqual(rec.applied, [
          "account:u1",
          "domain:example.com",
          "maildomain:example.com",
          "site:example.com",
          "mailbox:info@example.com",
          "database:mysql:u1_db",
          "dbuser:mysql:u1_user",
        ])
        assert.deepStrictEqual([...(rec.written.get("content:web:example.com")?.keys() ?? [])].sort(), ["index.html", "sub/a.txt"])
        assert.deepStrictEqual([...(rec.written.get("content:home:u1")?.keys() ?? [])], ["notes.txt"])
        assert.deepStrictEqual([...(rec.written.get("content:dump:mysql:u1_db")?.keys() ?? [])], ["u1_db.sql"])
        assert.deepStrictEqual([...(rec.written.get("content:mail:info@example.com")?.keys() ?? [])], ["cur/1"])
        const steps = yield* journal.steps("j1")
        assert.isTrue(steps.every((s) => s.status === "done"))
        assert.deepStrictEqual([...new Set(steps.map((s) => s.phase))], ["structure", "content", "settings"])
        assert.strictEqual(job.progress.bytes, job.totals.bytes)
      }),
    ),
  )

  it.effect("a failed entity fails its dependants and not the others", () =>
    withArchive((path) =>
      Effect.gen(function* () {
        const { snap, journal, archive } = yield* setup(path)
        const { importer, rec } = recordingImporter({ failOn: ["domain:example.com"] })
        const job = yield* runJob({ jobId: "j1", archive, snapshot: snap, journal, importer })
        assert.strictEqual(job.status, "completed-with-errors")
        const steps = new Map((yield* journal.steps("j1")).map((s) => [s.key, s]))
        assert.strictEqual(steps.get("domain:example.com")?.status, "failed")
        assert.strictEqual(steps.get("site:example.com")?.status, "failed")
        assert.include(steps.get("site:example.com")?.reason ?? "", "domain:example.com failed")
        assert.strictEqual(steps.get("content:web:example.com")?.status, "failed")
        assert.strictEqual(steps.get("database:mysql:u1_db")?.status, "done")
        assert.strictEqual(steps.get("content:dump:mysql:u1_db")?.status, "done")
        assert.notInclude(rec.committed, "content:web:example.com")
        const log = yield* journal.logs("j1")
        assert.isTrue(log.some((l) => l.level === "error" && l.step === "domain:example.com" && l.message.includes("told to fail")))
      }),
    ),
  )

  it.effect("a content failure discards that content and fails its entity only", () =>
    withArchive((path) =>
      Effect.gen(function* () {
        const { snap, journal, archive } = yield* setup(path)
        const { importer, rec } = recordingImporter({ failOn: ["content:web:example.com"] })
        const job = yield* runJob({ jobId: "j1", archive, snapshot: snap, journal, importer })
        assert.strictEqual(job.status, "completed-with-errors")
        const steps = new Map((yield* journal.steps("j1")).map((s) => [s.key, s]))
        assert.strictEqual(steps.get("content:web:example.com")?.status, "failed")
        assert.strictEqual(steps.get("site:example.com")?.status, "failed")
        assert.strictEqual(steps.get("mailbox:info@example.com")?.status, "done")
        assert.include(rec.discarded, "content:web:example.com")
      }),
    ),
  )

  it.effect("skipped entities stay skipped, and their content is not read", () =>
    withArchive((path) =>
      Effect.gen(function* () {
        const { snap, journal, archive } = yield* setup(path, ["mailbox:info@example.com"])
        const { importer, rec } = recordingImporter()
        const job = yield* runJob({ jobId: "j1", archive, snapshot: snap, journal, importer })
        assert.strictEqual(job.status, "completed")
        const steps = new Map((yield* journal.steps("j1")).map((s) => [s.key, s]))
        assert.strictEqual(steps.get("mailbox:info@example.com")?.status, "skipped")
        assert.isFalse(steps.has("content:mail:info@example.com"))
        assert.isFalse(rec.written.has("content:mail:info@example.com"))
      }),
    ),
  )

  it.effect("cancel stops at a step boundary; resume finishes with the same result", () =>
    withArchive((path) =>
      Effect.gen(function* () {
        const { snap, journal, archive } = yield* setup(path)
        const { importer, rec } = recordingImporter({
          onApply: (entity) => (entity.id === "domain:example.com" ? Effect.ignore(journal.requestCancel("j1")) : Effect.void),
        })
        const cancelled = yield* runJob({ jobId: "j1", archive, snapshot: snap, journal, importer, cancelPollMs: 0 })
        assert.strictEqual(cancelled.status, "cancelled")
        const mid = yield* journal.steps("j1")
        assert.isTrue(mid.every((s) => s.status === "done" || s.status === "pending"))
        assert.isTrue(mid.some((s) => s.status === "pending"))
        assert.strictEqual(rec.written.size, 0)
        const resumed = yield* runJob({ jobId: "j1", archive, snapshot: snap, journal, importer })
        assert.strictEqual(resumed.status, "completed")
        assert.isTrue((yield* journal.steps("j1")).every((s) => s.status === "done"))
        // Every entity applied once.
        assert.strictEqual(new Set(rec.applied).size, rec.applied.length)
      }),
    ),
  )

  it.effect("a step left running by a dead process runs again on resume", () =>
    withArchive((path) =>
      Effect.gen(function* () {
        const { snap, journal, archive } = yield* setup(path)
        yield* journal.claim("j1", 999_999_999)
        yield* journal.updateStep("j1", "account:u1", { status: "done", outcome: "created" })
        yield* journal.updateStep("j1", "domain:example.com", { status: "running" })
        // The dead process's pid is still recorded; the in-memory journal only frees it explicitly.
        const entry = journal.state.get("j1")
        if (entry) entry.job = { ...entry.job, pid: process.pid }
        const { importer, rec } = recordingImporter()
        const job = yield* runJob({ jobId: "j1", archive, snapshot: snap, journal, importer })
        assert.strictEqual(job.status, "completed")
        assert.notInclude(rec.applied, "account:u1")
        assert.include(rec.applied, "domain:example.com")
      }),
    ),
  )

  it.effect("a finished job is not run again", () =>
    withArchive((path) =>
      Effect.gen(function* () {
        const { snap, journal, archive } = yield* setup(path)
        const { importer } = recordingImporter()
        yield* runJob({ jobId: "j1", archive, snapshot: snap, journal, importer })
        const again = yield* Effect.flip(runJob({ jobId: "j1", archive, snapshot: snap, journal, importer }))
        assert.strictEqual(again._tag, "JobStateError")
      }),
    ),
  )

  it.effect("resuming a job that ended with errors retries only its failed steps", () =>
    withArchive((path) =>
      Effect.gen(function* () {
        const { snap, journal, archive } = yield* setup(path)
        let failing = true
        const { importer, rec } = recordingImporter()
        const flaky: Importer = {
          ...importer,
          apply: (entity, ctx) =>
            entity.id === "dbuser:mysql:u1_user" && failing
              ? Effect.fail(new StepFailed({ step: entity.id, code: "server-down", reason: "the database server is not reachable" }))
              : importer.apply(entity, ctx),
        }
        const first = yield* runJob({ jobId: "j1", archive, snapshot: snap, journal, importer: flaky })
        assert.strictEqual(first.status, "completed-with-errors")
        const appliedBefore = rec.applied.length
        failing = false
        const second = yield* runJob({ jobId: "j1", archive, snapshot: snap, journal, importer: flaky })
        assert.strictEqual(second.status, "completed")
        assert.deepStrictEqual(rec.applied.slice(appliedBefore), ["dbuser:mysql:u1_user"])
        const log = yield* journal.logs("j1")
        assert.match(log.at(-1)?.message ?? "", /^completed: /)
      }),
    ),
  )
})
