import type { Entity } from "../../model/Entity.ts"
import type { CheckContext } from "../Check.ts"
import * as Check from "../Check.ts"
import { blockingFinding, formatBytes } from "./Findings.ts"

/** Room kept free beyond the data itself (journal, staging metadata, logs). */
const diskMarginBytes = 64 * 1024 * 1024

/**
 * The bytes an import writes: every content ref of an imported entity, once — Ferry streams
 * from the archive into place, never extracting it first — and database dumps twice, for the
 * staging database that is swapped in on success (security rule 23). This replaces ispmanager's
 * rule of thumb (imported data × 5 + 200 MB), which assumes full extraction and copies.
 * Content no entity claims is counted: better to ask for a little too much than run out.
 */
const requiredBytes = (ctx: CheckContext): { readonly data: number; readonly dumps: number } => {
  const claims = new Map<string, Array<Entity>>()
  const claim = (ref: string | undefined, entity: Entity) => {
    if (ref !== undefined) claims.set(ref, [...(claims.get(ref) ?? []), entity])
  }
  for (const entity of ctx.snapshot.entities) {
    if (entity._tag === "Site" || entity._tag === "Mailbox" || entity._tag === "MailingList") claim(entity.content, entity)
    else if (entity._tag === "Database") claim(entity.dump, entity)
    else if (entity._tag === "Account") claim(`content:home:${entity.login}`, entity)
  }
  // An account merged into a client is not created, but its files are still imported.
  const owningKept = new Set(ctx.snapshot.entities.flatMap((e) => (e.owner !== null && !ctx.plan.isSkipped(e.id) ? [e.owner] : [])))
  const imported = (entity: Entity): boolean => !ctx.plan.isSkipped(entity.id) || (entity._tag === "Account" && owningKept.has(entity.id))
  let data = 0
  let dumps = 0
  for (const ref of ctx.snapshot.content) {
    const owners = claims.get(ref.id)
    if (owners !== undefined && !owners.some(imported)) continue
    if (ref.kind === "database-dump") dumps += ref.bytes
    else data += ref.bytes
  }
  return { data, dumps }
}

export const diskSpaceCheck = Check.make({
  id: "disk-space",
  title: "Not enough disk space",
  run: (ctx) => {
    const { data, dumps } = requiredBytes(ctx)
    const needed = data + 2 * dumps + diskMarginBytes
    const free = ctx.capabilities.diskFreeBytes
    if (needed <= free) return []
    return [
      blockingFinding({
        code: "disk-space",
        title: "Not enough disk space",
        message: `the import needs ${formatBytes(needed)} (files and mail ${formatBytes(data)}, database dumps ${formatBytes(dumps)} × 2 for staging, margin ${formatBytes(diskMarginBytes)}); the receiving server has ${formatBytes(free)} free`,
        resolution: "free disk space on the receiving server or import fewer users; the import cannot start",
      }),
    ]
  },
})
