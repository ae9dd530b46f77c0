import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as nodePath from "node:path"
import { ArchiveError, type ArchiveErrorReason } from "@ferry/core"
import { Effect, Result } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type HostileCase, hostileCorpus, listArchive } from "../src/index.ts"

/* Every hostile case through `Archive.open` + `scan` with a visitor that reads every body. */

/** The reason's discriminator, whatever the reason calls it. */
const ruleOf = (reason: ArchiveErrorReason): string => {
  switch (reason._tag) {
    case "UnsafePath":
    case "UnsafeLink":
    case "EntryConflict":
      return reason.rule
    case "LimitExceeded":
      return reason.limit
    case "UnsupportedEntry":
      return reason.kind
    case "UnsupportedFormat":
      return reason.format
    case "CorruptArchive":
    case "NotReadable":
      return ""
  }
}

/** Every path under `root` with its size and mtime: a scan must leave it untouched. */
const snapshotTree = async (root: string): Promise<Array<string>> => {
  const out: Array<string> = []
  const walk = async (dir: string) => {
    for (const name of (await fs.readdir(dir)).sort()) {
      const full = nodePath.join(dir, name)
      const stat = await fs.lstat(full)
      out.push(`${nodePath.relative(root, full)} ${stat.isDirectory() ? "d" : stat.size} ${stat.mtimeMs}`)
      if (stat.isDirectory()) await walk(full)
    }
  }
  await walk(root)
  return out
}

let root: string
const originalCwd = process.cwd()

beforeAll(async () => {
  root = await fs.mkdtemp(nodePath.join(os.tmpdir(), "ferry-hostile-"))
})
afterAll(async () => {
  process.chdir(originalCwd)
  await fs.rm(root, { recursive: true, force: true })
})

const runCase = async (c: HostileCase, bodies: "stream" | "readBytes") => {
  const caseRoot = nodePath.join(root, `${c.id}-${bodies}`)
  // A relative write such as "../../etc/cron.d/x" from the working directory would land inside caseRoot.
  const cwd = nodePath.join(caseRoot, "work", "a", "b", "c")
  await fs.mkdir(cwd, { recursive: true })
  const archive = await c.build(nodePath.join(caseRoot, "archive"))
  const before = await snapshotTree(caseRoot)
  process.chdir(cwd)
  try {
    const result = await Effect.runPromise(
      Effect.result(listArchive(archive, { bodies, ...(c.limits !== undefined ? { limits: c.limits } : {}) })),
    )
    return { result, before, after: await snapshotTree(caseRoot) }
  } finally {
    process.chdir(originalCwd)
  }
}

describe("hostile corpus", () => {
  it("covers checklist items 1–18 and 21", () => {
    const items = new Set(hostileCorpus.map((c) => c.item))
    for (let item = 1; item <= 18; item++) expect(items, `item ${item}`).toContain(item)
    expect(items).toContain(21)
    expect(new Set(hostileCorpus.map((c) => c.id)).size).toBe(hostileCorpus.length)
  })

  // Bodies are read both ways: adapters parse metadata with readBytes/readText and copy content with stream().
  const cases = hostileCorpus.flatMap((c) => (["readBytes", "stream"] as const).map((bodies) => ({ c, bodies })))
  for (const { c, bodies } of cases) {
    it(`${c.id} (bodies via ${bodies}): ${c.description}`, async () => {
      const { result, before, after } = await runCase(c, bodies)
      expect(after, "the scan wrote to disk").toEqual(before)
      const expected = c.expect
      if (expected.kind === "refused") {
        if (Result.isSuccess(result)) {
          throw new Error(
            `expected ${expected.reason}${expected.rule ? `/${expected.rule}` : ""} but the scan accepted: ${result.success.entries.map((e) => JSON.stringify(e.path)).join(", ")}`,
          )
        }
        const error = result.failure
        expect(error).toBeInstanceOf(ArchiveError)
        expect(error.reason._tag).toBe(expected.reason)
        if (expected.rule !== undefined) expect(ruleOf(error.reason)).toBe(expected.rule)
        if (expected.entry !== undefined) expect(error.entry).toBe(expected.entry)
        // A message a hosting admin can act on: names the archive, the entry and the rule.
        expect(error.message).toContain(error.archive)
        if (error.entry !== "") expect(error.message).toContain(JSON.stringify(error.entry))
        if (expected.rule !== undefined) expect(error.message).toContain(expected.rule)
        expect(error.message).not.toMatch(/\[object|undefined/)
        return
      }
      if (Result.isFailure(result)) throw new Error(`expected the scan to succeed, got: ${result.failure.message}`)
      const { entries, stats } = result.success
      const byPath = new Map(entries.map((e) => [e.path, e]))
      for (const [path, mode] of Object.entries(expected.modes ?? {})) {
        expect(byPath.get(path)?.mode, `mode of ${path}`).toBe(mode)
      }
      for (const path of expected.visited ?? []) expect(byPath.has(path), `${path} visited`).toBe(true)
      expect([...stats.skipped].sort((a, b) => a.path.localeCompare(b.path))).toEqual(
        [...(expected.skipped ?? [])].sort((a, b) => a.path.localeCompare(b.path)),
      )
      for (const skipped of expected.skipped ?? []) expect(byPath.has(skipped.path), `${skipped.path} not visited`).toBe(false)
      for (const entry of entries) {
        expect(entry.keys.filter((k) => /^(uid|gid|uname|gname|owner)$/.test(k))).toEqual([])
        expect(entry.mode & ~0o755).toBe(0)
        if (entry.type === "file" && (entry.mode & 0o111) === 0) expect(entry.mode & ~0o644).toBe(0)
      }
    })
  }
})
