import { type DetectProbe, type DetectResult, SafeParseError } from "@ferry/core"
import { darRefusal } from "./Dar.ts"
import {
  type EditionVerdict,
  editionClaims,
  editionNames,
  editionOf,
  evidenceOf,
  type IsptarEdition,
  keyValuesOf,
  type PanelEvidence,
} from "./Evidence.ts"
import { baseName, darSlicePattern, parseStorageName } from "./StorageNames.ts"
import { parseSystemFile } from "./SystemElems.ts"

/*
 * ISPtar detection (ispmanager.md §2, §8 #1, #3, #5): a `.system/` directory at the archive root
 * or one folder down (a user's data `.tgz`, its volumes or its decrypted `.aes`), or — for a
 * storage directory or a downloaded `.tar` — one user's storage triplet at the root, whose data
 * file is then read as a nested archive.
 */

const refused = (adapter: string, reason: string): DetectResult => ({ _tag: "Refused", adapter, reason })

/** Panel evidence in the probe's small files below `.system/`. */
const systemEvidence = (
  probe: DetectProbe,
  prefix: string,
): { evidence: Array<PanelEvidence>; sites: boolean; elems: boolean; user: string | undefined } => {
  const evidence: Array<PanelEvidence> = []
  let sites = false
  let elems = false
  let user: string | undefined
  for (const [path, text] of probe.files) {
    if (!path.startsWith(`${prefix}.system/`)) continue
    if (/<elem[\s>]/.test(text) && /<backup[\s>]/.test(text)) elems = true
    if (/<type>\s*site\s*<\/type>/i.test(text)) sites = true
    if (!/backup2\.metadata/i.test(text)) continue
    try {
      for (const object of parseSystemFile(text, path).objects) {
        if (!object.type.startsWith("backup2.metadata")) continue
        user ??= object.owner ?? object.name
        const found = evidenceOf(object.fields.strings(), `${path} (${object.type})`)
        if (found !== undefined) evidence.push(found)
      }
    } catch (e) {
      if (!(e instanceof SafeParseError)) throw e
      // An unreadable file decides nothing here; reading it reports it.
    }
  }
  return { evidence, sites, elems, user }
}

const infoEvidence = (text: string | undefined, source: string): PanelEvidence | undefined => {
  if (text === undefined) return undefined
  try {
    return evidenceOf(keyValuesOf(text), source)
  } catch (e) {
    if (e instanceof SafeParseError) return undefined
    throw e
  }
}

const detected = (
  adapter: string,
  edition: IsptarEdition,
  verdict: EditionVerdict,
  evidence: ReadonlyArray<PanelEvidence>,
  root: string,
  facts: Record<string, string>,
): DetectResult => {
  if (!editionClaims(verdict, edition)) return undefined
  const version = evidence.find((e) => e.version !== undefined)?.version
  return {
    _tag: "Detected",
    adapter,
    root,
    ...(version !== undefined ? { panelVersion: version } : {}),
    formatVersion: "isptar",
    facts: {
      ...facts,
      edition: editionNames[edition],
      evidence:
        verdict === undefined ? "none (the backup does not say which ispmanager wrote it)" : (evidence[0]?.source ?? "site objects"),
    },
  }
}

export const detectIsptar =
  (adapter: string, edition: IsptarEdition) =>
  (probe: DetectProbe): DetectResult => {
    const archiveName = parseStorageName(baseName(probe.archive.path))
    const systemRoot = probe.entries.find((e) => /^(?:[^/]+\/)?\.system(?:\/|$)/.test(e.path))
    if (systemRoot !== undefined) {
      const root = systemRoot.path.startsWith(".system") ? "" : systemRoot.path.slice(0, systemRoot.path.indexOf("/"))
      const prefix = root === "" ? "" : `${root}/`
      if (archiveName?.kind === "data" && archiveName.prefix !== "F") {
        return refused(
          adapter,
          `${baseName(probe.archive.path)} is an ${archiveName.prefix === "I" ? "incremental" : "differential"} backup; it holds only changes since a full (F…) backup. Import the full backup of the same user`,
        )
      }
      const found = systemEvidence(probe, prefix)
      const last = probe.entries.at(-1)?.path ?? ""
      const systemPassed = !last.startsWith(`${prefix}.system`)
      // A folder merely named `.system` (in someone's home) is not enough: it must hold elems.
      if (!found.elems) return undefined
      if (found.evidence.length === 0 && !probe.complete && !systemPassed) return undefined
      const verdict = editionOf(found.evidence, found.sites)
      const user = found.user ?? archiveName?.user
      return detected(adapter, edition, verdict, found.evidence, root, {
        layout: "user archive",
        ...(user !== undefined ? { user } : {}),
        ...(archiveName?.date !== undefined ? { date: archiveName.date } : {}),
      })
    }

    // A storage directory, or a `.tar` holding one: the triplet at the root.
    const top = probe.entries.filter((e) => !e.path.includes("/"))
    if (edition === "5" && top.some((e) => darSlicePattern.test(e.path))) return refused(adapter, darRefusal)
    const names = top.map((e) => ({ entry: e, name: parseStorageName(e.path) })).filter((n) => n.name !== undefined)
    const data = names.filter((n) => n.name?.kind === "data")
    if (data.length === 0) return undefined
    const users = new Set(data.map((d) => `${d.name?.date}.${d.name?.user}`))
    if (users.size > 1) {
      return refused(
        adapter,
        `the folder holds ${users.size} backups (${[...users].slice(0, 4).join(", ")}); open one data file (F<date>.<user>.tgz) at a time`,
      )
    }
    const full = data.filter((d) => d.name?.prefix === "F")
    if (full.length === 0) {
      return refused(
        adapter,
        "only incremental or differential backups (I…/C… files): they need the user's full (F…) backup; give the full one",
      )
    }
    if (full.some((d) => d.name?.volume !== undefined || d.name?.encrypted)) {
      return refused(
        adapter,
        "the data file is split into volumes or encrypted: open its first volume (F…tgz.part1) or its .aes file directly instead of the folder (with the backup password if encrypted)",
      )
    }
    if (!probe.complete && probe.entries.length < 64) return undefined
    const dataFile = full[0]?.entry.path as string
    const name = full[0]?.name
    const infoPath = names.find((n) => n.name?.kind === "info")?.entry.path
    const info = infoEvidence(infoPath !== undefined ? probe.files.get(infoPath) : undefined, infoPath ?? "")
    const evidence = info !== undefined ? [info] : []
    return detected(adapter, edition, editionOf(evidence, false), evidence, "", {
      layout: "storage",
      dataFile,
      ...(name !== undefined ? { user: name.user, date: name.date } : {}),
      ...(infoPath !== undefined ? { infoFile: infoPath } : {}),
    })
  }
