import type { Site } from "@ferry/core"
import { type Assembly, bytesOrUnlimited, cleanRelative, isLogin, noteAt } from "./Context.ts"
import { readCrontab } from "./Cron.ts"
import type { XNode } from "./Xml.ts"

type Php = Site["php"]
type Mutable<T> = { -readonly [K in keyof T]: T[K] }

/** `cid` types that are the site's own web files; the first present is `Site.content`. */
const webTypes = ["user-data", "docroot", "docroot_ssl", "cgi", "error_docs", "webuser_home", "private", "anon_ftp", "anonftp"]
/** Plesk 8 MIME parts of a site, `<domain>.<suffix>` (plesk.md §2, VM). */
const partSuffixes = ["httpdocs", "htdocs", "httpsdocs", "cgi-bin", "cgi", "error_docs", "anon_ftp"]

const phpModes: Readonly<Record<string, NonNullable<Php["mode"]>>> = {
  fastcgi: "fastcgi",
  fcgi: "fastcgi",
  fpm: "fpm",
  "php-fpm": "fpm",
  cgi: "cgi",
  module: "module",
  apache: "module",
  lsapi: "lsapi",
}

export interface SiteInput {
  readonly domain: string
  readonly owner: string | null
  /** The subscription (webspace) whose root the docroot is relative to. */
  readonly webspace: string
  readonly defaultDocroot: string
  /** Extra names served by the site (`www.`). */
  readonly aliases: ReadonlyArray<string>
}

/** `/var/www/vhosts/<webspace>/httpdocs` or `httpdocs` → `httpdocs`; undefined when unusable. */
const docrootOf = (value: string | undefined, webspace: string, fallback: string): { docroot: string; source?: string } | undefined => {
  const v = value?.trim()
  if (v === undefined || v === "") return { docroot: fallback }
  const vhosts = new RegExp(`^/(?:var/www/vhosts|srv/www/vhosts|home/httpd/vhosts)/${webspace.replace(/\./g, "\\.")}(?:/|$)`)
  if (v.startsWith("/")) {
    const match = vhosts.exec(v)
    if (!match) return undefined
    const rel = cleanRelative(v.slice(match[0].length))
    return rel === undefined ? undefined : { docroot: rel, source: v }
  }
  const rel = cleanRelative(v)
  return rel === undefined ? undefined : { docroot: rel }
}

const phpOf = (hosting: XNode, extras: Record<string, string>): Php => {
  const scripting = hosting.atAny(["preferences/scripting", "scripting", "properties/scripting"])[0]
  const node = scripting ?? hosting
  const enabled = node.flag("php") ?? false
  const handler = node.getAny(["php_handler_type", "php-handler-type", "php_handler_id", "php-handler-id"])?.trim().toLowerCase()
  const version = node.getAny(["php_version", "php-version"])?.trim()
  if (scripting !== undefined) {
    for (const name of scripting.names()) {
      if (name === "#text") continue
      const value = scripting.get(name)
      if (value !== undefined) extras[`scripting.${name}`] = value
    }
  }
  const mode = handler === undefined ? undefined : (phpModes[handler.replace(/^(\d+\.\d+-)?/, "").replace(/-\d.*$/, "")] ?? "unknown")
  const versionFromHandler = handler !== undefined ? /(\d+\.\d+)/.exec(handler)?.[1] : undefined
  const v = version && /^\d+(\.\d+){0,2}$/.test(version) ? version.split(".").slice(0, 2).join(".") : versionFromHandler
  return { enabled, ...(v !== undefined ? { version: v } : {}), ...(mode !== undefined ? { mode } : {}) }
}

/** Web users and protected-directory users: login and password. */
const webUser = (a: Assembly, node: XNode, subject: string, homeDefault?: string) => {
  const login = (node.get("name") ?? "").trim()
  const passwordHash = a.passwords.read(node.atAny(["password", "properties/password"])[0], "web", subject)
  const home = cleanRelative(node.get("home") ?? homeDefault ?? "")
  node.ignore("guid", "id")
  return { login, ...(passwordHash !== undefined ? { passwordHash } : {}), ...(home ? { homeDir: home } : {}) }
}

