import { readFileSync, statSync } from "node:fs"
import { assert, describe, it } from "@effect/vitest"
import type { Autoresponder, Entity, MailFilter, MailingList, StepContext, StepFailed, StepResult } from "@ferry/core"
import { Effect } from "effect"
import { parse } from "yaml"
import { makeMailSettingsPart } from "../../src/import/MailSettings.ts"
import { failure } from "../Support.ts"
import { makeImportEnv, makeStepContext } from "../support/ImportEnvFixture.ts"

const owner = { _tag: "Account", id: "account:bob", login: "bob" } as unknown as Entity
const base = { owner: "account:bob", source: { path: "x" } }

const responder = (fields: Partial<Autoresponder> = {}): Autoresponder => ({
  _tag: "Autoresponder",
  id: "autoresponder:info@example.com",
  ...base,
  address: "info@example.com",
  subject: "Away",
  body: "Back on Monday.\n",
  ...fields,
})

type Apply = (entity: Entity, ctx: StepContext) => Effect.Effect<StepResult, StepFailed>

const setup = Effect.gen(function* () {
  const env = yield* makeImportEnv()
  yield* env.store.accounts.add({ login: "bob", kind: "client", owner: null })
  env.store.connection.db.prepare("UPDATE accounts SET uid = 2001 WHERE login = 'bob'").run()
  yield* env.store.record.domain("example.com", "bob")
  const part = makeMailSettingsPart(env)
  const run = (entity: Autoresponder | MailFilter | MailingList) =>
    (part.apply[entity._tag] as Apply)(entity, makeStepContext(entity, [owner, entity]))
  const text = () => readFileSync(env.layout.mailSettings("example.com"), "utf8")
  return { env, run, text }
})

describe("autoresponders, filters and lists", () => {
  it.effect("renders one YAML document per domain, stable across runs", () =>
    Effect.gen(function* () {
      const { env, run, text } = yield* setup
      const filter: MailFilter = {
        _tag: "MailFilter",
        id: "mailfilter:example.com:exim-filter",
        ...base,
        scope: "example.com",
        name: "exim-filter",
        definition: 'if $header_subject: contains "spam" then pipe "/bin/evil" endif\n',
        format: "exim-filter",
      }
      const list: MailingList = {
        _tag: "MailingList",
        id: "mailinglist:news@example.com",
        ...base,
        name: "news",
        domain: "example.com",
        manager: "mailman",
        admins: ["Admin@Example.com"],
        members: ["a@x.test", "a@x.test", "not an address", "b@x.test"],
      }
      const responderResult = yield* run(
        responder({ from: "Info <info@example.com>", intervalHours: 24, startsAt: 1700000000, charset: "utf-8" }),
      )
      assert.strictEqual(responderResult.outcome, "created")
      const filterResult = yield* run(filter)
      assert.include((filterResult.notes ?? []).join(), "not active")
      const listResult = yield* run(list)
      assert.include((listResult.notes ?? []).join("\n"), "2 invalid or duplicate")
      const document = parse(text()) as Record<string, unknown>
      assert.deepStrictEqual(document, {
        domain: "example.com",
        autoresponders: [
          {
            address: "info@example.com",
            from: "Info <info@example.com>",
            subject: "Away",
            body: "Back on Monday.\n",
            charset: "utf-8",
            html: false,
            intervalHours: 24,
            startsAt: "2023-11-14T22:13:20.000Z",
          },
        ],
        filters: [{ scope: "example.com", name: "exim-filter", format: "exim-filter", definition: filter.definition }],
        mailingLists: [
          {
            name: "news",
            address: "news@example.com",
            manager: "mailman",
            admins: ["admin@example.com"],
            members: ["a@x.test", "b@x.test"],
          },
        ],
      })
      assert.strictEqual(statSync(env.layout.mailSettings("example.com")).mode & 0o777, 0o640)
      const before = text()
      assert.strictEqual(
        (yield* run(responder({ from: "Info <info@example.com>", intervalHours: 24, startsAt: 1700000000, charset: "utf-8" }))).outcome,
        "unchanged",
      )
      assert.strictEqual(text(), before)
    }),
  )

  it.effect("refuses header injection and NUL bytes; a bad sender is dropped with a note", () =>
    Effect.gen(function* () {
      const { run } = yield* setup
      const injected: StepFailed = yield* failure(run(responder({ subject: "Away\r\nBcc: victim@x.test" })))
      assert.strictEqual(injected.code, "autoresponder-invalid")
      const nul: StepFailed = yield* failure(run(responder({ body: "a\0b" })))
      assert.strictEqual(nul.code, "autoresponder-invalid")
      const result = yield* run(responder({ from: "x@y.test\nBcc: z@y.test" }))
      assert.include((result.notes ?? []).join(), "the sender is not a valid address")
    }),
  )
})
