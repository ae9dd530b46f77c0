import { describe, expect, it } from "vitest"
import {
  account,
  action,
  database,
  decision,
  domain,
  ftpUser,
  hostingAccount,
  issue,
  issues,
  run,
  skipped,
  snapshot,
  without,
} from "./support/Entities.ts"
import { panelInventory } from "./support/Profiles.ts"

const inventory = panelInventory

describe("existing-user", () => {
  // carol exists on the target, under the reseller `resell`.
  const snap = snapshot([...hostingAccount("carol", "carol.example"), ...hostingAccount("erin", "erin.example")])

  it('"skip": the account whose login exists is not imported, with all its data', () => {
    const plan = run(snap, { inventory, options: { existing: "skip" } })
    const found = issue(plan, "data-exists")
    expect(found).toMatchObject({ severity: "critical", title: "The data exists on the server", entities: ["account:carol"] })
    expect(found.message).toBe("a user with the same name already exists on the receiving server: carol")
    expect(found.resolution).toBe(
      'not imported (choose "replace existing" to replace the existing entities and files with the imported ones)',
    )
    expect(skipped(plan).filter((id) => id.includes("carol"))).toHaveLength(10)
    expect(skipped(plan).filter((id) => id.includes("erin"))).toEqual([])
  })

  it('"replace": imported over the existing account, as a warning', () => {
    const plan = run(snap, { inventory, options: { existing: "replace" } })
    const found = issue(plan, "data-exists")
    expect(found.severity).toBe("warning")
    expect(found.resolution).toBe(
      "Overwrite all entities and files: all existing entities and files will be replaced with the imported ones",
    )
    expect(decision(plan, "account:carol")).toMatchObject({
      action: "import-with-changes",
      changes: [{ field: "existing", from: "keep", to: "replace" }],
    })
    // carol's own domain and mailbox on the target are hers: not "another user's".
    expect(issues(plan, "belongs-to-another-user")).toEqual([])
    expect(action(plan, "domain:carol.example")).not.toBe("skip")
  })

  it("objects a merge target already has meet the same policy", () => {
    const merged = snapshot(hostingAccount("zed", "dave.example"))
    const skipPlan = run(merged, { inventory, options: { owner: "dave", existing: "skip" } })
    const found = issue(skipPlan, "data-exists")
    // The mailbox goes with its domain and is not listed again.
    expect(found.entities).toEqual(["domain:dave.example", "ftpuser:upload@dave.example"])
    expect(found.message).toBe("dave already has dave.example, upload@dave.example on the receiving server")
    expect(decision(skipPlan, "mailbox:info@dave.example").findings).toEqual(["dependency-skipped"])
    expect(action(skipPlan, "database:mysql:zed_wp")).not.toBe("skip")
    const replacePlan = run(merged, { inventory, options: { owner: "dave", existing: "replace" } })
    expect(decision(replacePlan, "domain:dave.example").changes).toContainEqual({ field: "existing", from: "keep", to: "replace" })
  })

  it("removing the check imports the existing login as new", () => {
    const plan = run(snap, { inventory, options: { existing: "skip" }, checks: without("existing-user") })
    expect(action(plan, "account:carol")).not.toBe("skip")
  })
})

describe("other-owner", () => {
  // shop.example, dave_wp and upload@dave.example belong to dave on the target.
  const snap = snapshot([
    ...hostingAccount("zed", "shop.example"),
    database("dave_wp", "zed"),
    ftpUser("upload@dave.example", "zed"),
    domain("zed.example", "zed", { kind: "addon" }),
  ])

  it("names another user holds are not imported", () => {
    const plan = run(snap, { inventory })
    const found = issue(plan, "belongs-to-another-user")
    expect(found).toMatchObject({ severity: "critical", title: "The data exists on the server and belongs to another user" })
    expect(found.entities).toEqual(["domain:shop.example", "database:mysql:dave_wp", "ftpuser:upload@dave.example"])
    expect(found.message).toContain("shop.example (dave)")
    expect(found.resolution).toBe("entities with such names already exist in the receiving panel and will not be imported")
    // The domain's mail and site go with it, reported once as dependants.
    expect(decision(plan, "mailbox:info@shop.example")).toMatchObject({ action: "skip", findings: ["dependency-skipped"] })
    expect(action(plan, "domain:zed.example")).toBe("import")
    expect(action(plan, "account:zed")).toBe("import")
  })

  it("removing the check imports them", () => {
    const plan = run(snap, { inventory, checks: without("other-owner") })
    expect(action(plan, "domain:shop.example")).not.toBe("skip")
  })
})