/** An FTP account (the system user, extra FTP users, Plesk 8/9 subdomain users). */
const ftpUser = (a: Assembly, node: XNode, owner: string | null, homeDir: string, site: string): string | undefined => {
  const login = (node.get("name") ?? "").trim()
  const id = `ftpuser:${login}`
  if (!isLogin(login)) {
    noteAt(a, node, "error", "ftp-login-invalid", `FTP user ${JSON.stringify(login.slice(0, 60))}`, "not a valid login; skipped")
    node.consumeAll()
    return undefined
  }
  const passwordHash = a.passwords.read(node.atAny(["password", "properties/password"])[0], "system", id)
  const quotaText = node.getAny(["quota", "properties/quota"])
  const quota = bytesOrUnlimited(quotaText)
  node.ignore("guid", "id", "uid")
  a.builder.add({
    _tag: "FtpUser",
    id,
    owner,
    source: { path: node.file, detail: node.path },
    login,
    ...(passwordHash !== undefined ? { passwordHash } : {}),
    homeDir,
    ...(quota !== undefined ? { quotaBytes: quota } : {}),
  })
  for (const cron of node.atAny(["cron", "crontab", "preferences/cron"])) readCrontab(a, cron, login, owner)
  if (homeDir === "") noteAt(a, node, "info", "ftp-system-user", id, `the system user of ${site}; its FTP home is the webspace root`)
  return login
}

/**
 * The Site of a hosting element (`phosting`, or a Plesk 8/9 `subdomain`): docroot relative to the
 * webspace root, PHP, system/FTP/web users, protected directories, MIME types, hotlink
 * protection, log rotation, anonymous FTP, shared SSL, installed applications, web content.
 */
