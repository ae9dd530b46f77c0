import { isIP } from "node:net"
import { join } from "node:path"
import {
  type DnsRecord,
  type DnsZone,
  formatZoneFile,
  type StepContext,
  StepFailed,
  type StepResult,
  type TargetError,
  ZoneFormatError,
} from "@ferry/core"
import { Effect } from "effect"
import { domainName, orFailStep, resolveOwner } from "./Identifiers.ts"
import type { FinishLine, ImportEnv, ImporterPart } from "./ImportEnv.ts"
import { runTool } from "./NginxConfig.ts"
import { combineOutcomes, type PutOutcome } from "./Records.ts"
import { ensureDir, removeFile, toStepFailed, writeFileAtomic } from "./SafeFs.ts"

/*
 * DNS zones for BIND. Each zone is written by the core's formatter (which refuses values that
 * would add lines or comments), checked with the real `named-checkzone` on a staging copy, and
 * only then put in place: a zone BIND would not load never reaches the live directory. The
 * `zone { … }` stanzas file is rendered from all "zone" records, so it never holds duplicates.
 */

export const zoneRecordKind = "zone"
export const namedCheckzone = "/usr/bin/named-checkzone"
export const namedCheckconf = "/usr/bin/named-checkconf"

const inventoryFailed = (step: string) => (error: TargetError) => new StepFailed({ step, code: "inventory", reason: error.message })

/**
 * The plan's address moves (`ip` changes, from → to) that concern the zone: its own, its
 * domain's and its owner account's (the IP mapping check decides them on accounts and domains).
 */
const ipMoves = (zone: DnsZone, origin: string, ctx: StepContext): ReadonlyMap<string, string> => {
  const ids = [zone.id, ...ctx.snapshot.entities.filter((e) => e._tag === "Domain" && e.name.toLowerCase() === origin).map((e) => e.id)]
  if (zone.owner !== null) ids.push(zone.owner)
  const moves = new Map<string, string>()
  for (const id of ids) {
    const decision = id === zone.id ? ctx.decision : ctx.decisionOf(id)
    for (const change of decision?.changes ?? [])
      if (change.field === "ip" && isIP(change.to) !== 0 && !moves.has(change.from)) moves.set(change.from, change.to)
  }
  return moves
}

const moveRecords = (
  records: ReadonlyArray<DnsRecord>,
  moves: ReadonlyMap<string, string>,
): { records: Array<DnsRecord>; moved: number } => {
  let moved = 0
  const out = records.map((r) => {
    const to = (r.type === "A" || r.type === "AAAA") && moves.get(r.value)
    if (to === undefined || to === false || isIP(to) !== (r.type === "A" ? 4 : 6)) return r
    moved++
    return { ...r, value: to }
  })
  return { records: out, moved }
}

