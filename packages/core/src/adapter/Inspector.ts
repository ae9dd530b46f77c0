import { Context, Effect, Layer, Schema } from "effect"
import * as Archive from "../archive/Archive.ts"
import type { ScanStats } from "../archive/ArchiveEntry.ts"
import type { ArchiveError } from "../archive/ArchiveError.ts"
import type { ArchiveLimits } from "../archive/ArchiveLimits.ts"
import type { Snapshot } from "../model/Snapshot.ts"
import type { Adapter, AdapterError, Detection, DetectProbe, ReadOptions } from "./Adapter.ts"

/**
 * Detection asks the adapters after 16 entries and then every `probeEvery`; it stops as soon as
 * one recognises the backup, so a well-ordered backup costs a few dozen entries and a backup
 * whose description comes late is not read much further than that description. Adapters must
 * fail their read if they later find the archive ambiguous (e.g. a second payload).
 */
export const probeEvery = 64
/**
 * Files captured for detection: depth ≤ 4 path components, ≤ 256 KiB each — or ≤ 8 MiB for XML,
 * because panel manifests (a full-server Plesk `migration-dump`) are XML and can be large — and
 * 32 MiB in all. Held only while detecting.
 */
const probeFileDepth = 4
const probeFileBytes = 256 * 1024
const probeXmlBytes = 8 * 1024 * 1024
const probeTotalBytes = 32 * 1024 * 1024
const probeLimit = (path: string): number => (/\.xml$/i.test(path) ? probeXmlBytes : probeFileBytes)
const probeListing = 20_000

export class NotRecognised extends Schema.TaggedError<NotRecognised>()("NotRecognised", {
  detail: Schema.String,
}) {}
export class Refused extends Schema.TaggedError<Refused>()("Refused", {
  adapter: Schema.String,
  detail: Schema.String,
}) {}
export class Ambiguous extends Schema.TaggedError<Ambiguous>()("Ambiguous", {
  adapters: Schema.Array(Schema.String),
}) {}
export class UnknownPanel extends Schema.TaggedError<UnknownPanel>()("UnknownPanel", {
  panel: Schema.String,
  known: Schema.Array(Schema.String),
}) {}

export class InspectError extends Schema.TaggedError<InspectError>()("InspectError", {
  archive: Schema.String,
  reason: Schema.Union([NotRecognised, Refused, Ambiguous, UnknownPanel]),
}) {
  override get message(): string {
    const r = this.reason
    if (r._tag === "NotRecognised") return `${this.archive}: not a backup Ferry can read: ${r.detail}`
    if (r._tag === "Refused") return `${this.archive}: ${r.adapter} backup refused: ${r.detail}`
    if (r._tag === "Ambiguous") {
      return `${this.archive}: more than one panel recognises this backup (${r.adapters.join(", ")}); choose one with --panel`
    }
    return `unknown panel "${r.panel}"; known: ${r.known.join(", ")}`
  }
}

export interface InspectOptions {
  /** Adapter id, or "auto" (default) to detect. */
  readonly panel?: string
  readonly read?: ReadOptions
  readonly limits?: Partial<ArchiveLimits>
  /** Progress in source bytes, for each of the two passes. */
  readonly onProgress?: (event: { readonly phase: "detect" | "read"; readonly bytes: number; readonly total: number }) => void
}

export interface InspectResult {
  readonly detection: Detection
  readonly snapshot: Snapshot
}

/** The adapters an application registers — explicitly; nothing is discovered. */
export class AdapterRegistry extends Context.Service<AdapterRegistry, { readonly adapters: ReadonlyArray<Adapter> }>()(
  "@ferry/core/AdapterRegistry",
) {
  static readonly layer = (adapters: ReadonlyArray<Adapter>) => Layer.succeed(AdapterRegistry, AdapterRegistry.of({ adapters }))
}

/**
 * Detects which adapter owns a backup (pass 1, usually a few hundred entries) and lets it read
 * the backup into a Snapshot (pass 2). An archive is read at most twice.
 */
