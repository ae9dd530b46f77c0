import type { ForwardTarget, Mailbox } from "@ferry/core"
import { type Assembly, bytesOrUnlimited, isLocalPart, noteAt } from "./Context.ts"
import type { XNode } from "./Xml.ts"

/** Forwarders of one mail domain, by source address, merged from aliases, redirects and groups. */
export class ForwardDrafts {
  readonly drafts = new Map<string, { node: XNode; targets: Array<ForwardTarget>; keepCopy?: boolean }>()

  add(address: string, node: XNode, targets: ReadonlyArray<ForwardTarget>, keepCopy?: boolean): void {
    const draft = this.drafts.get(address) ?? { node, targets: [] }
    for (const target of targets)
      if (!draft.targets.some((t) => t.kind === target.kind && t.value === target.value)) draft.targets.push(target)
    if (keepCopy !== undefined) draft.keepCopy = keepCopy
    this.drafts.set(address, draft)
  }
}

/** A forward destination as Plesk writes it: an address, a bare local part, a pipe or a file. */
export const forwardTarget = (value: string, domain: string): ForwardTarget => {
  const v = value.trim()
  if (v.startsWith("|")) return { kind: "pipe", value: v.slice(1).trim() }
  if (v.startsWith("/")) return { kind: "file", value: v }
  if (v.startsWith(":include:")) return { kind: "include", value: v.slice(":include:".length) }
  return { kind: "address", value: v.includes("@") ? v.toLowerCase() : `${v.toLowerCase()}@${domain}` }
}

const storageOf = (type: string | undefined): Mailbox["storage"] => {
  const t = (type ?? "mdir").trim().toLowerCase()
  return t === "mdir" || t === "maildir" ? "maildir" : t === "mbox" ? "mbox" : t === "mdbox" ? "mdbox" : "unknown"
}

/** Settings of a spam or virus filter as `key=value; …` text (the rule as the source wrote it). */
const filterDefinition = (node: XNode): string => {
  const parts: Array<string> = []
  for (const name of node.names()) {
    if (name === "#text") continue
    for (const item of node.all(name)) {
      const text = item.text()
      if (text !== undefined) parts.push(`${name}=${text}`)
      else parts.push(`${name}=${JSON.stringify(item.raw)}`)
      item.consumeAll()
    }
  }
  return parts.join("; ")
}

/**
 * One `mailuser`: the Mailbox (quota, password, storage, content), its aliases, redirects and
 * group members as Forwarders, autoresponders, and spam/virus settings as MailFilters.
 */
