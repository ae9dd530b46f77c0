import type { Account, LimitKey, Limits, PermissionKey, Permissions } from "@ferry/core"
import { type Assembly, isLogin, noteAt } from "./Context.ts"
import type { XNode } from "./Xml.ts"

/*
 * Panel users: the administrator, resellers and clients (customers), with `gen_info` personal
 * data, limits, permissions, IP pool, template and owner (plesk.md §3, the client seed). Limit
 * and permission names follow the XML API descriptors; those not listed here are kept in
 * `extras` and noted.
 */

/** Plesk limit name → Ferry limit and the unit factor to bytes (sizes are bytes already). */
const limitNames: Readonly<Record<string, LimitKey>> = {
  max_dom: "domains",
  max_subdom: "subdomains",
  max_dom_aliases: "domainAliases",
  max_site: "sites",
  max_box: "mailboxes",
  mbox_quota: "mailboxQuotaBytes",
  max_redir: "forwarders",
  max_resp: "autoresponders",
  max_maillists: "mailingLists",
  max_db: "databases",
  max_db_users: "databaseUsers",
  max_wu: "webUsers",
  max_cl: "clients",
  max_resellers: "resellers",
  max_subftp_users: "ftpUsers",
  max_cron: "cronJobs",
  disk_space: "diskBytes",
  max_traffic: "trafficBytesPerMonth",
  expiration: "expiresAt",
}

const permissionNames: Readonly<Record<string, PermissionKey>> = {
  create_domains: "createDomains",
  create_clients: "createClients",
  manage_dns: "manageDns",
  manage_crontab: "manageCron",
  manage_db: "manageDatabases",
  manage_mail_settings: "manageMail",
  manage_ftp_password: "manageFtp",
  manage_ssl: "manageSsl",
  manage_subdomains: "manageSubdomains",
  manage_domain_aliases: "manageDomainAliases",
  manage_webusers: "manageWebUsers",
  manage_log: "manageLogRotation",
  manage_anonftp: "manageAnonymousFtp",
  manage_php_settings: "managePhpSettings",
  manage_spamfilter: "manageSpamFilter",
  manage_webapps: "manageWebApps",
  manage_sh_access: "shellAccess",
  manage_cgi: "cgi",
}

/** `gen_info` / `pinfo` / attribute names of personal data → Contact fields. */
const contactNames: Readonly<Record<string, keyof Account["contact"]>> = {
  pname: "name",
  name: "name",
  contact: "name",
  cname: "company",
  company: "company",
  email: "email",
  phone: "phone",
  fax: "fax",
  address: "address",
  city: "city",
  state: "state",
  pcode: "postalCode",
  zip: "postalCode",
  country: "country",
  locale: "locale",
}

const dateSeconds = (value: string | undefined): number | undefined => {
  const v = value?.trim()
  if (!v || !/^\d{4}-\d{2}-\d{2}/.test(v)) return undefined
  const ms = Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v)
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined
}

const readContact = (node: XNode, extras: Record<string, string>): Account["contact"] => {
  const contact: { -readonly [K in keyof Account["contact"]]?: string } = {}
  const put = (key: string, value: string | undefined, fallback: string) => {
    const v = value?.trim()
    if (v === undefined || v === "") return
    const field = contactNames[key]
    if (field !== undefined) contact[field] ??= v
    else extras[`${fallback}.${key}`] = v
  }
  // Plesk 9+ keeps personal data in gen_info (XML API names) or pinfo items; Plesk 8 in attributes.
  for (const info of [...node.all("gen_info"), ...node.at("preferences/gen_info")]) {
    for (const key of info.names()) {
      if (key === "#text") continue
      put(key, info.get(key), "info")
    }
  }
  for (const item of [...node.at("preferences/pinfo"), ...node.all("pinfo")]) put(item.get("name") ?? "", item.text(), "pinfo")
  for (const key of ["cname", "pname", "contact", "email", "phone", "fax", "address", "city", "state", "pcode", "country", "locale"]) {
    if (node.present(key)) put(key, node.get(key), "info")
  }
  return contact
}

