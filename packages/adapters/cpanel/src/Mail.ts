import { createPublicKey } from "node:crypto"
import { type Mailbox, type MailDomain, privateKeyPublicDer } from "@ferry/core"
import { Redacted } from "effect"
import { type Assembly, noteAt } from "./Collected.ts"
import { readAliasDirectories } from "./Forwarders.ts"
import type { KeyValueFile } from "./KeyValue.ts"
import { readMailboxes } from "./Mailboxes.ts"
import { isDomainName, listForMessage } from "./Paths.ts"

interface MailDraft {
  readonly name: string
  /** Payload-relative path the mail domain was first seen in. */
  readonly rel: string
  catchAll?: MailDomain["catchAll"]
  dkim?: MailDomain["dkim"]
}

/** Mail domains collected from several places (etc/, va/, domainkeys/) before they are built. */
export class MailDrafts {
  readonly drafts = new Map<string, MailDraft>()

  ensure(name: string, rel: string): MailDraft {
    let draft = this.drafts.get(name)
    if (!draft) {
      draft = { name, rel }
      this.drafts.set(name, draft)
    }
    return draft
  }
}

/** MXCHECK-<domain>: `0`/`auto` = auto, else cPanel's own word (local, secondary, remote). */
const routingOf = (value: string | undefined): string | undefined => {
  const v = value?.trim().toLowerCase()
  if (v === undefined || v === "") return undefined
  if (v === "0" || v === "auto") return "auto"
  return v
}

const spki = (pem: string): string | undefined => {
  try {
    return createPublicKey(pem).export({ type: "spki", format: "der" }).toString("base64")
  } catch {
    return undefined
  }
}

/** DKIM keys from `domainkeys/{private,public}/<domain>` (pitfall 25: imported, not regenerated). */
const readDkim = (a: Assembly, drafts: MailDrafts, accountDomains: ReadonlySet<string>): void => {
  const domains = new Set(
    [...a.meta.children("domainkeys/private"), ...a.meta.children("domainkeys/public")].map((f) => f.rel.split("/")[2] as string),
  )
  for (const domain of [...domains].sort()) {
    const privateFile = a.meta.get(`domainkeys/private/${domain}`)
    const publicFile = a.meta.get(`domainkeys/public/${domain}`)
    const rel = (privateFile ?? publicFile)?.rel as string
    const subject = `maildomain:${domain}`
    if (!isDomainName(domain) || !accountDomains.has(domain)) {
      noteAt(
        a,
        "warning",
        "dkim-foreign",
        subject,
        rel,
        `DKIM keys for ${domain.slice(0, 100)}, which is not a domain of this account, were ignored`,
      )
      continue
    }
    const privateKey = privateFile?.text?.trim()
    const publicKey = publicFile?.text?.trim()
    const derived = privateKey ? privateKeyPublicDer(`${privateKey}\n`) : undefined
    if (privateKey && derived === undefined) {
      noteAt(
        a,
        "warning",
        "dkim-key-unreadable",
        subject,
        rel,
        `the DKIM private key of ${domain} cannot be read; a new key must be generated`,
      )
    }
    if (derived !== undefined && publicKey && spki(publicKey) !== derived) {
      noteAt(
        a,
        "warning",
        "dkim-key-mismatch",
        subject,
        rel,
        `the DKIM public key of ${domain} does not belong to its private key; the private key wins`,
      )
    }
    if (!privateKey && !publicKey) continue
    drafts.ensure(domain, rel).dkim = {
      selector: "default",
      ...(privateKey && derived !== undefined ? { privateKey: Redacted.make(`${privateKey}\n`) } : {}),
      ...(publicKey ? { publicKey: `${publicKey}\n` } : {}),
    }
    noteAt(
      a,
      "info",
      "dkim-imported",
      subject,
      rel,
      `the DKIM key of ${domain} (selector "default") is carried over${derived === undefined ? " without a usable private key" : ""}`,
    )
  }
}

const storageOf = (a: Assembly, cp: KeyValueFile): Mailbox["storage"] => {
  const fromFile = a.home.files.get("mail/mailbox_format.cpanel")?.text?.trim().toLowerCase()
  const raw = fromFile || cp.values.get("MAILBOX_FORMAT")?.trim().toLowerCase() || "maildir"
  if (raw === "maildir" || raw === "mdbox" || raw === "mbox") return raw
  noteAt(a, "warning", "mailbox-format-unknown", a.accountId, `cp/${a.login}`, `unknown mailbox format ${JSON.stringify(raw.slice(0, 40))}`)
  return "unknown"
}

/** Mail: domains, mailboxes, forwarders, catch-alls, autoresponders, filters, lists, DKIM. */
export const buildMail = (a: Assembly, cp: KeyValueFile, accountDomains: ReadonlySet<string>): void => {
  const drafts = new MailDrafts()
  readMailboxes(a, drafts, storageOf(a, cp))
  readAliasDirectories(a, drafts)
  readDkim(a, drafts, accountDomains)
  const foreign: Array<string> = []
  for (const draft of [...drafts.drafts.values()].sort((x, y) => x.name.localeCompare(y.name))) {
    if (!accountDomains.has(draft.name)) foreign.push(draft.name)
    const routing = routingOf(cp.values.get(`MXCHECK-${draft.name}`))
    a.builder.add({
      _tag: "MailDomain",
      id: `maildomain:${draft.name}`,
      owner: a.accountId,
      source: { path: `${a.prefix}${draft.rel}` },
      name: draft.name,
      enabled: true,
      ...(draft.dkim ? { dkim: draft.dkim } : {}),
      ...(draft.catchAll ? { catchAll: draft.catchAll } : {}),
      ...(routing !== undefined ? { routing } : {}),
    })
  }
  if (foreign.length > 0) {
    noteAt(
      a,
      "warning",
      "mail-domain-foreign",
      "mail domains",
      `cp/${a.login}`,
      `mail data exists for domains that are not domains of this account: ${listForMessage(foreign)}`,
    )
  }
}
