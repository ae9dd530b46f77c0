import type { DetectProbe, DetectResult } from "@ferry/core"

/** `<planId>_<planName>-<YYYY-MM-DD>.<ext>`, with `admin-` for backups made by the administrator (§3.1). */
const namePattern = /^(admin-)?(\d{1,9})_([^-_/., ]{1,64})-(\d{4}-\d{2}-\d{2})(?:\.(?:tar|tar\.gz|tar\.bz2|zip))?$/

/**
 * ispmanager 4 `pbackup` archives: `PBKP_CONTENT` at the archive root, "always located in the
 * archive" (ispmanager.md §2, §3.2). The file name is only reported, never trusted.
 */
export const detectIspmanager4 = (probe: DetectProbe): DetectResult => {
  const content = probe.entries.find((e) => e.path === "PBKP_CONTENT")
  if (content === undefined || content.type !== "file") return undefined
  const text = probe.files.get("PBKP_CONTENT") ?? ""
  const version = /<version>\s*([0-9][0-9.]{0,15})\s*<\/version>/.exec(text)?.[1]
  const users = [...text.matchAll(/<user>\s*<item>\s*<elid>([^<]{1,64})<\/elid>/g)].map((m) => m[1] as string)
  const name = namePattern.exec(probe.archive.path.slice(probe.archive.path.lastIndexOf("/") + 1))
  return {
    _tag: "Detected",
    adapter: "ispmanager4",
    root: "",
    panelVersion: "4",
    formatVersion: version ?? "unknown",
    facts: {
      ...(users.length > 0 ? { user: users.join(", ") } : {}),
      ...(name !== null
        ? { plan: `${name[2]}_${name[3]}`, date: name[4] as string, ...(name[1] !== undefined ? { madeBy: "administrator" } : {}) }
        : {}),
    },
  }
}
