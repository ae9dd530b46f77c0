import { type Account, cryptSchemeLoose, isLockedCrypt, type Limits, makePasswordHash, type PasswordHash } from "@ferry/core"
import { type Assembly, noteAt } from "./Collected.ts"
import { isSecretKey, type KeyValueFile } from "./KeyValue.ts"
import { nonEmptyLines } from "./Paths.ts"

const MiB = 1024 * 1024

/** Keys this module maps to entity fields (everything else that is not secret goes to extras). */
const mappedKey =
  /^(USER|OWNER|PLAN|CONTACTEMAIL|LOCALE|STARTDATE|IP|HOMEDIRPATHS|SUSPENDED|DISK_BLOCK_LIMIT|BWLIMIT|MAXPOP|MAXSQL|MAXSUB|MAXADDON|MAXPARK|MAXFTP|MAXLST|MAX_EMAILACCT_QUOTA|MAX_EMAIL_PER_HOUR|HASCGI|X?DNS\d*|MXCHECK-.+)$/

const noShell = new Set(["", "/bin/false", "/sbin/nologin", "/usr/sbin/nologin", "/usr/local/cpanel/bin/noshell"])

/** Account password from `shadow`: the crypt string alone (no user, no colon, no newline). */
const accountPassword = (a: Assembly): PasswordHash | undefined => {
  const file = a.meta.get("shadow")
  if (!file) return undefined
  const value = (file.text ?? "").trim()
  if (value === "") {
    noteAt(a, "warning", "account-password-missing", a.accountId, "shadow", "the account password file is empty; a new password is needed")
    return undefined
  }
  if (isLockedCrypt(value)) {
    const unlocked = value.replace(/^[!*]+/, "")
    if (unlocked !== "" && cryptSchemeLoose(unlocked) !== "unknown") {
      noteAt(a, "info", "account-password-locked", a.accountId, "shadow", "the account password was locked on the source; the hash is kept")
      return makePasswordHash(cryptSchemeLoose(unlocked), unlocked)
    }
    noteAt(a, "warning", "account-password-locked", a.accountId, "shadow", "the account password is locked and holds no usable hash")
    return undefined
  }
  return makePasswordHash(cryptSchemeLoose(value), value)
}

/** Reseller ACLs, when `resellerconfig/resellers` lists this login (`user:acl,acl`). */
const resellerAcls = (a: Assembly): string | undefined => {
  const text = a.meta.text("resellerconfig/resellers")
  if (text === undefined) return undefined
  for (const line of nonEmptyLines(text)) {
    const at = line.indexOf(":")
    if (at > 0 && line.slice(0, at) === a.login) return line.slice(at + 1)
  }
  return undefined
}

/**
 * The Account from `cp/USER`, `shadow`, `shell`, `quota`, `suspended/`, `suspendinfo/` and
 * `resellerconfig/` (§5.1, §6). Units become bytes and counts; `unlimited` becomes null.
 */