export const readMailUser = (
  a: Assembly,
  user: XNode,
  domain: string,
  owner: string | null,
  forwards: ForwardDrafts,
  quotaUnit: number,
): void => {
  const local = (user.get("name") ?? "").trim().toLowerCase()
  if (!isLocalPart(local)) {
    noteAt(
      a,
      user,
      "error",
      "mailbox-name-invalid",
      `mail user ${JSON.stringify(local.slice(0, 60))}@${domain}`,
      "not a valid mailbox name; the mail user is not imported",
    )
    user.consumeAll()
    return
  }
  const address = `${local}@${domain}`
  const id = `mailbox:${address}`
  user.ignore("guid", "id", "cp-access-default", "forwarding-enabled")
  const quotaText = user.getAny(["mailbox-quota", "preferences/mailbox-quota", "properties/mailbox-quota"])
  const quota = bytesOrUnlimited(quotaText, quotaUnit)
  if (quotaText !== undefined && quota === undefined)
    noteAt(
      a,
      user,
      "warning",
      "mailbox-quota-invalid",
      id,
      `mailbox-quota ${JSON.stringify(quotaText.slice(0, 30))} is not a number; no quota is set`,
    )
  const passwordHash = a.passwords.read(user.atAny(["properties/password", "password"])[0], "mail", id)
  const mailbox = user.atAny(["preferences/mailbox", "mailbox"])[0]
  const enabled = mailbox !== undefined && mailbox.flag("enabled") !== false
  let content: string | undefined
  if (mailbox !== undefined) {
    for (const cid of mailbox.at("content/cid")) {
      const type = cid.get("type") ?? "mailbox"
      if (type === "mailbox" || type === "domainmail") content ??= a.content.ref(cid, "mail", `content:mail:${address}`, id)
      else a.content.other(cid, id)
    }
    const part = mailbox.get("cid")
    if (part !== undefined && part !== "") {
      const path = a.content.part(part)
      if (path !== undefined) content ??= a.content.declareFile(path, "mail", `content:mail:${address}`)
      else
        noteAt(
          a,
          mailbox,
          "warning",
          "content-missing",
          id,
          `the mailbox part ${JSON.stringify(part.slice(0, 80))} is not in the dump; the mailbox is imported empty`,
        )
    }
  }
  a.builder.add({
    _tag: "Mailbox",
    id,
    owner,
    source: { path: user.file, detail: user.path },
    address,
    localPart: local,
    domain,
    ...(passwordHash !== undefined ? { passwordHash } : {}),
    quotaBytes: quota ?? null,
    storage: storageOf(mailbox?.get("type")),
    ...(content !== undefined ? { content } : {}),
    enabled,
  })

  for (const alias of user.atAny(["preferences/alias", "alias"])) {
    const name = (alias.text() ?? "").trim().toLowerCase()
    const from = name.includes("@") ? name : `${name}@${domain}`
    if (!isLocalPart(from.split("@")[0] ?? "")) {
      noteAt(a, alias, "warning", "mail-alias-invalid", id, `alias ${JSON.stringify(name.slice(0, 60))} is not a valid address; skipped`)
      continue
    }
    forwards.add(from, alias, [{ kind: "address", value: address }])
  }
  const redirects = user.atAny(["preferences/redirect", "redirect"]).map((r) => forwardTarget(r.text() ?? "", domain))
  const members = user.atAny(["preferences/mailgroup-member", "mailgroup-member"]).map((m) => forwardTarget(m.text() ?? "", domain))
  const targets = [...redirects, ...members].filter((t) => t.value !== "")
  if (targets.length > 0) forwards.add(address, user, targets, enabled)

  const responders = user.atAny([
    "preferences/autoresponders/autoresponder",
    "autoresponders/autoresponder",
    "preferences/autoresponder",
    "autoresponder",
  ])
  for (const wrapper of user.atAny(["preferences/autoresponders", "autoresponders"])) wrapper.ignore("enabled")
  let kept = false
  for (const responder of responders) {
    const on = responder.getAny(["status", "enabled"])
    const active = on === undefined || ["on", "true", "1", ""].includes(on.trim().toLowerCase())
    if (!active || kept) {
      noteAt(
        a,
        responder,
        "info",
        "autoresponder-not-imported",
        id,
        active
          ? "a second autoresponder of the same mailbox; Ferry imports one per address"
          : "the autoresponder is switched off; not imported",
      )
      responder.consumeAll()
      continue
    }
    kept = true
    const contentType = responder.getAny(["content-type", "format"])?.toLowerCase()
    const interval = responder.getAny(["interval", "ans-freq-hours"])
    const from = responder.getAny(["reply-to", "from"])
    const charset = responder.get("charset")
    a.builder.add({
      _tag: "Autoresponder",
      id: `autoresponder:${address}`,
      owner,
      source: { path: responder.file, detail: responder.path },
      address,
      subject: responder.get("subject") ?? "",
      body: responder.getAny(["text", "body"]) ?? "",
      ...(from ? { from } : {}),
      ...(charset ? { charset } : {}),
      ...(contentType !== undefined ? { html: contentType.includes("html") } : {}),
      ...(interval !== undefined && /^\d{1,6}$/.test(interval) ? { intervalHours: Number(interval) } : {}),
    })
    responder.ignore("name")
  }

  for (const [name, paths] of [
    ["spamassassin", ["preferences/spamassassin", "spamassassin"]],
    ["virusfilter", ["preferences/virusfilter", "virusfilter"]],
  ] as const) {
    const filter = user.atAny(paths)[0]
    if (filter === undefined) continue
    a.builder.add({
      _tag: "MailFilter",
      id: `mailfilter:${address}:${name}`,
      owner,
      source: { path: filter.file, detail: filter.path },
      scope: address,
      name,
      definition: filterDefinition(filter),
      format: "other",
    })
  }
}
