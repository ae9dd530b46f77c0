import type { Entity } from "../../model/Entity.ts"
import type { CheckContext, Finding } from "../Check.ts"
import * as Check from "../Check.ts"
import { entityLabel } from "../Dependencies.ts"
import { groupBy, listed, skipFinding } from "./Findings.ts"
import {
  addressProblem,
  databaseNameProblem,
  databaseUserProblem,
  domainProblem,
  ftpLoginProblem,
  isReservedLogin,
  localPartProblem,
  loginProblem,
  reservedSubdomainLabels,
} from "./Identifiers.ts"
import { LocalSkips } from "./Receiving.ts"

/*
 * Names the target cannot take as they are: reserved system logins and service subdomains, the
 * same name twice in one snapshot, and identifiers outside the allow-lists of security.md rule
 * 12. Such entities are never renamed silently; they are left out and reported one by one.
 */

const resolution = "not imported; rename it on the source (or import it by hand under another name)"

/** The name two entities of one kind must not share, case-folded where the target folds case. */
const nameKey = (entity: Entity): string | undefined => {
  switch (entity._tag) {
    case "Account":
      return entity.kind === "admin" ? undefined : entity.login.toLowerCase()
    case "Domain":
    case "MailDomain":
    case "DnsZone":
      return entity.name.toLowerCase()
    case "Mailbox":
      return entity.address.toLowerCase()
    case "Database":
    case "DatabaseUser":
      return `${entity.engine}:${entity.name}`
    case "FtpUser":
      return entity.login.toLowerCase()
    default:
      return undefined
  }
}

const reserved = (entity: Entity): string | undefined => {
  if (entity._tag === "Account" && entity.kind !== "admin" && isReservedLogin(entity.login))
    return `the login ${entity.login} is reserved for the system or the panel on the target`
  if (entity._tag === "FtpUser" && !entity.login.includes("@") && isReservedLogin(entity.login))
    return `the FTP login ${entity.login} is reserved for the system on the target`
  if (entity._tag === "Domain" && entity.kind === "subdomain") {
    const first = entity.name.toLowerCase().split(".")[0] ?? ""
    if (reservedSubdomainLabels.has(first))
      return `the subdomain ${entity.name} collides with the ${first}. service name the target answers on for every domain`
  }
  return undefined
}

const invalid = (ctx: CheckContext, entity: Entity): string | undefined => {
  switch (entity._tag) {
    case "Account":
      return entity.kind === "admin" ? undefined : loginProblem(entity.login)
    case "Domain":
      return domainProblem(entity.name, { wildcard: entity.kind === "subdomain" })
    case "MailDomain":
    case "DnsZone":
      return domainProblem(entity.name)
    case "Mailbox":
    case "Autoresponder":
      return addressProblem(entity.address)
    case "Forwarder":
      return entity.scope === "domain" ? domainProblem(entity.address.replace(/^@/, "")) : addressProblem(entity.address)
    case "MailingList":
      return localPartProblem(entity.name) ?? domainProblem(entity.domain)
    case "Database":
      return databaseNameProblem(entity.name, entity.engine)
    case "DatabaseUser":
      return databaseUserProblem(entity.name, entity.engine, ctx.capabilities)
    case "FtpUser":
      return ftpLoginProblem(entity.login)
    default:
      return undefined
  }
}

/** Parents before children, so a refused domain hides its own mailboxes from this check. */
const order = (entity: Entity): number =>
  entity._tag === "Account" ? 0 : entity._tag === "Domain" ? (entity.kind === "subdomain" ? 2 : 1) : entity._tag === "MailDomain" ? 3 : 4

export const reservedNamesCheck = Check.make({
  id: "reserved-names",
  title: "Reserved and colliding names",
  run: (ctx) => {
    const candidates = ctx.snapshot.entities.filter((e) => !ctx.plan.isSkipped(e.id)).sort((a, b) => order(a) - order(b))
    const local = new LocalSkips(ctx)
    const findings: Array<Finding> = []

    const duplicates = [...groupBy(candidates, (e) => (nameKey(e) === undefined ? undefined : `${e._tag}:${nameKey(e)}`))].filter(
      ([key, group]) => key !== undefined && group.length > 1,
    )
    for (const [, group] of duplicates) {
      const first = group[0] as Entity
      for (const e of group) local.add(e.id)
      findings.push(
        skipFinding(
          {
            code: "duplicate-name",
            title: "The same name twice in the backup",
            message: `${first._tag} ${JSON.stringify(entityLabel(first).slice(0, 300))} appears ${group.length} times (${listed(group.map((e) => JSON.stringify(e.id.slice(0, 300))))}); which one is meant cannot be told`,
            resolution: "none of them is imported; remove the extra copies from the backup (Ferry never renames)",
          },
          group.map((e) => e.id),
        ),
      )
    }

    for (const entity of candidates) {
      if (local.has(entity.id)) continue
      // Allow-lists first: a reserved-name message then only ever quotes a well-formed name.
      const problem = invalid(ctx, entity)
      const reason = problem === undefined ? reserved(entity) : undefined
      if (reason === undefined && problem === undefined) continue
      local.add(entity.id)
      findings.push(
        skipFinding(
          reason !== undefined
            ? { code: "reserved-name", title: "Reserved name", message: reason, resolution }
            : {
                code: "invalid-name",
                title: "Name not allowed on the target",
                message: `${entity._tag} ${JSON.stringify(entityLabel(entity).slice(0, 300))}: ${problem}`,
                resolution,
              },
          [entity.id],
        ),
      )
    }
    return findings
  },
})