/**
 * An Account from a `reseller`/`client`/`admin` element. `owner` is the owning account's id (null
 * at the top of the backup); a login Ferry cannot accept makes the whole object a note.
 */
export const readAccount = (a: Assembly, node: XNode, kind: Account["kind"], owner: string | null): Account | undefined => {
  const login = (node.getAny(["name", "login"]) ?? (kind === "admin" ? "admin" : "")).trim()
  if (!isLogin(login)) {
    noteAt(
      a,
      node,
      "error",
      "account-login-invalid",
      `${kind} ${JSON.stringify(login.slice(0, 60))}`,
      `the ${kind} login is not one Ferry accepts; the ${kind} and everything it owns are not imported`,
    )
    node.consumeAll()
    return undefined
  }
  const id = `account:${login}`
  const extras: Record<string, string> = Object.create(null)
  const contact = readContact(node, extras)
  for (const key of ["guid", "external-id", "description", "owner-name", "owner-login", "owner-guid"]) {
    const value = node.get(key)
    if (value !== undefined && value !== "") extras[key === "owner-name" || key === "owner-login" ? "sourceOwner" : key] = value
  }
  const createdAt = dateSeconds(node.getAny(["cr-date", "creation-date"]))
  const passwordHash = a.passwords.read(node.atAny(["properties/password", "password"])[0], "panel", id)

  let status: Account["status"] = "active"
  const statusNode = node.atAny(["properties/status", "status"])[0]
  if (statusNode !== undefined) {
    statusNode.ignore("enabled")
    const disabledBy = statusNode.one("disabled-by")
    if (disabledBy !== undefined) {
      status = "disabled"
      extras["disabledBy"] = disabledBy.get("name") ?? (disabledBy.text() || "unknown")
    }
  }

  const limits: { -readonly [K in keyof Limits]: Limits[K] } = {}
  const unmapped: Array<string> = []
  for (const limit of node.atAny(["limits-and-permissions/limit", "limits/limit", "limit"])) {
    const name = limit.get("name") ?? ""
    const raw = (limit.get("value") ?? limit.text() ?? "").trim()
    const key = limitNames[name]
    if (key === undefined || !/^-?\d{1,18}$/.test(raw)) {
      extras[`limit.${name}`] = raw
      unmapped.push(`limit ${name}`)
      continue
    }
    const n = Number(raw)
    limits[key] = n < 0 ? null : n
  }
  const permissions: { -readonly [K in keyof Permissions]: Permissions[K] } = {}
  for (const permission of node.atAny(["limits-and-permissions/permission", "permissions/permission", "permission"])) {
    const name = permission.get("name") ?? ""
    const raw = (permission.get("value") ?? permission.text() ?? "").trim().toLowerCase()
    const key = permissionNames[name]
    if (key === undefined || (raw !== "true" && raw !== "false")) {
      extras[`permission.${name}`] = raw
      unmapped.push(`permission ${name}`)
      continue
    }
    permissions[key] = raw === "true"
  }
  if (unmapped.length > 0) {
    noteAt(a, node, "info", "account-settings-kept", id, `kept for review but not applied (no Ferry equivalent): ${unmapped.join(", ")}`)
  }
  const ipPool = node
    .atAny(["ip_pool/ip", "ip-pool/ip", "ippool/ip"])
    .map((ip) => {
      ip.ignore("ip-type")
      return ip.get("ip-address")?.trim() ?? ""
    })
    .filter((ip) => ip !== "")
  const plan = node.getAny(["template-name", "preferences/template-name", "properties/template-name", "template"])?.trim()

  return {
    _tag: "Account",
    id,
    owner,
    source: { path: node.file, detail: node.path },
    kind,
    login,
    contact,
    status,
    ...(passwordHash !== undefined ? { passwordHash } : {}),
    limits,
    permissions,
    ipPool,
    ...(plan ? { plan } : {}),
    ...(createdAt !== undefined ? { createdAt } : {}),
    extras,
  }
}