export const buildAccount = (a: Assembly, cp: KeyValueFile, cpRel: string): Account => {
  const v = cp.values
  const get = (key: string): string | undefined => v.get(key)
  for (const problem of cp.problems) {
    noteAt(a, "warning", "cp-user-line", a.accountId, cpRel, `line ${problem.line}: ${problem.message}`)
  }
  const fileUser = get("USER")
  if (fileUser !== undefined && fileUser !== a.login) {
    noteAt(
      a,
      "warning",
      "cp-user-mismatch",
      a.accountId,
      cpRel,
      `USER=${fileUser} differs from the file name; the file name (${a.login}) is used`,
    )
  }

  const number = (key: string, scale: number, zeroIsUnlimited: boolean): number | null | undefined => {
    const raw = get(key)?.trim()
    if (raw === undefined || raw === "") return undefined
    if (raw.toLowerCase() === "unlimited") return null
    if (!/^\d+$/.test(raw)) {
      noteAt(a, "warning", "cp-user-limit", a.accountId, cpRel, `${key}=${raw.slice(0, 40)} is not a number; the limit is left unset`)
      return undefined
    }
    const n = Number(raw)
    if (n === 0 && zeroIsUnlimited) return null
    return n * scale
  }
  const limits: { -readonly [K in keyof Limits]: Limits[K] } = {}
  const put = (key: keyof Limits, value: number | null | undefined) => {
    if (value !== undefined) limits[key] = value
  }
  put("diskBytes", number("DISK_BLOCK_LIMIT", 1024, true))
  put("trafficBytesPerMonth", number("BWLIMIT", 1, true))
  put("mailboxes", number("MAXPOP", 1, false))
  put("databases", number("MAXSQL", 1, false))
  put("subdomains", number("MAXSUB", 1, false))
  put("addonDomains", number("MAXADDON", 1, false))
  put("domainAliases", number("MAXPARK", 1, false))
  put("ftpUsers", number("MAXFTP", 1, false))
  put("mailingLists", number("MAXLST", 1, false))
  put("mailboxQuotaBytes", number("MAX_EMAILACCT_QUOTA", MiB, true))
  put("mailPerHour", number("MAX_EMAIL_PER_HOUR", 1, true))

  const quotaText = a.meta.text("quota")?.trim()
  if (quotaText !== undefined && quotaText !== "") {
    const quotaBytes = /^\d+$/.test(quotaText) ? (Number(quotaText) === 0 ? null : Number(quotaText) * MiB) : undefined
    if (quotaBytes === undefined) noteAt(a, "warning", "quota-file", a.accountId, "quota", "the quota file does not hold a number")
    else if (limits.diskBytes === undefined) limits.diskBytes = quotaBytes
    else if (quotaBytes !== limits.diskBytes) {
      noteAt(
        a,
        "warning",
        "quota-mismatch",
        a.accountId,
        "quota",
        `quota (${quotaText} MB) differs from DISK_BLOCK_LIMIT; DISK_BLOCK_LIMIT is used`,
      )
    }
  }

  const suspendedFile = a.meta.get(`suspended/${a.login}`)
  const suspendInfo = a.meta.get(`suspendinfo/${a.login}`)
  const suspended = get("SUSPENDED") === "1" || suspendedFile !== undefined
  const reasonText = [suspendedFile?.text, suspendInfo?.text]
    .map((t) => (t ?? "").replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, " ").trim())
    .find((t) => t !== "")
  if (!suspended && (get("SUSPENDTIME") ?? "").trim() !== "" && get("SUSPENDTIME") !== "0") {
    noteAt(
      a,
      "info",
      "suspendtime-leftover",
      a.accountId,
      cpRel,
      "SUSPENDTIME is set but SUSPENDED is not: left over from an earlier suspension; the account is active",
    )
  }

  const passwordHash = accountPassword(a)
  const shell = a.meta.text("shell")?.trim()
  const acls = resellerAcls(a)
  const startDate = get("STARTDATE")?.trim() ?? ""
  const createdAt = /^\d+$/.test(startDate) && Number(startDate) > 0 ? Number(startDate) : undefined
  const homeDir = get("HOMEDIRPATHS")?.trim().split(/\s+/)[0] || a.homePrefixes[0]
  const email = get("CONTACTEMAIL")?.trim()
  const locale = get("LOCALE")?.trim() || get("LANG")?.trim()
  const ip = get("IP")?.trim()

  const extras: Record<string, string> = Object.create(null)
  const withheld: Array<string> = []
  if (get("OWNER") !== undefined) extras["sourceOwner"] = get("OWNER") as string
  for (const [key, value] of v) {
    if (mappedKey.test(key)) continue
    if (isSecretKey(key)) {
      if (value.trim() !== "") withheld.push(key)
      continue
    }
    extras[key] = value
  }
  if (acls !== undefined) extras["resellerAcls"] = acls
  if (withheld.length > 0) {
    noteAt(a, "info", "secret-withheld", a.accountId, cpRel, `credential-like settings were not carried over: ${withheld.join(", ")}`)
  }

  return {
    _tag: "Account",
    id: a.accountId,
    owner: null,
    source: { path: `${a.prefix}${cpRel}` },
    kind: acls !== undefined ? "reseller" : "client",
    login: a.login,
    contact: { ...(email ? { email } : {}), ...(locale ? { locale } : {}) },
    status: suspended ? "suspended" : "active",
    ...(suspended && reasonText !== undefined ? { suspendReason: reasonText.slice(0, 1000) } : {}),
    ...(passwordHash ? { passwordHash } : {}),
    limits,
    permissions: {
      ...(get("HASCGI") !== undefined ? { cgi: get("HASCGI") === "1" } : {}),
      ...(shell !== undefined ? { shellAccess: !noShell.has(shell) } : {}),
    },
    ipPool: ip ? [ip] : [],
    ...(get("PLAN") ? { plan: get("PLAN") as string } : {}),
    ...(homeDir ? { homeDir } : {}),
    ...(shell ? { shell } : {}),
    ...(createdAt !== undefined ? { createdAt } : {}),
    extras,
  }
}
