import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as nodePath from "node:path"
import { detectWith, largePleskSpec, writePleskBackup } from "@ferry/testing"
import { Result } from "effect"
import { describe, expect, it } from "vitest"
import { pleskAdapter } from "../src/index.ts"

describe("a Plesk 9 dump whose migration-dump XML is larger than the small-file probe window", () => {
  it("is still detected (XML manifests are probed up to 8 MiB)", async () => {
    const dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), "ferry-plesk-large-xml-"))
    const spec = largePleskSpec({
      clients: 10,
      domains: 300,
      usersPerDomain: 4,
      webBytesPerDomain: 100,
      mailBytesPerUser: 50,
      dumpBytesPerDomain: 50,
    })
    const { path } = await writePleskBackup(spec, nodePath.join(dir, "plesk9.tar"), "plesk9-tar")
    // The point of the test: the dump's XML is over the 256 KiB window of ordinary files.
    const { execFileSync } = await import("node:child_process")
    const listing = execFileSync("tar", ["-tvf", path], { encoding: "utf8" })
    const xmlSizes = listing
      .split("\n")
      .filter((line) => /\.xml$/.test(line))
      .map((line) => Number(line.trim().split(/\s+/)[2]))
    expect(Math.max(...xmlSizes)).toBeGreaterThan(256 * 1024)
    const detected = await detectWith([pleskAdapter], path)
    if (Result.isFailure(detected)) throw new Error(detected.failure.message)
    expect(detected.success).toMatchObject({ _tag: "Detected", adapter: "plesk" })
    await fs.rm(dir, { recursive: true, force: true })
  }, 120_000)
})
