import { join } from "node:path"
import type { ArchiveEntry, ContentRef, ContentSink, Entity, StepContext } from "@ferry/core"
import { StepFailed } from "@ferry/core"
import { Effect } from "effect"
import { fileOwner, ownerIds, requireDomainOwner } from "./Dovecot.ts"
import { makeFileSink } from "./FileSink.ts"
import { domainName, mailboxLocalPart, orFailStep } from "./Identifiers.ts"
import type { ImportEnv, ImporterPart } from "./ImportEnv.ts"
import { ensureMaildir } from "./MailPart.ts"
import { ensureDir, toStepFailed } from "./SafeFs.ts"

/*
 * Mail content (checklist item 42).
 *
 * "mail": a mailbox's Maildir, written to `layout.maildir(domain, local)` through FileSink (files
 * streamed, modes capped, owned by the account). Only the Maildir++ layout is kept: messages in
 * cur/new/tmp, `.Folder/` subfolders with their own cur/new/tmp, and the files that carry state a
 * user would miss — `dovecot-uidlist` (message UIDs: clients do not download everything again),
 * `dovecot-keywords` and `subscriptions`. Dovecot's indexes, caches and logs (`dovecot.index*`,
 * `dovecot.list.index*`, `dovecot.mailbox.log*`, `dovecot-uidvalidity*`, `maildirsize`) are
 * dropped: Dovecot rebuilds them, and a crafted index is parsed by the server. Anything else at
 * the top (Plesk `.qmail` delivery files, `@attachments`, …) is left out. A leading `Maildir/`
 * (Plesk) is taken as the root. Symbolic links are never written in a Maildir, wherever they
 * point. Messages are copied as they are: compressed ones (Dovecot zlib) are never inflated, so a
 * compression bomb costs its stored size only. cur/new/tmp are created where missing.
 * mdbox and mbox mailboxes are not converted: the step fails and says so.
 *
 * "mailing-list": the list's data files (Mailman archives and configuration) are kept under
 * `layout.mailingList(domain, name)`, owned by root and 0700, for the admin to migrate by hand.
 * Nothing reads or runs them (a Mailman `config.pck` is a Python pickle).
 */

const messageDirs = new Set(["cur", "new", "tmp"])
const keptStateFiles = new Set(["dovecot-uidlist", "dovecot-keywords"])
const droppedState = /^(?:dovecot\.index.*|dovecot\.list\.index.*|dovecot\.mailbox\.log.*|dovecot-uidvalidity.*|dovecot\.lock|maildirsize)$/

type Placement =
  | { readonly _tag: "write"; readonly rel: string }
  /** The Maildir root itself (a Plesk `Maildir/` entry): nothing to write. */
  | { readonly _tag: "root" }
  | { readonly _tag: "index" }
  | { readonly _tag: "other" }

/** Where an entry of a Maildir goes (rel inside the Maildir root), or why it is left out. */
export const placeMaildirEntry = (rawRel: string, type: ArchiveEntry["type"]): Placement => {
  const rel = rawRel.replace(/\/+$/, "").replace(/^Maildir(?:\/|$)/, "")
  if (rel === "") return { _tag: "root" }
  const parts = rel.split("/")
  const isDir = type === "directory"
  const name = parts[parts.length - 1] as string
  const folder = parts[0] as string
  // Maildir++ subfolder: ".Name" (dots separate levels), never "." or "..".
  const inFolder = folder.startsWith(".") && folder !== "." && folder !== ".." && (parts.length > 1 || isDir)
  const inner = inFolder ? parts.slice(1) : parts
  if (inner.length === 0) return { _tag: "write", rel }
  if (droppedState.test(name) && inner.length === 1) return { _tag: "index" }
  if (inner.length === 1) {
    if (isDir && messageDirs.has(name)) return { _tag: "write", rel }
    if (!isDir && keptStateFiles.has(name)) return { _tag: "write", rel }
    if (!isDir && !inFolder && name === "subscriptions") return { _tag: "write", rel }
    if (!isDir && inFolder && name === "maildirfolder") return { _tag: "write", rel }
    return { _tag: "other" }
  }
  // A message: a regular file (or hard link) directly in cur/new/tmp.
  if (inner.length === 2 && messageDirs.has(inner[0] as string) && !isDir) return { _tag: "write", rel }
  return { _tag: "other" }
}

const plural = (n: number, word: string) => `${n} ${n === 1 ? word : word.endsWith("y") ? `${word.slice(0, -1)}ies` : `${word}s`}`

