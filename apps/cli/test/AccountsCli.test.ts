import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as nodePath from "node:path"
import type { InventoryAccount } from "@ferry/core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { longestLine, runFerry } from "./support/RunFerry.ts"

let dir: string
let stateDir: string

beforeAll(async () => {
  dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), "ferry-accounts-cli-"))
  stateDir = nodePath.join(dir, "state")
})

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true })
})

const accounts = (args: ReadonlyArray<string>) => runFerry(["accounts", ...args, "--state-dir", stateDir])
const listJson = async (): Promise<ReadonlyArray<InventoryAccount>> => {
  const run = await accounts(["list", "--json"])
  expect(run.code).toBe(0)
  return JSON.parse(run.stdout) as ReadonlyArray<InventoryAccount>
}

describe("ferry accounts", () => {
  it("round trip: add, list, show, set, del", async () => {
    const reseller = await accounts(["add", "res1", "--kind", "reseller", "--owner", "admin", "--limit", "domains=100"])
    expect(reseller.stderr).toBe("")
    expect(reseller.code).toBe(0)
    const client = await accounts([
      "add",
      "alice",
      "--kind",
      "client",
      "--owner",
      "res1",
      "--limit",
      "diskBytes=10GiB",
      "--limit",
      "mailboxes=unlimited",
      "--permission",
      "shellAccess=off",
      "--permission",
      "manageDns=on",
      "--ip",
      "203.0.113.10",
    ])
    expect(client.code).toBe(0)
    expect(client.stdout).toContain("alice")

    const list = await listJson()
    // The administrator comes with the inventory.
    expect(list.map((a) => a.login).sort()).toEqual(["admin", "alice", "res1"])

    const shown = await accounts(["show", "alice", "--json"])
    expect(shown.code).toBe(0)
    const alice = JSON.parse(shown.stdout) as InventoryAccount
    expect(alice).toMatchObject({
      login: "alice",
      kind: "client",
      owner: "res1",
      limits: { diskBytes: 10 * 1024 ** 3, mailboxes: null },
      permissions: { shellAccess: false, manageDns: true },
      ipPool: ["203.0.113.10"],
    })

    const set = await accounts(["set", "alice", "--limit", "domains=5", "--permission", "shellAccess=on"])
    expect(set.code).toBe(0)
    const changed = JSON.parse((await accounts(["show", "alice", "--json"])).stdout) as InventoryAccount
    // The keys not named keep their values.
    expect(changed.limits).toMatchObject({ diskBytes: 10 * 1024 ** 3, mailboxes: null, domains: 5 })
    expect(changed.permissions).toMatchObject({ shellAccess: true, manageDns: true })
    expect(changed.ipPool).toEqual(["203.0.113.10"])

    const human = await accounts(["show", "alice"])
    expect(human.stdout).toContain("10.0 GiB")
    expect(human.stdout).toContain("unlimited")
    const table = await accounts(["list"])
    expect(table.stdout).toMatch(/alice\s+client\s+res1/)
    expect(longestLine(table.stdout)).toBeLessThanOrEqual(100)

    const deleted = await accounts(["del", "alice"])
    expect(deleted.code).toBe(0)
    expect((await listJson()).map((a) => a.login).sort()).toEqual(["admin", "res1"])
  })

  it("8: an account that breaks a rule, naming the login", async () => {
    expect((await accounts(["add", "taken", "--kind", "client"])).code).toBe(0)
    const duplicate = await accounts(["add", "taken", "--kind", "client"])
    expect(duplicate.code).toBe(8)
    expect(duplicate.stdout).toBe("")
    expect(duplicate.stderr).toMatch(/^ferry: account taken: /)

    const missing = await accounts(["show", "nobody-here"])
    expect(missing.code).toBe(8)
    expect(missing.stderr).toContain("nobody-here")

    const orphan = await accounts(["add", "orphan", "--kind", "client", "--owner", "no-such-owner"])
    expect(orphan.code).toBe(8)
    expect(orphan.stderr).toContain("orphan")

    const secondAdmin = await accounts(["add", "boss", "--kind", "admin"])
    expect(secondAdmin.code).toBe(8)
    expect(secondAdmin.stderr).toMatch(/^ferry: account boss: /)

    expect((await accounts(["add", "resx", "--kind", "reseller"])).code).toBe(0)
    expect((await accounts(["add", "clientx", "--kind", "client", "--owner", "resx"])).code).toBe(0)
    const parent = await accounts(["del", "resx"])
    expect(parent.code).toBe(8)
    expect(parent.stderr).toContain("account resx: the account still owns other accounts")
  })

  it("2: unknown limit or permission keys, bad values, a missing --kind", async () => {
    for (const args of [
      ["add", "bob", "--kind", "client", "--limit", "nonsense=1"],
      ["add", "bob", "--kind", "client", "--limit", "domains=many"],
      ["add", "bob", "--kind", "client", "--limit", "diskBytes=10 parsecs"],
      ["add", "bob", "--kind", "client", "--permission", "manageDns=maybe"],
      ["add", "bob", "--kind", "client", "--ip", "300.1.1.1"],
      ["add", "bob", "--kind", "emperor"],
      ["add", "bob"],
    ]) {
      const run = await accounts(args)
      expect(run.code, args.join(" ")).toBe(2)
      expect(run.stdout).toBe("")
    }
    expect((await listJson()).map((a) => a.login)).not.toContain("bob")
  })

  it("uses $FERRY_STATE_DIR when --state-dir is not given", async () => {
    const envDir = nodePath.join(dir, "from-env")
    const added = await runFerry(["accounts", "add", "envuser", "--kind", "client"], { env: { FERRY_STATE_DIR: envDir } })
    expect(added.code).toBe(0)
    const listed = await runFerry(["accounts", "list", "--json", "--state-dir", envDir])
    expect((JSON.parse(listed.stdout) as ReadonlyArray<InventoryAccount>).map((a) => a.login).sort()).toEqual(["admin", "envuser"])
  })

  it("--help of add lists the examples", async () => {
    const run = await runFerry(["accounts", "add", "--help"])
    expect(run.code).toBe(0)
    expect(run.stdout).toContain("--limit")
    expect(run.stdout).toContain("ferry accounts add reseller1")
  })
})
