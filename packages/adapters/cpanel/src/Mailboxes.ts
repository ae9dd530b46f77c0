import { asRecord, asString, cryptSchemeLoose, isLockedCrypt, type Mailbox, makePasswordHash, parseJson, parseYaml } from "@ferry/core"
import YAML from "yaml"
import { type Assembly, homePath, type SeenFile } from "./Collected.ts"
import type { MailDrafts } from "./Mail.ts"
import { isLocalPart, listForMessage } from "./Paths.ts"

type Storage = Mailbox["storage"]

const colonLines = (text: string): Array<{ line: number; fields: Array<string> }> =>
  text
    .split("\n")
    .map((raw, i) => ({ line: i + 1, raw: raw.replace(/\r$/, "") }))
    .filter(({ raw }) => raw.trim() !== "" && !raw.startsWith("#") && raw.length <= 8192)
    .map(({ line, raw }) => ({ line, fields: raw.split(":") }))

/** `email_accounts.json`: domain → box → { diskquota, suspended_login }. */
const readEmailAccounts = (a: Assembly): Map<string, Map<string, Record<string, unknown>>> => {
  const out = new Map<string, Map<string, Record<string, unknown>>>()
  const file = a.home.files.get(".cpanel/email_accounts.json")
  if (!file?.text) return out
  try {
    for (const [domain, value] of Object.entries(asRecord(parseJson(file.text)) ?? {})) {
      const accounts = asRecord(asRecord(value)?.["accounts"])
      if (!accounts) continue
      const boxes = new Map<string, Record<string, unknown>>()
      for (const [box, info] of Object.entries(accounts)) boxes.set(box, asRecord(info) ?? {})
      out.set(domain.toLowerCase(), boxes)
    }
  } catch (e) {
    a.builder.note({
      severity: "warning",
      code: "email-accounts-invalid",
      subject: "email_accounts.json",
      path: file.path,
      message: e instanceof Error ? e.message : String(e),
    })
  }
  return out
}

const note = (
  a: Assembly,
  severity: "info" | "warning" | "error",
  code: string,
  subject: string,
  file: SeenFile | string,
  message: string,
) => a.builder.note({ severity, code, subject, path: typeof file === "string" ? file : file.path, message })

/** Quotas from `etc/<domain>/quota` (bytes); empty file or missing line = unlimited. */
const readQuotas = (a: Assembly, domain: string): Map<string, number | null> | undefined => {
  const file = a.home.files.get(`etc/${domain}/quota`)
  if (!file) return undefined
  const quotas = new Map<string, number | null>()
  for (const { line, fields } of colonLines(file.text ?? "")) {
    const [box, value] = fields
    const raw = (value ?? "").trim()
    if (box === undefined || fields.length !== 2 || !/^\d*$/.test(raw)) {
      note(a, "warning", "mail-quota-line", `maildomain:${domain}`, file, `line ${line} is not box:bytes; ignored`)
      continue
    }
    quotas.set(box, raw === "" || Number(raw) === 0 ? null : Number(raw))
  }
  return quotas
}

/** Hashes from `etc/<domain>/shadow` (`box:crypt:days:…`). */
const readShadow = (a: Assembly, domain: string): Map<string, string> => {
  const hashes = new Map<string, string>()
  const file = a.home.files.get(`etc/${domain}/shadow`)
  for (const { line, fields } of colonLines(file?.text ?? "")) {
    if (fields.length < 2) {
      note(a, "warning", "mail-shadow-line", `maildomain:${domain}`, file as SeenFile, `line ${line} has no hash field; ignored`)
      continue
    }
    hashes.set(fields[0] as string, fields[1] as string)
  }
  return hashes
}

/** Per-mailbox rule sets from `etc/<domain>/<box>/filter.yaml` (format `cpanel-yaml`). */
const readFilters = (a: Assembly, address: string, file: SeenFile): void => {
  if (file.text === undefined) {
    note(a, "error", "file-too-large", address, file, "filter.yaml is larger than Ferry reads; the filters were not read")
    return
  }
  let rules: Array<unknown> = []
  try {
    const filters = asRecord(parseYaml(file.text, { version: "1.1" }))?.["filter"]
    rules = Array.isArray(filters) ? filters : []
  } catch (e) {
    note(a, "warning", "filter-yaml-invalid", address, file, e instanceof Error ? e.message : String(e))
    return
  }
  rules.forEach((rule, index) => {
    const record = asRecord(rule)
    if (!record) return
    const name = asString(record["filtername"])?.trim() || `filter-${index + 1}`
    const id = `mailfilter:${address}:${name}`
    if (asString(record["enabled"]) === "0") note(a, "info", "filter-disabled", id, file, `filter ${name} is disabled on the source`)
    a.builder.add({
      _tag: "MailFilter",
      id,
      owner: a.accountId,
      source: { path: file.path, detail: `filter[${index}]` },
      scope: address,
      name,
      definition: YAML.stringify(record),
      format: "cpanel-yaml",
    })
  })
}

/**
 * Mailboxes from `homedir/etc/<domain>/passwd`, with hashes (`shadow`), quotas (`quota`,
 * cross-checked with `.cpanel/email_accounts.json`), storage format and content (§5.9).
 */
