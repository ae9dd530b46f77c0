import { existsSync } from "node:fs"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as nodePath from "node:path"
import { describe, expect, it } from "vitest"
import { createDatabase, dropAll, loadDump, readServer, rowCounts, servicesDir } from "../import/MariaDb.ts"
import { dumpTables, sqlDump } from "../import/SqlDump.ts"

const collect = async (size: number, seed: number): Promise<{ bytes: Buffer; counts: Record<string, number> }> => {
  const dump = sqlDump("bench_db1", size, seed)
  const chunks: Array<Buffer> = []
  for await (const chunk of dump.content()) chunks.push(chunk as Buffer)
  return { bytes: Buffer.concat(chunks), counts: { ...dump.counts } }
}

describe("SqlDump", () => {
  it("writes exactly the requested size, the same bytes every time", async () => {
    for (const size of [8_000, 123_457, 2_500_001]) {
      const first = await collect(size, 7)
      const second = await collect(size, 7)
      expect(first.bytes.length).toBe(size)
      expect(second.bytes.equals(first.bytes)).toBe(true)
      expect(first.counts).toEqual(second.counts)
      expect(Object.keys(first.counts)).toEqual(dumpTables)
    }
  })

  it("writes complete statements, one extended INSERT per line, rows as counted", async () => {
    const { bytes, counts } = await collect(3_000_000, 3)
    const lines = bytes.toString("utf8").split("\n")
    const inserts = lines.filter((line) => line.startsWith("INSERT INTO "))
    expect(inserts.length).toBeGreaterThan(3)
    for (const line of inserts) {
      expect(line.endsWith(");")).toBe(true)
      expect(Buffer.byteLength(line)).toBeLessThanOrEqual(1_000_000)
    }
    expect(counts["wp_posts"]).toBeGreaterThan(100)
    expect(lines.at(-2)).toBe("-- Dump completed on 2023-11-14 12:00:00")
  })

  it("refuses a size smaller than the dump's fixed parts", async () => {
    await expect(collect(100, 1)).rejects.toThrow(/needs at least/)
  })

  // The test MariaDB of scripts/services.sh, when it runs: the dump loads and holds the rows counted.
  it.skipIf(!existsSync(nodePath.join(servicesDir, "env")))("loads into MariaDB with the mariadb client", async () => {
    const server = await readServer(0, () => undefined)
    const dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), "ferry-sqldump-"))
    try {
      const dump = sqlDump("bench_db1", 1_500_000, 9)
      const file = nodePath.join(dir, "dump.sql")
      await fs.writeFile(file, dump.content())
      await dropAll(server, "ferrybench_test_")
      await createDatabase(server, "ferrybench_test_load")
      await loadDump(server, "ferrybench_test_load", file)
      expect(await rowCounts(server, "ferrybench_test_load", dumpTables)).toEqual(dump.counts)
    } finally {
      await dropAll(server, "ferrybench_test_")
      await fs.rm(dir, { recursive: true, force: true })
    }
  })
})
