import type { Domain, Site } from "@ferry/core"
import { type Assembly, homeOf, homeRelative, noteObject, ownerId, ownerLogin, putExtras, sourceHomeOf } from "./Assembly.ts"
import type { Fields } from "./Fields.ts"
import type { PanelObject } from "./PanelObject.ts"
import { passwordOf } from "./Passwords.ts"

/*
 * Web domains (ispmanager 5 `webdomain`, 6 `site` with `site_*` fields, 4 `wwwdomain`) become a
 * Domain and a Site; redirects, error pages and protected directories attach to their site.
 */

type PhpMode = NonNullable<Site["php"]["mode"]>

/** ispmanager PHP modes (5/6 `php_mode_*`, 4 `php*`). */
const phpModes: ReadonlyArray<readonly [RegExp, PhpMode]> = [
  [/^php_mode_fcgi_nginxfpm$|fpm/, "fpm"],
  [/^php_mode_mod$|^phpmod$|^module$/, "module"],
  [/^php_mode_fcgi_apache$|^phpfcgi$|fastcgi|fcgi/, "fastcgi"],
  [/^php_mode_cgi$|^phpcgi$|^cgi$/, "cgi"],
  [/lsapi/, "lsapi"],
]

const modeOf = (value: string): PhpMode => phpModes.find(([pattern]) => pattern.test(value.toLowerCase()))?.[1] ?? "unknown"

/** "8.1", "isp-php81", "php81", "81" → "8.1"; "native" and other values → undefined. */
export const phpVersionOf = (value: string | undefined): string | undefined => {
  if (value === undefined) return undefined
  const dotted = /^(?:isp-php|php)?(\d)\.(\d{1,2})(?:\.\d+)?$/i.exec(value)
  if (dotted) return `${dotted[1]}.${dotted[2]}`
  const packed = /^(?:isp-php|php|alt-php|ea-php)?(\d)(\d{1,2})$/i.exec(value)
  return packed ? `${packed[1]}.${packed[2]}` : undefined
}

const versionFields: Readonly<Record<string, ReadonlyArray<string>>> = {
  fpm: ["site_php_fpm_version", "php_fpm_version"],
  module: ["site_php_apache_version", "php_apache_version"],
  cgi: ["site_php_cgi_version", "php_cgi_version"],
  fastcgi: ["site_php_cgi_version", "php_cgi_version"],
}
const allVersionFields = [
  "site_php_fpm_version",
  "php_fpm_version",
  "site_php_cgi_version",
  "php_cgi_version",
  "site_php_apache_version",
  "php_apache_version",
  "php_version",
]

const php = (a: Assembly, object: PanelObject, f: Fields): Site["php"] => {
  const modeText = f.text("site_php_mode", "php_mode")
  const legacy = f.text("php")?.toLowerCase()
  const enabledFlag = f.flag("site_php_enable", "php_enable", "php")
  const enabled = enabledFlag ?? (legacy !== undefined ? legacy !== "off" && legacy !== "" : modeText !== undefined)
  if (!enabled) return { enabled: false }
  const mode = modeText !== undefined ? modeOf(modeText) : legacy !== undefined && legacy !== "on" ? modeOf(legacy) : undefined
  const preferred = mode !== undefined ? (versionFields[mode] ?? []) : []
  const rawVersion = f.text(...preferred, ...allVersionFields)
  const version = phpVersionOf(rawVersion)
  if (rawVersion !== undefined && version === undefined && rawVersion !== "native") {
    noteObject(
      a,
      object,
      "info",
      "php-version-unrecognised",
      `PHP version ${JSON.stringify(rawVersion.slice(0, 40))} is not a version number; the receiving server's default applies`,
    )
  }
  return { enabled: true, ...(version !== undefined ? { version } : {}), ...(mode !== undefined ? { mode } : {}) }
}

interface SiteDraft {
  readonly object: PanelObject
  readonly name: string
  /** Archive-path prefix of the owner's home. */
  readonly home: string
  site: Site
}

const docrootOf = (a: Assembly, object: PanelObject, f: Fields, name: string, login: string): string => {
  const candidates = [object.path, f.text("home", "site_home", "docroot")].filter((v): v is string => v !== undefined)
  for (const candidate of candidates) {
    const rel = homeRelative(candidate, login)
    if (rel !== undefined) return rel
    noteObject(
      a,
      object,
      "warning",
      "docroot-outside-home",
      `document root ${JSON.stringify(candidate.slice(0, 120))} is not inside the user's home; www/${name} is used`,
    )
    return `www/${name}`
  }
  noteObject(a, object, "info", "docroot-assumed", `no document root in the backup; ispmanager's default www/${name} is assumed`)
  return `www/${name}`
}

