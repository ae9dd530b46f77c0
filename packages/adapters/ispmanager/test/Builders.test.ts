import { type Entity, SnapshotBuilder } from "@ferry/core"
import { describe, expect, it } from "vitest"
import { ArchiveIndex, buildEntities, Fields, newAssembly, type PanelObject } from "../src/index.ts"

const object = (type: string, name: string, fields: Record<string, unknown>, extra: Partial<PanelObject> = {}): PanelObject => ({
  type,
  subtype: undefined,
  name,
  owner: "alice",
  path: undefined,
  fields: new Fields(fields),
  source: { path: ".system/t.xml", detail: `.system/t.xml ${type} ${name}` },
  ...extra,
})

const build = (objects: ReadonlyArray<PanelObject>) => {
  const builder = new SnapshotBuilder()
  const a = newAssembly(builder, "test", "", new ArchiveIndex())
  a.mainLogin = "alice"
  buildEntities(a, [object("user", "alice", { name: "alice" }), ...objects], { dumpFor: () => undefined })
  return builder.build({ panel: "test", archive: { path: "x", container: "tar", bytes: 0, entries: 0, contentBytes: 0 } })
}

const only = <T extends Entity["_tag"]>(snapshot: ReturnType<typeof build>, tag: T) => snapshot.entities.filter((e) => e._tag === tag)

describe("entity builders on hostile or odd objects", () => {
  it("DNS records with zone-file syntax in a field are skipped with a note, the rest kept", () => {
    const snapshot = build([
      object("domain", "a.example", {
        name: "a.example",
        record: [
          { name: "@", rtype: "a", value: "192.0.2.1" },
          { name: "x", rtype: "txt", value: 'v=1 "quoted" \\ back' },
          { name: "evil", rtype: "a", value: "192.0.2.2\n$INCLUDE /etc/passwd" },
          { name: "bad name", rtype: "a", value: "192.0.2.3" },
          { name: "y", rtype: "mx", value: "mail.a.example.", priority: "5" },
        ],
      }),
    ])
    const zone = only(snapshot, "DnsZone")[0]
    expect(zone?._tag === "DnsZone" ? zone.records.map((r) => `${r.name} ${r.type} ${r.value}`) : []).toEqual([
      "a.example A 192.0.2.1",
      'x.a.example TXT "v=1 \\"quoted\\" \\\\ back"',
      "y.a.example MX 5 mail.a.example.",
    ])
    expect(snapshot.notes.filter((n) => n.code === "dns-record-skipped").map((n) => n.message)).toHaveLength(2)
  })

  it("cron jobs with unknown fields, a bad schedule or a line break are kept out with a note", () => {
    const snapshot = build([
      object("scheduler", "alice:1", { what: "x", when: "y" }),
      object("scheduler", "alice:2", { command: "true", min: "*", hour: "*", mday: "*", month: "*", wday: "* ; rm -rf /" }),
      object("scheduler", "alice:3", { command: "echo a\nMAILTO=x", min: "1", hour: "2", mday: "*", month: "*", wday: "*" }),
      object("scheduler", "alice:4", { command: "/bin/true", schedule: "@daily" }),
    ])
    expect(only(snapshot, "CronJob").map((j) => (j._tag === "CronJob" ? j.schedule : ""))).toEqual(["@daily"])
    expect(snapshot.notes.filter((n) => n.code.startsWith("cron-")).map((n) => n.code)).toEqual([
      "cron-unreadable",
      "cron-schedule-invalid",
      "cron-command-invalid",
    ])
  })

  it("paths outside the user's home never become docroots or FTP homes", () => {
    const snapshot = build([
      object("webdomain", "a.example", { name: "a.example", home: "/etc" }),
      object("ftp.user", "f", { name: "f", home: "/var/www/alice/data/../../../etc", passwd: "$6$x$y" }),
    ])
    const site = only(snapshot, "Site")[0]
    expect(site?._tag === "Site" ? site.docroot : undefined).toBe("www/a.example")
    const ftp = only(snapshot, "FtpUser")[0]
    expect(ftp?._tag === "FtpUser" ? ftp.homeDir : undefined).toBe("")
    expect(snapshot.notes.map((n) => n.code)).toEqual(expect.arrayContaining(["docroot-outside-home", "ftp-home-outside"]))
  })

  it("forward targets are typed: pipes and files are never plain addresses", () => {
    const snapshot = build([
      object("email", "a@a.example", {
        name: "a",
        domainname: "a.example",
        passwd: "$6$x$y",
        forward: "b@c.example, |/bin/evil, /etc/passwd",
      }),
    ])
    const forwarder = only(snapshot, "Forwarder")[0]
    expect(forwarder?._tag === "Forwarder" ? forwarder.targets.map((t) => t.kind) : []).toEqual(["address", "pipe", "file"])
  })

  it("secrets in unmapped fields are not copied into extras", () => {
    const snapshot = build([object("webdomain", "a.example", { name: "a.example", api_token: "t0ps3cret", dirindex: "index.php" })])
    const site = only(snapshot, "Site")[0]
    expect(site?._tag === "Site" ? site.extras : {}).toEqual({ dirindex: "index.php" })
    expect(JSON.stringify(snapshot)).not.toContain("t0ps3cret")
    expect(snapshot.notes.find((n) => n.code === "fields-not-mapped")?.message).toContain("api_token")
  })
})