export class Inspector extends Context.Service<
  Inspector,
  {
    readonly detect: (
      path: string,
      options?: InspectOptions,
    ) => Effect.Effect<
      { readonly adapter: Adapter; readonly detection: Detection; readonly archive: Archive.ArchiveHandle },
      InspectError | ArchiveError
    >
    readonly inspect: (path: string, options?: InspectOptions) => Effect.Effect<InspectResult, InspectError | ArchiveError | AdapterError>
  }
>()("@ferry/core/Inspector") {
  static readonly layer = Layer.effect(
    Inspector,
    Effect.gen(function* () {
      const { adapters } = yield* AdapterRegistry

      const detect = Effect.fn("Inspector.detect")(function* (path: string, options: InspectOptions = {}) {
        const archive = yield* Archive.open(path)
        const fail = (reason: InspectError["reason"]) => Effect.fail(new InspectError({ archive: path, reason }))
        let candidates = adapters
        if (options.panel !== undefined && options.panel !== "auto") {
          const chosen = adapters.find((a) => a.id === options.panel)
          if (!chosen) return yield* fail(new UnknownPanel({ panel: options.panel, known: adapters.map((a) => a.id) }))
          candidates = [chosen]
        }
        const entries: Array<DetectProbe["entries"][number]> = []
        const files = new Map<string, string>()
        let capturedBytes = 0
        let seen = 0
        let decided: ReadonlyArray<ReturnType<Adapter["detect"]>> = []
        const probe = (complete: boolean): DetectProbe => ({ archive: { path, container: archive.container }, entries, files, complete })
        const decide = (complete: boolean) => {
          decided = candidates.map((a) => a.detect(probe(complete)))
          return decided.some((d) => d !== undefined)
        }
        const stats: ScanStats = yield* archive.scan(
          (entry) =>
            Effect.gen(function* () {
              seen++
              if (entries.length < probeListing) entries.push({ path: entry.path, type: entry.type, size: entry.size })
              const depth = entry.path.split("/").length
              if (
                entry.type === "file" &&
                depth <= probeFileDepth &&
                entry.size <= probeLimit(entry.path) &&
                capturedBytes + entry.size <= probeTotalBytes
              ) {
                capturedBytes += entry.size
                files.set(entry.path, yield* entry.readText(probeLimit(entry.path)))
              }
            }),
          {
            ...(options.limits ? { limits: options.limits } : {}),
            ...(options.read?.secrets ? { secrets: options.read.secrets } : {}),
            onProgress: (bytes) => options.onProgress?.({ phase: "detect", bytes, total: archive.bytes }),
            shouldStop: () => (seen === 16 || seen % probeEvery === 0) && decide(false),
          },
        )
        if (!stats.stoppedEarly) decide(true)
        const detections = decided.filter((d): d is Detection => d?._tag === "Detected")
        const refusals = decided.filter((d) => d?._tag === "Refused")
        if (detections.length > 1) return yield* fail(new Ambiguous({ adapters: detections.map((d) => d.adapter) }))
        const detection = detections[0]
        if (detection === undefined) {
          const refusal = refusals[0]
          if (refusal?._tag === "Refused") return yield* fail(new Refused({ adapter: refusal.adapter, detail: refusal.reason }))
          const top = [...new Set(entries.slice(0, 200).map((e) => e.path.split("/").slice(0, 2).join("/")))].slice(0, 8)
          return yield* fail(
            new NotRecognised({
              detail: `no adapter (${candidates.map((a) => a.id).join(", ")}) recognised it; it starts with ${top.join(", ") || "nothing"}`,
            }),
          )
        }
        const adapter = candidates.find((a) => a.id === detection.adapter) as Adapter
        return { adapter, detection, archive }
      })

      const inspect = Effect.fn("Inspector.inspect")(function* (path: string, options: InspectOptions = {}) {
        const { adapter, detection, archive } = yield* detect(path, options)
        const snapshot = yield* adapter.read({
          archive,
          detection,
          options: options.read ?? {},
          scanOptions: {
            ...(options.limits ? { limits: options.limits } : {}),
            ...(options.read?.secrets ? { secrets: options.read.secrets } : {}),
            onProgress: (bytes) => options.onProgress?.({ phase: "read", bytes, total: archive.bytes }),
          },
        })
        return { detection, snapshot }
      })

      return Inspector.of({ detect, inspect })
    }),
  )
}
