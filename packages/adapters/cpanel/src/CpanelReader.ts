import { AdapterError, type ArchiveEntry, type ArchiveError, type ReadContext, SnapshotBuilder } from "@ferry/core"
import { Effect } from "effect"
import { assemble } from "./Assemble.ts"
import { HomeScan, MetaFiles, metadataCap, type SeenFile } from "./Collected.ts"
import { visitHomeEntry } from "./HomeEntries.ts"
import { rootPrefix } from "./Paths.ts"

/** Files outside the home that are content or bulk data: measured, never read. */
const notRead =
  /^(mysql\/(?!roundcube\.sql$).+\.sql|psql\/|logs\/|bandwidth|mm\/|mms\/|mma\/|httpfiles\/|counters\/|team\/|locale\/|customizations\/|digestshadow$)/
/** Dumps are content on their own, measured file by file. */
const dumpFile = /^(mysql\/.+\.sql|psql\/.+\.tar)$/

/**
 * Streams the archive once (§3): metadata outside `homedir/` is read with a cap as it passes;
 * the home is only measured, apart from a few small mail/SSL metadata files; a legacy
 * `homedir.tar` is scanned as a nested archive with the same visitor. Entities are built after
 * the scan, so entry order does not matter (pitfall 15).
 */
export const readCpanel = Effect.fn("CpanelAdapter.read")(function* (ctx: ReadContext) {
  const root = ctx.detection.root
  const prefix = rootPrefix(root)
  const builder = new SnapshotBuilder()
  const meta = new MetaFiles()
  const home = new HomeScan()
  /** Entries outside the payload root, and links outside the home (never followed). */
  const strays = new Map<string, "outside-payload" | "link-outside-home">()
  let nestedHome: string | undefined

  const visit = (entry: ArchiveEntry): Effect.Effect<void, ArchiveError | AdapterError> =>
    Effect.gen(function* () {
      if (root !== "" && entry.path === root) return
      if (!entry.path.startsWith(prefix)) {
        // Detection may decide before it has seen the whole archive; a second account record
        // found now makes the archive ambiguous (§2.2 rule 3) instead of half-read.
        if (entry.type === "file" && /^(?:[^/]+\/)?cp\/[^/]+$/.test(entry.path)) {
          return yield* new AdapterError({
            adapter: "cpanel",
            path: entry.path,
            detail: `a second account payload besides ${root || "the archive root"}: the archive is ambiguous; pack one account per archive`,
          })
        }
        if (entry.type !== "directory") strays.set(entry.path, "outside-payload")
        if (entry.type === "file") builder.file(entry.path, entry.size)
        return
      }
      const rel = entry.path.slice(prefix.length)
      if (rel === "homedir" || rel.startsWith("homedir/")) {
        if (home.source === "none") home.source = entry.nestedIn !== undefined ? "nested" : "directory"
        if (rel !== "homedir") yield* visitHomeEntry(builder, home, entry, rel.slice("homedir/".length))
        return
      }
      if (rel === "homedir.tar" && entry.type === "file") {
        nestedHome = entry.path
        home.source = "nested"
        builder.nestedArchive(entry.path, `${prefix}homedir`)
        return yield* entry.scanNested(`${prefix}homedir`, visit)
      }
      if (entry.type === "directory") return
      if (entry.type !== "file") {
        strays.set(entry.path, "link-outside-home")
        return
      }
      builder.file(entry.path, entry.size, dumpFile.test(rel))
      const wanted = !notRead.test(rel) || (rel === "mysql/roundcube.sql" && entry.size <= 4096)
      const tooLarge = wanted && entry.size > metadataCap
      const text = wanted && !tooLarge ? yield* entry.readText(metadataCap) : undefined
      const file: SeenFile = { path: entry.path, rel, type: entry.type, size: entry.size, text, tooLarge }
      meta.add(file)
    })

  const stats = yield* ctx.archive.scan(visit, ctx.scanOptions)

  const cpFiles = meta.children("cp")
  if (cpFiles.length > 1) {
    return yield* new AdapterError({
      adapter: "cpanel",
      path: `${prefix}cp/`,
      detail: `cp/ holds ${cpFiles.length} account records (${cpFiles.map((f) => f.rel.slice(3)).join(", ")}); a pkgacct archive holds exactly one`,
    })
  }
  const cpFile = cpFiles.find((f) => f.rel === `cp/${ctx.detection.facts["user"]}`) ?? (cpFiles.length === 1 ? cpFiles[0] : undefined)
  if (!cpFile)
    return yield* new AdapterError({ adapter: "cpanel", path: `${prefix}cp/`, detail: "no single cp/USER account record in the payload" })
  if (cpFile.text === undefined) {
    return yield* new AdapterError({
      adapter: "cpanel",
      path: cpFile.path,
      detail: `the account record is larger than ${metadataCap} bytes`,
    })
  }
  for (const [path, kind] of strays) {
    builder.note(
      kind === "outside-payload"
        ? {
            severity: "info",
            code: "outside-payload",
            subject: `entry ${path}`,
            path,
            message: `not part of the cPanel payload (${root || "."}); not imported`,
          }
        : {
            severity: "warning",
            code: "link-outside-home",
            subject: `entry ${path}`,
            path,
            message: "a link outside homedir/; cPanel refuses these and so does Ferry (never followed)",
          },
    )
  }
  builder.skippedEntries(stats.skipped)
  if (nestedHome !== undefined) {
    builder.note({
      severity: "info",
      code: "legacy-homedir-tar",
      subject: "homedir.tar",
      path: nestedHome,
      message: "the home directory came as a nested homedir.tar (old cPanel); it was read as its own archive",
    })
  }
  return assemble({ builder, root, prefix, meta, home, cpFile, stats, ctx })
})
