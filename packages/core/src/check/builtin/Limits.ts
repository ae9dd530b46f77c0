import type { LimitKey, Limits } from "../../model/Common.ts"
import type { Entity } from "../../model/Entity.ts"
import type { CheckContext, Finding } from "../Check.ts"
import * as Check from "../Check.ts"
import { entityLabel } from "../Dependencies.ts"
import { change, changeEffect, formatBytes, groupBy, listed, skipEffects } from "./Findings.ts"
import { LocalSkips, parentOf, parentsFirst, type Receiver, receiverOf } from "./Receiving.ts"

/*
 * "The user's limit exceeded": entities that exceed the limit will not be imported.
 *
 * Whose limits: the account that receives the entity — the existing target account when the
 * import replaces it or merges into it, else the source account's own limits (it is created
 * with them) — and the reseller above it on the target, whose limits bind all its clients
 * together (clients, domains, …). The administrator has no limits.
 *
 * What counts: what that account already has on the target (inventory) plus the imported
 * entities, in snapshot order; a name it already has is replaced, not added. An absent limit is
 * not checked, `null` is unlimited, 0 allows none.
 */

interface Holder {
  readonly login: string
  readonly limits: Limits
  /** Names counted so far per limit, starting with what the target already has. */
  readonly counted: Map<LimitKey, Set<string>>
  readonly existing: Map<LimitKey, number>
}

const limitKeys = (entity: Entity): ReadonlyArray<LimitKey> => {
  switch (entity._tag) {
    case "Account":
      return entity.kind === "client" ? ["clients"] : entity.kind === "reseller" ? ["resellers"] : []
    case "Domain":
      return entity.kind === "main"
        ? ["domains"]
        : entity.kind === "addon"
          ? ["domains", "addonDomains"]
          : entity.kind === "alias"
            ? ["domainAliases"]
            : ["subdomains"]
    case "Site":
      return ["sites"]
    case "MailDomain":
      return ["mailDomains"]
    case "Mailbox":
      return ["mailboxes"]
    case "Forwarder":
      return ["forwarders"]
    case "Autoresponder":
      return ["autoresponders"]
    case "MailingList":
      return ["mailingLists"]
    case "Database":
      return ["databases"]
    case "DatabaseUser":
      return ["databaseUsers"]
    case "FtpUser":
      return ["ftpUsers"]
    case "CronJob":
      return ["cronJobs"]
    default:
      return []
  }
}

/** The name an entity has on the target, as the inventory spells it. */
const countedName = (entity: Entity): string => {
  switch (entity._tag) {
    case "Account":
      return entity.login
    case "Domain":
      return entity.name.toLowerCase()
    case "Mailbox":
      return entity.address.toLowerCase()
    case "Database":
    case "DatabaseUser":
      return `${entity.engine}:${entity.name}`
    case "FtpUser":
      return entity.login.toLowerCase()
    default:
      return entity.id
  }
}

const accountDepth = (ctx: CheckContext, entity: Entity): number => {
  let depth = 0
  let owner = entity.owner
  while (owner !== null && depth < 8) {
    const next = ctx.entity(owner)
    if (next?._tag !== "Account") break
    owner = next.owner
    depth++
  }
  return depth
}

/** What a target login (and, for a reseller, its clients) already holds, per limit. */
const inventoryCounts = (ctx: CheckContext, login: string, reseller: boolean): Map<LimitKey, Set<string>> => {
  const inv = ctx.inventory
  const logins = new Set([login, ...(reseller ? inv.accounts.filter((a) => a.owner === login).map((a) => a.login) : [])])
  const domains = inv.domains.filter((d) => logins.has(d.owner)).map((d) => d.name.toLowerCase())
  const known = new Set(domains)
  // A name under another name the same user holds is a subdomain (the inventory does not say).
  const isSub = (name: string) => name.split(".").some((_, i, labels) => i > 0 && known.has(labels.slice(i).join(".")))
  return new Map<LimitKey, Set<string>>([
    ["clients", new Set(inv.accounts.filter((a) => a.owner === login && a.kind === "client").map((a) => a.login))],
    ["domains", new Set(domains.filter((d) => !isSub(d)))],
    ["subdomains", new Set(domains.filter(isSub))],
    ["mailboxes", new Set(inv.mailboxes.filter((m) => logins.has(m.owner)).map((m) => m.name.toLowerCase()))],
    ["databases", new Set(inv.databases.filter((d) => logins.has(d.owner)).map((d) => `${d.engine}:${d.name}`))],
    ["databaseUsers", new Set(inv.databaseUsers.filter((u) => logins.has(u.owner)).map((u) => `${u.engine}:${u.name}`))],
    ["ftpUsers", new Set(inv.ftpUsers.filter((f) => logins.has(f.owner)).map((f) => f.name.toLowerCase()))],
  ])
}

const contentOf = (entity: Entity): string | undefined => {
  switch (entity._tag) {
    case "Site":
    case "Mailbox":
    case "MailingList":
      return entity.content
    case "Database":
      return entity.dump
    default:
      return undefined
  }
}

