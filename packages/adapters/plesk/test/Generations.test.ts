import type { Entity, Snapshot } from "@ferry/core"
import { largePleskSpec, type PleskExpectation, pleskGenerations, resellerPleskSpec, smallPleskSpec } from "@ferry/testing"
import { describe, expect, it } from "vitest"
import { detectPlesk, secretKeyName } from "../src/index.ts"
import { expectedView, snapshotView } from "./Expected.ts"
import { inspect, writeBackup } from "./Support.ts"

/* Every generation of one description reads back to that description, field by field. */

const formatOf = (generation: string) =>
  generation.startsWith("plesk8") ? "mime" : generation.startsWith("plesk9") ? "migration-dump" : "repository"

const contentOf = (snapshot: Snapshot, want: PleskExpectation["contents"][number]) => {
  const find = (predicate: (e: Entity) => boolean) => snapshot.entities.find(predicate)
  const entity =
    want.kind === "web"
      ? find((e) => e._tag === "Site" && e.domain === `domain:${want.owner}`)
      : want.kind === "mail"
        ? find((e) => e._tag === "Mailbox" && e.address === want.owner)
        : want.kind === "database-dump"
          ? find((e) => e._tag === "Database" && e.name === want.owner)
          : find((e) => e._tag === "MailingList" && `${e.name}@${e.domain}` === want.owner)
  const id =
    entity?._tag === "Site" || entity?._tag === "Mailbox" || entity?._tag === "MailingList"
      ? entity.content
      : entity?._tag === "Database"
        ? entity.dump
        : undefined
  return snapshot.content.find((c) => c.id === id)
}

describe("every generation of the small description", () => {
  for (const generation of pleskGenerations) {
    it(`${generation}: entities, fields, owners and content match the description`, async () => {
      const { path, expected } = await writeBackup(smallPleskSpec, generation)
      const { snapshot, detection } = await inspect(path)
      expect(detection.adapter).toBe("plesk")
      expect(snapshot.source.formatVersion).toBe(formatOf(generation))
      expect(snapshot.source.panelVersion).toBe(
        generation.startsWith("plesk8") ? "8.6.0" : generation.startsWith("plesk9") ? "10.4.4" : "18.0.59",
      )
      expect(snapshotView(snapshot)).toEqual(expectedView(smallPleskSpec, false))
      expect(snapshot.entities.filter((e) => e._tag === "SslCertificate")).toHaveLength(1)
      expect(snapshot.entities.filter((e) => e._tag === "Csr").map((c) => c.id)).toEqual(["csr:example.com:synth"])
      const site = snapshot.entities.find((e) => e._tag === "Site" && e.id === "site:example.com")
      expect(site?._tag === "Site" && site.ssl?.certificate).toBe(snapshot.entities.find((e) => e._tag === "SslCertificate")?.id)
      expect(expected.contents.length).toBeGreaterThan(0)
      for (const want of expected.contents) {
        const ref = contentOf(snapshot, want)
        expect(ref, `${want.kind} of ${want.owner}`).toBeDefined()
        expect(ref?.kind).toBe(want.kind)
        expect(ref?.bytes, `${want.kind} of ${want.owner}`).toBe(want.bytes)
        expect(ref?.files).toBe(1)
      }
      expect(snapshot.source.archive.contentBytes).toBe(expected.contentBytes)
      // Everything the generator writes has a place in the model or a deliberate note.
      expect(snapshot.notes.filter((n) => n.code === "xml-not-imported")).toEqual([])
      const warnings = snapshot.notes.filter((n) => n.severity !== "info").map((n) => `${n.code} ${n.subject}`)
      expect(warnings).toEqual([
        "password-sym-no-key passwords",
        ...(generation === "plesk8-mime-signed" ? ["content-unreferenced file smime.p7s"] : []),
      ])
    })
  }

  it("the repository with zstd content archives (.tzst) reads the same", async () => {
    const { path, expected } = await writeBackup(smallPleskSpec, "repository-tar", { content: "tzst" })
    const { snapshot } = await inspect(path)
    expect(snapshotView(snapshot)).toEqual(expectedView(smallPleskSpec, false))
    expect(snapshot.content.every((c) => c.path.endsWith(".tzst"))).toBe(true)
    for (const want of expected.contents) expect(contentOf(snapshot, want)?.bytes).toBe(want.bytes)
  })

  it("with the source server's key, sym passwords arrive as clear text", async () => {
    const { path } = await writeBackup(smallPleskSpec, "plesk9-tar")
    const { snapshot } = await inspect(path, { read: { secrets: { [secretKeyName]: smallPleskSpec.secretKey } } })
    expect(snapshotView(snapshot)).toEqual(expectedView(smallPleskSpec, true))
    expect(snapshot.notes.find((n) => n.code === "password-sym-decrypted")?.message).toMatch(/^3 encrypted passwords were decrypted/)
    expect(snapshot.notes.some((n) => n.code === "password-sym-no-key")).toBe(false)
  })
})

