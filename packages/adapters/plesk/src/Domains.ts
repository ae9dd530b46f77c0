import { domainToASCII } from "node:url"
import type { Domain, Site } from "@ferry/core"
import { readCertificates } from "./Certificates.ts"
import { type Assembly, isDomainName, noteAt } from "./Context.ts"
import { type DatabaseUsers, readDatabases } from "./Databases.ts"
import { readZone } from "./Dns.ts"
import { readSite } from "./Hosting.ts"
import { readMail, readMailingList } from "./Mail.ts"
import type { XNode } from "./Xml.ts"

export interface DomainInput {
  readonly owner: string | null
  readonly kind: "main" | "addon"
  /** The subscription (webspace) domain; the domain itself for a subscription. */
  readonly webspace?: string
  readonly databaseUsers: DatabaseUsers
}

/** A domain name as Ferry stores it: lower-case ASCII (IDNs as punycode), or undefined. */
const domainName = (raw: string | undefined): string | undefined => {
  const v = (raw ?? "").trim().replace(/\.$/, "")
  if (v === "") return undefined
  const ascii = /^[\x20-\x7e]*$/.test(v) ? v.toLowerCase() : domainToASCII(v)
  return ascii !== "" && isDomainName(ascii) ? ascii : undefined
}

const ipsOf = (node: XNode): Array<string> =>
  node
    .atAny(["properties/ip", "ip"])
    .map((ip) => {
      ip.ignore("ip-type")
      return (ip.get("ip-address") ?? ip.text() ?? "").trim()
    })
    .filter((ip) => ip !== "")

/**
 * A subscription or an additional site (`domain`, `phosting/sites/site`) and everything under
 * it: aliases, hosting (Site), subdomains, mail, databases, DNS zone, certificates.
 */
