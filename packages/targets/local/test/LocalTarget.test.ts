import { existsSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { loadProfile, makeLocalTarget } from "../src/index.ts"
import { exampleProfile, failure, tempDir } from "./Support.ts"

describe("makeLocalTarget", () => {
  it.effect("capabilities from the profile, inventory from the state directory", () =>
    Effect.gen(function* () {
      const root = join(tempDir(), "srv")
      const stateDir = join(tempDir(), "state")
      const target = yield* makeLocalTarget({ root, stateDir, profile: exampleProfile, id: "web1" })
      assert.strictEqual(target.id, "web1")
      assert.strictEqual(target.root, root)
      assert.strictEqual(target.stateDir, stateDir)
      assert.isTrue(existsSync(join(stateDir, "ferry.db")))
      const capabilities = yield* target.capabilities
      const expected = yield* loadProfile(exampleProfile, { root })
      assert.deepStrictEqual({ ...capabilities, diskFreeBytes: 0 }, { ...expected, diskFreeBytes: 0 })

      yield* target.store.accounts.add({ login: "bob", kind: "client", owner: null })
      yield* target.store.record.domain("example.com", "bob")
      const inventory = yield* target.inventory
      assert.deepStrictEqual(
        inventory.accounts.map((account) => account.login),
        ["admin", "bob"],
      )
      assert.deepStrictEqual(inventory.domains, [{ name: "example.com", owner: "bob" }])
    }),
  )

  it.effect("the inventory outlives the target: a second target sees the first one's records", () =>
    Effect.gen(function* () {
      const stateDir = tempDir()
      const options = { root: tempDir(), stateDir, profile: exampleProfile }
      yield* Effect.scoped(
        Effect.gen(function* () {
          const target = yield* makeLocalTarget(options)
          yield* target.store.accounts.add({ login: "r1", kind: "reseller", owner: null })
        }),
      )
      const again = yield* makeLocalTarget(options)
      assert.strictEqual(again.id, "local")
      assert.deepStrictEqual(
        (yield* again.inventory).accounts.map((account) => account.login),
        ["admin", "r1"],
      )
    }),
  )

  it.effect("a broken profile fails before anything is opened", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const profile = join(dir, "ferry.yaml")
      writeFileSync(profile, 'php:\n  versions: ["8.2"]\n  modes: [fpm]\n  default: "8.4"\n')
      const stateDir = join(dir, "state")
      const error = yield* failure(makeLocalTarget({ root: dir, stateDir, profile }))
      assert.strictEqual(error.message, `${profile}: php.default: 8.4 is not among php.versions`)
      assert.isFalse(existsSync(stateDir))
    }),
  )

  it.live("without a profile the host is detected, once", () =>
    Effect.gen(function* () {
      const target = yield* makeLocalTarget({ root: tempDir(), stateDir: tempDir() })
      const first = yield* target.capabilities
      const second = yield* target.capabilities
      assert.strictEqual(first, second, "detection is cached")
      assert.isTrue(first.diskFreeBytes > 0)
      assert.include(first.passwordSchemes.system, "sha512-crypt")
    }),
  )
})