/** Web domains → Domain + Site. Returns drafts by domain name for the child objects. */
export const buildSites = (a: Assembly, objects: ReadonlyArray<PanelObject>): Map<string, SiteDraft> => {
  const drafts = new Map<string, SiteDraft>()
  for (const object of objects) {
    const f = object.fields
    const name = (f.text("site_name", "name", "domain") ?? object.name).toLowerCase()
    const owner = ownerId(a, object)
    const login = ownerLogin(a, owner)
    const docroot = docrootOf(a, object, f, name, login)
    const secure = f.flag("site_secure", "secure", "ssl")
    const certName = f.text("site_ssl_cert", "ssl_cert", "ssl_name", "cert")
    const certificate = certName !== undefined ? a.certificates.get(certName) : undefined
    if (secure === true && certName !== undefined && certificate === undefined) {
      noteObject(
        a,
        object,
        "warning",
        "certificate-missing",
        `SSL certificate ${JSON.stringify(certName.slice(0, 80))} is not in the backup; the site is imported without it`,
      )
    }
    const redirectHttps = f.flag("site_redirect_http", "redirect_http")
    const hsts = f.flag("site_hsts", "hsts")
    const extras: Record<string, string> = {}
    f.mark("owner", "site_owner", "sslport")
    const ips = f.list("site_ipaddrs", "ipaddrs", "ip", "ipaddr")
    const serverAliases = f.list("site_aliases", "aliases", "alias").map((alias) => alias.toLowerCase())
    const phpSettings = php(a, object, f)
    const enabled = f.flag("active", "enabled")
    if (enabled === false)
      noteObject(a, object, "info", "site-disabled", "the site is disabled on the source; it is imported and stays to be enabled")
    putExtras(extras, f)
    const content = a.index.hasDir(`${homeOf(a, login)}${docroot}`) ? `content:web:${name}` : undefined
    const site: Site = {
      _tag: "Site",
      id: `site:${name}`,
      owner,
      source: object.source,
      domain: `domain:${name}`,
      docroot,
      sourceDocroot: object.path ?? `${sourceHomeOf(login)}/${docroot}`,
      serverAliases,
      ...(content !== undefined ? { content } : {}),
      php: phpSettings,
      ...(secure !== undefined
        ? {
            ssl: {
              enabled: secure,
              ...(certificate !== undefined ? { certificate } : {}),
              ...(redirectHttps !== undefined ? { redirectHttps } : {}),
              ...(hsts !== undefined ? { hsts } : {}),
            },
          }
        : {}),
      protectedDirectories: [],
      webUsers: [],
      mimeTypes: [],
      redirects: [],
      errorPages: [],
      applications: [],
      extras,
    }
    if (content === undefined)
      noteObject(a, object, "info", "web-content-missing", `no files under ${docroot}/ in the backup; the site starts empty`)
    drafts.set(name, { object, name, home: homeOf(a, login), site })
    const domain: Domain = { _tag: "Domain", id: `domain:${name}`, owner, source: object.source, name, kind: "main", site: site.id, ips }
    a.builder.add(domain)
  }
  classifyDomains(a, drafts)
  return drafts
}

/** ispmanager has no "main" domain: the first web domain is main, subdomains of another are subdomains, the rest addons. */
const classifyDomains = (a: Assembly, drafts: ReadonlyMap<string, SiteDraft>): void => {
  const names = [...drafts.keys()]
  let first = true
  for (const name of names) {
    const domain = a.builder.get("Domain", `domain:${name}`)
    if (domain === undefined) continue
    const parent = names.find((other) => other !== name && name.endsWith(`.${other}`))
    if (parent !== undefined) a.builder.update({ ...domain, kind: "subdomain", parent: `domain:${parent}` })
    else {
      a.builder.update({ ...domain, kind: first ? "main" : "addon" })
      first = false
    }
  }
}

/** The site a child object (redirect, error page, protected directory) belongs to. */
const parentOf = (object: PanelObject, drafts: ReadonlyMap<string, SiteDraft>): { draft: SiteDraft | undefined; rest: string } => {
  const plid = object.fields.text("plid", "webdomain", "site", "domain") ?? object.name
  const slash = plid.indexOf("/")
  const domain = (slash === -1 ? plid : plid.slice(0, slash)).toLowerCase()
  return { draft: drafts.get(domain), rest: slash === -1 ? "" : plid.slice(slash + 1) }
}

const redirectCode = (value: string | undefined): number | undefined => {
  if (value === undefined) return undefined
  if (/^\d{3}$/.test(value)) return Number(value)
  if (/perm/i.test(value)) return 301
  if (/temp|found/i.test(value)) return 302
  return undefined
}