/** `zone` stanzas for every recorded zone, sorted by name. Names and paths are checked values. */
export const renderNamedConf = (zones: ReadonlyArray<{ readonly name: string; readonly file: string }>): string =>
  [
    "// Written by Ferry from its zone records; a new import rewrites this file.",
    ...[...zones]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((z) => {
        if (!/^[a-z0-9.-]+$/.test(z.name) || /["\\\n\r;{}]/.test(z.file))
          throw new ZoneFormatError(`zone ${z.name} cannot be listed safely`)
        return `zone "${z.name}" { type master; file "${z.file}"; };`
      }),
    "",
  ].join("\n")

export const makeDnsPart = (env: ImportEnv): ImporterPart => {
  const { layout, root } = env

  const writeNamedConf = (step: string) =>
    Effect.gen(function* () {
      const zones = yield* env.records.list(zoneRecordKind).pipe(Effect.mapError(inventoryFailed(step)))
      const text = yield* Effect.try({
        try: () => renderNamedConf(zones.map((z) => ({ name: z.key, file: (z.data as { file: string }).file }))),
        catch: (e) => new StepFailed({ step, code: "dns-unsafe", reason: e instanceof Error ? e.message : String(e) }),
      })
      return yield* writeFileAtomic(root, layout.namedConf, text, { mode: 0o644 }).pipe(Effect.mapError(toStepFailed(step, "named.conf")))
    })

  const applyZone = Effect.fn("DnsPart.zone")(function* (zone: DnsZone, ctx: StepContext) {
    const step = zone.id
    const origin = yield* orFailStep(step, domainName(zone.name))
    const owner = yield* orFailStep(step, resolveOwner(zone, ctx))
    const notes: Array<string> = []
    const { records, moved } = moveRecords(zone.records, ipMoves(zone, origin, ctx))
    if (moved > 0) notes.push(`${moved} address record${moved === 1 ? "" : "s"} moved to the new IP address`)
    let soa = zone.soa
    if (soa === undefined) {
      // BIND needs an SOA; a fixed serial keeps a re-run byte-identical.
      const ns = records.find((r) => r.type === "NS" && r.name.toLowerCase() === origin)?.value ?? `ns1.${origin}.`
      soa = { primaryNs: ns, hostmaster: `hostmaster.${origin}.`, serial: 1, refresh: 10800, retry: 3600, expire: 1209600, minimum: 3600 }
      notes.push("the zone had no SOA record; a default one was written (serial 1)")
    }
    const text = yield* Effect.try({
      try: () => formatZoneFile({ name: origin, defaultTtl: zone.defaultTtl ?? 3600, soa, records }),
      catch: (e) => new StepFailed({ step, code: "dns-unsafe", reason: `zone ${origin}: ${e instanceof Error ? e.message : String(e)}` }),
    })

    const fsFailed = toStepFailed(step, `zone ${origin}`)
    const checkDir = join(layout.staging, "zones")
    // A fixed name per zone: a process killed before the removal below leaves a file that the
    // resumed step overwrites and removes, instead of one more random leftover per crash.
    const checkFile = join(checkDir, `db.${origin}.check`)
    const finalFile = layout.zoneFile(origin)
    yield* ensureDir(root, checkDir, { mode: 0o700 }).pipe(Effect.mapError(fsFailed))
    yield* writeFileAtomic(root, checkFile, text, { mode: 0o600 }).pipe(Effect.mapError(fsFailed))
    const run = yield* runTool(namedCheckzone, ["--", origin, checkFile]).pipe(
      Effect.ensuring(removeFile(root, checkFile).pipe(Effect.ignore)),
    )
    if (!run.ok) {
      const message = run.lines
        .map((l) => l.split(checkFile).join(finalFile))
        .slice(0, 5)
        .join(" / ")
      return yield* new StepFailed({ step, code: "dns-zone-invalid", reason: `named-checkzone refused the zone ${origin}: ${message}` })
    }
    const outcomes: Array<PutOutcome> = [yield* writeFileAtomic(root, finalFile, text, { mode: 0o644 }).pipe(Effect.mapError(fsFailed))]
    outcomes.push(
      yield* env.records
        .put(zoneRecordKind, origin, owner, { file: finalFile, zoneId: zone.id })
        .pipe(Effect.mapError(inventoryFailed(step))),
    )
    outcomes.push(yield* writeNamedConf(step))
    return { outcome: combineOutcomes(outcomes), ...(notes.length > 0 ? { notes } : {}) } satisfies StepResult
  })

  const finish = () =>
    Effect.gen(function* () {
      const zones = yield* env.records.list(zoneRecordKind)
      if (zones.length === 0) return []
      const run = yield* runTool(namedCheckconf, ["--", layout.namedConf])
      const line: FinishLine = run.ok
        ? { level: "info", message: `named-checkconf: ${zones.length} zone${zones.length === 1 ? "" : "s"} listed in ${layout.namedConf}` }
        : { level: "error", message: `named-checkconf failed for ${layout.namedConf}: ${run.lines.slice(0, 5).join(" / ")}` }
      return [line]
    }).pipe(
      Effect.catch((e) =>
        Effect.succeed([{ level: "error", message: `DNS configuration not checked: ${e.message}` }] as Array<FinishLine>),
      ),
    )

  return { apply: { DnsZone: applyZone }, finish }
}
