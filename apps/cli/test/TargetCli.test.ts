import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as nodePath from "node:path"
import type { Capabilities } from "@ferry/core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { profileYamlText } from "./support/Profiles.ts"
import { longestLine, memo, runFerry } from "./support/RunFerry.ts"

let dir: string
let profile: string

beforeAll(async () => {
  dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), "ferry-target-cli-"))
  profile = nodePath.join(dir, "ferry.yaml")
  await fs.writeFile(profile, profileYamlText({ postgresql: false, php: ["8.2", "8.3"] }))
})

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true })
})

const detectJson = memo(() => runFerry(["target", "--detect", "--json"]))

describe("ferry target", () => {
  it("--detect --json prints capabilities as JSON", async () => {
    const run = await detectJson()
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    const capabilities = JSON.parse(run.stdout) as Capabilities
    expect(Object.keys(capabilities).sort()).toEqual(
      [
        "webServer",
        "php",
        "mysql",
        "postgresql",
        "python",
        "nodejs",
        "ftp",
        "dns",
        "mail",
        "diskFreeBytes",
        "ips",
        "passwordSchemes",
      ].sort(),
    )
    expect(capabilities.diskFreeBytes).toBeGreaterThan(0)
  })

  it("--config --json prints what the profile says", async () => {
    const run = await runFerry(["target", "--config", profile, "--json"])
    expect(run.code).toBe(0)
    const capabilities = JSON.parse(run.stdout) as Capabilities
    expect(capabilities.php.versions).toEqual(["8.2", "8.3"])
    expect(capabilities.postgresql).toEqual([])
    expect(capabilities.mysql.map((m) => m.id)).toEqual(["mariadb-main"])
    expect(capabilities.diskFreeBytes).toBe(1024 ** 4)
  })

  it("uses ./ferry.yaml when there is one and no --config", async () => {
    const run = await runFerry(["target", "--json"], { cwd: dir })
    expect(run.code).toBe(0)
    expect((JSON.parse(run.stdout) as Capabilities).php.versions).toEqual(["8.2", "8.3"])
  })

  it("prints a table on 100 columns", async () => {
    const run = await runFerry(["target", "--config", profile])
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`profile ${profile}`)
    expect(run.stdout).toMatch(/PHP\s+8\.2, 8\.3/)
    expect(run.stdout).toMatch(/PostgreSQL\s+none/)
    expect(longestLine(run.stdout)).toBeLessThanOrEqual(100)
  })

  it("--write saves a profile that reads back as the same capabilities, and keeps an existing file", async () => {
    const written = nodePath.join(dir, "written.yaml")
    const write = await runFerry(["target", "--config", profile, "--write", written])
    expect(write.code).toBe(0)
    expect(write.stdout).toBe(`Wrote ${written} (profile ${profile})\n`)
    expect(await fs.readFile(written, "utf8")).toMatch(/^#/m)
    const original = JSON.parse((await runFerry(["target", "--config", profile, "--json"])).stdout) as Capabilities
    const reread = JSON.parse((await runFerry(["target", "--config", written, "--json"])).stdout) as Capabilities
    // A written profile measures free disk space when loaded (disk.free: auto); the rest is kept.
    const { diskFreeBytes: _rereadDisk, ...rereadRest } = reread
    const { diskFreeBytes: _originalDisk, ...originalRest } = original
    expect(rereadRest).toEqual(originalRest)

    const again = await runFerry(["target", "--config", profile, "--write", written])
    expect(again.code).toBe(9)
    expect(again.stderr).toContain("--force")
    expect((await runFerry(["target", "--config", profile, "--write", written, "--force"])).code).toBe(0)
  })

  it("9: a profile with a mistake, naming the key", async () => {
    const bad = nodePath.join(dir, "bad.yaml")
    await fs.writeFile(bad, "webServer:\n  kind: lighttpd\n")
    const run = await runFerry(["target", "--config", bad])
    expect(run.code).toBe(9)
    expect(run.stderr).toContain("webServer")
  })
})
