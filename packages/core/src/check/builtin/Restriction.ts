import type { Entity } from "../../model/Entity.ts"
import * as Check from "../Check.ts"
import { entityLabel } from "../Dependencies.ts"
import { listed, skipFinding } from "./Findings.ts"

/*
 * The Plesk migration operator's restrictions, taken literally (plesk-migration-operator seed):
 *   only mail    — configuration of the domain-level mail system (including domain keys), mail
 *                  accounts, mailing lists;
 *   only hosting — web site content (protected directories, web users, MIME types), web hosting
 *                  configuration (anonymous FTP, log rotation, hotlink protection, shared SSL,
 *                  web users), installed site applications, databases, subdomains.
 * Accounts and the domains holding the kept data are always kept. Everything else is outside the
 * restriction: DNS zones, FTP users, cron jobs and CSRs in both cases.
 */

const mailTags = new Set<Entity["_tag"]>(["MailDomain", "Mailbox", "Forwarder", "Autoresponder", "MailFilter", "MailingList"])
const hostingTags = new Set<Entity["_tag"]>(["Site", "Database", "DatabaseUser"])

const describe = {
  mail: "only mail settings and content are migrated: domain-level mail configuration including domain keys, mail accounts and mailing lists",
  hosting:
    "only web hosting data is migrated: web site content and hosting configuration, installed site applications, databases and subdomains",
} as const

export const restrictionCheck = Check.make({
  id: "restriction",
  title: "Only mail / only hosting",
  run: (ctx) => {
    const only = ctx.options.only
    if (only === undefined) return []
    const mailDomainNames = new Set(ctx.snapshot.entities.flatMap((e) => (e._tag === "MailDomain" ? [e.name] : [])))
    // A certificate a kept site serves is part of that site's hosting configuration.
    const siteCertificates = new Set(
      ctx.snapshot.entities.flatMap((e) => (e._tag === "Site" && e.ssl?.certificate ? [e.ssl.certificate] : [])),
    )

    const kept = (entity: Entity): boolean => {
      switch (entity._tag) {
        case "Account":
          return true
        case "Domain":
          // Subdomains are hosting data; under "only mail" one is kept only to hold its mail domain.
          return entity.kind !== "subdomain" || only === "hosting" || mailDomainNames.has(entity.name)
        case "SslCertificate":
          return only === "hosting" && siteCertificates.has(entity.id)
        default:
          return (only === "mail" ? mailTags : hostingTags).has(entity._tag)
      }
    }

    const outside = ctx.snapshot.entities.filter((e) => !ctx.plan.isSkipped(e.id) && !kept(e))
    if (outside.length === 0) return []
    const kinds = [...new Set(outside.map((e) => e._tag))]
    return [
      skipFinding(
        {
          code: "outside-restriction",
          title: `Outside the "only ${only}" restriction`,
          message: `${listed(kinds)} are not part of an "only ${only}" import: ${listed(outside.map(entityLabel))}`,
          resolution: `not imported: ${describe[only]}`,
        },
        outside.map((e) => e.id),
      ),
    ]
  },
})
