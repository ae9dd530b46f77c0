import type { Account, LimitKey, Limits, PermissionKey, Permissions } from "@ferry/core"
import { type Assembly, noteObject, putExtras, sourceHomeOf } from "./Assembly.ts"
import type { Fields } from "./Fields.ts"
import type { PanelObject } from "./PanelObject.ts"
import { passwordOf } from "./Passwords.ts"

/*
 * Users, with the limits of their preset (user template) filled in where the user states none
 * (ispmanager.md §4.4: a user is restored after its preset; §7.3 `limit_*` fields). ispmanager 4
 * names its limits differently (`disklimit`, `maillimit`, … — assumed, see the README).
 */

const mib = 1024 * 1024

/** Ferry limit ← panel fields (ISPtar first, then ispmanager 4), with the unit factor. */
const limitFields: ReadonlyArray<readonly [LimitKey, ReadonlyArray<string>, number]> = [
  ["sites", ["limit_webdomains", "webdomainlimit"], 1],
  ["mailDomains", ["limit_emaildomains", "maildomainlimit"], 1],
  ["mailboxes", ["limit_emails", "maillimit"], 1],
  ["databases", ["limit_db", "baselimit"], 1],
  ["databaseUsers", ["limit_db_users", "baseuserlimit"], 1],
  ["ftpUsers", ["limit_ftp_users", "ftplimit"], 1],
  ["domains", ["limit_domains", "domainlimit"], 1],
  ["diskBytes", ["quota", "limit_quota", "disklimit"], mib],
  ["trafficBytesPerMonth", ["limit_traff", "traflimit"], mib],
  ["mailPerHour", ["limit_mailrate"], 1],
]

const permissionFields: ReadonlyArray<readonly [PermissionKey, ReadonlyArray<string>]> = [
  ["shellAccess", ["limit_shell", "shell"]],
  ["cgi", ["limit_cgi", "cgi"]],
  ["manageSsl", ["limit_ssl", "ssl"]],
  ["manageDatabases", ["limit_db_enabled"]],
  ["manageMail", ["limit_emaildomains_enabled"]],
  ["createDomains", ["limit_webdomains_enabled"]],
  ["manageDns", ["limit_domains_enabled"]],
]

/** "" / "unlimited" / "-1" → null (unlimited); a number → number × unit; else undefined. */
const limitValue = (fields: Fields, keys: ReadonlyArray<string>, unit: number, invalid: Array<string>): number | null | undefined => {
  const raw = fields.value(...keys)
  if (raw === undefined) return undefined
  const value = raw.toLowerCase()
  if (value === "" || value === "unlimited" || value === "-1") return null
  if (!/^\d{1,15}$/.test(value)) {
    invalid.push(keys[0] as string)
    return undefined
  }
  return Number(value) * unit
}

const limitsOf = (fields: Fields | undefined, invalid: Array<string>): Partial<Record<LimitKey, number | null>> => {
  const out: Partial<Record<LimitKey, number | null>> = {}
  if (fields === undefined) return out
  for (const [key, names, unit] of limitFields) {
    const value = limitValue(fields, names, unit, invalid)
    if (value !== undefined) out[key] = value
  }
  return out
}

const permissionsOf = (fields: Fields | undefined): Partial<Record<PermissionKey, boolean>> => {
  const out: Partial<Record<PermissionKey, boolean>> = {}
  if (fields === undefined) return out
  for (const [key, names] of permissionFields) {
    const value = fields.flag(...names)
    if (value !== undefined) out[key] = value
  }
  return out
}

export const buildAccounts = (
  a: Assembly,
  users: ReadonlyArray<PanelObject>,
  presets: ReadonlyArray<PanelObject>,
  userconfs: ReadonlyArray<PanelObject>,
): void => {
  const presetByName = new Map(presets.map((p) => [p.fields.text("name") ?? p.name, p]))
  for (const preset of presets) {
    noteObject(
      a,
      preset,
      "info",
      "preset",
      "user template: its limits fill in those the user does not state; the template itself is not imported",
    )
  }
  for (const user of users) {
    const f = user.fields
    const login = f.text("name") ?? user.name
    const id = `account:${login}`
    const presetName = f.text("preset")
    const preset = presetName !== undefined && presetName !== "#custom" ? presetByName.get(presetName) : undefined
    if (presetName !== undefined && presetName !== "#custom" && preset === undefined) {
      noteObject(
        a,
        user,
        "warning",
        "preset-missing",
        `the user's template ${JSON.stringify(presetName.slice(0, 60))} is not in the backup; only the user's own limits are known`,
      )
    }
    const invalid: Array<string> = []
    const limits: Limits = { ...limitsOf(preset?.fields, invalid), ...limitsOf(f, invalid) }
    const permissions: Permissions = { ...permissionsOf(preset?.fields), ...permissionsOf(f) }
    if (invalid.length > 0)
      noteObject(a, user, "warning", "limit-unreadable", `limits that are not numbers were ignored: ${[...new Set(invalid)].join(", ")}`)
    const shellPath = f.text("shell")
    const conf = userconfs.find((c) => c.name === login)
    const locale = conf?.fields.text("lang", "locale") ?? f.text("loc", "lang")
    const suspended =
      f.flag("active", "enabled") === false ||
      f.flag("suspended", "disabled") === true ||
      /^(suspended|disabled|off)$/i.test(f.text("status") ?? "")
    const extras: Record<string, string> = {}
    const sourceOwner = user.owner ?? f.text("owner")
    if (sourceOwner !== undefined) extras["sourceOwner"] = sourceOwner
    if (presetName !== undefined) extras["preset"] = presetName
    const passwordHash = passwordOf(a, user, f.text("passwd", "password"), "system", "account password")
    const contact = {
      ...(f.text("fullname") !== undefined ? { name: f.text("fullname") as string } : {}),
      ...(f.text("email") !== undefined ? { email: f.text("email") as string } : {}),
      ...(locale !== undefined ? { locale } : {}),
    }
    f.mark("confirm", "status", "owner")
    putExtras(extras, f)
    if (conf !== undefined) putExtras(extras, conf.fields, "userconf.")
    const account: Account = {
      _tag: "Account",
      id,
      owner: null,
      source: { path: user.source.path, detail: user.source.detail },
      kind: "client",
      login,
      contact,
      status: suspended ? "suspended" : "active",
      ...(passwordHash !== undefined ? { passwordHash } : {}),
      limits,
      permissions,
      ipPool: f.list("ip", "ipaddrs"),
      ...(presetName !== undefined && presetName !== "#custom" ? { plan: presetName } : {}),
      homeDir: f.text("home") ?? sourceHomeOf(login),
      ...(shellPath?.startsWith("/") ? { shell: shellPath } : {}),
      extras,
    }
    a.builder.add(account)
    a.accounts.set(login, id)
  }
  for (const conf of userconfs) {
    if (!a.accounts.has(conf.name))
      noteObject(a, conf, "info", "userconf-orphan", "interface settings of a user not in this backup; not imported")
  }
}