/** Redirects, error pages, protected directories and their users. */
export const buildSiteChildren = (a: Assembly, drafts: ReadonlyMap<string, SiteDraft>, children: ReadonlyArray<PanelObject>): void => {
  const orphan = (object: PanelObject) =>
    noteObject(a, object, "warning", "parent-missing", "its web domain is not in the backup; not imported")
  for (const object of children.filter((o) => o.type === "webdomain.redirect")) {
    const { draft } = parentOf(object, drafts)
    const f = object.fields
    const from = f.text("name", "path", "src", "source")
    const to = f.text("url", "redirect", "target", "dst", "destination")
    if (draft === undefined) orphan(object)
    else if (from === undefined || to === undefined)
      noteObject(a, object, "warning", "redirect-incomplete", "a redirect without its source path or target; not imported")
    else {
      const code = redirectCode(f.text("type", "code", "status"))
      draft.site = { ...draft.site, redirects: [...draft.site.redirects, { from, to, ...(code !== undefined ? { code } : {}) }] }
    }
  }
  for (const object of children.filter((o) => o.type === "webdomain.error")) {
    const { draft } = parentOf(object, drafts)
    const f = object.fields
    const code = f.number("code", "error", "name")
    const path = f.text("path", "url", "page", "file")
    if (draft === undefined) orphan(object)
    else if (code === undefined || path === undefined)
      noteObject(a, object, "warning", "error-page-incomplete", "an error page without its code or page; not imported")
    else draft.site = { ...draft.site, errorPages: [...draft.site.errorPages, { code, path }] }
  }
  for (const object of children.filter((o) => o.type === "webdomain.diraccess")) {
    const { draft, rest } = parentOf(object, drafts)
    const f = object.fields
    const path = (f.text("path", "dir", "name") ?? rest).replace(/^\/+|\/+$/g, "")
    const title = f.text("realm", "title", "comment")
    if (draft === undefined) orphan(object)
    else
      draft.site = {
        ...draft.site,
        protectedDirectories: [...draft.site.protectedDirectories, { path, ...(title !== undefined ? { title } : {}), users: [] }],
      }
  }
  for (const object of children.filter((o) => o.type === "webdomain.diraccess.user")) {
    const { draft, rest } = parentOf(object, drafts)
    const f = object.fields
    const login = f.text("name", "login", "user") ?? object.name
    const dirPath = (f.text("path", "dir") ?? rest).replace(/^\/+|\/+$/g, "")
    const dir = draft?.site.protectedDirectories.find((d) => d.path === dirPath)
    if (draft === undefined || dir === undefined) {
      noteObject(a, object, "warning", "parent-missing", "its protected directory is not in the backup; not imported")
      continue
    }
    const passwordHash = passwordOf(a, object, f.text("passwd", "password"), "system", "web user password")
    const user = { login, ...(passwordHash !== undefined ? { passwordHash } : {}) }
    draft.site = {
      ...draft.site,
      protectedDirectories: draft.site.protectedDirectories.map((d) => (d === dir ? { ...d, users: [...d.users, user] } : d)),
    }
  }
}

/** ispmanager 4 WWW redirects: a domain that only redirects, imported as a site redirecting "/" (or added to an existing site). */
export const buildWwwRedirects = (a: Assembly, drafts: Map<string, SiteDraft>, objects: ReadonlyArray<PanelObject>): void => {
  for (const object of objects) {
    const f = object.fields
    const name = (f.text("name", "domain") ?? object.name).toLowerCase()
    const to = f.text("url", "redirect", "target", "dst")
    if (to === undefined) {
      noteObject(a, object, "warning", "redirect-incomplete", "a WWW redirect without a target; not imported")
      continue
    }
    const existing = drafts.get(name)
    if (existing !== undefined) {
      existing.site = { ...existing.site, redirects: [...existing.site.redirects, { from: "/", to, code: 301 }] }
      continue
    }
    const owner = ownerId(a, object)
    f.mark("owner")
    const site: Site = {
      _tag: "Site",
      id: `site:${name}`,
      owner,
      source: object.source,
      domain: `domain:${name}`,
      docroot: `www/${name}`,
      serverAliases: f.list("alias", "aliases"),
      php: { enabled: false },
      protectedDirectories: [],
      webUsers: [],
      mimeTypes: [],
      redirects: [{ from: "/", to, code: 301 }],
      errorPages: [],
      applications: [],
      extras: { wwwRedirect: "true" },
    }
    noteObject(a, object, "info", "www-redirect", `a WWW redirect to ${to.slice(0, 120)}: imported as a site that redirects every request`)
    drafts.set(name, { object, name, home: homeOf(a, ownerLogin(a, owner)), site })
    a.builder.add({
      _tag: "Domain",
      id: `domain:${name}`,
      owner,
      source: object.source,
      name,
      kind: "addon",
      site: site.id,
      ips: f.list("ip"),
    })
  }
}

/** Add the sites (after their children are attached), each web root excluding docroots nested in it. */
export const addSites = (a: Assembly, drafts: ReadonlyMap<string, SiteDraft>): void => {
  const roots = [...drafts.values()].map((d) => `${d.home}${d.site.docroot}/`)
  for (const draft of drafts.values()) {
    const own = `${draft.home}${draft.site.docroot}/`
    const nested = roots.filter((r) => r !== own && r.startsWith(own))
    if (draft.site.content !== undefined) {
      a.owned.push(own)
      a.builder.declareContent({ id: draft.site.content, kind: "web", path: own, ...(nested.length > 0 ? { excludes: nested } : {}) })
    }
    a.builder.add(draft.site)
  }
}