export const limitsCheck = Check.make({
  id: "limits",
  title: "The user's limit exceeded",
  run: (ctx) => {
    const holders = new Map<string, Holder>()
    const holderOf = (receiver: Receiver | undefined): Holder | undefined => {
      if (receiver === undefined || receiver.login === undefined || receiver.existing?.kind === "admin") return undefined
      const known = holders.get(receiver.login)
      if (known !== undefined) return known
      const existing = receiver.existing
      const onTarget = existing !== undefined && (receiver.source === undefined || ctx.options.existing === "replace")
      const limits = onTarget ? existing.limits : (receiver.source?.limits ?? {})
      const counted = onTarget ? inventoryCounts(ctx, receiver.login, existing.kind === "reseller") : new Map<LimitKey, Set<string>>()
      const holder: Holder = {
        login: receiver.login,
        limits,
        counted,
        existing: new Map([...counted].map(([key, names]) => [key, names.size])),
      }
      holders.set(receiver.login, holder)
      return holder
    }

    const local = new LocalSkips(ctx)
    const over: Array<{ holder: Holder; key: LimitKey; limit: number; entity: Entity }> = []
    const candidates = ctx.snapshot.entities
      .filter((e) => !ctx.plan.isSkipped(e.id) && limitKeys(e).length > 0)
      .sort((a, b) => parentsFirst(a, b) || (a._tag === "Account" ? accountDepth(ctx, a) - accountDepth(ctx, b) : 0))
    for (const entity of candidates) {
      if (local.has(entity.id)) continue
      const receiver = receiverOf(ctx, entity)
      // An account counts against the account above it; everything else against both.
      const parent = parentOf(ctx, receiver)
      const bound = (entity._tag === "Account" ? [holderOf(parent)] : [holderOf(receiver), holderOf(parent)]).filter(
        (h): h is Holder => h !== undefined,
      )
      const name = countedName(entity)
      const keys = limitKeys(entity)
      let exceeded: (typeof over)[number] | undefined
      for (const holder of bound)
        for (const key of keys) {
          const limit = holder.limits[key]
          const names = holder.counted.get(key)
          if (exceeded === undefined && typeof limit === "number" && !names?.has(name) && (names?.size ?? 0) >= limit)
            exceeded = { holder, key, limit, entity }
        }
      if (exceeded !== undefined) {
        local.add(entity.id)
        over.push(exceeded)
        continue
      }
      for (const holder of bound)
        for (const key of keys) {
          const names = holder.counted.get(key) ?? new Set<string>()
          names.add(name)
          holder.counted.set(key, names)
        }
    }

    const findings: Array<Finding> = [...groupBy(over, (o) => `${o.holder.login}\u0000${o.key}`).values()].map((group) => {
      const { holder, key, limit } = group[0] as (typeof over)[number]
      const already = holder.existing.get(key) ?? 0
      return {
        code: "limit-exceeded",
        severity: "critical",
        title: "The user's limit exceeded",
        message: `${holder.login} may have ${limit} ${key}${already > 0 ? ` and already has ${already} on the receiving server` : ""}; over the limit: ${listed(group.map((o) => entityLabel(o.entity)))}`,
        resolution: "entities that exceed the limit will not be imported",
        effects: skipEffects(group.map((o) => o.entity.id)),
      }
    })

    // Settings within a limit rather than entities over it: warnings only.
    const kept = (e: Entity) => !ctx.plan.isSkipped(e.id) && !local.has(e.id)
    const quotaCapped = ctx.active("Mailbox").flatMap((box) => {
      const cap = kept(box) ? holderOf(receiverOf(ctx, box))?.limits.mailboxQuotaBytes : undefined
      return typeof cap === "number" && (box.quotaBytes === null || box.quotaBytes > cap) ? [{ box, cap }] : []
    })
    if (quotaCapped.length > 0)
      findings.push({
        code: "mailbox-quota-limited",
        severity: "warning",
        title: "The user's limit exceeded",
        message: `mailbox quotas above the user's largest allowed quota: ${listed(quotaCapped.map(({ box }) => box.address))}`,
        resolution: "the mailboxes are imported with the largest quota the user may have",
        effects: quotaCapped.map(({ box, cap }) =>
          changeEffect(box.id, [change("quotaBytes", box.quotaBytes === null ? "unlimited" : String(box.quotaBytes), String(cap))]),
        ),
      })

    const bytes = new Map(ctx.snapshot.content.map((c) => [c.id, c.bytes]))
    const usage = new Map<Holder, number>()
    for (const entity of ctx.snapshot.entities) {
      const ref = entity._tag === "Account" ? `content:home:${entity.login}` : contentOf(entity)
      const size = ref === undefined || !kept(entity) ? undefined : bytes.get(ref)
      const holder = size === undefined ? undefined : holderOf(receiverOf(ctx, entity))
      if (size !== undefined && holder !== undefined) usage.set(holder, (usage.get(holder) ?? 0) + size)
    }
    for (const [holder, used] of usage) {
      const quota = holder.limits.diskBytes
      if (typeof quota === "number" && used > quota)
        findings.push({
          code: "disk-quota-exceeded",
          severity: "warning",
          title: "The user's limit exceeded",
          message: `${holder.login} imports ${formatBytes(used)} of content, over its disk quota of ${formatBytes(quota)}`,
          resolution: "imported all the same; the user stays over the disk quota until the quota is raised or data is removed",
          effects: [],
        })
    }
    return findings
  },
})
