import {
  AdapterError,
  type ArchiveEntry,
  type ArchiveError,
  type DatabaseEngine,
  type ReadContext,
  SafeParseError,
  SnapshotBuilder,
} from "@ferry/core"
import { Effect } from "effect"
import { ArchiveIndex, type Assembly, homeRelative, newAssembly, note } from "./Assembly.ts"
import { buildEntities } from "./Entities.ts"
import { editionClaims, editionNames, editionOf, evidenceOf, type IsptarEdition, type PanelEvidence } from "./Evidence.ts"
import { declareHome } from "./Home.ts"
import { type BackupInfo, infoCap, parseInfo, readSidecarInfo } from "./InfoFile.ts"
import type { PanelObject } from "./PanelObject.ts"
import { baseName, parseStorageName } from "./StorageNames.ts"
import { isHostileXmlError, parseSystemFile } from "./SystemElems.ts"

/** `.system` files up to this size are read (XML); larger ones are payloads (dumps). */
const systemCap = 8 * 1024 * 1024
const payloadName = /\.(sql|gz|tgz|dump|tar|bz2|zst|xz|bin)$/i

interface SystemText {
  readonly path: string
  readonly rel: string
  readonly text: string
}

/**
 * Reads an ISPtar backup in one pass: the `.system/` XML files (with a cap), the other special
 * files (measured: database dumps), and the user's files (measured). In the storage layout the
 * data file is scanned as a nested archive. Entities are built after the scan.
 */
