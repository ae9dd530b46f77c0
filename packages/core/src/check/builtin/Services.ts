import type { Entity } from "../../model/Entity.ts"
import type { CheckContext, Finding } from "../Check.ts"
import * as Check from "../Check.ts"
import { entityLabel } from "../Dependencies.ts"
import { change, changeEffect, listed, skipFinding } from "./Findings.ts"

/*
 * A service missing on the receiving server: the seed's first lines of the Check step. Each
 * check leaves out the entities that service would carry, with the seed's consequence as the
 * resolution.
 */

const skipAll = (fields: Omit<Finding, "severity" | "effects">, entities: ReadonlyArray<Entity>): Array<Finding> =>
  entities.length === 0
    ? []
    : [
        skipFinding(
          { ...fields, message: `${fields.message}: ${listed(entities.map(entityLabel))}` },
          entities.map((e) => e.id),
        ),
      ]

export const webServerCheck = Check.make({
  id: "web-server",
  title: "Web server not found",
  run: (ctx) =>
    ctx.capabilities.webServer.kind !== "none"
      ? []
      : skipAll(
          {
            code: "web-server-not-found",
            title: "Web server not found",
            message: "there is no web server installed on the receiving server",
            resolution: "Sites will not be imported.",
          },
          ctx.active("Site"),
        ),
})

const databasesOf = (ctx: CheckContext, engine: "mysql" | "postgresql"): Array<Entity> => [
  ...ctx.active("Database").filter((d) => d.engine === engine),
  ...ctx.active("DatabaseUser").filter((u) => u.engine === engine),
]

export const mysqlServerCheck = Check.make({
  id: "mysql-server",
  title: "MySQL DBMS server not found",
  run: (ctx) =>
    ctx.capabilities.mysql.length > 0
      ? []
      : skipAll(
          {
            code: "mysql-server-not-found",
            title: "MySQL DBMS server not found",
            message: "the receiving server has no MySQL or MariaDB server",
            resolution: "MySQL databases will not be imported (nor their database users).",
          },
          databasesOf(ctx, "mysql"),
        ),
})

export const postgresqlServerCheck = Check.make({
  id: "postgresql-server",
  title: "PostgreSQL database server not found",
  run: (ctx) =>
    ctx.capabilities.postgresql.length > 0
      ? []
      : skipAll(
          {
            code: "postgresql-server-not-found",
            title: "PostgreSQL database server not found",
            message: "the receiving server has no PostgreSQL server",
            resolution: "PostgreSQL databases will not be imported (nor their database users).",
          },
          databasesOf(ctx, "postgresql"),
        ),
})

export const ftpServerCheck = Check.make({
  id: "ftp-server",
  title: "FTP server not found",
  run: (ctx) => {
    if (ctx.capabilities.ftp.kind !== "none") return []
    const anonymous = ctx.active("Site").filter((s) => s.anonymousFtp?.enabled === true)
    return [
      ...skipAll(
        {
          code: "ftp-server-not-found",
          title: "FTP server not found",
          message: "there is no FTP server installed on the receiving server",
          resolution: "FTP users will not be imported.",
        },
        ctx.active("FtpUser"),
      ),
      ...(anonymous.length === 0
        ? []
        : [
            {
              code: "anonymous-ftp-unavailable",
              severity: "warning" as const,
              title: "FTP server not found",
              message: `anonymous FTP is enabled for ${listed(anonymous.map(entityLabel))}, but there is no FTP server`,
              resolution: "the sites are imported with anonymous FTP turned off",
              effects: anonymous.map((s) => changeEffect(s.id, [change("anonymousFtp", "enabled", "disabled")])),
            },
          ]),
    ]
  },
})

export const dnsServerCheck = Check.make({
  id: "dns-server",
  title: "DNS server not found",
  run: (ctx) =>
    ctx.capabilities.dns.kind !== "none"
      ? []
      : skipAll(
          {
            code: "dns-server-not-found",
            title: "DNS server not found",
            message: "there is no DNS server installed on the receiving server; these DNS zones have nowhere to go",
            resolution: "Domain names will not be imported.",
          },
          ctx.active("DnsZone"),
        ),
})

export const mailServerCheck = Check.make({
  id: "mail-server",
  title: "Mail server not found",
  run: (ctx) => {
    const { mta, imap } = ctx.capabilities.mail
    if (mta !== "none" && imap !== "none") return []
    const missing = [mta === "none" ? "no mail transfer agent" : undefined, imap === "none" ? "no IMAP/POP3 server" : undefined]
      .filter((m) => m !== undefined)
      .join(" and ")
    return skipAll(
      {
        code: "mail-server-not-found",
        title: "Mail server not found",
        message: `the receiving server has ${missing}`,
        resolution: "mail domains, mailboxes and emails will not be imported (nor forwarders, autoresponders, filters and mailing lists).",
      },
      [
        ...ctx.active("MailDomain"),
        ...ctx.active("Mailbox"),
        ...ctx.active("Forwarder"),
        ...ctx.active("Autoresponder"),
        ...ctx.active("MailFilter"),
        ...ctx.active("MailingList"),
      ],
    )
  },
})
