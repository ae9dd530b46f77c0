import type { Entity } from "../model/Entity.ts"

const present = (byId: ReadonlyMap<string, Entity>, ids: ReadonlyArray<string | undefined>): Array<string> =>
  ids.filter((id): id is string => id !== undefined && byId.has(id))

const domainOf = (address: string): string => address.slice(address.lastIndexOf("@") + 1)

/**
 * The entities an entity cannot be imported without: its owner account, and the domain, mail
 * domain or mailbox it hangs off. Only ids present in the snapshot count.
 */
export const dependenciesOf = (entity: Entity, byId: ReadonlyMap<string, Entity>): Array<string> => {
  const owner = entity.owner ?? undefined
  switch (entity._tag) {
    case "Account":
      return present(byId, [owner])
    case "Domain":
      return present(byId, [owner, entity.parent])
    case "Site":
      return present(byId, [owner, entity.domain])
    case "MailDomain":
      return present(byId, [owner, `domain:${entity.name}`])
    case "Mailbox":
      return present(byId, [owner, `maildomain:${entity.domain}`])
    case "Forwarder":
    case "Autoresponder":
      return entity._tag === "Forwarder" && entity.scope === "domain"
        ? present(byId, [owner, `maildomain:${entity.address.replace(/^@/, "")}`])
        : present(byId, [owner, `mailbox:${entity.address}`, `maildomain:${domainOf(entity.address)}`])
    case "MailFilter":
      return present(byId, [owner, entity.scope.includes("@") ? `mailbox:${entity.scope}` : `maildomain:${entity.scope}`])
    case "MailingList":
      return present(byId, [owner, `maildomain:${entity.domain}`])
    case "DnsZone":
      return present(byId, [owner, `domain:${entity.name}`])
    default:
      return present(byId, [owner])
  }
}

/** A short human name for an entity. */
export const entityLabel = (entity: Entity): string => {
  switch (entity._tag) {
    case "Account":
      return entity.login
    case "Domain":
    case "MailDomain":
    case "DnsZone":
    case "Database":
    case "DatabaseUser":
    case "SslCertificate":
    case "Csr":
    case "MailFilter":
      return entity.name
    case "Site":
      return entity.domain.replace(/^domain:/, "")
    case "Mailbox":
    case "Forwarder":
    case "Autoresponder":
      return entity.address
    case "MailingList":
      return `${entity.name}@${entity.domain}`
    case "FtpUser":
      return entity.login
    case "CronJob":
      return `${entity.schedule} ${entity.command}`.slice(0, 80)
  }
}
