import type { ForwardTarget, MailDomain } from "@ferry/core"
import { parseAutoresponderMessage, parseAutoresponderSchedule } from "./AutoresponderFile.ts"
import { type Assembly, noteAt } from "./Collected.ts"
import type { MailDrafts } from "./Mail.ts"
import { homeRelative, isDomainName, isLocalPart, listForMessage } from "./Paths.ts"
import { type AliasLine, autorespondPipe, mailmanPipe, parseAliasFile } from "./ValiasFile.ts"

type CatchAll = NonNullable<MailDomain["catchAll"]>

const catchAllOf = (a: Assembly, domain: string, rel: string, entry: AliasLine): CatchAll | undefined => {
  const [first, ...rest] = entry.targets
  if (!first) return undefined
  if (first.kind === "fail") return { action: "bounce", ...(first.value !== "" ? { message: first.value } : {}) }
  if (first.kind === "discard") return { action: "discard" }
  if (first.kind === "address" || first.kind === "local-user") {
    if (rest.length > 0) {
      noteAt(
        a,
        "warning",
        "catch-all-several",
        `maildomain:${domain}`,
        rel,
        `the catch-all of ${domain} has ${entry.targets.length} targets; only ${first.value} is kept`,
      )
    }
    return { action: "forward", target: first.value }
  }
  noteAt(
    a,
    "warning",
    "catch-all-unsafe",
    `maildomain:${domain}`,
    rel,
    `the catch-all of ${domain} delivers to a ${first.kind}; it is not carried over (default: bounce)`,
  )
  return undefined
}

/** The autoresponder behind an `autorespond` pipe, from `.autorespond/<address>` (+ `.json`/`.conf`). */
const addAutoresponder = (a: Assembly, address: string, dir: string, rel: string): void => {
  const id = `autoresponder:${address}`
  const dirRel = homeRelative(dir, a.homePrefixes)
  if (dirRel === undefined) {
    noteAt(
      a,
      "warning",
      "autoresponder-outside-home",
      id,
      rel,
      `the autoresponder of ${address} reads from ${dir}, outside the home; it is not carried over`,
    )
    return
  }
  const messageRel = dirRel === "" ? address : `${dirRel}/${address}`
  const message = a.home.files.get(messageRel)
  if (!message?.text) {
    noteAt(
      a,
      "warning",
      "autoresponder-missing",
      id,
      rel,
      `${address} pipes to an autoresponder, but ${messageRel} is ${message ? "too large" : "not in the backup"}; it is not carried over`,
    )
    return
  }
  const parsed = parseAutoresponderMessage(message.text)
  for (const problem of parsed.problems)
    a.builder.note({ severity: "info", code: "autoresponder-format", subject: id, path: message.path, message: problem })
  let schedule = {}
  for (const format of ["json", "conf"] as const) {
    const file = a.home.files.get(`${messageRel}.${format}`)
    if (!file?.text) continue
    try {
      schedule = parseAutoresponderSchedule(file.text, format)
      break
    } catch (e) {
      a.builder.note({
        severity: "warning",
        code: "autoresponder-schedule",
        subject: id,
        path: file.path,
        message: e instanceof Error ? e.message : String(e),
      })
    }
  }
  a.builder.add({
    _tag: "Autoresponder",
    id,
    owner: a.accountId,
    source: { path: message.path, detail: `va pipe in ${a.prefix}${rel}` },
    address,
    ...(parsed.from !== undefined ? { from: parsed.from } : {}),
    subject: parsed.subject,
    body: parsed.body,
    ...(parsed.charset !== undefined ? { charset: parsed.charset } : {}),
    html: parsed.html,
    ...schedule,
  })
}

/** A Mailman 2 list reached through a `post` pipe (its data, if any, is in `mm/<list>_<domain>/`). */
const addMailingList = (a: Assembly, name: string, domain: string, rel: string): void => {
  const id = `mailinglist:${name}@${domain}`
  if (a.builder.has(id)) return
  const dir = `mm/${name}_${domain}`
  const files = a.meta.below(dir)
  for (const file of files) a.meta.markUsed(file.rel)
  const content =
    files.length > 0
      ? a.builder.declareContent({ id: `content:list:${name}@${domain}`, kind: "mailing-list", path: `${a.prefix}${dir}/` })
      : undefined
  if (!content)
    noteAt(a, "info", "mailing-list-data-missing", id, rel, `no Mailman data (${dir}/) in the backup; the list is created empty`)
  a.builder.add({
    _tag: "MailingList",
    id,
    owner: a.accountId,
    source: { path: `${a.prefix}${content ? dir : rel}` },
    name,
    domain,
    manager: "mailman",
    admins: [],
    members: [],
    ...(content ? { content } : {}),
  })
}

