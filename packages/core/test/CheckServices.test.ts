import { describe, expect, it } from "vitest"
import type { Capabilities } from "../src/index.ts"
import {
  action,
  autoresponder,
  database,
  databaseUser,
  decision,
  forwarder,
  hostingAccount,
  issue,
  issues,
  mailFilter,
  mailingList,
  run,
  site,
  snapshot,
  without,
} from "./support/Entities.ts"
import { fullProfile, noPostgresProfile } from "./support/Profiles.ts"

const snap = snapshot([
  ...hostingAccount("jack", "jack.example"),
  database("jack_pg", "jack", { engine: "postgresql" }),
  databaseUser("jack_pg", "jack", { engine: "postgresql" }),
  forwarder("sales@jack.example", "jack", [{ kind: "address", value: "info@jack.example" }]),
  autoresponder("info@jack.example", "jack"),
  mailFilter("jack.example", "jack"),
  mailingList("news", "jack.example", "jack"),
])

const cases: ReadonlyArray<{
  readonly id: string
  readonly code: string
  readonly title: string
  readonly resolution: string
  readonly capabilities: Capabilities
  readonly entities: ReadonlyArray<string>
}> = [
  {
    id: "web-server",
    code: "web-server-not-found",
    title: "Web server not found",
    resolution: "Sites will not be imported.",
    capabilities: { ...fullProfile, webServer: { kind: "none" } },
    entities: ["site:jack.example"],
  },
  {
    id: "mysql-server",
    code: "mysql-server-not-found",
    title: "MySQL DBMS server not found",
    resolution: "MySQL databases will not be imported (nor their database users).",
    capabilities: { ...fullProfile, mysql: [] },
    entities: ["database:mysql:jack_wp", "dbuser:mysql:jack_wp"],
  },
  {
    id: "postgresql-server",
    code: "postgresql-server-not-found",
    title: "PostgreSQL database server not found",
    resolution: "PostgreSQL databases will not be imported (nor their database users).",
    capabilities: noPostgresProfile,
    entities: ["database:postgresql:jack_pg", "dbuser:postgresql:jack_pg"],
  },
  {
    id: "ftp-server",
    code: "ftp-server-not-found",
    title: "FTP server not found",
    resolution: "FTP users will not be imported.",
    capabilities: { ...fullProfile, ftp: { kind: "none" } },
    entities: ["ftpuser:upload@jack.example"],
  },
  {
    id: "dns-server",
    code: "dns-server-not-found",
    title: "DNS server not found",
    resolution: "Domain names will not be imported.",
    capabilities: { ...fullProfile, dns: { kind: "none" } },
    entities: ["dnszone:jack.example"],
  },
  {
    id: "mail-server",
    code: "mail-server-not-found",
    title: "Mail server not found",
    resolution: "mail domains, mailboxes and emails will not be imported (nor forwarders, autoresponders, filters and mailing lists).",
    capabilities: { ...fullProfile, mail: { mta: "postfix", imap: "none" } },
    entities: [
      "maildomain:jack.example",
      "mailbox:info@jack.example",
      "forwarder:sales@jack.example",
      "autoresponder:info@jack.example",
      "mailfilter:jack.example:rules",
      "mailinglist:news@jack.example",
    ],
  },
]

for (const c of cases)
  describe(c.id, () => {
    it(`${c.title}: the seed's consequence, as a critical finding`, () => {
      const plan = run(snap, { capabilities: c.capabilities })
      const found = issue(plan, c.code)
      expect(found).toMatchObject({ severity: "critical", title: c.title, resolution: c.resolution, check: c.id, blocking: false })
      expect(found.entities).toEqual(c.entities)
      for (const id of c.entities) expect(decision(plan, id)).toMatchObject({ action: "skip", findings: [c.code] })
      // Nothing else is left out.
      expect(plan.decisions.filter((d) => d.action === "skip").map((d) => d.id)).toEqual(c.entities)
    })

    it("the full profile raises nothing", () => {
      expect(issues(run(snap), c.code)).toEqual([])
    })

    it("removing the check imports the entities", () => {
      const plan = run(snap, { capabilities: c.capabilities, checks: without(c.id) })
      for (const id of c.entities) expect(action(plan, id)).not.toBe("skip")
    })
  })

describe("ftp-server (anonymous FTP)", () => {
  it("sites keep their content but lose anonymous FTP", () => {
    const anon = snapshot([
      ...hostingAccount("jack", "jack.example").filter((e) => e._tag !== "Site"),
      site("jack.example", "jack", { anonymousFtp: { enabled: true, incoming: false } }),
    ])
    const plan = run(anon, { capabilities: { ...fullProfile, ftp: { kind: "none" } } })
    expect(issue(plan, "anonymous-ftp-unavailable").severity).toBe("warning")
    expect(decision(plan, "site:jack.example")).toMatchObject({
      action: "import-with-changes",
      changes: [{ field: "anonymousFtp", from: "enabled", to: "disabled" }],
    })
  })
})

describe("mail-server", () => {
  it("names the missing part: MTA or IMAP", () => {
    expect(
      issue(run(snap, { capabilities: { ...fullProfile, mail: { mta: "none", imap: "dovecot" } } }), "mail-server-not-found").message,
    ).toMatch(/^the receiving server has no mail transfer agent:/)
    expect(
      issue(run(snap, { capabilities: { ...fullProfile, mail: { mta: "none", imap: "none" } } }), "mail-server-not-found").message,
    ).toMatch(/^the receiving server has no mail transfer agent and no IMAP\/POP3 server:/)
  })
})