export const readMailboxes = (a: Assembly, drafts: MailDrafts, defaultStorage: Storage): void => {
  const accounts = readEmailAccounts(a)
  const claimed = new Set<string>()
  for (const domain of [...a.home.etcDomains].sort()) {
    const passwd = a.home.files.get(`etc/${domain}/passwd`)
    drafts.ensure(domain, `homedir/etc/${domain}/`)
    if (!passwd) continue
    const hashes = readShadow(a, domain)
    const quotas = readQuotas(a, domain)
    const known = accounts.get(domain)
    for (const { line, fields } of colonLines(passwd.text ?? "")) {
      const box = fields[0] as string
      const address = `${box}@${domain}`
      const id = `mailbox:${address}`
      if (!isLocalPart(box) || fields.length < 6) {
        note(
          a,
          "warning",
          "mailbox-invalid",
          `mailbox ${JSON.stringify(address.slice(0, 120))}`,
          passwd,
          `line ${line} is not a valid mailbox entry; ignored`,
        )
        continue
      }
      claimed.add(`${domain}/${box}`)
      let enabled = true
      let hash = hashes.get(box)
      if (hash === undefined)
        note(a, "warning", "mailbox-password-missing", id, passwd, `${address} has no entry in shadow; a new password is needed`)
      else if (hash !== "" && isLockedCrypt(hash)) {
        enabled = false
        hash = hash.replace(/^[!*]+/, "")
        note(a, "info", "mailbox-locked", id, passwd, `the login of ${address} was suspended on the source`)
      }
      const info = known?.get(box)
      if (asString(info?.["suspended_login"]) === "1") enabled = false
      const listed = asString(info?.["diskquota"])?.trim()
      const listedQuota = listed === undefined ? undefined : /^\d+$/.test(listed) && Number(listed) > 0 ? Number(listed) : null
      const quotaBytes: number | null = quotas?.has(box) ? (quotas.get(box) as number | null) : quotas ? null : (listedQuota ?? null)
      if (listedQuota !== undefined && listedQuota !== quotaBytes) {
        note(
          a,
          "info",
          "mailbox-quota-mismatch",
          id,
          passwd,
          `quota file and email_accounts.json disagree for ${address}; the quota file is used`,
        )
      }
      if (!known?.has(box) && accounts.size > 0)
        note(a, "info", "mailbox-not-listed", id, passwd, `${address} is not in email_accounts.json`)
      const facts = a.home.mailDirs.get(`${domain}/${box}`)
      const storage: Storage = facts?.mdbox ? "mdbox" : defaultStorage
      const content = facts
        ? a.builder.declareContent({ id: `content:mail:${address}`, kind: "mail", path: homePath(a, `mail/${domain}/${box}/`) })
        : undefined
      if (storage === "mdbox") {
        note(
          a,
          "warning",
          "mailbox-mdbox",
          id,
          passwd,
          `${address} is stored as mdbox; it must be converted (doveadm sync) on import, files are not copied as Maildir`,
        )
      }
      if (facts && facts.compressed > 0) {
        note(
          a,
          "warning",
          "mailbox-compressed",
          id,
          homePath(a, `mail/${domain}/${box}/`),
          `${facts.compressed} messages of ${address} are gzip-compressed (about ${facts.compressedDeclaredBytes} bytes uncompressed); the copy must decompress them within limits or keep Dovecot's zlib plugin`,
        )
      }
      const filter = a.home.files.get(`etc/${domain}/${box}/filter.yaml`)
      if (filter) readFilters(a, address, filter)
      a.builder.add({
        _tag: "Mailbox",
        id,
        owner: a.accountId,
        source: { path: passwd.path, detail: `line ${line}` },
        address,
        localPart: box,
        domain,
        ...(hash !== undefined && hash !== "" ? { passwordHash: makePasswordHash(cryptSchemeLoose(hash), hash) } : {}),
        quotaBytes,
        storage,
        ...(content ? { content } : {}),
        enabled,
      })
    }
  }
  const orphans = [...a.home.mailDirs.keys()].filter((key) => !claimed.has(key))
  if (orphans.length > 0) {
    note(
      a,
      "warning",
      "mail-orphan-directory",
      "mail directories",
      homePath(a, "mail/"),
      `mail directories without a mailbox in etc/*/passwd are carried only inside the home content: ${listForMessage(orphans)}`,
    )
  }
  const indexFiles = [...a.home.mailDirs.values()].reduce((n, f) => n + f.indexFiles, 0)
  if (indexFiles > 0) {
    note(
      a,
      "info",
      "mail-index-files",
      "mail directories",
      homePath(a, "mail/"),
      `${indexFiles} Dovecot index/uidlist files; the receiving server rebuilds its indexes (copying them is optional)`,
    )
  }
  for (const [link, target] of a.home.mailLinks) {
    const match = /^\.(.+)@(.+)$/.exec(link)
    const expected = match ? `${(match[2] as string).replace(/_/g, ".")}/${match[1]}` : undefined
    if (expected === undefined || !claimed.has(expected) || target.replace(/\/+$/, "") !== expected) {
      note(
        a,
        "info",
        "mail-link-unexpected",
        `mail/${link}`,
        homePath(a, `mail/${link}`),
        `mail namespace link ${link} → ${target} does not match a mailbox of this backup`,
      )
    }
  }
  if (a.home.defaultMailboxFolders.size > 0) {
    let bytes = 0
    let files = 0
    for (const folder of a.home.defaultMailboxFolders) {
      const m = a.builder.sizes.measure(homePath(a, `mail/${folder}/`))
      bytes += m.bytes
      files += m.files
    }
    note(
      a,
      "info",
      "default-mailbox",
      a.accountId,
      homePath(a, "mail/"),
      `the account's own default mailbox (${a.login}; ${[...a.home.defaultMailboxFolders].sort().join(", ")}: ${files} files, ${bytes} bytes) is not a mailbox entity; it travels inside the home directory content`,
    )
  }
}
