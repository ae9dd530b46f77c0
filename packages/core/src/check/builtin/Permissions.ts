import type { PermissionKey, Permissions } from "../../model/Common.ts"
import type { Entity, Site } from "../../model/Entity.ts"
import type { Change, CheckContext, Finding } from "../Check.ts"
import * as Check from "../Check.ts"
import { entityLabel } from "../Dependencies.ts"
import { change, changeEffect, groupBy, listed, skipEffects } from "./Findings.ts"
import { LocalSkips, parentsFirst, type Receiver, receiverOf } from "./Receiving.ts"

/*
 * "The user has limited access to functions": entities and settings that are missing the
 * required access will not be imported. Whose access: the receiving account's — the source
 * account's own permissions when it is created or replaces the existing one (with "replace",
 * the existing account's permissions too: a false in either denies), the existing account's
 * when the import merges into it. An absent permission allows; the administrator has them all.
 */

const required = (entity: Entity): PermissionKey | undefined => {
  switch (entity._tag) {
    case "DnsZone":
      return "manageDns"
    case "CronJob":
      return "manageCron"
    case "Database":
    case "DatabaseUser":
      return "manageDatabases"
    case "MailDomain":
    case "Mailbox":
    case "Forwarder":
    case "Autoresponder":
    case "MailFilter":
    case "MailingList":
      return "manageMail"
    case "FtpUser":
      return "manageFtp"
    case "SslCertificate":
    case "Csr":
      return "manageSsl"
    case "Domain":
      return entity.kind === "subdomain" ? "manageSubdomains" : entity.kind === "alias" ? "manageDomainAliases" : undefined
    default:
      return undefined
  }
}

const functionNames: Partial<Record<PermissionKey, string>> = {
  manageDns: "DNS management",
  manageCron: "cron jobs",
  manageDatabases: "databases",
  manageMail: "mail",
  manageFtp: "FTP accounts",
  manageSsl: "SSL certificates",
  manageSubdomains: "subdomains",
  manageDomainAliases: "domain aliases",
  manageWebUsers: "web users",
  manageLogRotation: "log rotation",
  manageAnonymousFtp: "anonymous FTP",
}

const permissionsOf = (ctx: CheckContext, receiver: Receiver): ReadonlyArray<Permissions> => {
  if (receiver.existing?.kind === "admin" || receiver.login === undefined) return []
  if (receiver.source === undefined) return receiver.existing ? [receiver.existing.permissions] : []
  return [receiver.source.permissions, ...(ctx.options.existing === "replace" && receiver.existing ? [receiver.existing.permissions] : [])]
}

const denied = (ctx: CheckContext, entity: Entity, key: PermissionKey): boolean =>
  permissionsOf(ctx, receiverOf(ctx, entity)).some((p) => p[key] === false)

/** Site settings that need their own function, and what the site keeps without it. */
const siteSettings = (site: Site): ReadonlyArray<{ key: PermissionKey; change: Change }> => {
  const webUsers = site.webUsers.length + site.protectedDirectories.reduce((n, d) => n + d.users.length, 0)
  return [
    ...(webUsers > 0 ? [{ key: "manageWebUsers" as const, change: change("webUsers", String(webUsers), "0") }] : []),
    ...(site.logRotation !== undefined
      ? [{ key: "manageLogRotation" as const, change: change("logRotation", "custom", "server default") }]
      : []),
    ...(site.anonymousFtp?.enabled === true
      ? [{ key: "manageAnonymousFtp" as const, change: change("anonymousFtp", "enabled", "disabled") }]
      : []),
  ]
}

export const permissionsCheck = Check.make({
  id: "permissions",
  title: "The user has limited access to functions",
  run: (ctx) => {
    const local = new LocalSkips(ctx)
    const refused: Array<{ entity: Entity; key: PermissionKey }> = []
    for (const entity of ctx.snapshot.entities.filter((e) => !ctx.plan.isSkipped(e.id)).sort(parentsFirst)) {
      const key = required(entity)
      if (key === undefined || local.has(entity.id) || !denied(ctx, entity, key)) continue
      local.add(entity.id)
      refused.push({ entity, key })
    }
    const findings: Array<Finding> = [...groupBy(refused, (r) => r.key)].map(([key, group]) => ({
      code: "access-denied",
      severity: "critical",
      title: "The user has limited access to functions",
      message: `the receiving user has no access to ${functionNames[key] ?? key} (${key}): ${listed(group.map((r) => entityLabel(r.entity)))}`,
      resolution: "entities and settings that are missing the required access will not be imported",
      effects: skipEffects(group.map((r) => r.entity.id)),
    }))

    const settings = ctx.active("Site").flatMap((site) => {
      const lost = siteSettings(site).filter((s) => denied(ctx, site, s.key))
      return lost.length === 0 ? [] : [{ site, lost }]
    })
    if (settings.length > 0)
      findings.push({
        code: "access-denied-settings",
        severity: "warning",
        title: "The user has limited access to functions",
        message: `site settings the receiving user has no access to: ${listed(settings.map(({ site, lost }) => `${entityLabel(site)} (${lost.map((l) => functionNames[l.key]).join(", ")})`))}`,
        resolution: "the sites are imported without these settings",
        effects: settings.map(({ site, lost }) =>
          changeEffect(
            site.id,
            lost.map((l) => l.change),
          ),
        ),
      })
    return findings
  },
})
