import * as fs from "node:fs/promises"
import { countEntities } from "@ferry/core"
import { largePleskSpec } from "@ferry/testing"
import { describe, expect, it } from "vitest"
import { inspect, writeBackup } from "./Support.ts"

/*
 * The benchmark-sized repository: ≥ 200 domains, ≥ 2,000 mailboxes, ≥ 1 GiB of content written
 * with lazy bodies; inspect measures the content archives without opening them.
 */

const MiB = 1024 * 1024

describe("a large repository", () => {
  it("200 domains, 2,000 mailboxes, over 1 GiB: every entity, content measured, memory flat", { timeout: 600_000 }, async () => {
    const spec = largePleskSpec({
      clients: 20,
      domains: 200,
      usersPerDomain: 10,
      webBytesPerDomain: 4 * MiB,
      mailBytesPerUser: 80 * 1024,
      dumpBytesPerDomain: MiB / 2,
    })
    const heapBefore = process.memoryUsage().heapUsed
    const { path, expected } = await writeBackup(spec, "repository-tar", { content: "tar" })
    const size = (await fs.stat(path)).size
    expect(size).toBeGreaterThan(1024 * MiB)
    const { snapshot } = await inspect(path)
    const heapGrowth = process.memoryUsage().heapUsed - heapBefore
    const counts = countEntities(snapshot)
    expect(counts).toMatchObject({
      Account: 21,
      Domain: 200,
      Site: 200,
      MailDomain: 200,
      Mailbox: 2000,
      Database: 200,
      DatabaseUser: 200,
      DnsZone: 200,
      FtpUser: 200,
    })
    expect(snapshot.source.archive.contentBytes).toBe(expected.contentBytes)
    const refs = new Map(snapshot.content.map((c) => [c.id, c]))
    const web = snapshot.entities.flatMap((e) => (e._tag === "Site" && e.content !== undefined ? [refs.get(e.content)?.bytes ?? 0] : []))
    expect(web).toHaveLength(200)
    expect(web.every((bytes) => bytes > 4 * MiB)).toBe(true)
    const referenced = snapshot.content.reduce((n, c) => n + c.bytes, 0)
    expect(referenced).toBeGreaterThan(1024 * MiB)
    expect(snapshot.notes.filter((n) => n.severity !== "info")).toEqual([])
    // Content is streamed past, never held: the heap grows by far less than the backup.
    expect(heapGrowth).toBeLessThan(300 * MiB)
    await fs.rm(path, { force: true })
  })
})
