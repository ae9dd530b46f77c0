import { entityLabel } from "../check/Dependencies.ts"
import type { Decision } from "../check/Plan.ts"
import type { Entity, EntityTag } from "../model/Entity.ts"
import type { ContentRef, Snapshot } from "../model/Snapshot.ts"
import type { StepPhase } from "./Job.ts"
import type { NewStep } from "./Journal.ts"

/** Kinds imported before the content pass: what content and settings hang off. */
const structureOrder: ReadonlyArray<EntityTag> = ["Account", "Domain", "MailDomain", "DnsZone", "SslCertificate", "Csr"]
/** Kinds imported after the content pass: they refer to files, Maildirs or databases. */
const settingsOrder: ReadonlyArray<EntityTag> = [
  "Site",
  "Mailbox",
  "MailingList",
  "Database",
  "DatabaseUser",
  "Forwarder",
  "Autoresponder",
  "MailFilter",
  "FtpUser",
  "CronJob",
]

export const phaseOf = (tag: EntityTag): StepPhase => (structureOrder.includes(tag) ? "structure" : "settings")

/** Content kinds the importer writes; `other` refs (unknown payloads) stay in the report's notes. */
const importedContent: ReadonlySet<ContentRef["kind"]> = new Set(["web", "mail", "database-dump", "mailing-list", "home"])

/**
 * The entity each content ref belongs to: the entity field that names it (Site.content,
 * Mailbox.content, Database.dump, MailingList.content), volumes `<id>:N` of such a ref, and
 * home refs `content:home:<login>` to the account with that login.
 */
export const contentOwners = (snapshot: Snapshot): Map<string, string> => {
  const owners = new Map<string, string>()
  const accounts = new Map<string, string>()
  for (const entity of snapshot.entities) {
    if (entity._tag === "Account") accounts.set(entity.login, entity.id)
    const ref =
      entity._tag === "Site" || entity._tag === "Mailbox" || entity._tag === "MailingList"
        ? entity.content
        : entity._tag === "Database"
          ? entity.dump
          : undefined
    if (ref !== undefined) owners.set(ref, entity.id)
  }
  for (const ref of snapshot.content) {
    if (owners.has(ref.id)) continue
    const volume = /^(.*):(\d+)$/.exec(ref.id)
    const base = volume?.[1] !== undefined ? owners.get(volume[1]) : undefined
    if (base !== undefined) {
      owners.set(ref.id, base)
      continue
    }
    if (ref.kind === "home") {
      const account = accounts.get(ref.id.replace(/^content:home:/, ""))
      if (account !== undefined) owners.set(ref.id, account)
    }
  }
  return owners
}

const rank = (tag: EntityTag): number => {
  const s = structureOrder.indexOf(tag)
  return s >= 0 ? s : structureOrder.length + 1 + settingsOrder.indexOf(tag)
}

/**
 * The steps of a job, in the order they run: structure entities, content refs, settings
 * entities. Every entity of the plan is a step (skipped ones as `skipped`, with the plan's
 * reason), so the journal accounts for the whole backup.
 */
export const planSteps = (snapshot: Snapshot, decisions: ReadonlyArray<Decision>): Array<NewStep> => {
  const byId = new Map(snapshot.entities.map((e) => [e.id, e] as const))
  const decisionOf = new Map(decisions.map((d) => [d.id, d] as const))
  const entities = [...snapshot.entities].sort((a, b) => rank(a._tag) - rank(b._tag))
  const entityStep = (entity: Entity): NewStep => {
    const decision = decisionOf.get(entity.id)
    const skipped = decision === undefined || decision.action === "skip"
    return {
      key: entity.id,
      kind: "entity",
      tag: entity._tag,
      label: decision?.label ?? entityLabel(entity),
      phase: phaseOf(entity._tag),
      bytesTotal: 0,
      status: skipped ? "skipped" : "pending",
      ...(skipped
        ? { reason: decision === undefined ? "not in the plan" : `skipped by the plan (${decision.findings.join(", ") || "not selected"})` }
        : {}),
    }
  }
  const owners = contentOwners(snapshot)
  const content: Array<NewStep> = []
  for (const ref of snapshot.content) {
    const owner = owners.get(ref.id)
    if (owner === undefined || !importedContent.has(ref.kind)) continue
    const decision = decisionOf.get(owner)
    if (decision === undefined || decision.action === "skip" || !byId.has(owner)) continue
    content.push({
      key: ref.id,
      kind: "content",
      tag: "Content",
      label: `${ref.kind} of ${decision.label}`,
      phase: "content",
      entity: owner,
      bytesTotal: ref.bytes,
      status: "pending",
    })
  }
  return [
    ...entities.filter((e) => phaseOf(e._tag) === "structure").map(entityStep),
    ...content,
    ...entities.filter((e) => phaseOf(e._tag) === "settings").map(entityStep),
  ]
}