describe("large descriptions", () => {
  for (const generation of ["plesk8-mime-gz"] as const) {
    it(`${generation}: recognised and read in full`, async () => {
      const spec = largePleskSpec({
        clients: 2,
        domains: 20,
        usersPerDomain: 80,
        webBytesPerDomain: 2048,
        mailBytesPerUser: 1024,
        dumpBytesPerDomain: 512,
      })
      const { path } = await writeBackup(spec, generation)
      const { snapshot, detection } = await inspect(path)
      expect(detection.adapter).toBe("plesk")
      expect(snapshot.entities.filter((e) => e._tag === "Mailbox")).toHaveLength(1600)
      expect(snapshotView(snapshot)).toEqual(expectedView(spec, false))
    })
  }
})

describe("a reseller owning clients owning domains", () => {
  for (const generation of ["plesk8-mime", "plesk9-tar-gz", "repository-tar", "repository-directory"] as const) {
    it(`${generation}: the hierarchy and every owner`, async () => {
      const { path } = await writeBackup(resellerPleskSpec, generation)
      const { snapshot } = await inspect(path)
      const view = snapshotView(snapshot)
      expect(view).toEqual(expectedView(resellerPleskSpec, false))
      const owners = Object.fromEntries(
        snapshot.entities.filter((e) => e._tag === "Account" || e._tag === "Domain").map((e) => [e.id, e.owner]),
      )
      expect(owners).toEqual({
        "account:admin": null,
        "account:res1": "account:admin",
        "account:c1": "account:res1",
        "account:c2": "account:res1",
        "account:direct": "account:admin",
        "domain:c1-shop.example": "account:c1",
        "domain:c2-blog.example": "account:c2",
        "domain:c2-docs.example": "account:c2",
        "domain:res1-own.example": "account:res1",
        "domain:direct.example": "account:direct",
      })
      const res1 = snapshot.entities.find((e) => e._tag === "Account" && e.login === "res1")
      expect(res1?._tag === "Account" && { kind: res1.kind, plan: res1.plan, ipPool: res1.ipPool, limits: res1.limits }).toEqual({
        kind: "reseller",
        plan: "Reseller Gold",
        ipPool: ["192.0.2.20", "192.0.2.21"],
        limits: { clients: 50, domains: 100, diskBytes: null },
      })
      expect(snapshot.notes.filter((n) => n.code === "xml-not-imported" || n.code === "object-not-linked")).toEqual([])
    })
  }
})

describe("a description beyond the detection window (XML over 8 MiB)", () => {
  it("a MIME dump whose first part was not captured is accepted and checked on read", () => {
    const detection = detectPlesk({
      archive: { path: "dump.gz", container: "mime.gz" },
      entries: [{ path: "dump.xml", type: "file", size: 20 * 1024 * 1024 }],
      files: new Map(),
      complete: false,
    })
    expect(detection).toMatchObject({
      _tag: "Detected",
      adapter: "plesk",
      facts: { description: expect.stringMatching(/larger than the detection window/) },
    })
  })
})
