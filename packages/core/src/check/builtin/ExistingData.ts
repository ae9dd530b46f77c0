import type { Account, Entity } from "../../model/Entity.ts"
import type { CheckContext, Finding } from "../Check.ts"
import * as Check from "../Check.ts"
import { entityLabel } from "../Dependencies.ts"
import { change, changeEffect, groupBy, listed, skipEffects } from "./Findings.ts"
import { inventoryAccount, isTopLevel, LocalSkips, mergeTarget, receiverOf, sameOwner } from "./Receiving.ts"

/** The objects of the target by kind and name, as the entities name them (case-folded where the target folds case). */
const targetIndex = (ctx: CheckContext): ReadonlyMap<string, { readonly owner: string }> => {
  const inv = ctx.inventory
  return new Map([
    ...inv.domains.map((d) => [`Domain:${d.name.toLowerCase()}`, d] as const),
    ...inv.mailboxes.map((m) => [`Mailbox:${m.name.toLowerCase()}`, m] as const),
    ...inv.databases.map((d) => [`Database:${d.engine}:${d.name}`, d] as const),
    ...inv.databaseUsers.map((u) => [`DatabaseUser:${u.engine}:${u.name}`, u] as const),
    ...inv.ftpUsers.map((f) => [`FtpUser:${f.name.toLowerCase()}`, f] as const),
  ])
}

const targetKey = (entity: Entity): string | undefined => {
  switch (entity._tag) {
    case "Domain":
      return `Domain:${entity.name.toLowerCase()}`
    case "Mailbox":
      return `Mailbox:${entity.address.toLowerCase()}`
    case "Database":
    case "DatabaseUser":
      return `${entity._tag}:${entity.engine}:${entity.name}`
    case "FtpUser":
      return `FtpUser:${entity.login.toLowerCase()}`
    default:
      return undefined
  }
}

/** The object of the same name on the target, with its owner's login. */
const onTarget = (index: ReadonlyMap<string, { readonly owner: string }>, entity: Entity): { readonly owner: string } | undefined => {
  const key = targetKey(entity)
  return key === undefined ? undefined : index.get(key)
}

/** Domains first, so a domain that belongs to someone else hides its own mailboxes from the list. */
const named = (ctx: CheckContext): Array<Entity> => [
  ...ctx.active("Domain").filter((d) => d.kind !== "subdomain"),
  ...ctx.active("Domain").filter((d) => d.kind === "subdomain"),
  ...ctx.active("Mailbox"),
  ...ctx.active("Database"),
  ...ctx.active("DatabaseUser"),
  ...ctx.active("FtpUser"),
]

const existsTitle = "The data exists on the server"
const replaceResolution = "Overwrite all entities and files: all existing entities and files will be replaced with the imported ones"
const skipResolution = 'not imported (choose "replace existing" to replace the existing entities and files with the imported ones)'

const existsFinding = (ctx: CheckContext, message: string, ids: ReadonlyArray<string>): Finding =>
  ctx.options.existing === "replace"
    ? {
        code: "data-exists",
        severity: "warning",
        title: existsTitle,
        message,
        resolution: replaceResolution,
        effects: ids.map((id) => changeEffect(id, [change("existing", "keep", "replace")])),
      }
    : { code: "data-exists", severity: "critical", title: existsTitle, message, resolution: skipResolution, effects: skipEffects(ids) }

/**
 * ispmanager's "Data of existing users": a source account whose login exists on the target is
 * skipped, or replaces the existing one. Accounts merged into a client (new owner) are not
 * created, so their login cannot collide; instead their objects that the receiving client
 * already has meet the same policy.
 */
export const existingUserCheck = Check.make({
  id: "existing-user",
  title: existsTitle,
  run: (ctx) => {
    const merge = mergeTarget(ctx)
    const created = (a: Account) => a.kind !== "admin" && !(merge !== undefined && a.kind === "client" && isTopLevel(ctx, a))
    const colliding = ctx.active("Account").filter((a) => created(a) && inventoryAccount(ctx, a.login) !== undefined)
    const findings: Array<Finding> = []
    if (colliding.length > 0)
      findings.push(
        existsFinding(
          ctx,
          `a user with the same name already exists on the receiving server: ${listed(colliding.map((a) => a.login))}`,
          colliding.map((a) => a.id),
        ),
      )

    // Objects received by an account that is not their own source account (a merge, the administrator).
    const local = new LocalSkips(ctx)
    const index = targetIndex(ctx)
    const already = named(ctx).filter((entity) => {
      if (local.has(entity.id)) return false
      const existing = onTarget(index, entity)
      const receiver = receiverOf(ctx, entity)
      if (existing === undefined || receiver.source !== undefined || !sameOwner(ctx, receiver, existing.owner)) return false
      local.add(entity.id)
      return true
    })
    for (const [login, group] of groupBy(already, (e) => receiverOf(ctx, e).login ?? "the administrator"))
      findings.push(
        existsFinding(
          ctx,
          `${login} already has ${listed(group.map(entityLabel))} on the receiving server`,
          group.map((e) => e.id),
        ),
      )
    return findings
  },
})

/**
 * "The data exists on the server and belongs to another user": a domain, mailbox, database,
 * database user or FTP user whose name another target user holds is not imported.
 */
export const otherOwnerCheck = Check.make({
  id: "other-owner",
  title: "The data exists on the server and belongs to another user",
  run: (ctx) => {
    const local = new LocalSkips(ctx)
    const index = targetIndex(ctx)
    const taken: Array<{ entity: Entity; owner: string }> = []
    for (const entity of named(ctx)) {
      if (local.has(entity.id)) continue
      const existing = onTarget(index, entity)
      if (existing === undefined || sameOwner(ctx, receiverOf(ctx, entity), existing.owner)) continue
      local.add(entity.id)
      taken.push({ entity, owner: existing.owner })
    }
    if (taken.length === 0) return []
    return [
      {
        code: "belongs-to-another-user",
        severity: "critical",
        title: "The data exists on the server and belongs to another user",
        message: `already on the receiving server under another user: ${listed(taken.map((t) => `${entityLabel(t.entity)} (${t.owner})`))}`,
        resolution: "entities with such names already exist in the receiving panel and will not be imported",
        effects: skipEffects(taken.map((t) => t.entity.id)),
      },
    ]
  },
})
