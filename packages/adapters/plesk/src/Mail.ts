import { type MailDomain, privateKeyPublicDer } from "@ferry/core"
import { Redacted } from "effect"
import { type Assembly, isLocalPart, noteAt } from "./Context.ts"
import { ForwardDrafts, forwardTarget, readMailUser } from "./MailUsers.ts"
import type { XNode } from "./Xml.ts"

/** `bounce:<message>`, `reject`, `discard` or an address (plesk.md §3). */
const catchAllOf = (value: string, domain: string): MailDomain["catchAll"] | undefined => {
  const v = value.trim()
  if (v === "") return undefined
  if (v.toLowerCase().startsWith("bounce:")) return { action: "bounce", message: v.slice("bounce:".length).trim() }
  if (v.toLowerCase() === "bounce") return { action: "bounce" }
  if (v.toLowerCase() === "reject") return { action: "reject" }
  if (v.toLowerCase() === "discard") return { action: "discard" }
  const target = forwardTarget(v, domain)
  return { action: "forward", target: target.kind === "address" ? target.value : v }
}

/** DomainKeys/DKIM: the private key is carried only when it is a readable key. */
const dkimOf = (a: Assembly, node: XNode, domain: string): MailDomain["dkim"] | undefined => {
  const state = node.getAny(["state", "enabled", "status"])
  if (state !== undefined && !["true", "on", "1", "enabled", ""].includes(state.trim().toLowerCase())) return undefined
  const privateKey = node.get("private-key")?.trim()
  const publicKey = node.get("public-key")?.trim()
  const selector = (node.get("selector") ?? "default").trim() || "default"
  const lines = (pem: string) =>
    `${pem
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== "")
      .join("\n")}\n`
  const key = privateKey ? lines(privateKey) : undefined
  const usable = key !== undefined && privateKeyPublicDer(key) !== undefined
  if (key !== undefined && !usable)
    noteAt(
      a,
      node,
      "warning",
      "dkim-key-unreadable",
      `maildomain:${domain}`,
      "the DKIM private key cannot be read; a new key must be generated",
    )
  if (!usable && !publicKey) return undefined
  return {
    selector,
    ...(usable ? { privateKey: Redacted.make(key) } : {}),
    ...(publicKey ? { publicKey: lines(publicKey) } : {}),
  }
}

/**
 * The mail system of a domain: MailDomain (status, catch-all, DomainKeys), its mail users,
 * forwarders, mailing lists, and a domain-wide mail content archive (Obsidian `domainmail`).
 * `quotaUnit` is 1024 for Plesk 8, whose quotas are KiB.
 */
export const readMail = (a: Assembly, system: XNode, domain: string, owner: string | null, quotaUnit: number): void => {
  const id = `maildomain:${domain}`
  let enabled = true
  const status = system.atAny(["properties/status", "status"])[0]
  if (status !== undefined) {
    status.ignore("enabled")
    if (status.present("disabled-by")) {
      enabled = false
      status.ignore("disabled-by")
    }
  }
  const catchAllText = system.getAny(["preferences/catch-all", "catch-all"])
  const catchAll = catchAllText !== undefined ? catchAllOf(catchAllText, domain) : undefined
  const keys = system.atAny(["preferences/domain-keys", "domain-keys", "preferences/domainkeys", "domainkeys"])[0]
  const dkim = keys !== undefined ? dkimOf(a, keys, domain) : undefined
  a.builder.add({
    _tag: "MailDomain",
    id,
    owner,
    source: { path: system.file, detail: system.path },
    name: domain,
    enabled,
    ...(dkim ? { dkim } : {}),
    ...(catchAll ? { catchAll } : {}),
  })
  if (dkim?.privateKey !== undefined)
    noteAt(a, system, "info", "dkim-imported", id, `the DKIM key of ${domain} (selector "${dkim.selector}") is carried over`)

  for (const cid of system.at("content/cid")) {
    const type = cid.get("type") ?? ""
    if (type === "domainmail" || type === "mailbox") a.content.ref(cid, "mail", `content:mail:${domain}`, id)
    else a.content.other(cid, id)
  }

  const forwards = new ForwardDrafts()
  for (const user of system.atAny(["mailusers/mailuser", "mailuser"])) readMailUser(a, user, domain, owner, forwards, quotaUnit)
  for (const [address, draft] of forwards.drafts) {
    const fid = `forwarder:${address}`
    a.builder.add({
      _tag: "Forwarder",
      id: fid,
      owner,
      source: { path: draft.node.file, detail: draft.node.path },
      address,
      scope: "address",
      targets: draft.targets,
      ...(draft.keepCopy !== undefined ? { keepCopy: draft.keepCopy } : {}),
    })
    const risky = draft.targets.filter((t) => t.kind !== "address")
    if (risky.length > 0)
      noteAt(
        a,
        draft.node,
        "warning",
        "forward-target-unsafe",
        fid,
        `forwards to ${risky.map((t) => t.kind).join(", ")} targets; these are refused on import by default`,
      )
  }

  for (const list of system.at("maillists/maillist")) readMailingList(a, list, domain, owner)
}

/** A mailing list: owners (admins), recipients (members) and its archive content. */
export const readMailingList = (a: Assembly, list: XNode, domain: string, owner: string | null): void => {
  const name = (list.get("name") ?? "").trim().toLowerCase()
  const id = `mailinglist:${name}@${domain}`
  if (!isLocalPart(name)) {
    noteAt(
      a,
      list,
      "error",
      "mailing-list-name-invalid",
      `mailing list ${JSON.stringify(name.slice(0, 60))}@${domain}`,
      "not a valid list name; skipped",
    )
    list.consumeAll()
    return
  }
  list.ignore("status", "guid")
  if (list.present("password")) {
    list.ignore("password")
    noteAt(a, list, "info", "mailing-list-password", id, "the list administrator password is not carried over; Mailman sets a new one")
  }
  const addresses = (nodes: ReadonlyArray<XNode>) =>
    nodes.map((n) => (n.getAny(["email", "address"]) ?? n.text() ?? "").trim().toLowerCase()).filter((v) => v.includes("@"))
  let content: string | undefined
  for (const cid of list.at("content/cid")) content ??= a.content.ref(cid, "mailing-list", `content:list:${name}@${domain}`, id)
  a.builder.add({
    _tag: "MailingList",
    id,
    owner,
    source: { path: list.file, detail: list.path },
    name,
    domain,
    manager: "mailman",
    admins: addresses([...list.all("owner"), ...list.at("owners/owner")]),
    members: addresses([...list.all("recipient"), ...list.at("recipients/recipient"), ...list.all("member")]),
    ...(content !== undefined ? { content } : {}),
  })
}
