import type { Detection, InspectResult, Snapshot } from "@ferry/core"
import { Redacted } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import {
  content,
  entities,
  entity,
  fixtureTree,
  ids,
  illini,
  inspectPath,
  notes,
  quantify,
  uniprev,
  withTop,
  writeTree,
} from "./Support.ts"

/** Every envelope pkgacct and WHM produce, plus the ones Ferry accepts besides (§2.1). */
const envelopes = (user: string) =>
  [
    { label: "cpmove-USER.tar.gz", top: `cpmove-${user}`, envelope: "tar.gz" },
    { label: "backup-M.D.YYYY_HH-MM-SS_USER.tar.gz", top: `backup-1.10.2024_12-58-58_${user}`, envelope: "tar.gz" },
    { label: "WHM USER.tar.gz", top: user, envelope: "tar.gz" },
    { label: "cpmove-USER.tar", top: `cpmove-${user}`, envelope: "tar" },
    { label: "cpmove-USER.tar.zst", top: `cpmove-${user}`, envelope: "tar.zst" },
    { label: "extracted cpmove-USER/ inside a directory", top: `cpmove-${user}`, envelope: "directory" },
    { label: 'extracted payload (root = "")', top: "", envelope: "directory" },
  ] as const

const inspectFixture = async (set: string, top: string, envelope: "tar" | "tar.gz" | "tar.zst" | "directory"): Promise<InspectResult> => {
  const tree = await fixtureTree(set)
  return inspectPath(await writeTree(top === "" ? tree : withTop(top, tree), envelope, top || "payload"))
}

/** Checks shared by every fixture: nothing unrecognised, no secret in the output, sane source. */
const common = (result: InspectResult, top: string, user: string, formatVersion: string) => {
  const { detection, snapshot } = result
  expect(detection.root).toBe(top)
  // Detection decides from the first entries; the version file may come later.
  if (detection.formatVersion !== undefined) expect(detection.formatVersion).toBe(formatVersion)
  expect(detection.facts["user"]).toBe(user)
  expect(snapshot.source.panel).toBe("cpanel")
  expect(snapshot.source.formatVersion).toBe(formatVersion)
  expect(snapshot.source.archive.entries).toBeGreaterThan(10)
  expect(snapshot.source.archive.contentBytes).toBeGreaterThan(0)
  expect(notes(snapshot, "unrecognised-file")).toEqual([])
  expect(notes(snapshot, "duplicate-entity")).toEqual([])
  expect(JSON.stringify(snapshot)).not.toContain("REDACTEDSALT")
  const account = entity(snapshot, "Account", `account:${user}`)
  expect(account.owner).toBeNull()
  for (const e of snapshot.entities) if (e._tag !== "Account") expect(e.owner).toBe(`account:${user}`)
  const prefix = top === "" ? "" : `${top}/`
  for (const ref of snapshot.content) expect(ref.path.startsWith(prefix)).toBe(true)
  return account
}

