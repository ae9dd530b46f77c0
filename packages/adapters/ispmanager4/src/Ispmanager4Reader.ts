import {
  ArchiveIndex,
  type Assembly,
  buildEntities,
  declareHome,
  isHostileXmlError,
  newAssembly,
  note,
  type PanelObject,
} from "@ferry/adapter-ispmanager"
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
import { parseListing } from "./Listing.ts"
import { parsePbkpContent } from "./PbkpContent.ts"

const adapter = "ispmanager4"
const metadataCap = 32 * 1024 * 1024
/** Home files remembered by name for the listing comparison; beyond this it is skipped. */
const maxRememberedFiles = 200_000

/** A payload name as `filename` gives it: one plain name at the archive root. */
const safePayloadName = (name: string): boolean => /^[^/\\\0\r\n]{1,255}$/.test(name) && name !== "." && name !== ".."

/**
 * Reads a `pbackup` archive in one pass: the three `PBKP_*` files (capped), the `pbkp_*` payloads
 * at the root (measured: dumps and mailbox archives), the users' files (measured). The home
 * prefix comes from `PBKP_PATH` (assumed: the home the listing is relative to), else from
 * `var/www/<user>/data/`.
 */
export const readIspmanager4 = Effect.fn("Ispmanager4Adapter.read")(function* (ctx: ReadContext) {
  const builder = new SnapshotBuilder()
  const index = new ArchiveIndex()
  const texts = new Map<string, string>()
  const payloads = new Map<string, number>()
  const rootFiles = new Map<string, "dir" | "file">()
  const homeFiles = new Set<string>()
  let rememberFiles = true

  const visit = (entry: ArchiveEntry): Effect.Effect<void, ArchiveError> =>
    Effect.gen(function* () {
      const { path } = entry
      if (path === "PBKP_CONTENT" || path === "PBKP_XML_LISTING" || path === "PBKP_PATH") {
        if (entry.type !== "file") return
        builder.file(path, entry.size)
        if (entry.size > metadataCap) {
          builder.note({
            severity: "error",
            code: "metadata-too-large",
            subject: `file ${path}`,
            path,
            message: `larger than ${metadataCap} bytes; not read`,
          })
          return
        }
        texts.set(path, yield* entry.readText(metadataCap))
        return
      }
      if (!path.includes("/")) {
        rootFiles.set(path, entry.type === "directory" ? "dir" : "file")
        if (entry.type === "file") {
          builder.file(path, entry.size, true)
          payloads.set(path, entry.size)
        }
        return
      }
      index.see(path, entry.type === "directory")
      if (entry.type === "file") {
        builder.file(path, entry.size)
        if (rememberFiles) {
          homeFiles.add(path)
          if (homeFiles.size > maxRememberedFiles) {
            rememberFiles = false
            homeFiles.clear()
          }
        }
      }
    })

  const stats = yield* ctx.archive.scan(visit, ctx.scanOptions)
  const contentText = texts.get("PBKP_CONTENT")
  if (contentText === undefined)
    return yield* new AdapterError({ adapter, path: "PBKP_CONTENT", detail: "PBKP_CONTENT is missing or unreadable" })
  let content: ReturnType<typeof parsePbkpContent>
  try {
    content = parsePbkpContent(contentText, "PBKP_CONTENT")
  } catch (e) {
    if (!(e instanceof SafeParseError)) throw e
    const hostile = isHostileXmlError(e) ? " (a real pbackup never has one; the archive may have been tampered with)" : ""
    return yield* new AdapterError({ adapter, path: "PBKP_CONTENT", detail: `refused: ${e.message}${hostile}` })
  }
  for (const problem of content.problems) {
    builder.note({
      severity: "warning",
      code: "item-unreadable",
      subject: "file PBKP_CONTENT",
      path: "PBKP_CONTENT",
      message: `${problem}; skipped`,
    })
  }

  const users = content.objects.filter((o) => o.type === "user").map((o) => o.fields.text("name") ?? o.name)
  const pbkpPath = texts.get("PBKP_PATH")?.trim()
  const fromPath =
    pbkpPath !== undefined && /^\/[^\0\r\n\\]{0,4096}$/.test(pbkpPath) && !pbkpPath.split("/").includes("..")
      ? `${pbkpPath.replace(/^\/+|\/+$/g, "")}/`
      : undefined
  if (pbkpPath !== undefined && fromPath === undefined) {
    builder.note({
      severity: "warning",
      code: "pbkp-path-invalid",
      subject: "file PBKP_PATH",
      path: "PBKP_PATH",
      message: "PBKP_PATH is not an absolute path; ignored",
    })
  }
  const main = users[0]
  const conventional = (login: string) => `var/www/${login}/data/`
  const homePrefix = fromPath ?? (main !== undefined && index.hasDir(conventional(main)) ? conventional(main) : "")
  const a: Assembly = newAssembly(builder, adapter, homePrefix, index)
  a.mainLogin = main
  for (const login of users.slice(1)) if (index.hasDir(conventional(login))) a.otherHomes.set(login, conventional(login))

  // Payloads: `filename` of each item names a root file.
  const claimed = new Set<string>()
  const payloadOf = (object: PanelObject): string | undefined => {
    const name = object.fields.text("filename")
    if (name === undefined) return undefined
    if (!safePayloadName(name) || !payloads.has(name)) {
      builder.note({
        severity: "warning",
        code: "payload-missing",
        subject: object.source.detail,
        path: object.source.path,
        message: `its attached file ${JSON.stringify(name.slice(0, 120))} is not at the archive root`,
      })
      return undefined
    }
    claimed.add(name)
    return name
  }
  const archives = new Map<string, string>()
  for (const object of content.objects.filter((o) => o.type === "email")) {
    const file = payloadOf(object)
    if (file !== undefined) archives.set(object.name.toLowerCase(), file)
  }
  const dumps = new Map<string, string>()
  for (const object of content.objects.filter((o) => o.type === "mysql" || o.type === "postgresql")) {
    const file = payloadOf(object)
    if (file !== undefined) dumps.set(object.name, file)
  }
  const dumpFor = (_engine: DatabaseEngine, _name: string, object: PanelObject) => dumps.get(object.name)
  buildEntities(a, content.objects, { dumpFor, mail: { archives } })
  for (const object of content.objects) {
    if (object.type === "email" || object.type === "mysql" || object.type === "postgresql") continue
    const file = object.fields.text("filename")
    if (file !== undefined) {
      builder.note({
        severity: "warning",
        code: "payload-not-imported",
        subject: object.source.detail,
        path: object.source.path,
        message: `attached file ${JSON.stringify(file.slice(0, 120))} of a ${object.type} item is not imported`,
      })
      claimed.add(file)
    }
  }
  for (const [name, kind] of rootFiles) {
    if (kind !== "file" || claimed.has(name)) continue
    builder.declareContent({ id: `content:payload:${name}`, kind: "other", path: name })
    builder.note({
      severity: "warning",
      code: "payload-unclaimed",
      subject: `file ${name}`,
      path: name,
      message: "a file at the archive root that no PBKP_CONTENT item names; carried as content, not imported",
    })
  }

  // The listing: compare, never apply.
  const listingText = texts.get("PBKP_XML_LISTING")
  if (listingText !== undefined && homePrefix !== "") {
    try {
      const listing = parseListing(listingText)
      const missing = rememberFiles ? listing.files.filter((f) => !homeFiles.has(`${homePrefix}${f}`)) : []
      if (missing.length > 0) {
        note(
          a,
          "warning",
          "listing-file-missing",
          "file PBKP_XML_LISTING",
          "PBKP_XML_LISTING",
          `${missing.length} file(s) the listing names are not in the archive: ${missing.slice(0, 5).join(", ")}`,
        )
      }
      for (const link of listing.links.slice(0, 50)) {
        note(
          a,
          "info",
          "listing-link",
          `entry ${homePrefix}${link.path}`,
          "PBKP_XML_LISTING",
          `the listing records a link to ${JSON.stringify(link.target.slice(0, 120))}; its owner and mode are not applied (the archive's own entry is what is imported)`,
        )
      }
    } catch (e) {
      if (!(e instanceof SafeParseError)) throw e
      if (isHostileXmlError(e)) return yield* new AdapterError({ adapter, path: "PBKP_XML_LISTING", detail: `refused: ${e.message}` })
      note(a, "warning", "listing-unreadable", "file PBKP_XML_LISTING", "PBKP_XML_LISTING", `${e.message}; not used`)
    }
  }

  if (main !== undefined)
    declareHome(a, main, homePrefix, homePrefix === "" ? new Map([...rootFiles].filter(([, k]) => k === "dir")) : new Map(), [])
  for (const [login, home] of a.otherHomes) declareHome(a, login, home, new Map(), [])
  if (main === undefined)
    note(a, "warning", "user-missing", "PBKP_CONTENT", "PBKP_CONTENT", "no user item; objects are imported without an owner account")
  builder.skippedEntries(stats.skipped)
  return builder.build({
    panel: adapter,
    panelVersion: "4",
    ...(content.version !== undefined ? { formatVersion: content.version } : {}),
    archive: {
      path: ctx.archive.path,
      container: ctx.archive.container,
      bytes: ctx.archive.bytes > 0 ? ctx.archive.bytes : stats.sourceBytes,
      entries: stats.entries,
      contentBytes: stats.contentBytes,
    },
  })
})
