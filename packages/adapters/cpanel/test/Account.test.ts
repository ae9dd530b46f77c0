import { describe, expect, it } from "vitest"
import { entity, inspectPath, inspectTree, minimalAccount, notes, withTop, writeTree } from "./Support.ts"

describe("cPanel account record and leftovers", () => {
  it("reads limits with unit conversion, the plan, contact, locale and the shadow hash", async () => {
    const tree = minimalAccount(
      { shadow: "$6$saltsalt$hash", shell: "/usr/local/cpanel/bin/noshell", quota: "3000" },
      {
        BWLIMIT: "1048576",
        DISK_BLOCK_LIMIT: "3072000",
        MAX_EMAILACCT_QUOTA: "1024",
        MAXPOP: "10",
        MAXSQL: "unlimited",
        CONTACTEMAIL: "me@example.com",
        LOCALE: "de",
        STARTDATE: "1700000000",
        HASCGI: "0",
      },
    )
    const { snapshot } = await inspectTree(tree)
    const account = entity(snapshot, "Account", "account:exuser")
    expect(account.limits).toEqual({
      diskBytes: 3_072_000 * 1024,
      trafficBytesPerMonth: 1_048_576,
      mailboxQuotaBytes: 1024 ** 3,
      mailboxes: 10,
      databases: null,
    })
    expect(account.contact).toEqual({ email: "me@example.com", locale: "de" })
    expect(account.permissions).toEqual({ cgi: false, shellAccess: false })
    expect(account.passwordHash?.scheme).toBe("sha512-crypt")
    expect(account.createdAt).toBe(1_700_000_000)
    expect(notes(snapshot, "quota-mismatch")).toEqual([])
  })

  it("is a reseller when resellerconfig lists the login", async () => {
    const { snapshot } = await inspectTree(minimalAccount({ "resellerconfig/resellers": "exuser:create-acct,list-accts\n" }))
    const account = entity(snapshot, "Account", "account:exuser")
    expect(account.kind).toBe("reseller")
    expect(account.extras["resellerAcls"]).toBe("create-acct,list-accts")
  })

  it("is suspended only by SUSPENDED=1 or suspended/USER, never by SUSPENDTIME alone", async () => {
    const suspended = await inspectTree(minimalAccount({ "suspended/exuser": "Unpaid invoice\n" }, { SUSPENDTIME: "1700000000" }))
    expect(entity(suspended.snapshot, "Account", "account:exuser")).toMatchObject({ status: "suspended", suspendReason: "Unpaid invoice" })
    const flagged = await inspectTree(minimalAccount({}, { SUSPENDED: "1" }))
    expect(entity(flagged.snapshot, "Account", "account:exuser").status).toBe("suspended")
    const leftover = await inspectTree(minimalAccount({}, { SUSPENDTIME: "1700000000" }))
    expect(entity(leftover.snapshot, "Account", "account:exuser").status).toBe("active")
    expect(notes(leftover.snapshot, "suspendtime-leftover")).toHaveLength(1)
  })

  it("never carries token-like values into extras, notes or output", async () => {
    const tree = minimalAccount(
      {},
      { SITEJET_API_TOKEN: "sj-very-secret", PUSHBULLET_ACCESS_TOKEN: "pb-very-secret", "MXCHECK-example.com": "local", WP_TOOLKIT_X: "1" },
    )
    const { snapshot } = await inspectTree(tree)
    const json = JSON.stringify(snapshot)
    expect(json).not.toContain("very-secret")
    expect(notes(snapshot, "secret-withheld")[0]?.message).toContain("SITEJET_API_TOKEN")
    expect(entity(snapshot, "Account", "account:exuser").extras).toMatchObject({ sourceOwner: "root", WP_TOOLKIT_X: "1" })
  })

  it("notes every metadata file it does not use, links outside the home and entries outside the payload", async () => {
    const tree = withTop(
      "cpmove-exuser",
      minimalAccount({
        "logs/example.com-ssl_log.gz": "x",
        "logs/ftp.example.com-ftp_log.gz": "y",
        "httpfiles/std/2/example.com/custom.conf": "Options +FollowSymLinks\n",
        "team/exuser": "{}",
        "weird/new-feature.json": "{}",
        "userdata/example.com.php-fpm.yaml": "--- \npm_max_children: 5\n",
        "bad-link": { type: "symlink", target: "cp/exuser" },
        "homedir/public_html/link": { type: "symlink", target: "index.html" },
      }),
    )
    tree.set("README.txt", "packed by hand\n")
    const { snapshot } = await inspectPath(await writeTree(tree, "tar"))
    expect(notes(snapshot, "logs")).toHaveLength(1)
    expect(notes(snapshot, "logs")[0]?.message).toContain("2 files")
    expect(notes(snapshot, "httpfiles")[0]?.severity).toBe("warning")
    expect(notes(snapshot, "team-users")).toHaveLength(1)
    expect(notes(snapshot, "php-fpm-pool")).toHaveLength(1)
    expect(notes(snapshot, "unrecognised-file").map((n) => n.path)).toEqual(["cpmove-exuser/weird/new-feature.json"])
    expect(notes(snapshot, "link-outside-home").map((n) => n.path)).toEqual(["cpmove-exuser/bad-link"])
    expect(notes(snapshot, "outside-payload").map((n) => n.path)).toEqual(["README.txt"])
  })
})
