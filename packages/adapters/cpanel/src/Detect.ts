import type { DetectProbe, DetectResult } from "@ferry/core"
import { isCpanelUser, listForMessage, rootPrefix } from "./Paths.ts"

/** `archive version: 4` and `pkgacct version: 10` from the `version` file (§2.3). */
export const versionFile = (text: string | undefined): { readonly archive?: string; readonly pkgacct?: string } => {
  const archive = /^archive version:\s*(\d{1,4})\s*$/m.exec(text ?? "")?.[1]
  const pkgacct = /^pkgacct version:\s*(\d{1,4})\s*$/m.exec(text ?? "")?.[1]
  return { ...(archive ? { archive } : {}), ...(pkgacct ? { pkgacct } : {}) }
}

/** The panel version a backup states: the cPanel that created the account, else the pkgacct version. */
export const panelVersionOf = (createdIn: string | undefined, pkgacct: string | undefined): string | undefined => {
  const created = createdIn?.trim()
  if (created && /^[0-9][0-9.]{0,30}$/.test(created)) return created
  return pkgacct ? `pkgacct ${pkgacct}` : undefined
}

const cpLine = (text: string, key: string): string | undefined =>
  new RegExp(`^${key}=([^\\r\\n]{0,256})$`, "m").exec(text)?.[1]?.trim() || undefined

/**
 * cPanel's own payload rule (§2.2): among the archive root and every directory one level below,
 * a root qualifies when its `cp/` holds exactly one entry, named like a cPanel user, whose text
 * has a `DNS=` or `USER=` line. File names are never used.
 */
export const detectCpanel = (probe: DetectProbe): DetectResult => {
  const roots = new Set<string>([""])
  const cpEntries = new Map<string, Set<string>>()
  for (const entry of probe.entries) {
    const parts = entry.path.split("/")
    if (parts.length >= 2 || entry.type === "directory") roots.add(parts[0] as string)
    if (parts[0] === "cp" && parts.length >= 2) cpEntries.set("", (cpEntries.get("") ?? new Set()).add(parts[1] as string))
    if (parts[1] === "cp" && parts.length >= 3) {
      const root = parts[0] as string
      cpEntries.set(root, (cpEntries.get(root) ?? new Set()).add(parts[2] as string))
    }
  }
  const qualifying: Array<{ root: string; user: string; text: string }> = []
  const nearMisses: Array<string> = []
  for (const root of roots) {
    const names = cpEntries.get(root)
    if (!names) continue
    const prefix = rootPrefix(root)
    const texts = [...names].map((name) => ({ name, text: probe.files.get(`${prefix}cp/${name}`) }))
    const looksLikeCpUser = texts.some(({ text }) => text !== undefined && /^(DNS|USER)=/m.test(text))
    const hasVersion = /pkgacct version:/.test(probe.files.get(`${prefix}version`) ?? "")
    const only = texts[0]
    if (names.size === 1 && only && isCpanelUser(only.name) && only.text !== undefined && /^(DNS|USER)=/m.test(only.text)) {
      qualifying.push({ root, user: only.name, text: only.text })
    } else if (looksLikeCpUser || hasVersion) {
      nearMisses.push(
        names.size === 1
          ? `${prefix}cp/ holds ${JSON.stringify(only?.name.slice(0, 40))}, which is not a cPanel account record`
          : `${prefix}cp/ holds ${names.size} entries (${listForMessage(
              [...names].map((n) => n.slice(0, 40)),
              4,
            )}); a pkgacct archive holds exactly one`,
      )
    }
  }
  if (qualifying.length > 1) {
    return {
      _tag: "Refused",
      adapter: "cpanel",
      reason: `the archive holds ${qualifying.length} cPanel account payloads (${listForMessage(
        qualifying.map((q) => `${q.root || "."} (${q.user})`),
        4,
      )}); import them one at a time`,
    }
  }
  const found = qualifying[0]
  if (!found) {
    if (nearMisses.length > 0)
      return { _tag: "Refused", adapter: "cpanel", reason: `not a usable pkgacct archive: ${nearMisses.join("; ")}` }
    return undefined
  }
  const prefix = rootPrefix(found.root)
  const version = versionFile(probe.files.get(`${prefix}version`))
  const panelVersion = panelVersionOf(cpLine(found.text, "CREATED_IN_VERSION"), version.pkgacct)
  const domain = cpLine(found.text, "DNS")
  const owner = cpLine(found.text, "OWNER")
  return {
    _tag: "Detected",
    adapter: "cpanel",
    root: found.root,
    ...(panelVersion ? { panelVersion } : {}),
    ...(version.archive ? { formatVersion: version.archive } : {}),
    facts: {
      user: found.user,
      ...(domain ? { domain } : {}),
      ...(owner ? { owner } : {}),
      ...(version.archive ? { archiveVersion: version.archive } : {}),
    },
  }
}
