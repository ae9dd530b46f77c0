import type { DetectProbe } from "@ferry/core"
import { describe, expect, it } from "vitest"
import { detectPlesk } from "../src/index.ts"

/* Detection reads descriptions, never file names (plesk.md §2). */

const probe = (container: string, files: Record<string, string>, extra: ReadonlyArray<string> = []): DetectProbe => ({
  archive: { path: "/x", container },
  entries: [...Object.keys(files), ...extra].map((path) => ({ path, type: "file" as const, size: files[path]?.length ?? 300_000 })),
  files: new Map(Object.entries(files)),
  complete: true,
})

const migrationDump = '<?xml version="1.0"?><migration-dump dump-format="panel" dump-version="12.5.30"><admin/></migration-dump>'

describe("detectPlesk", () => {
  it("recognises a migration-dump by content, under any name, at the root or one level down", () => {
    expect(detectPlesk(probe("tar", { "whatever.bin": migrationDump }))).toMatchObject({
      _tag: "Detected",
      root: "",
      panelVersion: "12.5.30",
      formatVersion: "migration-dump",
    })
    expect(detectPlesk(probe("tar", { "top/info.xml": migrationDump }, ["top/.discovered/props"]))).toMatchObject({
      _tag: "Detected",
      root: "top",
      formatVersion: "repository",
    })
    expect(detectPlesk(probe("tar", { "a/b/c.xml": migrationDump }))).toBeUndefined()
  })

  it("recognises the signed Data envelope", () => {
    const signed = `<Data><migration-dump dump-format="panel"/><Signature>x</Signature></Data>`
    expect(detectPlesk(probe("tar.gz", { "backup.xml": signed }))).toMatchObject({ _tag: "Detected", root: "" })
  })

  it("recognises a Plesk 8 dump.xml only inside a MIME dump", () => {
    const dump = '<?xml version="1.0"?>\n<!DOCTYPE dump SYSTEM "plesk.dtd">\n<dump version="8.6.0"><domain name="a.example"/></dump>'
    expect(detectPlesk(probe("mime.gz", { "dump.xml": dump }))).toMatchObject({
      _tag: "Detected",
      formatVersion: "mime",
      panelVersion: "8.6.0",
    })
    expect(detectPlesk(probe("tar", { "dump.xml": dump }))).toBeUndefined()
    expect(detectPlesk(probe("mime", { "dump.xml": "<dump><item/></dump>" }))).toBeUndefined()
  })

  it("refuses Plesk for Windows backups (ZIP, info.xml) with a reason that says so", () => {
    const windows = detectPlesk(probe("zip", { "dump.xml": migrationDump }))
    expect(windows).toMatchObject({ _tag: "Refused", adapter: "plesk" })
    expect(windows?._tag === "Refused" && windows.reason).toMatch(/Plesk for Windows/)
    const info =
      '<?xml version="1.0"?><info><clients><client><domain name="a.example"><hosting><sys_user login="u"/></hosting></domain></client></clients></info>'
    expect(detectPlesk(probe("directory", { "info.xml": info }))).toMatchObject({ _tag: "Refused" })
  })

  it("refuses two backups side by side, and ignores unrelated XML", () => {
    expect(detectPlesk(probe("tar", { "a/x.xml": migrationDump, "b/y.xml": migrationDump }))).toMatchObject({ _tag: "Refused" })
    expect(detectPlesk(probe("tar", { "config.xml": "<config/>", "cp/user": "DNS=example.com\n" }))).toBeUndefined()
  })

  it("recognises a repository whose description is larger than the probe window by its .discovered folder", () => {
    expect(detectPlesk(probe("tar", {}, [".discovered/backup_info_1/props", "backup_info_1.xml"]))).toMatchObject({
      _tag: "Detected",
      root: "",
    })
    expect(detectPlesk(probe("tar", {}, ["backup_info_1.xml"]))).toBeUndefined()
  })

  it("recognises a MIME dump whose first part is too large to read during detection; small unrelated parts are not claimed", () => {
    expect(detectPlesk(probe("mime", {}, ["dump.xml", "a.example.httpdocs"]))).toMatchObject({ _tag: "Detected", formatVersion: "mime" })
    expect(detectPlesk(probe("mime", { "notes.txt": "hello" }))).toBeUndefined()
  })
})