describe("new-owner", () => {
  const client = hostingAccount("jack", "jack.example", { extras: { sourceOwner: "root" } })

  it("an unknown new owner blocks the import", () => {
    const plan = run(snapshot(client), { inventory, options: { owner: "nobody-here" } })
    expect(issue(plan, "new-owner-not-found")).toMatchObject({ severity: "critical", blocking: true, count: 0 })
    expect(plan.blocked).toBe(true)
  })

  it("a reseller receives the client: the account's owner changes", () => {
    const plan = run(snapshot(client), { inventory, options: { owner: "resell" } })
    expect(issue(plan, "owner-changed").severity).toBe("warning")
    expect(decision(plan, "account:jack")).toMatchObject({
      action: "import-with-changes",
      changes: [{ field: "owner", from: "root", to: "resell" }],
    })
    expect(action(plan, "domain:jack.example")).toBe("import")
  })

  it("a client receives the domains: the account is merged into it", () => {
    const plan = run(snapshot(client), { inventory, options: { owner: "dave" } })
    const found = issue(plan, "merged-into-client")
    expect(found.title).toBe("Imported into client dave")
    expect(found.resolution).toBe("the accounts are not created; their domains, mail, databases and other objects are imported under dave")
    expect(decision(plan, "account:jack")).toMatchObject({ action: "skip", findings: ["merged-into-client"] })
    expect(decision(plan, "domain:jack.example")).toMatchObject({
      action: "import-with-changes",
      changes: [{ field: "owner", from: "jack", to: "dave" }],
    })
    expect(decision(plan, "cron:jack:1").changes).toEqual([
      { field: "owner", from: "jack", to: "dave" },
      { field: "user", from: "jack", to: "dave" },
    ])
    // Merged, not cascaded: the site and mail stay.
    expect(action(plan, "site:jack.example")).not.toBe("skip")
    expect(action(plan, "mailbox:info@jack.example")).not.toBe("skip")
  })

  it("clients cannot receive reseller accounts; resellers only sit under the administrator", () => {
    const reseller = snapshot([account("rita", { kind: "reseller" }), ...hostingAccount("kim", "kim.example", { owner: "account:rita" })])
    const toClient = run(reseller, { inventory, options: { owner: "dave" } })
    expect(issue(toClient, "client-cannot-own-reseller")).toMatchObject({ severity: "critical", entities: ["account:rita"] })
    expect(action(toClient, "mailbox:info@kim.example")).toBe("skip")
    const toReseller = run(reseller, { inventory, options: { owner: "resell" } })
    expect(issue(toReseller, "reseller-cannot-own-reseller").entities).toEqual(["account:rita"])
    const toAdmin = run(reseller, { inventory, options: { owner: "admin" } })
    expect(decision(toAdmin, "account:rita").changes).toEqual([{ field: "owner", from: "none", to: "admin" }])
    // kim stays under rita.
    expect(action(toAdmin, "account:kim")).toBe("import")
  })

  it("removing the check leaves the owner as it was", () => {
    const plan = run(snapshot(client), { inventory, options: { owner: "dave" }, checks: without("new-owner") })
    expect(action(plan, "account:jack")).toBe("import")
    expect(decision(plan, "domain:jack.example").changes).toEqual([])
  })
})
