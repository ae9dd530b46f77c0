import type { DetectProbe } from "@ferry/core"
import { describe, expect, it } from "vitest"
import { detectCpanel } from "../src/index.ts"
import { fixtureTree, inspectFailure, minimalAccount, uniprev, withTop, writeTree } from "./Support.ts"

const probe = (files: Record<string, string>, dirs: ReadonlyArray<string> = []): DetectProbe => ({
  archive: { path: "x.tar", container: "tar" },
  entries: [
    ...dirs.map((path) => ({ path, type: "directory" as const, size: 0 })),
    ...Object.entries(files).map(([path, text]) => ({ path, type: "file" as const, size: text.length })),
  ],
  files: new Map(Object.entries(files)),
  complete: true,
})

const cp = "# header\n\nDNS=example.com\nOWNER=reseller1\nUSER=exuser\n"

describe("cPanel detection (§2.2)", () => {
  it("finds the payload at the archive root or one level below, from cp/ alone", () => {
    expect(detectCpanel(probe({ "cp/exuser": cp, version: "pkgacct version: 10\narchive version: 4\n" }))).toMatchObject({
      _tag: "Detected",
      root: "",
      formatVersion: "4",
      panelVersion: "pkgacct 10",
      facts: { user: "exuser", domain: "example.com", owner: "reseller1", archiveVersion: "4" },
    })
    expect(detectCpanel(probe({ "backup-1.10.2024_12-58-58_other/cp/exuser": cp }))).toMatchObject({
      root: "backup-1.10.2024_12-58-58_other",
      facts: { user: "exuser" },
    })
  })

  it("accepts a cp file with USER= but no DNS=, and reads CREATED_IN_VERSION as the panel version", () => {
    expect(detectCpanel(probe({ "exuser/cp/exuser": "USER=exuser\nCREATED_IN_VERSION=11.110.0.5\n" }))).toMatchObject({
      panelVersion: "11.110.0.5",
    })
  })

  it("is not mine without cp/ (JetBackup and other layouts)", () => {
    expect(
      detectCpanel(probe({ "backup/config/account.json": "{}", "backup/homedir/x": "" }, ["backup", "backup/homedir"])),
    ).toBeUndefined()
    expect(detectCpanel(probe({ "jetbackup.conf": "x", "files/homedir/a": "b" }))).toBeUndefined()
  })

  it("refuses two payload roots", () => {
    const result = detectCpanel(probe({ "a/cp/one": cp, "b/cp/two": cp.replace("exuser", "two") }))
    expect(result).toMatchObject({ _tag: "Refused", adapter: "cpanel" })
    expect(result?._tag === "Refused" && result.reason).toContain("2 cPanel account payloads")
  })

  it("refuses cp/ holding two files, and a cp entry that is not a user record", () => {
    const two = detectCpanel(probe({ "top/cp/exuser": cp, "top/cp/other": cp }))
    expect(two).toMatchObject({ _tag: "Refused" })
    expect(two?._tag === "Refused" && two.reason).toContain("holds 2 entries")
    expect(detectCpanel(probe({ "top/cp/Bad User": cp }))).toMatchObject({ _tag: "Refused" })
    expect(detectCpanel(probe({ "top/cp/exuser": "hello\n" }))).toBeUndefined()
  })

  it("rejects real archives: no cp/, two payloads, two cp files", async () => {
    const tree = await fixtureTree(uniprev)
    const noCp = new Map([...tree].filter(([name]) => !name.startsWith("cp")))
    expect(await inspectFailure(await writeTree(withTop("cpmove-uniprev", noCp), "tar.gz"))).toMatchObject({
      _tag: "InspectError",
      reason: { _tag: "NotRecognised" },
    })

    // Detection decides from the first entries, so the second payload is found by the read.
    const both = new Map([...withTop("cpmove-uniprev", tree), ...withTop("cpmove-exuser", minimalAccount())])
    const ambiguous = await inspectFailure(await writeTree(both, "tar"))
    expect(ambiguous).toMatchObject({ _tag: "AdapterError", adapter: "cpanel", path: "cpmove-exuser/cp/exuser" })
    expect(String((ambiguous as { message: string }).message)).toContain("ambiguous")

    const twoFiles = minimalAccount({ "cp/other": cp })
    const failure = await inspectFailure(await writeTree(withTop("cpmove-exuser", twoFiles), "tar.gz"))
    expect(["Refused", "AdapterError"]).toContain(
      (failure as { reason?: { _tag: string }; _tag: string }).reason?._tag ?? (failure as { _tag: string })._tag,
    )
    expect(String((failure as { message: string }).message)).toContain("exactly one")
  })
})
