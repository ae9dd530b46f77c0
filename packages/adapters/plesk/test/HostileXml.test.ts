import * as path from "node:path"
import { AdapterError } from "@ferry/core"
import { type PleskHostileXml, pleskHostileXmlCases, writeArchive, writePleskHostileBackup } from "@ferry/testing"
import { describe, expect, it } from "vitest"
import { inspect, inspectFailure, tempDir } from "./Support.ts"

/* security.md items 15 and 22–24: hostile metadata XML is refused with a clear error, never a crash. */

const refusal: Readonly<Record<PleskHostileXml, RegExp>> = {
  "external-entity-file": /DOCTYPE or entity declarations is refused/,
  "external-entity-http": /DOCTYPE or entity declarations is refused/,
  "parameter-entity": /DOCTYPE or entity declarations is refused/,
  "billion-laughs": /DOCTYPE or entity declarations is refused/,
  "entity-blowup": /DOCTYPE or entity declarations is refused/,
  "numeric-references": /Entity expansion count limit exceeded/,
  "deep-nesting": /Maximum nested tags exceeded/,
  "proto-element": /reserved JavaScript keyword/,
  "proto-attribute": /reserved JavaScript keyword/,
  "url-doctype": /DOCTYPE or entity declarations is refused/,
  "hostile-object-file": /domains\/a\.example\/backup_info_2311141200\.xml: .*DOCTYPE or entity declarations is refused/,
}

describe("hostile metadata XML", () => {
  for (const kind of pleskHostileXmlCases) {
    it(`${kind}: recognised as Plesk, then refused with an AdapterError naming the file and the reason`, async () => {
      const archive = await writePleskHostileBackup(kind, path.join(await tempDir(), `${kind}.tar`))
      const failure = await inspectFailure(archive)
      expect(failure).toBeInstanceOf(AdapterError)
      const message = (failure as AdapterError).message
      expect(message).toMatch(/^plesk: /)
      expect(message).toMatch(/the metadata XML is refused/)
      expect(message).toMatch(refusal[kind])
      expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined()
      expect(Object.prototype).not.toHaveProperty("polluted")
    })
  }

  it("a DOCTYPE naming only a local DTD file is ignored with a note, and nothing is fetched", async () => {
    const xml =
      '<?xml version="1.0"?>\n<!DOCTYPE migration-dump SYSTEM "plesk.dtd">\n<migration-dump dump-format="panel"><domain name="a.example"/></migration-dump>'
    const archive = await writeArchive({ "dump_1.xml": xml }, path.join(await tempDir(), "dtd.tar"), "tar")
    const { snapshot } = await inspect(archive)
    expect(snapshot.entities.map((e) => e.id)).toEqual(["domain:a.example"])
    expect(snapshot.notes.find((n) => n.code === "xml-doctype-ignored")?.path).toBe("dump_1.xml")
  })

  it("names that cannot be identifiers become error notes, not entities", async () => {
    const xml =
      '<migration-dump dump-format="panel"><client name="bad;login"><domains><domain name="x.example"/></domains></client>' +
      '<domain name="ok.example"><mailsystem><mailusers><mailuser name="a b"/></mailusers></mailsystem>' +
      '<databases><database name="x`; DROP" type="mysql"/></databases></domain><domain name="../evil"/></migration-dump>'
    const archive = await writeArchive({ "dump_1.xml": xml }, path.join(await tempDir(), "names.tar"), "tar")
    const { snapshot } = await inspect(archive)
    expect(snapshot.entities.map((e) => e.id).sort()).toEqual(["domain:ok.example", "maildomain:ok.example"])
    expect(
      snapshot.notes
        .filter((n) => n.severity === "error")
        .map((n) => n.code)
        .sort(),
    ).toEqual(["account-login-invalid", "database-name-invalid", "domain-name-invalid", "mailbox-name-invalid"])
    // Refused objects are accounted for by their error note, not again as unread XML.
    expect(snapshot.notes.filter((n) => n.code === "xml-not-imported")).toEqual([])
  })
})