const checkIllini = (result: InspectResult, top: string) => {
  const { snapshot } = result
  const account = common(result, top, "illiniwi", "3")
  expect(account.kind).toBe("client")
  expect(account.login).toBe("illiniwi")
  expect(account.extras["sourceOwner"]).toBe("root")
  expect(account.status).toBe("active")
  expect(account.contact).toEqual({ email: "zmabry2@illinois.edu", locale: "en" })
  expect(account.plan).toBe("hawkhost_primary")
  expect(account.passwordHash?.scheme).toBe("sha512-crypt")
  expect(Redacted.value(account.passwordHash!.value)).toBe("$6$REDACTEDSALT$REDACTEDHASH")
  expect(account.limits).toEqual({
    diskBytes: 10_240_000 * 1024,
    trafficBytesPerMonth: null,
    mailboxes: null,
    databases: null,
    subdomains: null,
    addonDomains: null,
    domainAliases: null,
    ftpUsers: null,
    mailingLists: null,
    mailPerHour: 500,
  })
  expect(account.ipPool).toEqual(["198.252.99.67"])
  expect(account.createdAt).toBe(1476666191)
  expect(account.shell).toBe("/bin/bash")
  expect(account.homeDir).toBe("/home/illiniwi")
  expect(account.extras).not.toHaveProperty("PUSHBULLET_ACCESS_TOKEN")
  expect(snapshot.source.hostname).toBe("dal107.hawkhost.com")
  expect(snapshot.source.panelVersion).toBe("pkgacct 10")

  expect(ids(snapshot, "Domain")).toEqual(["domain:illiniwildcards.tk"])
  expect(entity(snapshot, "Domain", "domain:illiniwildcards.tk").kind).toBe("main")
  const site = entity(snapshot, "Site", "site:illiniwildcards.tk")
  expect(site.docroot).toBe("public_html")
  expect(site.php).toEqual({ enabled: true })
  expect(site.ssl?.enabled).toBe(true)
  expect(site.serverAliases).toEqual(["mail.illiniwildcards.tk", "www.illiniwildcards.tk"])
  expect(site.content).toBe("content:web:illiniwildcards.tk")
  expect(notes(snapshot, "php-version-missing").map((n) => n.subject)).toEqual(["site:illiniwildcards.tk"])

  const mailDomain = entity(snapshot, "MailDomain", "maildomain:illiniwildcards.tk")
  expect(mailDomain.catchAll).toEqual({ action: "bounce", message: "No Such User Here" })
  expect(mailDomain.routing).toBe("auto")
  const box = entity(snapshot, "Mailbox", "mailbox:contactus@illiniwildcards.tk")
  expect(box.passwordHash?.scheme).toBe("sha512-crypt")
  expect(box.quotaBytes).toBe(524_288_000)
  expect(box.storage).toBe("maildir")
  expect(box.enabled).toBe(true)
  expect(notes(snapshot, "mail-link-unexpected")).toEqual([])
  expect(ids(snapshot, "Forwarder")).toEqual([])

  expect(ids(snapshot, "Database")).toEqual(["database:mysql:illiniwi_submissions", "database:mysql:illiniwi_votepage"])
  const db = entity(snapshot, "Database", "database:mysql:illiniwi_votepage")
  expect(db.charset).toBe("latin1")
  expect(db.sourceServerVersion).toBe("10.0.27-MariaDB-cll-lve")
  expect(ids(snapshot, "DatabaseUser")).toEqual([
    "dbuser:mysql:illiniwi",
    "dbuser:mysql:illiniwi_Squad17",
    "dbuser:mysql:illiniwi_votepage",
    "dbuser:postgresql:illiniwi",
  ])
  const owner = entity(snapshot, "DatabaseUser", "dbuser:mysql:illiniwi")
  expect(owner.hosts).toEqual(["72.29.127.28", "localhost"])
  expect(owner.passwordHash?.scheme).toBe("mysql-native")
  expect(owner.grants).toEqual([
    { database: "illiniwi_votepage", privileges: ["ALL PRIVILEGES"] },
    { database: "illiniwi_submissions", privileges: ["ALL PRIVILEGES"] },
  ])
  expect(entity(snapshot, "DatabaseUser", "dbuser:mysql:illiniwi_Squad17").grants).toEqual([
    { database: "illiniwi_submissions", privileges: ["ALL PRIVILEGES"] },
  ])
  const pg = entity(snapshot, "DatabaseUser", "dbuser:postgresql:illiniwi")
  expect(pg.passwordHash?.scheme).toBe("postgres-md5")
  expect(notes(snapshot, "mysql-source-hosts")[0]?.message).toContain("dal107.hawkhost.com")
  expect(notes(snapshot, "mysql-account-user").map((n) => n.subject)).toEqual(["dbuser:mysql:illiniwi"])

  const zone = entity(snapshot, "DnsZone", "dnszone:illiniwildcards.tk")
  expect(zone.records).toHaveLength(15)
  expect(zone.defaultTtl).toBe(14400)
  expect(zone.soa?.serial).toBe(2016101703)
  expect(zone.records.filter((r) => r.type === "MX")).toEqual([expect.objectContaining({ name: "illiniwildcards.tk", priority: 0 })])

  expect(ids(snapshot, "FtpUser")).toEqual([])
  expect(notes(snapshot, "ftp-main-login")).toHaveLength(1)
  expect(notes(snapshot, "ftp-logs-login")).toHaveLength(1)
  expect(ids(snapshot, "CronJob")).toEqual([])
  expect(ids(snapshot, "SslCertificate")).toEqual([])
  for (const code of [
    "roundcube-data",
    "mysql-openfileslimit",
    "nobody-files",
    "related-ips",
    "webdisk-digest",
    "ssl-storage-marker",
    "db-prefix",
    "mail-server",
    "mysql-timestamps",
  ]) {
    expect(notes(snapshot, code), code).toHaveLength(1)
  }
  expect(notes(snapshot, "roundcube-data")[0]?.message).toContain("placeholder")
  // email_accounts.json, passwd, quota, shadow; the mail namespace symlink is not content.
  expect(content(snapshot, "content:home:illiniwi").files).toBe(4)
}