export const readIsptar = (adapter: string, edition: IsptarEdition) =>
  Effect.fn("IspmanagerAdapter.readIsptar")(function* (ctx: ReadContext) {
    const { detection } = ctx
    const builder = new SnapshotBuilder()
    const index = new ArchiveIndex()
    const dataFile = detection.facts["dataFile"]
    const rootPrefix = detection.root === "" ? "" : `${detection.root}/`
    const homePrefix = dataFile !== undefined ? `${dataFile.replace(/\.tgz$/, "")}/` : rootPrefix
    const xml: Array<SystemText> = []
    const specials = new Map<string, number>()
    const infos: Array<{ path: string; text: string }> = []
    const topLevel = new Map<string, "dir" | "file">()
    const strays: Array<string> = []
    let sawSystem = false
    let dataScanned = false

    const visitPayload = (entry: ArchiveEntry): Effect.Effect<void, ArchiveError> =>
      Effect.gen(function* () {
        if (!entry.path.startsWith(homePrefix)) {
          if (entry.type !== "directory") strays.push(entry.path)
          return
        }
        const rel = entry.path.slice(homePrefix.length)
        if (rel === "") return
        if (rel === ".system" || rel.startsWith(".system/")) {
          sawSystem = true
          if (entry.type !== "file") return
          builder.file(entry.path, entry.size, true)
          if (entry.size <= systemCap && !payloadName.test(rel)) {
            const text = yield* entry.readText(systemCap)
            if (/^\uFEFF?\s*</.test(text)) {
              xml.push({ path: entry.path, rel, text })
              return
            }
          }
          specials.set(entry.path, entry.size)
          return
        }
        const top = rel.split("/")[0] as string
        if (!topLevel.has(top)) topLevel.set(top, rel.includes("/") || entry.type === "directory" ? "dir" : "file")
        index.see(entry.path, entry.type === "directory")
        if (entry.type === "file") builder.file(entry.path, entry.size, !rel.includes("/"))
      })

    const visitStorage = (entry: ArchiveEntry): Effect.Effect<void, ArchiveError> =>
      Effect.gen(function* () {
        if (entry.path === dataFile && entry.type === "file") {
          dataScanned = true
          builder.nestedArchive(entry.path, homePrefix.slice(0, -1))
          return yield* entry.scanNested(homePrefix.slice(0, -1), visitPayload)
        }
        const name = parseStorageName(entry.path)
        if (entry.type === "file" && name?.kind === "info" && entry.size <= infoCap) {
          infos.push({ path: entry.path, text: yield* entry.readText(infoCap) })
          return
        }
        if (entry.type === "file" && name?.kind === "listing") {
          builder.note({
            severity: "info",
            code: "listing-file",
            subject: `file ${entry.path}`,
            path: entry.path,
            message: "isptar's file listing (offsets into the data file): not needed, not read",
          })
          return
        }
        if (entry.type !== "directory") strays.push(entry.path)
      })

    const stats = yield* ctx.archive.scan(dataFile !== undefined ? visitStorage : visitPayload, ctx.scanOptions)
    if (dataFile !== undefined && !dataScanned) {
      return yield* new AdapterError({ adapter, path: dataFile, detail: "the data file named at detection is not in the archive" })
    }
    if (!sawSystem) {
      return yield* new AdapterError({
        adapter,
        path: `${homePrefix}.system/`,
        detail: "no .system/ directory: not an ispmanager 5/6 (ISPtar) backup",
      })
    }
    if (dataFile === undefined) {
      const sidecar = yield* Effect.promise(() => readSidecarInfo(ctx.archive.path).catch(() => undefined))
      if (sidecar !== undefined) infos.push(sidecar)
    }

    const objects: Array<PanelObject> = []
    for (const file of xml) {
      try {
        const parsed = parseSystemFile(file.text, file.path)
        objects.push(...parsed.objects)
        for (const problem of parsed.problems) {
          builder.note({
            severity: "warning",
            code: "elem-unreadable",
            subject: `file ${file.path}`,
            path: file.path,
            message: `${problem}; skipped`,
          })
        }
        if (parsed.objects.length === 0 && parsed.problems.length === 0) {
          builder.note({
            severity: "warning",
            code: "special-file-unrecognised",
            subject: `file ${file.path}`,
            path: file.path,
            message: "an XML file in .system/ without any elem; not imported — please report its root element",
          })
        }
      } catch (e) {
        if (!(e instanceof SafeParseError)) throw e
        if (isHostileXmlError(e)) {
          return yield* new AdapterError({
            adapter,
            path: file.path,
            detail: `refused: ${e.message} (a special file of a real backup never has one; the backup may have been tampered with)`,
          })
        }
        builder.note({
          severity: "error",
          code: "special-file-unreadable",
          subject: `file ${file.path}`,
          path: file.path,
          message: `${e.message}; the objects it describes are not imported`,
        })
      }
    }

    const parsedInfos: Array<BackupInfo> = []
    for (const info of infos) {
      const parsed = parseInfo(info.path, info.text)
      if (typeof parsed === "string") {
        builder.note({
          severity: "warning",
          code: "info-file-unreadable",
          subject: `file ${info.path}`,
          path: info.path,
          message: `${parsed}; not used`,
        })
      } else parsedInfos.push(parsed)
    }

    const metadata = objects.filter((o) => o.type.startsWith("backup2.metadata"))
    const evidence: Array<PanelEvidence> = [
      ...metadata.map((o) => evidenceOf(o.fields.strings(), `${o.source.path} (${o.type})`)),
      ...parsedInfos.map((info) =>
        evidenceOf(
          [...info.values].filter(([key]) => key !== "key_hash"),
          info.path,
        ),
      ),
    ].filter((e): e is PanelEvidence => e !== undefined)
    const verdict = editionOf(
      evidence,
      objects.some((o) => o.type === "site"),
    )
    if (!editionClaims(verdict, edition)) {
      return yield* new AdapterError({
        adapter,
        path: evidence[0]?.source ?? ctx.archive.path,
        detail: `this backup says it was written by ${verdict === "5" || verdict === "6" || verdict === "business6" ? editionNames[verdict] : verdict}, not ${editionNames[edition]}; Ferry does not mix them (ispmanager.md §8 #7): read it with that panel`,
      })
    }

    const a: Assembly = newAssembly(builder, adapter, homePrefix, index)
    a.mainLogin = detection.facts["user"] ?? metadata[0]?.owner ?? parsedInfos.find((i) => i.values.has("user"))?.values.get("user")
    const used = new Set<string>()
    const dumpFor = (engine: DatabaseEngine, name: string, object: PanelObject): string | undefined => {
      const login = a.mainLogin
      const fromPath = object.path !== undefined ? homeRelative(object.path, login) : undefined
      const candidates = [...specials.keys()].filter((p) => !used.has(p))
      const byPath = fromPath !== undefined ? candidates.find((p) => p === `${homePrefix}${fromPath}`) : undefined
      const stem = (p: string) => baseName(p).replace(/\.(sql|dump)(\.gz)?$/i, "")
      const byName = candidates.filter((p) => stem(p) === name)
      const chosen = byPath ?? byName.find((p) => p.toLowerCase().includes(engine === "mysql" ? "mysql" : "postgres")) ?? byName[0]
      if (chosen !== undefined) used.add(chosen)
      return chosen
    }
    buildEntities(a, objects, { dumpFor })

    const login = a.mainLogin ?? [...a.accounts.keys()][0] ?? "user"
    if (a.accounts.size === 0) {
      note(
        a,
        "warning",
        "user-missing",
        `account:${login}`,
        `${homePrefix}.system/`,
        "no user object in .system/; objects are imported without an owner account",
      )
    }
    declareHome(a, login, homePrefix, topLevel, [`${homePrefix}.system/`, ".system/"])
    for (const path of specials.keys()) {
      if (used.has(path)) continue
      builder.declareContent({ id: `content:special:${baseName(path)}`, kind: "other", path })
      builder.note({
        severity: "warning",
        code: "special-file-unused",
        subject: `file ${path}`,
        path,
        message: "a special file that is not XML and that no database claims; carried as content, not imported — please report its name",
      })
    }
    for (const path of strays.slice(0, 200)) {
      builder.note({
        severity: "info",
        code: "outside-payload",
        subject: `entry ${path}`,
        path,
        message: "not part of the ispmanager backup; not imported",
      })
    }
    builder.skippedEntries(stats.skipped)
    for (const info of parsedInfos) {
      const type = info.values.get("type")
      if (type !== undefined && !/^(full|f)$/i.test(type)) {
        builder.note({
          severity: "warning",
          code: "not-a-full-backup",
          subject: `file ${info.path}`,
          path: info.path,
          message: `the backup says it is ${JSON.stringify(type.slice(0, 30))}, not full: objects and files missing from it are not imported`,
        })
      }
      if (info.values.has("key_hash")) {
        builder.note({
          severity: "info",
          code: "encrypted-backup",
          subject: `file ${info.path}`,
          path: info.path,
          message: "the backup was encrypted with a backup password (key_hash present; not checked: its scheme is unknown)",
        })
      }
    }
    if (verdict === undefined) {
      note(
        a,
        "warning",
        "panel-version-unknown",
        "backup",
        ctx.archive.path,
        `the backup does not say which ispmanager wrote it; read as ${editionNames[edition]} as asked`,
      )
    }
    const version = evidence.find((e) => e.version !== undefined)?.version
    return builder.build({
      panel: adapter,
      ...(version !== undefined ? { panelVersion: version } : {}),
      formatVersion: "isptar",
      archive: {
        path: ctx.archive.path,
        container: ctx.archive.container,
        bytes: ctx.archive.bytes > 0 ? ctx.archive.bytes : stats.sourceBytes,
        entries: stats.entries,
        contentBytes: stats.contentBytes,
      },
    })
  })
