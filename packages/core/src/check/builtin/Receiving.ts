import { type Account, type Entity, entityTags } from "../../model/Entity.ts"
import type { InventoryAccount } from "../../target/Target.ts"
import type { CheckContext } from "../Check.ts"
import { dependenciesOf } from "../Dependencies.ts"

/*
 * Who receives an entity on the target. Ownership decides which limits, permissions and
 * existing objects an entity meets there:
 * - a snapshot account imported as itself receives its own entities (a new account, or the
 *   existing one of the same login with `existing: "replace"`);
 * - with a client as new owner (`options.owner`), top-level client accounts are merged into it;
 * - entities of the source administrator (or with no owner) go to the new owner, else to the
 *   target's administrator.
 */

export interface Receiver {
  /** Target login that will own the data; undefined = the target's administrator (no login known). */
  readonly login: string | undefined
  /** That login's account as the target has it now. */
  readonly existing: InventoryAccount | undefined
  /** The snapshot account imported under that login, when the login comes from the backup. */
  readonly source: Account | undefined
}

export const inventoryAccount = (ctx: CheckContext, login: string | undefined): InventoryAccount | undefined =>
  login === undefined ? undefined : ctx.inventory.accounts.find((a) => a.login === login)

/** `options.owner` as the target has it; undefined when absent or unknown (new-owner reports that). */
export const newOwner = (ctx: CheckContext): InventoryAccount | undefined => inventoryAccount(ctx, ctx.options.owner)

/** The client that top-level client accounts are merged into, when `options.owner` names one. */
export const mergeTarget = (ctx: CheckContext): InventoryAccount | undefined => {
  const owner = newOwner(ctx)
  return owner?.kind === "client" ? owner : undefined
}

export const targetAdmin = (ctx: CheckContext): InventoryAccount | undefined => ctx.inventory.accounts.find((a) => a.kind === "admin")

const asAccount = (entity: Entity | undefined): Account | undefined => (entity?._tag === "Account" ? entity : undefined)

/** The snapshot account an entity belongs to (itself for an account). */
const accountOf = (ctx: CheckContext, entity: Entity): Account | undefined =>
  entity._tag === "Account" ? entity : entity.owner === null ? undefined : asAccount(ctx.entity(entity.owner))

/**
 * An account is top-level when nothing above it in the snapshot is imported with it: no owner,
 * an owner outside the snapshot (cPanel's `OWNER=root`), the source administrator, or an owner
 * that is skipped while this account is kept (a client selected without its reseller).
 */
export const isTopLevel = (ctx: CheckContext, account: Account): boolean => {
  if (account.owner === null) return true
  const owner = asAccount(ctx.entity(account.owner))
  return owner === undefined || owner.kind === "admin" || ctx.plan.isSkipped(owner.id)
}

const administrator = (ctx: CheckContext): Receiver => {
  const owner = newOwner(ctx)
  if (owner !== undefined) return { login: owner.login, existing: owner, source: undefined }
  const admin = targetAdmin(ctx)
  return { login: admin?.login, existing: admin, source: undefined }
}

const receiverOfAccount = (ctx: CheckContext, account: Account | undefined): Receiver => {
  if (account === undefined || account.kind === "admin") return administrator(ctx)
  const merge = mergeTarget(ctx)
  if (merge !== undefined && account.kind === "client" && isTopLevel(ctx, account))
    return { login: merge.login, existing: merge, source: undefined }
  return { login: account.login, existing: inventoryAccount(ctx, account.login), source: account }
}

export const receiverOf = (ctx: CheckContext, entity: Entity): Receiver => receiverOfAccount(ctx, accountOf(ctx, entity))

/**
 * The reseller the receiving account will sit under on the target (its limits bound all its
 * clients together); undefined under the administrator.
 */
export const parentOf = (ctx: CheckContext, receiver: Receiver): Receiver | undefined => {
  const source = receiver.source
  if (source !== undefined) {
    const owner = source.owner === null ? undefined : asAccount(ctx.entity(source.owner))
    if (owner !== undefined && owner.kind === "reseller" && !ctx.plan.isSkipped(owner.id))
      return { login: owner.login, existing: inventoryAccount(ctx, owner.login), source: owner }
    if (isTopLevel(ctx, source)) {
      const chosen = newOwner(ctx)
      if (chosen !== undefined) return chosen.kind === "reseller" ? { login: chosen.login, existing: chosen, source: undefined } : undefined
    }
  }
  const parentLogin = receiver.existing?.owner ?? undefined
  const parent = inventoryAccount(ctx, parentLogin)
  return parent?.kind === "reseller" ? { login: parent.login, existing: parent, source: undefined } : undefined
}

/** True when `ownerLogin` (an inventory owner) is the receiver: the same login, or both the administrator. */
export const sameOwner = (ctx: CheckContext, receiver: Receiver, ownerLogin: string): boolean =>
  receiver.login === undefined ? inventoryAccount(ctx, ownerLogin)?.kind === "admin" : receiver.login === ownerLogin

/** "Source owner" label for owner changes: the owning account's login, the source's own note, or "none". */
export const sourceOwnerLabel = (ctx: CheckContext, entity: Entity): string => {
  if (entity.owner !== null) {
    const owner = asAccount(ctx.entity(entity.owner))
    if (owner !== undefined) return owner.login
    return entity.owner.replace(/^account:/, "")
  }
  return entity._tag === "Account" ? (entity.extras["sourceOwner"] ?? "none") : "none"
}

/**
 * Skips decided inside one check, seen by the same check: once a domain is skipped for a limit,
 * its mailboxes no longer count against the mailbox limit. (The pipeline cascades only between
 * checks.)
 */
export class LocalSkips {
  private readonly skipped = new Set<string>()
  private readonly byId: ReadonlyMap<string, Entity>

  constructor(ctx: CheckContext) {
    this.byId = new Map(ctx.snapshot.entities.map((e) => [e.id, e]))
  }

  add(id: string): void {
    this.skipped.add(id)
  }

  /** Skipped here, or hanging off something skipped here. */
  has(id: string, depth = 0): boolean {
    if (this.skipped.has(id)) return true
    const entity = this.byId.get(id)
    if (entity === undefined || depth > 16) return false
    return dependenciesOf(entity, this.byId).some((parent) => this.has(parent, depth + 1))
  }
}

const rank = (entity: Entity): number => {
  const base = entityTags.indexOf(entity._tag) * 4
  return entity._tag === "Domain" ? base + ["main", "addon", "alias", "subdomain"].indexOf(entity.kind) : base
}

/** Sort order: parents before children (accounts, domains, mail domains, …); stable, so snapshot order within a kind. */
export const parentsFirst = (a: Entity, b: Entity): number => rank(a) - rank(b)