const checkQuantify = (result: InspectResult, top: string) => {
  const { snapshot } = result
  const account = common(result, top, "olufmdppx6pn", "4")
  expect(result.detection.panelVersion).toBe("11.94.0.19")
  expect(snapshot.source.panelVersion).toBe("11.94.0.19")
  expect(account.extras["sourceOwner"]).toBe("gdresell")
  expect(account.kind).toBe("client")
  expect(account.contact).toEqual({ locale: "en" })
  expect(account.passwordHash).toBeUndefined()
  expect(account.plan).toBe("Deluxe")
  expect(account.createdAt).toBe(1648403030)
  expect(account.limits).toEqual({
    diskBytes: null,
    trafficBytesPerMonth: null,
    mailboxes: 500,
    databases: 25,
    subdomains: null,
    addonDomains: null,
    domainAliases: null,
    ftpUsers: 50,
    mailingLists: null,
    mailboxQuotaBytes: null,
    mailPerHour: 500,
  })
  expect(account.extras).not.toHaveProperty("SITEJET_API_TOKEN")
  const site = entity(snapshot, "Site", "site:quantifyuniversity.com")
  expect(site.docroot).toBe("public_html")
  expect(site.php.version).toBeUndefined()
  expect(site.ssl?.enabled).toBe(true)
  expect(notes(snapshot, "php-version-missing")).toHaveLength(1)
  const mail = entity(snapshot, "MailDomain", "maildomain:quantifyuniversity.com")
  expect(mail.catchAll).toEqual({ action: "discard" })
  expect(mail.routing).toBe("remote")
  expect(ids(snapshot, "Mailbox")).toEqual([])
  expect(ids(snapshot, "Database")).toEqual([])
  expect(notes(snapshot, "home-missing")).toHaveLength(1)
  expect(notes(snapshot, "autossl")).toHaveLength(1)
}