const readForwarderFile = (a: Assembly, drafts: MailDrafts, domain: string, rel: string, text: string): void => {
  const parsed = parseAliasFile(text)
  for (const problem of parsed.problems)
    noteAt(a, "warning", "valias-line", `maildomain:${domain}`, rel, `line ${problem.line}: ${problem.message}`)
  const byAddress = new Map<string, { line: number; targets: Array<ForwardTarget> }>()
  for (const entry of parsed.entries) {
    if (entry.name === "*") {
      const catchAll = catchAllOf(a, domain, rel, entry)
      if (catchAll) drafts.ensure(domain, rel).catchAll = catchAll
      continue
    }
    const at = entry.name.lastIndexOf("@")
    const entryDomain = at > 0 ? entry.name.slice(at + 1) : ""
    if (entryDomain !== domain || !isLocalPart(entry.name.slice(0, at))) {
      noteAt(
        a,
        "warning",
        "valias-foreign",
        `forwarder:${entry.name}`,
        rel,
        `line ${entry.line}: ${entry.name} is not an address of ${domain}; ignored`,
      )
      continue
    }
    const kept: Array<ForwardTarget> = []
    for (const target of entry.targets) {
      const responder = autorespondPipe(target)
      if (responder) {
        if (responder.address !== entry.name) {
          noteAt(
            a,
            "warning",
            "autoresponder-mismatch",
            `autoresponder:${entry.name}`,
            rel,
            `line ${entry.line}: the autoresponder pipe of ${entry.name} names ${responder.address}`,
          )
        }
        addAutoresponder(a, entry.name, responder.dir, rel)
        continue
      }
      const list = mailmanPipe(target)
      if (list) {
        if (list.action === "post") addMailingList(a, entry.name.slice(0, at), domain, rel)
        continue
      }
      if (target.kind === "pipe" || target.kind === "file" || target.kind === "include") {
        noteAt(
          a,
          "warning",
          "forward-unsafe-target",
          `forwarder:${entry.name}`,
          rel,
          `line ${entry.line}: ${entry.name} delivers to a ${target.kind}; kept for review, refused at import by default`,
        )
      }
      kept.push(target)
    }
    if (kept.length === 0) continue
    const existing = byAddress.get(entry.name)
    if (existing) existing.targets.push(...kept.filter((t) => !existing.targets.some((e) => e.kind === t.kind && e.value === t.value)))
    else byAddress.set(entry.name, { line: entry.line, targets: kept })
  }
  for (const [address, { line, targets }] of byAddress) {
    a.builder.add({
      _tag: "Forwarder",
      id: `forwarder:${address}`,
      owner: a.accountId,
      source: { path: `${a.prefix}${rel}`, detail: `line ${line}` },
      address,
      scope: "address",
      targets,
    })
  }
}

/** `vad/<domain>`: whole-domain forwards (`alias.test: target.test`). */
const readDomainForwards = (a: Assembly, rel: string, text: string): void => {
  const parsed = parseAliasFile(text)
  for (const problem of parsed.problems) noteAt(a, "warning", "vad-line", rel, rel, `line ${problem.line}: ${problem.message}`)
  for (const entry of parsed.entries) {
    const targets = entry.targets.filter((t) => t.kind === "local-user" && isDomainName(t.value.toLowerCase()))
    if (!isDomainName(entry.name) || targets.length !== entry.targets.length || targets.length === 0) {
      noteAt(a, "warning", "vad-line", `forwarder:@${entry.name}`, rel, `line ${entry.line}: not a domain-to-domain forward; ignored`)
      continue
    }
    a.builder.add({
      _tag: "Forwarder",
      id: `forwarder:@${entry.name}`,
      owner: a.accountId,
      source: { path: `${a.prefix}${rel}`, detail: `line ${entry.line}` },
      address: entry.name,
      scope: "domain",
      targets: targets.map((t) => ({ kind: "address" as const, value: t.value.toLowerCase() })),
    })
  }
}

/** `vf/<domain>`: the domain-level Exim filter, one MailFilter when it holds any rule. */
const readDomainFilter = (a: Assembly, domain: string, rel: string, text: string): void => {
  const rules = text.split(/\r?\n/).filter((line) => line.trim() !== "" && !line.trimStart().startsWith("#"))
  if (rules.length === 0) return
  a.builder.add({
    _tag: "MailFilter",
    id: `mailfilter:${domain}:exim-filter`,
    owner: a.accountId,
    source: { path: `${a.prefix}${rel}` },
    scope: domain,
    name: "exim-filter",
    definition: text,
    format: "exim-filter",
  })
}

/**
 * `va/`, `vad/` and `vf/` (§5.11): forwarders with typed targets, catch-alls, autoresponders
 * (their pipe is replaced by the native autoresponder), Mailman lists, domain forwards, filters.
 */
export const readAliasDirectories = (a: Assembly, drafts: MailDrafts): void => {
  const skipped: Array<string> = []
  for (const dir of ["va", "vad", "vf"] as const) {
    for (const file of a.meta.children(dir)) {
      a.meta.markUsed(file.rel)
      const domain = file.rel.slice(dir.length + 1)
      if (!isDomainName(domain)) {
        skipped.push(file.rel)
        continue
      }
      if (file.text === undefined) {
        noteAt(a, "error", "file-too-large", file.rel, file.rel, "the file is larger than Ferry reads; it was ignored")
        continue
      }
      if (dir === "va") {
        drafts.ensure(domain, file.rel)
        readForwarderFile(a, drafts, domain, file.rel, file.text)
      } else if (dir === "vad") readDomainForwards(a, file.rel, file.text)
      else readDomainFilter(a, domain, file.rel, file.text)
    }
  }
  if (skipped.length > 0)
    noteAt(
      a,
      "warning",
      "mail-file-skipped",
      "mail aliases",
      skipped[0] as string,
      `files not named after a domain were ignored: ${listForMessage(skipped)}`,
    )
  // Mailman data without a post pipe still makes a list (its pipes may have been edited away).
  const lists = new Set(a.meta.below("mm").map((f) => f.rel.split("/")[1] as string))
  for (const list of lists) {
    const at = list.lastIndexOf("_")
    const name = list.slice(0, at)
    const domain = list.slice(at + 1)
    if (at > 0 && isDomainName(domain)) addMailingList(a, name, domain, `mm/${list}`)
  }
}