export const readSite = (a: Assembly, hosting: XNode, input: SiteInput): Site | undefined => {
  const id = `site:${input.domain}`
  const extras: Record<string, string> = Object.create(null)
  const root = docrootOf(hosting.getAny(["www-root", "preferences/www-root"]), input.webspace, input.defaultDocroot)
  if (root === undefined) {
    noteAt(a, hosting, "error", "docroot-outside", id, "the document root is outside the webspace; the site is not imported")
    hosting.consumeAll()
    return undefined
  }
  hosting.ignore("guid", "id", "wu_script", "fp", "fp_ssl", "fp_enable")
  const php = phpOf(hosting, extras)
  for (const setting of hosting.atAny(["php-settings/setting", "preferences/php-settings/setting"])) {
    const name = setting.get("name") ?? ""
    if (/^[A-Za-z0-9_.]{1,80}$/.test(name)) extras[`php.${name}`] = setting.get("value") ?? setting.text() ?? ""
  }

  const sysuser = hosting.atAny(["preferences/sysuser", "sysuser"])[0]
  if (sysuser !== undefined) {
    const login = ftpUser(
      a,
      sysuser,
      input.owner,
      input.webspace === input.domain ? "" : root.docroot.split("/").slice(0, -1).join("/"),
      input.domain,
    )
    if (login !== undefined) extras["systemUser"] = login
    const shell = sysuser.get("shell")?.trim()
    if (shell) extras["shell"] = shell
  }
  for (const user of hosting.atAny(["ftpusers/ftpuser", "preferences/ftpusers/ftpuser", "ftpuser"])) {
    const home = cleanRelative(user.get("home") ?? "")
    if (home === undefined) {
      noteAt(a, user, "warning", "ftp-home-outside", `ftpuser:${user.get("name") ?? ""}`, "the FTP home leaves the webspace; skipped")
      user.consumeAll()
      continue
    }
    ftpUser(a, user, input.owner, home, input.domain)
  }

  const webUsers = hosting.atAny(["webusers/webuser", "preferences/webusers/webuser", "webuser"]).map((u) => webUser(a, u, id))
  const protectedDirectories = hosting.atAny(["preferences/pdir", "pdirs/pdir", "pdir"]).map((dir) => {
    dir.ignore("ssl", "nonssl", "cgi")
    return {
      path: cleanRelative(dir.get("name") ?? "") ?? "",
      ...(dir.get("title") ? { title: dir.get("title") as string } : {}),
      users: dir.all("pduser").map((u) => webUser(a, u, id)),
    }
  })
  const mimeTypes = hosting.atAny(["preferences/mime-type", "mime-types/mime-type", "mime-type"]).map((m) => ({
    extension: (m.getAny(["extension", "ext"]) ?? "").trim(),
    type: (m.getAny(["type", "value"]) ?? "").trim(),
  }))
  const hotlink = hosting.atAny(["preferences/hotlink-protection", "hotlink-protection"])[0]
  const rotation = hosting.atAny(["preferences/logrotation", "logrotation"])[0]
  const anon = hosting.atAny(["preferences/anonftp", "anonftp"])[0]
  const sharedSsl = hosting.atAny(["preferences/shared-ssl", "shared-ssl"])[0]
  const applications = hosting.atAny(["applications/sapp-installed", "sapp-installed"]).map((app) => {
    const version = app.getAny(["sapp-version", "version", "sapp-spec/sapp-version"])
    const path = app.getAny(["sapp-installdir", "install-dir", "path"])
    app.ignore("guid", "id")
    return {
      name: (app.getAny(["sapp-name", "name", "sapp-spec/sapp-name"]) ?? "").trim(),
      ...(version ? { version } : {}),
      ...(path ? { path: cleanRelative(path) ?? "" } : {}),
    }
  })
  const https = hosting.getAny(["https", "ssl"])
  let content: string | undefined
  const otherWeb: Array<string> = []
  for (const cid of hosting.at("content/cid")) {
    const type = cid.get("type") ?? ""
    if (!webTypes.includes(type)) {
      a.content.other(cid, id)
      continue
    }
    const ref = a.content.ref(cid, "web", `content:web:${input.domain}:${type}`, id)
    if (ref === undefined) continue
    if (content === undefined && (type === "user-data" || type === "docroot")) content = ref
    else otherWeb.push(`${type} → ${ref}`)
  }
  for (const suffix of partSuffixes) {
    const path = a.content.part(`${input.domain}.${suffix}`)
    if (path === undefined) continue
    const ref = a.content.declareFile(path, "web", `content:web:${input.domain}:${suffix}`)
    if (content === undefined && (suffix === "httpdocs" || suffix === "htdocs")) content = ref
    else otherWeb.push(`${suffix} → ${ref}`)
  }
  if (otherWeb.length > 0)
    noteAt(
      a,
      hosting,
      "info",
      "site-content-parts",
      id,
      `web content beyond the document root comes as separate refs: ${otherWeb.join(", ")}`,
    )

  const site: Mutable<Site> = {
    _tag: "Site",
    id,
    owner: input.owner,
    source: { path: hosting.file, detail: hosting.path },
    domain: `domain:${input.domain}`,
    docroot: root.docroot,
    ...(root.source !== undefined ? { sourceDocroot: root.source } : {}),
    serverAliases: [...input.aliases],
    ...(content !== undefined ? { content } : {}),
    php,
    ...(https !== undefined ? { ssl: { enabled: ["true", "on", "1"].includes(https.trim().toLowerCase()) } } : {}),
    protectedDirectories,
    webUsers,
    mimeTypes,
    ...(hotlink !== undefined
      ? {
          hotlinkProtection: {
            enabled: hotlink.flag("enabled") ?? true,
            allowedDomains: hotlink.atAny(["friend-domain", "friends/friend-domain"]).map((f) => (f.text() ?? "").trim()),
            extensions: (hotlink.get("extensions") ?? "").split(/[\s,]+/).filter((e) => e !== ""),
          },
        }
      : {}),
    ...(rotation !== undefined
      ? {
          logRotation: {
            enabled: rotation.flag("enabled") ?? true,
            ...(rotation.get("period") ? { period: rotation.get("period") as string } : {}),
            ...(/^\d{1,4}$/.test(rotation.get("max-number-of-logfiles") ?? "")
              ? { keep: Number(rotation.get("max-number-of-logfiles")) }
              : {}),
            ...(rotation.get("compress") !== undefined ? { compress: rotation.flag("compress") as boolean } : {}),
          },
        }
      : {}),
    ...(anon !== undefined
      ? { anonymousFtp: { enabled: anon.flag("pub") ?? anon.flag("enabled") ?? true, incoming: anon.flag("incoming") ?? false } }
      : {}),
    ...(sharedSsl !== undefined ? { sharedSsl: sharedSsl.flag("enabled") ?? true } : {}),
    redirects: [],
    errorPages: [],
    applications,
    extras,
  }
  return site
}