const checkUniprev = (result: InspectResult, top: string) => {
  const { snapshot } = result
  const account = common(result, top, "uniprev", "4")
  expect(account.homeDir).toBe("/home2/uniprev")
  expect(account.createdAt).toBeUndefined()
  expect(account.contact).toEqual({ email: "fabio@linksan.com.br", locale: "pt_br" })
  expect(account.limits.diskBytes).toBe(3_072_000 * 1024)
  expect(account.limits.addonDomains).toBe(0)
  expect(account.limits.domainAliases).toBe(0)
  expect(account.limits.mailPerHour).toBeNull()

  expect(ids(snapshot, "Domain")).toEqual(["domain:blog.uniprev.com.br", "domain:diagnosticos.uniprev.com.br", "domain:uniprev.com.br"])
  for (const sub of ["blog.uniprev.com.br", "diagnosticos.uniprev.com.br"]) {
    expect(entity(snapshot, "Domain", `domain:${sub}`)).toMatchObject({
      kind: "subdomain",
      parent: "domain:uniprev.com.br",
      site: `site:${sub}`,
    })
  }
  expect(entity(snapshot, "Site", "site:uniprev.com.br")).toMatchObject({ docroot: "public_html", php: { enabled: true, version: "7.3" } })
  expect(entity(snapshot, "Site", "site:diagnosticos.uniprev.com.br").docroot).toBe("public_html/diagnostico")
  expect(entity(snapshot, "Site", "site:blog.uniprev.com.br").docroot).toBe("public_html/blog.uniprev.com.br")
  expect(entity(snapshot, "Site", "site:blog.uniprev.com.br").php.version).toBeUndefined()
  expect(
    notes(snapshot, "php-version-missing")
      .map((n) => n.subject)
      .sort(),
  ).toEqual(["site:blog.uniprev.com.br", "site:diagnosticos.uniprev.com.br"])
  const prefix = top === "" ? "" : `${top}/`
  expect(content(snapshot, "content:web:uniprev.com.br").excludes.toSorted()).toEqual([
    `${prefix}homedir/public_html/blog.uniprev.com.br/`,
    `${prefix}homedir/public_html/diagnostico/`,
  ])
  expect(notes(snapshot, "domain-list-mismatch")).toEqual([])

  const box = entity(snapshot, "Mailbox", "mailbox:arkus@uniprev.com.br")
  expect(box.quotaBytes).toBeNull()
  expect(box.passwordHash?.scheme).toBe("sha512-crypt")
  expect(ids(snapshot, "Forwarder")).toEqual([
    "forwarder:descalvado@uniprev.com.br",
    "forwarder:diagnosticos@uniprev.com.br",
    "forwarder:fapesp@uniprev.com.br",
    "forwarder:portoferreira@uniprev.com.br",
  ])
  expect(entity(snapshot, "Forwarder", "forwarder:fapesp@uniprev.com.br").targets).toEqual([
    { kind: "address", value: "rodrigo@uniprev.com.br" },
  ])
  expect(notes(snapshot, "autoresponder-missing").map((n) => n.subject)).toEqual(["autoresponder:pestigliojr@uniprev.com.br"])
  expect(entity(snapshot, "MailDomain", "maildomain:uniprev.com.br").catchAll).toEqual({ action: "discard" })

  expect(ids(snapshot, "Database")).toEqual(["database:mysql:uniprev_blog"])
  expect(entity(snapshot, "Database", "database:mysql:uniprev_blog").sourceServerVersion).toBe("10.3.24-MariaDB")
  expect(ids(snapshot, "DatabaseUser")).toEqual([
    "dbuser:mysql:uniprev",
    "dbuser:mysql:uniprev_ARKUS",
    "dbuser:mysql:uniprev_div",
    "dbuser:mysql:uniprev_user",
  ])
  const arkus = entity(snapshot, "DatabaseUser", "dbuser:mysql:uniprev_ARKUS")
  expect(arkus.hosts).toHaveLength(17)
  expect(arkus.hosts).toContain("%")
  expect(arkus.hosts).not.toContain("172.31.18.167")
  expect(arkus.grants).toEqual([{ database: "uniprev_blog", privileges: ["ALL PRIVILEGES"] }])
  expect(entity(snapshot, "DatabaseUser", "dbuser:mysql:uniprev_div").grants).toEqual([])
  const dropped = notes(snapshot, "mysql-grant-dropped").find((n) => n.subject === "dbuser:mysql:uniprev")
  expect(dropped?.message).toContain("cptmpdb_uniprev_qczvTDo3rkS5gK6B")
  expect(ids(snapshot, "CronJob")).toEqual([])
  expect(notes(snapshot, "cron-line")).toEqual([])
}

describe.each([
  { set: illini, user: "illiniwi", check: checkIllini },
  { set: quantify, user: "olufmdppx6pn", check: checkQuantify },
  { set: uniprev, user: "uniprev", check: checkUniprev },
])("real fixture $set", ({ set, user, check }) => {
  for (const { label, top, envelope } of envelopes(user)) {
    describe(label, () => {
      let result: InspectResult
      beforeAll(async () => {
        result = await inspectFixture(set, top, envelope)
      })
      it("detects the payload and reads every entity", () => check(result, top))
    })
  }
})

describe("real fixtures, across envelopes", () => {
  it("give the same entities in every envelope", async () => {
    const signature = (snapshot: Snapshot, top: string) =>
      JSON.stringify(
        snapshot.entities.map((e) => ({ ...e, source: { ...e.source, path: e.source.path.slice(top === "" ? 0 : top.length + 1) } })),
      )
    const tree = await fixtureTree(uniprev)
    const gz = await inspectPath(await writeTree(withTop("cpmove-uniprev", tree), "tar.gz", "a"))
    const dir = await inspectPath(await writeTree(tree, "directory", "b"))
    expect(signature(dir.snapshot, "")).toBe(signature(gz.snapshot, "cpmove-uniprev"))
    expect((gz.detection as Detection).root).toBe("cpmove-uniprev")
    expect(entities(gz.snapshot, "Site")).toHaveLength(3)
  })
})
