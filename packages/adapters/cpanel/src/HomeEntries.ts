import type { ArchiveEntry, ArchiveError, SnapshotBuilder } from "@ferry/core"
import { Effect } from "effect"
import { type HomeScan, metadataCap } from "./Collected.ts"
import { isDomainName } from "./Paths.ts"

/** Small files inside the home that carry mail and SSL metadata; everything else is content. */
const homeMetadata = [
  /^etc\/[^/]+\/(passwd|shadow|quota)$/,
  /^etc\/[^/]+\/[^/]+\/filter\.yaml$/,
  /^\.cpanel\/email_accounts\.json$/,
  /^mail\/mailbox_format\.cpanel$/,
  /^\.autorespond\/[^/]+$/,
  /^ssl\/(certs|keys|csrs)\/[^/]+$/,
]

/** Old account backups copied into the home (pitfall 24). */
const oldBackup = /^(backup-\d{1,2}\.\d{1,2}\.\d{4}_\d{2}-\d{2}-\d{2}_[^/]+|cpmove-[^/]+)\.(tar|tar\.gz|tgz)$/

/** Record mail-tree facts for `mail/...` paths without reading any message. */
const mailFacts = (home: HomeScan, entry: ArchiveEntry, homeRel: string): void => {
  const parts = homeRel.split("/")
  if (parts[0] !== "mail" || parts.length < 2) return
  const first = parts[1] as string
  if (parts.length === 2 && entry.type === "symlink" && first.startsWith(".") && first.includes("@")) {
    home.mailLinks.set(first, entry.linkTarget ?? "")
    return
  }
  if (
    /^(cur|new|tmp)$/.test(first) ||
    (first.startsWith(".") && !first.includes("@") && (parts.length > 2 || entry.type === "directory"))
  ) {
    home.defaultMailboxFolders.add(first)
    return
  }
  if (parts.length < 3 || !isDomainName(first)) return
  const box = parts[2] as string
  if (box.startsWith(".")) return
  const facts = home.mailDir(`${first}/${box}`)
  if (parts[3] === "storage" || parts[3] === "mailboxes") facts.mdbox = true
  if (entry.type !== "file") return
  facts.files++
  const name = parts[parts.length - 1] as string
  if (name.startsWith("dovecot")) facts.indexFiles++
  const folder = parts[parts.length - 2]
  const declared = /,S=(\d+)/.exec(name)?.[1]
  if ((folder === "cur" || folder === "new") && declared !== undefined && entry.size < Number(declared)) {
    facts.compressed++
    facts.compressedDeclaredBytes += Number(declared)
  }
}

/**
 * One entry under `homedir/`: measured for content sizes; mail domains, mailbox directories and
 * namespace links recorded; the few metadata files read with a cap.
 */
export const visitHomeEntry = (
  builder: SnapshotBuilder,
  home: HomeScan,
  entry: ArchiveEntry,
  homeRel: string,
): Effect.Effect<void, ArchiveError> =>
  Effect.gen(function* () {
    const etc = /^etc\/([^/]+)(\/|$)/.exec(homeRel)
    if (etc && isDomainName(etc[1] as string) && (entry.type === "directory" || homeRel.includes("/", 4)))
      home.etcDomains.add(etc[1] as string)
    mailFacts(home, entry, homeRel)
    if (entry.type !== "file") return
    builder.file(entry.path, entry.size)
    if (!homeRel.includes("/") && oldBackup.test(homeRel)) home.oldBackups.push({ path: entry.path, size: entry.size })
    if (!homeMetadata.some((p) => p.test(homeRel))) return
    const tooLarge = entry.size > metadataCap
    const text = tooLarge ? undefined : yield* entry.readText(metadataCap)
    home.files.set(homeRel, { path: entry.path, rel: homeRel, type: entry.type, size: entry.size, text, tooLarge })
  })
