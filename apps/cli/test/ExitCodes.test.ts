import {
  AdapterError,
  Ambiguous,
  ArchiveError,
  type ArchiveErrorReason,
  CorruptArchive,
  InspectError,
  LimitExceeded,
  NotReadable,
  NotRecognised,
  Refused,
  TargetError,
  UnknownPanel,
  UnsafeLink,
  UnsafePath,
  UnsupportedFormat,
} from "@ferry/core"
import { AccountError } from "@ferry/target-local"
import { describe, expect, it } from "vitest"
import { errorLine, exitCodeOf } from "../src/ExitCodes.ts"

const archiveError = (reason: ArchiveErrorReason) => new ArchiveError({ archive: "a.tar", entry: "x", reason })
const inspectError = (reason: InspectError["reason"]) => new InspectError({ archive: "a.tar", reason })

describe("exitCodeOf", () => {
  it("3 for archives refused as unsafe or corrupt", () => {
    expect(exitCodeOf(archiveError(new UnsafePath({ rule: "traversal", detail: "" })))).toBe(3)
    expect(exitCodeOf(archiveError(new UnsafeLink({ rule: "escapes-root", target: "../x", detail: "" })))).toBe(3)
    expect(exitCodeOf(archiveError(new LimitExceeded({ limit: "entries", value: 2, max: 1, detail: "" })))).toBe(3)
    expect(exitCodeOf(archiveError(new CorruptArchive({ detail: "" })))).toBe(3)
  })

  it("4 for anything that is not a backup Ferry reads", () => {
    expect(exitCodeOf(inspectError(new NotRecognised({ detail: "" })))).toBe(4)
    expect(exitCodeOf(inspectError(new Refused({ adapter: "cpanel", detail: "" })))).toBe(4)
    expect(exitCodeOf(inspectError(new Ambiguous({ adapters: ["a", "b"] })))).toBe(4)
    expect(exitCodeOf(new AdapterError({ adapter: "cpanel", path: "cp/x", detail: "" }))).toBe(4)
    expect(exitCodeOf(archiveError(new UnsupportedFormat({ format: "zip", detail: "" })))).toBe(4)
  })

  it("9 for a receiving server that cannot be read, 8 for an account rule, naming the login", () => {
    expect(exitCodeOf(new TargetError({ target: "ferry.yaml", detail: "cannot read" }))).toBe(9)
    const error = new AccountError({ login: "alice", reason: "exists", detail: "" })
    expect(exitCodeOf(error)).toBe(8)
    expect(errorLine(error)).toBe("account alice: an account with this login exists")
    expect(errorLine(new AccountError({ login: "bob", reason: "has-children", detail: "owns carol" }))).toBe(
      "account bob: the account still owns other accounts (owns carol)",
    )
  })

  it("5 for a path that cannot be read, 2 for a panel nobody provides", () => {
    expect(exitCodeOf(archiveError(new NotReadable({ detail: "ENOENT" })))).toBe(5)
    expect(exitCodeOf(inspectError(new UnknownPanel({ panel: "x", known: [] })))).toBe(2)
  })
})
