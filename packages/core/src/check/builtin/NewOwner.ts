import type { Account, Entity } from "../../model/Entity.ts"
import type { Change, CheckContext, Finding } from "../Check.ts"
import * as Check from "../Check.ts"
import { blockingFinding, change, changeEffect, groupBy, listed, skipEffects } from "./Findings.ts"
import { isTopLevel, newOwner, sourceOwnerLabel, targetAdmin } from "./Receiving.ts"

/*
 * The Plesk migration operator's new owner: an admin or reseller receives clients and domains
 * (the accounts keep their data, their owner changes); a client receives domains only (the
 * accounts are merged into it). A reseller account can only sit under the administrator.
 * Without a new owner, accounts whose own owner is left out go to the target's administrator,
 * and the source administrator's objects too (the source administrator is never created).
 */

const ownerChange = (entity: Entity, from: string, to: string): Array<Change> =>
  entity._tag === "CronJob" && entity.user !== to
    ? [change("owner", from, to), change("user", entity.user, to)]
    : [change("owner", from, to)]

/** Kept non-account entities per owning account id. */
const ownedByAccount = (ctx: CheckContext): ((account: Account) => ReadonlyArray<Entity>) => {
  const owned = groupBy(
    ctx.snapshot.entities.filter((e) => e._tag !== "Account" && e.owner !== null && !ctx.plan.isSkipped(e.id)),
    (e) => e.owner,
  )
  return (account) => owned.get(account.id) ?? []
}

/** Entities with no owning account in the snapshot (administrator objects of a server backup). */
const ownerless = (ctx: CheckContext): Array<Entity> =>
  ctx.snapshot.entities.filter(
    (e) => e._tag !== "Account" && !ctx.plan.isSkipped(e.id) && (e.owner === null || ctx.entity(e.owner)?._tag !== "Account"),
  )

export const newOwnerCheck = Check.make({
  id: "new-owner",
  title: "New owner",
  run: (ctx) => {
    const requested = ctx.options.owner
    const target = newOwner(ctx)
    if (requested !== undefined && target === undefined)
      return [
        blockingFinding({
          code: "new-owner-not-found",
          title: "New owner not found",
          message: `the new owner ${JSON.stringify(requested.slice(0, 100))} is not a user of the receiving server`,
          resolution: "choose an existing administrator, reseller or client as the new owner; the import cannot start",
        }),
      ]
    const receiving = target?.login ?? targetAdmin(ctx)?.login ?? "the administrator"
    const ownedBy = ownedByAccount(ctx)
    const accounts = ctx.active("Account")
    const topLevel = accounts.filter((a) => a.kind !== "admin" && isTopLevel(ctx, a))
    const findings: Array<Finding> = []

    const admins = accounts.filter((a) => a.kind === "admin")
    if (admins.length > 0)
      findings.push({
        code: "source-administrator",
        severity: "warning",
        title: "Source administrator",
        message: `the source administrator ${listed(admins.map((a) => a.login))} is not created on the receiving server`,
        resolution: `its domains and other objects are imported under ${receiving}`,
        effects: [
          ...skipEffects(
            admins.map((a) => a.id),
            true,
          ),
          ...admins.flatMap((a) =>
            ownedBy(a)
              .filter(() => a.login !== receiving)
              .map((e) => changeEffect(e.id, ownerChange(e, a.login, receiving))),
          ),
        ],
      })

    if (target === undefined) {
      const orphans = topLevel.filter((a) => a.owner !== null && ctx.entity(a.owner)?._tag === "Account" && ctx.plan.isSkipped(a.owner))
      if (orphans.length > 0)
        findings.push({
          code: "owner-not-imported",
          severity: "warning",
          title: "Owner not imported",
          message: `the owner of ${listed(orphans.map((a) => a.login))} is not imported`,
          resolution: `the accounts are placed under ${receiving}`,
          effects: orphans.map((a) => changeEffect(a.id, [change("owner", sourceOwnerLabel(ctx, a), receiving)])),
        })
      return findings
    }

    const loose = ownerless(ctx).map((e) => changeEffect(e.id, ownerChange(e, "none", target.login)))
    const resellers = topLevel.filter((a) => a.kind === "reseller")
    if (target.kind !== "admin" && resellers.length > 0)
      findings.push({
        code: target.kind === "client" ? "client-cannot-own-reseller" : "reseller-cannot-own-reseller",
        severity: "critical",
        title: target.kind === "client" ? "Clients cannot receive reseller accounts" : "Resellers cannot receive reseller accounts",
        message: `${listed(resellers.map((a) => a.login))} ${resellers.length === 1 ? "is a reseller" : "are resellers"}; the new owner ${target.login} is a ${target.kind}`,
        resolution: "not imported, with their clients and domains (a reseller can only belong to the administrator)",
        effects: skipEffects(resellers.map((a) => a.id)),
      })

    if (target.kind === "client") {
      const clients = topLevel.filter((a) => a.kind === "client")
      if (clients.length + loose.length > 0)
        findings.push({
          code: "merged-into-client",
          severity: "warning",
          title: `Imported into client ${target.login}`,
          message: `the new owner ${target.login} is a client: ${listed(clients.map((a) => a.login)) || "the administrator's objects"} ${clients.length === 1 ? "is" : "are"} merged into it`,
          resolution: `the accounts are not created; their domains, mail, databases and other objects are imported under ${target.login}`,
          effects: [
            ...skipEffects(
              clients.map((a) => a.id),
              true,
            ),
            ...clients.flatMap((a) => ownedBy(a).map((e) => changeEffect(e.id, ownerChange(e, a.login, target.login)))),
            ...loose,
          ],
        })
      return findings
    }

    const moved = topLevel.filter((a) => (target.kind === "admin" || a.kind !== "reseller") && sourceOwnerLabel(ctx, a) !== target.login)
    if (moved.length + loose.length > 0)
      findings.push({
        code: "owner-changed",
        severity: "warning",
        title: "New owner",
        message: `${listed(moved.map((a) => a.login)) || "the administrator's objects"} will belong to the ${target.kind} ${target.login}`,
        resolution: `the accounts are imported under ${target.login}`,
        effects: [...moved.map((a) => changeEffect(a.id, [change("owner", sourceOwnerLabel(ctx, a), target.login)])), ...loose],
      })
    return findings
  },
})
