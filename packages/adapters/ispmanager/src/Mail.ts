import { type ForwardTarget, isPrivateKeyLabel, type Mailbox, type MailDomain, pemBlocks } from "@ferry/core"
import { Redacted } from "effect"
import { type Assembly, homeOf, homeRelative, noteObject, ownerId, ownerLogin } from "./Assembly.ts"
import type { Fields } from "./Fields.ts"
import type { PanelObject } from "./PanelObject.ts"
import { passwordOf } from "./Passwords.ts"

/*
 * Mail domains (`emaildomain`), mailboxes (`email`), and ispmanager 4's e-mail groups and
 * redirects. Where mail lives in an ISPtar backup is not documented (§8 #2): Ferry looks for the
 * Maildir at the mailbox's `backup/path`, else at `email/<domain>/<box>/` in the home (the
 * layout ispmanager servers use); ispmanager 4 attaches each mailbox as a payload archive.
 */

const mib = 1024 * 1024

/** `defaction` (default action for unknown addresses) → catch-all. */
const catchAllOf = (f: Fields): MailDomain["catchAll"] | "unrecognised" | undefined => {
  const action = f.text("defaction", "default_action", "catchall_action")?.toLowerCase()
  const target = f.text("redirect", "defaction_redirect", "catchall", "forward")
  if (action === undefined || action === "" || action === "none" || action === "default") return undefined
  if (/^(error|reject|bounce)$/.test(action)) return { action: "reject" }
  if (/^(ignore|drop|discard|blackhole|delete)$/.test(action)) return { action: "discard" }
  if (/^(redirect|forward)$/.test(action)) return target !== undefined ? { action: "forward", target } : "unrecognised"
  return "unrecognised"
}

const enabledOf = (f: Fields): boolean => f.flag("active", "enabled") ?? !(f.flag("suspended", "disabled") ?? false)

export const buildMailDomains = (a: Assembly, objects: ReadonlyArray<PanelObject>): void => {
  for (const object of objects) {
    const f = object.fields
    const name = (f.text("name") ?? object.name).toLowerCase()
    const owner = ownerId(a, object)
    f.mark("owner", "ip", "ipaddrs")
    const catchAll = catchAllOf(f)
    if (catchAll === "unrecognised") {
      noteObject(
        a,
        object,
        "warning",
        "catch-all-unrecognised",
        "the default action for unknown addresses is not recognised; the receiving server's default applies",
      )
    }
    let dkim: MailDomain["dkim"]
    if (f.flag("dkim") === true) {
      const blocks = f.strings().flatMap(([key, text]) => pemBlocks(text).map((block) => ({ key, block })))
      const privateKey = blocks.find((b) => isPrivateKeyLabel(b.block.label))
      const publicKey = blocks.find((b) => b.block.label === "PUBLIC KEY")
      for (const found of [privateKey, publicKey]) if (found !== undefined) f.mark(found.key)
      dkim = {
        selector: f.text("dkim_selector", "selector") ?? "dkim",
        ...(privateKey !== undefined ? { privateKey: Redacted.make(privateKey.block.text) } : {}),
        ...(publicKey !== undefined ? { publicKey: publicKey.block.text } : {}),
      }
      if (privateKey === undefined)
        noteObject(a, object, "info", "dkim-key-missing", "DKIM is on but its key is not in the backup; a new key will be generated")
    }
    a.builder.add({
      _tag: "MailDomain",
      id: `maildomain:${name}`,
      owner,
      source: object.source,
      name,
      enabled: enabledOf(f),
      ...(dkim !== undefined ? { dkim } : {}),
      ...(catchAll !== undefined && catchAll !== "unrecognised" ? { catchAll } : {}),
    })
  }
}

export const forwardTarget = (value: string): ForwardTarget => {
  if (value.startsWith("|")) return { kind: "pipe", value: value.slice(1).trim() }
  if (value.startsWith(":include:")) return { kind: "include", value: value.slice(":include:".length) }
  if (value.startsWith("/")) return { kind: "file", value }
  if (value.includes("@")) return { kind: "address", value: value.toLowerCase() }
  return { kind: "local-user", value }
}

/** The address of a mailbox object: a full address anywhere, else local part + domain. */
const addressOf = (object: PanelObject): { local: string; domain: string } | undefined => {
  const f = object.fields
  const candidates = [object.name, f.text("name"), f.text("email", "address")]
  for (const candidate of candidates) {
    const match = candidate !== undefined ? /^([^@\s]+)@([^@\s]+)$/.exec(candidate) : null
    if (match) return { local: match[1] as string, domain: (match[2] as string).toLowerCase() }
  }
  const local = f.text("name")
  const domain = f.text("domainname", "domain", "maildomain")
  return local !== undefined && domain !== undefined ? { local, domain: domain.toLowerCase() } : undefined
}

