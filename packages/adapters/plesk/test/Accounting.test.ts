import * as path from "node:path"
import {
  builtinChecks,
  type Capabilities,
  defaultImportOptions,
  type EntityTag,
  type Inventory,
  runChecks,
  type Snapshot,
} from "@ferry/core"
import { smallPleskSpec, writeArchive } from "@ferry/testing"
import { describe, expect, it } from "vitest"
import { inspect, tempDir, writeBackup } from "./Support.ts"

/* Nothing silently dropped, and Plesk data lands where the seed's restrictions can find it. */

describe("everything in the backup is an entity or a note", () => {
  it("unknown elements and attributes are noted with their XML path; unreferenced files and links too", async () => {
    const xml =
      '<migration-dump dump-format="panel"><domain name="a.example" frobnicate="1"><phosting www-root="httpdocs"><preferences><webalizer enabled="true"/></preferences>' +
      '<shosting><url>http://elsewhere.example</url></shosting></phosting><limits-and-permissions><limit name="max_box">5</limit></limits-and-permissions></domain>' +
      '<domain name="b.example"><mailsystem><mailusers><mailuser name="x"><preferences><mailbox enabled="true"><content><cid type="mailbox"><content-file>missing.tgz</content-file></cid></content></mailbox></preferences></mailuser></mailusers></mailsystem></domain></migration-dump>'
    const archive = await writeArchive(
      { "dump_1.xml": xml, "stray.tgz": "x", "extra.xml": "<other/>", link: { type: "symlink", target: "stray.tgz" } },
      path.join(await tempDir(), "notes.tar"),
      "tar",
    )
    const { snapshot } = await inspect(archive)
    const unread = snapshot.notes.filter((n) => n.code === "xml-not-imported").map((n) => n.subject)
    expect(unread.sort()).toEqual([
      "migration-dump/domain/frobnicate",
      "migration-dump/domain/limits-and-permissions/limit",
      "migration-dump/domain/phosting/preferences/webalizer",
      "migration-dump/domain/phosting/shosting",
    ])
    const note = snapshot.notes.find((n) => n.subject === "migration-dump/domain/phosting/preferences/webalizer")
    expect(note?.path).toBe("dump_1.xml")
    expect(note?.message).toMatch(/^migration-dump\/domain\[a\.example\]\/phosting\/preferences\/webalizer/)
    const codes = snapshot.notes.map((n) => `${n.code} ${n.subject}`)
    expect(codes).toContain("content-unreferenced file stray.tgz")
    expect(codes).toContain("xml-unrecognised file extra.xml")
    expect(codes).toContain("link-in-backup entry link")
    expect(codes).toContain("content-missing mailbox:x@b.example")
    expect(codes).toContain("owner-not-in-backup domains")
  })
})

const capabilities = {} as Capabilities
const inventory = {} as Inventory

const keptTags = (snapshot: Snapshot, only: "mail" | "hosting"): Array<EntityTag> => {
  const checks = builtinChecks.filter((c) => c.id === "restriction")
  const plan = runChecks({ snapshot, capabilities, inventory, options: { ...defaultImportOptions, only }, checks })
  return [...new Set(plan.decisions.filter((d) => d.action !== "skip").map((d) => d.tag as EntityTag))].sort()
}

describe("the seed's restrictions apply to Plesk data by entity kind", () => {
  it("only mail keeps the mail system (domain keys, mailboxes, forwards, autoresponders, filters, lists); only hosting keeps sites, databases, subdomains", async () => {
    const { path: archive } = await writeBackup(smallPleskSpec, "repository-tar")
    const { snapshot } = await inspect(archive)
    expect(keptTags(snapshot, "mail")).toEqual([
      "Account",
      "Autoresponder",
      "Domain",
      "Forwarder",
      "MailDomain",
      "MailFilter",
      "Mailbox",
      "MailingList",
    ])
    expect(keptTags(snapshot, "hosting")).toEqual(["Account", "Database", "DatabaseUser", "Domain", "Site", "SslCertificate"])
    const mailDomain = snapshot.entities.find((e) => e._tag === "MailDomain" && e.name === "example.com")
    expect(mailDomain?._tag === "MailDomain" && mailDomain.dkim?.selector).toBe("default")
    const subdomain = snapshot.entities.find((e) => e._tag === "Domain" && e.kind === "subdomain")
    expect(subdomain?._tag === "Domain" && subdomain.name).toBe("blog.example.com")
  })
})
