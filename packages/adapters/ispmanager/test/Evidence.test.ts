import { describe, expect, it } from "vitest"
import { editionClaims, editionOf, evidenceOf, keyValuesOf, parseStorageName } from "../src/index.ts"

describe("which ispmanager wrote an ISPtar backup", () => {
  it("reads a version and an edition from metadata or .info fields", () => {
    expect(
      evidenceOf(
        [
          ["panel_version", "6.110.0"],
          ["panel_name", "ispmanager"],
        ],
        "m",
      ),
    ).toEqual({ major: 6, version: "6.110.0", source: "m" })
    expect(
      evidenceOf(
        [
          ["version", "6.45.0"],
          ["panel", "ispmanager-business"],
        ],
        "i",
      ),
    ).toMatchObject({ major: 6, business: true })
    expect(
      evidenceOf(
        [
          ["user", "alice"],
          ["date", "2024-05-01"],
        ],
        "i",
      ),
    ).toBeUndefined()
  })

  it("decides the edition; without evidence every ISPtar adapter claims the backup", () => {
    expect(editionOf([{ major: 5, source: "" }], false)).toBe("5")
    expect(editionOf([{ major: 6, source: "" }], false)).toBe("6")
    expect(editionOf([{ major: 6, business: true, source: "" }], false)).toBe("business6")
    expect(editionOf([], true)).toBe("6-family")
    expect(editionOf([], false)).toBeUndefined()
    expect((["5", "6", "business6"] as const).map((e) => editionClaims(undefined, e))).toEqual([true, true, true])
    expect((["5", "6", "business6"] as const).map((e) => editionClaims("6-family", e))).toEqual([false, true, true])
    expect((["5", "6", "business6"] as const).map((e) => editionClaims("6", e))).toEqual([false, true, false])
  })

  it("reads .info files as XML or as key=value lines", () => {
    expect(keyValuesOf("<doc><user>alice</user><version>5.300.1</version></doc>")).toEqual([
      ["user", "alice"],
      ["version", "5.300.1"],
    ])
    expect(keyValuesOf("user=alice\nversion: 6.1.0\n")).toEqual([
      ["user", "alice"],
      ["version", "6.1.0"],
    ])
  })
})

describe("storage file names (§4.1)", () => {
  it("data, listing, info, volumes, encryption; '#' stays part of the user token", () => {
    expect(parseStorageName("F2016-10-18.usr2#.tgz.aes")).toEqual({
      kind: "data",
      prefix: "F",
      date: "2016-10-18",
      user: "usr2#",
      volume: undefined,
      encrypted: true,
    })
    expect(parseStorageName("F2022-11-02.user.tgz.part12")).toMatchObject({ kind: "data", volume: 12, encrypted: false })
    expect(parseStorageName("I2022-11-03.user.tgz")).toMatchObject({ kind: "data", prefix: "I" })
    expect(parseStorageName("2022-11-02.user.tgz")).toMatchObject({ kind: "listing" })
    expect(parseStorageName("2022-11-02.user.info")).toMatchObject({ kind: "info", user: "user" })
    expect(parseStorageName("F2022-11-02.user.info")).toBeUndefined()
    expect(parseStorageName("backup.tar.gz")).toBeUndefined()
  })
})