export interface MailboxPayloads {
  /** ispmanager 4: archive path of the attached mailbox archive, by address. */
  readonly archives?: ReadonlyMap<string, string>
}

export const buildMailboxes = (a: Assembly, objects: ReadonlyArray<PanelObject>, payloads: MailboxPayloads = {}): void => {
  for (const object of objects) {
    const f = object.fields
    const address = addressOf(object)
    if (address === undefined) {
      noteObject(a, object, "warning", "mailbox-unreadable", "neither a full address nor a name and domain; not imported")
      continue
    }
    f.mark("name", "domainname", "domain", "confirm", "filename")
    const full = `${address.local}@${address.domain}`
    const owner = ownerId(a, object)
    const login = ownerLogin(a, owner)
    const quotaRaw = f.value("maxsize", "quota")
    const quotaMiB = quotaRaw !== undefined && /^\d{1,12}$/.test(quotaRaw) ? Number(quotaRaw) : undefined
    if (quotaRaw !== undefined && quotaRaw !== "" && quotaMiB === undefined) {
      noteObject(
        a,
        object,
        "info",
        "quota-unreadable",
        `mailbox size limit ${JSON.stringify(quotaRaw.slice(0, 30))} is not a number; imported without a limit`,
      )
    }
    let content: string | undefined
    let storage: Mailbox["storage"] = "unknown"
    const archive = payloads.archives?.get(full)
    if (archive !== undefined) {
      content = a.builder.declareContent({ id: `content:mail:${full}`, kind: "mail", path: archive })
      storage = "maildir"
    } else {
      const rel = (object.path !== undefined ? homeRelative(object.path, login) : undefined) ?? `email/${address.domain}/${address.local}`
      const dir = `${homeOf(a, login)}${rel}`
      if (a.index.hasDir(dir)) {
        content = a.builder.declareContent({ id: `content:mail:${full}`, kind: "mail", path: `${dir}/` })
        a.owned.push(`${dir}/`)
        storage = a.index.hasDir(`${dir}/cur`) || a.index.hasDir(`${dir}/new`) ? "maildir" : "unknown"
      } else {
        noteObject(
          a,
          object,
          "info",
          "mail-content-missing",
          `no mail for ${full} in the backup (looked in ${rel}/); the mailbox starts empty`,
        )
      }
    }
    const passwordHash = passwordOf(a, object, f.text("passwd", "password"), "system", "mailbox password")
    a.builder.add({
      _tag: "Mailbox",
      id: `mailbox:${full}`,
      owner,
      source: object.source,
      address: full,
      localPart: address.local,
      domain: address.domain,
      ...(passwordHash !== undefined ? { passwordHash } : {}),
      quotaBytes: quotaMiB === undefined || quotaMiB === 0 ? null : quotaMiB * mib,
      storage,
      ...(content !== undefined ? { content } : {}),
      enabled: enabledOf(f),
    })
    const forwards = f.list("forward", "redirect")
    if (forwards.length > 0) {
      const keepCopy = !(f.flag("dontsave") ?? false)
      a.builder.add({
        _tag: "Forwarder",
        id: `forwarder:${full}`,
        owner,
        source: object.source,
        address: full,
        scope: "address",
        targets: forwards.map(forwardTarget),
        keepCopy,
      })
    } else f.mark("dontsave")
  }
}

/**
 * ispmanager 4 e-mail redirects and groups. A group delivers to each member, so it becomes a
 * forwarder to its members (the model has no plain distribution list).
 */
export const buildMailAliases = (a: Assembly, objects: ReadonlyArray<PanelObject>): void => {
  for (const object of objects) {
    const f = object.fields
    const address = (object.name.includes("@") ? object.name : (f.text("name", "email") ?? object.name)).toLowerCase()
    const targets = f.list("members", "redirect", "forward", "list", "users", "target")
    if (!address.includes("@") || targets.length === 0) {
      noteObject(a, object, "warning", "alias-unreadable", "an e-mail redirect or group without an address or targets; not imported")
      continue
    }
    if (object.type === "emailgroup")
      noteObject(a, object, "info", "mail-group", `an e-mail group: imported as a forwarder to its ${targets.length} members`)
    a.builder.add({
      _tag: "Forwarder",
      id: `forwarder:${address}`,
      owner: ownerId(a, object),
      source: object.source,
      address,
      scope: "address",
      targets: targets.map(forwardTarget),
    })
    f.mark("name", "owner")
  }
}