const mailSink = (env: ImportEnv) => (ref: ContentRef, entity: Entity, ctx: StepContext) =>
  Effect.gen(function* () {
    if (entity._tag !== "Mailbox")
      return yield* new StepFailed({
        step: ref.id,
        code: "not-supported",
        reason: `mail content of ${entity.id} does not belong to a mailbox`,
      })
    if (entity.storage === "mdbox" || entity.storage === "mbox")
      return yield* new StepFailed({
        step: ref.id,
        code: "mail-storage-not-converted",
        reason: `mailbox ${entity.address}: ${entity.storage} is not converted (only Maildir is imported); convert it on the source with "doveadm sync -u USER maildir:~/Maildir" and export again`,
      })
    const domain = yield* orFailStep(ref.id, domainName(entity.domain))
    const local = yield* orFailStep(ref.id, mailboxLocalPart(entity.localPart))
    const owner = yield* ownerIds(env, entity, ctx).pipe(
      Effect.mapError((e) => new StepFailed({ step: ref.id, code: e.code, reason: e.reason })),
    )
    yield* requireDomainOwner(env, ref.id, domain, owner.login)
    const maildir = env.layout.maildir(domain, local)
    // Parents first, without the tenant as owner (MailPart), then the Maildir itself.
    yield* ensureMaildir(env, ref.id, domain, maildir, owner)
    const label = `mail of ${local}@${domain}`
    const files = yield* makeFileSink({
      step: ref.id,
      label,
      root: env.root,
      destination: maildir,
      linkBoundary: maildir,
      destinationMode: 0o700,
      ...fileOwner(env, owner),
      log: ctx.log,
    })
    const folders = new Set<string>()
    const dropped = { index: 0, other: 0, links: 0 }
    const examples: Array<string> = []
    const write = (rel: string, entry: ArchiveEntry) => {
      if (entry.type === "symlink") {
        dropped.links++
        return ctx.log("warning", `${label}: symbolic link ${JSON.stringify(rel)} left out (links are never written in a Maildir)`)
      }
      const placement = placeMaildirEntry(rel, entry.type)
      if (placement._tag === "root") return Effect.void
      if (placement._tag === "index") {
        dropped.index++
        return Effect.void
      }
      if (placement._tag === "other") {
        dropped.other++
        if (examples.length < 3) examples.push(rel.slice(0, 80))
        return Effect.void
      }
      const first = placement.rel.split("/")[0] as string
      if (first.startsWith(".") && folders.size < 10_000) folders.add(first)
      return files.write(placement.rel, entry)
    }
    const commit = Effect.gen(function* () {
      const result = yield* files.commit
      // Item 42: a Maildir (or folder) without cur/new/tmp is not a Maildir for Dovecot.
      let made = 0
      for (const folder of ["", ...folders])
        for (const sub of messageDirs)
          made += (yield* ensureDir(env.root, join(maildir, folder, sub), { mode: 0o700, ...fileOwner(env, owner) }).pipe(
            Effect.mapError(toStepFailed(ref.id, label)),
          )).length
      const notes = [
        ...(result.notes ?? []),
        ...(dropped.index > 0 ? [`${plural(dropped.index, "Dovecot index or cache file")} dropped (Dovecot rebuilds them)`] : []),
        ...(dropped.links > 0 ? [`${plural(dropped.links, "symbolic link")} left out`] : []),
        ...(dropped.other > 0 ? [`${plural(dropped.other, "entry")} outside the Maildir layout left out (${examples.join(", ")})`] : []),
      ]
      const outcome = result.outcome === "unchanged" && made > 0 ? "updated" : result.outcome
      return notes.length > 0 ? { outcome, notes } : { outcome }
    })
    return { write, commit, discard: files.discard } satisfies ContentSink
  })

const listSink = (env: ImportEnv) => (ref: ContentRef, entity: Entity, ctx: StepContext) =>
  Effect.gen(function* () {
    if (entity._tag !== "MailingList")
      return yield* new StepFailed({
        step: ref.id,
        code: "not-supported",
        reason: `list content of ${entity.id} does not belong to a mailing list`,
      })
    const domain = yield* orFailStep(ref.id, domainName(entity.domain))
    const name = yield* orFailStep(ref.id, mailboxLocalPart(entity.name))
    const owner = yield* ownerIds(env, entity, ctx).pipe(
      Effect.mapError((e) => new StepFailed({ step: ref.id, code: e.code, reason: e.reason })),
    )
    yield* requireDomainOwner(env, ref.id, domain, owner.login)
    const destination = env.layout.mailingList(domain, name)
    yield* ensureDir(env.root, destination, { mode: 0o700 }).pipe(
      Effect.mapError(toStepFailed(ref.id, `the data of list ${name}@${domain}`)),
    )
    const files = yield* makeFileSink({
      step: ref.id,
      label: `data of mailing list ${name}@${domain}`,
      root: env.root,
      destination,
      linkBoundary: destination,
      destinationMode: 0o700,
      log: ctx.log,
    })
    let links = 0
    return {
      write: (rel: string, entry: ArchiveEntry) => {
        if (entry.type === "symlink") {
          links++
          return Effect.void
        }
        return files.write(rel, entry)
      },
      commit: files.commit.pipe(
        Effect.map((result) => ({
          outcome: result.outcome,
          notes: [
            ...(result.notes ?? []),
            ...(links > 0 ? [`${plural(links, "symbolic link")} left out`] : []),
            `list data kept in ${destination} for review; no list manager uses it`,
          ],
        })),
      ),
      discard: files.discard,
    } satisfies ContentSink
  })

export const makeMailContentPart = (env: ImportEnv) =>
  ({
    content: { mail: mailSink(env), "mailing-list": listSink(env) },
  }) satisfies ImporterPart