export const readDomain = (a: Assembly, node: XNode, input: DomainInput): void => {
  const name = domainName(node.get("name"))
  if (name === undefined) {
    noteAt(
      a,
      node,
      "error",
      "domain-name-invalid",
      `domain ${JSON.stringify((node.get("name") ?? "").slice(0, 80))}`,
      "not a valid domain name; the domain and everything under it are not imported",
    )
    node.consumeAll()
    return
  }
  const id = `domain:${name}`
  if (a.domains.has(name)) {
    noteAt(a, node, "warning", "domain-duplicate", id, "the domain is described twice; the first description is used")
    node.consumeAll()
    return
  }
  a.domains.add(name)
  const webspace = input.webspace ?? name
  const owner = input.owner
  node.ignore("guid", "id", "cr-date", "vendor-guid", "owner-guid", "external-id", "display-name")
  const status = node.atAny(["properties/status", "status"])[0]
  if (status !== undefined) {
    status.ignore("enabled")
    if (status.present("disabled-by")) {
      status.ignore("disabled-by")
      noteAt(a, node, "warning", "domain-disabled", id, "the domain was suspended on the source; Ferry imports it active")
    }
  }
  const ips = ipsOf(node)
  const www = node.flag("www")
  const quotaUnit = a.generation === "mime" ? 1024 : 1

  const hosting = node.one("phosting")
  let site: Site | undefined
  if (hosting !== undefined) {
    site = readSite(a, hosting, {
      domain: name,
      owner,
      webspace,
      defaultDocroot: input.kind === "main" ? "httpdocs" : name,
      aliases: www === true ? [`www.${name}`] : [],
    })
  }
  const domain: Domain = {
    _tag: "Domain",
    id,
    owner,
    source: { path: node.file, detail: node.path },
    name,
    kind: input.kind,
    ...(input.kind === "addon" ? { parent: `domain:${webspace}` } : {}),
    ...(site !== undefined ? { site: site.id } : {}),
    ips,
  }
  a.builder.add(domain)

  for (const alias of node.atAny(["preferences/domain-alias", "domain-aliases/domain-alias", "domain-alias"])) {
    const aliasName = domainName(alias.get("name"))
    if (aliasName === undefined || a.domains.has(aliasName)) {
      noteAt(a, alias, "warning", "domain-alias-invalid", `alias of ${name}`, "not a valid (or an already used) domain name; skipped")
      alias.consumeAll()
      continue
    }
    a.domains.add(aliasName)
    alias.ignore("guid", "id", "seo-redirect", "tomcat")
    const services = (["web", "mail", "dns"] as const).filter((s) => alias.flag(s) === true)
    a.builder.add({
      _tag: "Domain",
      id: `domain:${aliasName}`,
      owner,
      source: { path: alias.file, detail: alias.path },
      name: aliasName,
      kind: "alias",
      parent: id,
      ...(services.includes("web") && site !== undefined ? { site: site.id } : {}),
      ips: [],
      aliasServices: services,
    })
    const zone = alias.atAny(["properties/dns-zone", "dns-zone"])[0]
    if (zone !== undefined) readZone(a, zone, aliasName, owner)
  }

  const ownCerts = readCertificates(a, node.atAny(["certificates/certificate", "certificate"]), name, owner)
  if (site !== undefined && hosting !== undefined) {
    const wanted = hosting.getAny(["certificate", "certificate-ref", "preferences/certificate"])?.trim()
    const certificate = wanted !== undefined ? ownCerts.get(wanted) : ownCerts.size === 1 ? [...ownCerts.values()][0] : undefined
    if (wanted !== undefined && certificate === undefined)
      noteAt(
        a,
        hosting,
        "warning",
        "site-certificate-missing",
        site.id,
        `the site uses certificate ${JSON.stringify(wanted.slice(0, 80))}, which is not in the backup`,
      )
    if (certificate !== undefined) site = { ...site, ssl: { enabled: site.ssl?.enabled ?? true, certificate } }
    a.builder.add(site)
    for (const sub of hosting.atAny(["subdomains/subdomain", "subdomain"])) readSubdomain(a, sub, name, webspace, owner)
    for (const child of hosting.at("sites/site")) readDomain(a, child, { ...input, kind: "addon", webspace })
  }
  for (const child of node.at("sites/site")) readDomain(a, child, { ...input, kind: "addon", webspace })

  const mail = node.one("mailsystem")
  if (mail !== undefined) readMail(a, mail, name, owner, quotaUnit)
  for (const list of node.at("maillists/maillist")) readMailingList(a, list, name, owner)
  readDatabases(a, node, owner, input.databaseUsers)
  const zone = node.atAny(["properties/dns-zone", "dns-zone", "dns_zone"])[0]
  if (zone !== undefined) readZone(a, zone, name, owner)
}

/** A subdomain: a Domain and, with hosting of its own (Plesk 8/9), a Site. */
const readSubdomain = (a: Assembly, sub: XNode, parent: string, webspace: string, owner: string | null): void => {
  const raw = (sub.get("name") ?? "").trim().toLowerCase()
  const full = domainName(raw.endsWith(`.${parent}`) ? raw : `${raw}.${parent}`)
  if (full === undefined || raw === "" || a.domains.has(full)) {
    noteAt(
      a,
      sub,
      "warning",
      "subdomain-invalid",
      `subdomain of ${parent}`,
      `${JSON.stringify(raw.slice(0, 60))} is not a valid (or an already used) subdomain; skipped`,
    )
    sub.consumeAll()
    return
  }
  a.domains.add(full)
  const label = full.slice(0, -(parent.length + 1))
  sub.ignore("guid", "id", "cid_conf")
  const site = readSite(a, sub, { domain: full, owner, webspace, defaultDocroot: `subdomains/${label}/httpdocs`, aliases: [] })
  a.builder.add({
    _tag: "Domain",
    id: `domain:${full}`,
    owner,
    source: { path: sub.file, detail: sub.path },
    name: full,
    kind: "subdomain",
    parent: `domain:${parent}`,
    ...(site !== undefined ? { site: site.id } : {}),
    ips: ipsOf(sub),
  })
  if (site !== undefined) a.builder.add(site)
}
