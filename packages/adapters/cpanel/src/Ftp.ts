import { cryptSchemeLoose, makePasswordHash } from "@ferry/core"
import { type Assembly, noteAt } from "./Collected.ts"
import { homeRelative } from "./Paths.ts"
import type { SiteInfo } from "./Userdata.ts"

const ftpLogin = /^[A-Za-z0-9._-]{1,64}(@[a-z0-9.-]{1,253})?$/

/**
 * FTP accounts from `proftpdpasswd` (`login:crypt:uid:gid:owner:home:shell`, §5.12). The main
 * login and `USER_logs` are the account itself; an `ftp` entry with no password and a
 * `public_ftp` home is the anonymous-FTP switch of the main site, not a user (pitfall 22).
 */
export const buildFtp = (a: Assembly, mainSite: SiteInfo | undefined): void => {
  const file = a.meta.get("proftpdpasswd")
  if (!file) return
  const rel = file.rel
  if (file.text === undefined) {
    noteAt(a, "error", "file-too-large", "proftpdpasswd", rel, "proftpdpasswd is larger than Ferry reads; no FTP accounts were read")
    return
  }
  file.text.split("\n").forEach((raw, index) => {
    const line = raw.replace(/\r$/, "")
    const number = index + 1
    if (line.trim() === "" || line.startsWith("#")) return
    const fields = line.split(":")
    if (fields.length !== 7 || line.length > 8192) {
      noteAt(a, "warning", "ftp-line", "proftpdpasswd", rel, `line ${number} is not login:hash:uid:gid:owner:home:shell; ignored`)
      return
    }
    const [login, hash, , , owner, home] = fields as [string, string, string, string, string, string, string]
    const id = `ftpuser:${login}`
    if (login === a.login) {
      noteAt(a, "info", "ftp-main-login", id, rel, `line ${number}: the account's own FTP login; it comes with the account`)
      return
    }
    if (login === `${a.login}_logs`) {
      noteAt(
        a,
        "info",
        "ftp-logs-login",
        id,
        rel,
        `line ${number}: ${login} gives FTP access to the web logs on the source; not carried over`,
      )
      return
    }
    if (login === "ftp" && hash === "" && /\/public_ftp\/?$/.test(home)) {
      if (mainSite) {
        const site = a.builder.get("Site", mainSite.id)
        if (site) a.builder.update({ ...site, anonymousFtp: { enabled: true, incoming: false } })
      }
      noteAt(
        a,
        "info",
        "ftp-anonymous",
        mainSite?.id ?? a.accountId,
        rel,
        `line ${number}: anonymous FTP to ${home} was enabled; mapped to the main site's anonymous-FTP setting`,
      )
      return
    }
    if (!ftpLogin.test(login)) {
      noteAt(
        a,
        "warning",
        "ftp-login-invalid",
        `FTP login ${JSON.stringify(login.slice(0, 80))}`,
        rel,
        `line ${number}: not a valid FTP login; ignored`,
      )
      return
    }
    if (owner !== "" && owner !== a.login) {
      noteAt(a, "warning", "ftp-owner", id, rel, `line ${number}: ${login} belongs to ${owner.slice(0, 40)}, not ${a.login}; ignored`)
      return
    }
    const homeDir = homeRelative(home, a.homePrefixes)
    if (homeDir === undefined) {
      noteAt(
        a,
        "warning",
        "ftp-home-outside",
        id,
        rel,
        `line ${number}: the home of ${login} (${home}) is outside the account's home; ignored`,
      )
      return
    }
    if (hash === "") noteAt(a, "warning", "ftp-password-missing", id, rel, `line ${number}: ${login} has no password; a new one is needed`)
    a.builder.add({
      _tag: "FtpUser",
      id,
      owner: a.accountId,
      source: { path: file.path, detail: `line ${number}` },
      login,
      ...(hash !== "" ? { passwordHash: makePasswordHash(cryptSchemeLoose(hash), hash) } : {}),
      homeDir,
    })
  })
}
