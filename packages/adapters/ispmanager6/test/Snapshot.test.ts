import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as nodePath from "node:path"
import { AdapterError } from "@ferry/core"
import {
  expectedIspmanagerView,
  inspectWith,
  ispmanagerSnapshotView,
  smallIspmanagerSpec,
  writeIspmanagerIsptarBackup,
} from "@ferry/testing"
import { Result } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ispmanager6Adapter, ispmanagerBusiness6Adapter } from "../src/index.ts"

let dir = ""
beforeAll(async () => {
  dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), "ferry-isp6-"))
})
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true })
})

const cases = [
  { adapter: ispmanager6Adapter, version: "6", panelVersion: "6.110.0", edition: "ispmanager 6" },
  { adapter: ispmanagerBusiness6Adapter, version: "business6", panelVersion: "6.45.0", edition: "ispmanager business 6" },
] as const

for (const { adapter, version, panelVersion, edition } of cases) {
  describe(`${edition}: the snapshot matches the generator's description`, () => {
    for (const layout of ["tgz", "storage-directory"] as const) {
      it(`field by field (${layout})`, async () => {
        const { path, plan, expected } = await writeIspmanagerIsptarBackup(
          smallIspmanagerSpec,
          nodePath.join(dir, `${version}-${layout}`),
          { version, layout },
        )
        const result = await inspectWith([adapter], path)
        if (Result.isFailure(result)) throw new Error(result.failure.message)
        const { detection, snapshot } = result.success
        expect(detection).toMatchObject({ adapter: adapter.id, panelVersion, formatVersion: "isptar", facts: { user: "synth", edition } })
        expect(snapshot.source).toMatchObject({ panel: adapter.id, panelVersion, formatVersion: "isptar" })
        expect(ispmanagerSnapshotView(snapshot)).toEqual(expectedIspmanagerView(plan, version, expected))
      })
    }
  })
}

describe("editions are not mixed (ispmanager.md §8 #7)", () => {
  it("reading a business 6 backup as ispmanager 6 (forced) fails and names the edition", async () => {
    const { path } = await writeIspmanagerIsptarBackup(smallIspmanagerSpec, nodePath.join(dir, "mix"), { version: "business6" })
    const result = await inspectWith([ispmanager6Adapter], path, { panel: "ispmanager6" })
    if (Result.isSuccess(result)) throw new Error("read as ispmanager 6")
    expect(result.failure._tag).toBe("InspectError")
    const again = await inspectWith([ispmanager6Adapter, ispmanagerBusiness6Adapter], path)
    if (Result.isFailure(again)) throw new Error(again.failure.message)
    expect(again.success.detection.adapter).toBe("ispmanager-business6")
  })

  it("the adapter itself refuses a backup whose metadata names another edition", async () => {
    const { path } = await writeIspmanagerIsptarBackup(smallIspmanagerSpec, nodePath.join(dir, "mix2"), { version: "5" })
    const { ispmanager5Adapter } = await import("@ferry/adapter-ispmanager5")
    const detected = await inspectWith([ispmanager5Adapter], path)
    if (Result.isFailure(detected)) throw new Error(detected.failure.message)
    const { Archive } = await import("@ferry/core")
    const { Effect } = await import("effect")
    const failure = await Effect.runPromise(
      Effect.flip(
        Effect.flatMap(Archive.open(path), (archive) =>
          ispmanager6Adapter.read({
            archive,
            detection: { ...detected.success.detection, adapter: "ispmanager6" },
            options: {},
            scanOptions: {},
          }),
        ),
      ),
    )
    expect(failure).toBeInstanceOf(AdapterError)
    expect(failure.message).toContain("ispmanager 5, not ispmanager 6")
  })
})
