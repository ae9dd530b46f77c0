import { existsSync } from "node:fs"
import * as fs from "node:fs/promises"
import * as nodePath from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { memo } from "../support/RunFerry.ts"
import {
  describeSteps,
  type HostileRun,
  importHostile,
  logText,
  mysql,
  newOutsideRoot,
  notesMatching,
  pgTarDump,
  psql,
  stepOf,
  uniqueUser,
} from "./support/HostileBackup.ts"
import { item, pgItem, sqlAttacks, strangerKey } from "./support/HostileCases.ts"

/*
 * Security checklist items 28–46 (security.md §3.3–3.5) end to end: a hostile cPanel backup goes
 * through the real `ferry import --yes --json` into a temp root, with the test MariaDB and
 * PostgreSQL of scripts/services.sh. Each case checks that the hostile entity is refused or
 * neutralised with a reason naming it (job steps and log, or the inspect/check report when the
 * adapter or the checks refuse it), that the rest of the backup still imports, and that nothing
 * appeared outside the root (listings of /etc, /home, /var/spool/cron, … and a canary file the
 * hostile input aims at). The part-level tests (packages/targets/local/test/import) cover the
 * same parsers in detail; these prove the pieces are wired together.
 */

const runs: Array<HostileRun> = []
const hostile = (prefix: string, build: Parameters<typeof importHostile>[1], options?: Parameters<typeof importHostile>[2]) => {
  const user = uniqueUser(prefix)
  return {
    user,
    run: memo(async () => {
      const r = await importHostile(user, build, options)
      runs.push(r)
      return r
    }),
  }
}

afterAll(async () => {
  for (const r of runs) await fs.rm(r.dir, { recursive: true, force: true })
})

/** Nothing outside the root, no canary, and the account with its main site imported anyway. */
const expectContained = (r: HostileRun, user: string) => {
  expect(existsSync(r.canary), "the canary exists").toBe(false)
  expect(newOutsideRoot(r)).toEqual([])
  expect(r.jobId, r.run.stdout + r.run.stderr).toBeDefined()
  expect(stepOf(r, `account:${user}`)?.status, describeSteps(r)).toBe("done")
  expect(stepOf(r, `site:${user}.example`)?.status, describeSteps(r)).toBe("done")
  expect(stepOf(r, `mailbox:info@${user}.example`)?.status, describeSteps(r)).toBe("done")
}

const expectSkipped = (r: HostileRun, key: string, reason: RegExp) => {
  const step = stepOf(r, key)
  expect(step?.status, `${key}\n${describeSteps(r)}`).toBe("skipped")
  expect(step?.reason).toMatch(reason)
}

const expectFailed = (r: HostileRun, key: string, reason: RegExp) => {
  const step = stepOf(r, key)
  expect(step?.status, `${key}\n${describeSteps(r)}`).toBe("failed")
  expect(step?.reason).toMatch(reason)
}

/** Files under `dir` (recursively) whose text matches. */
const filesContaining = async (dir: string, pattern: RegExp): Promise<Array<string>> => {
  const hits: Array<string> = []
  for (const entry of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue
    const path = nodePath.join(entry.parentPath, entry.name)
    if (pattern.test(await fs.readFile(path, "latin1"))) hits.push(path)
  }
  return hits
}

describe("28–30 names and identifiers", () => {
  const names = hostile("hn", (canary) => item.names(names.user, canary))

  it.each([
    ["a;touch", ";"],
    ["b|touch", "|"],
    ["c$(touch", "$()"],
    ["d`touch", "backticks"],
    ["e f", "space"],
  ])("28: mailbox %s (%s) is refused while reading the backup, with a note naming it", async (local) => {
    const r = await names.run()
    expectContained(r, names.user)
    const notes = notesMatching(r, new RegExp(`mailbox-invalid mailbox "${local.replace(/[$()|`]/g, "\\$&")}`))
    expect(notes.length, JSON.stringify(r.notes, null, 1)).toBe(1)
    expect(r.steps.some((s) => s.key.includes(local))).toBe(false)
  })

  it("28: a mailbox and an FTP login with a leading '-' are skipped by the plan (invalid-name)", async () => {
    const r = await names.run()
    expectSkipped(r, `mailbox:-rf@${names.user}.example`, /invalid-name/)
    expectSkipped(r, `ftpuser:-oProxy@${names.user}.example`, /invalid-name/)
    expect(stepOf(r, `ftpuser:ok@${names.user}.example`)?.status).toBe("done")
  })

  it("28: an FTP login with ';' and database names with '$()' or a space never become entities", async () => {
    const r = await names.run()
    expect(notesMatching(r, /ftp-login-invalid FTP login "x;touch/)).toHaveLength(1)
    expect(notesMatching(r, /database-name-invalid .*_a b\.sql/)).toHaveLength(1)
    expect(notesMatching(r, /mysql\/\S+_\$\(touch/).length).toBeGreaterThan(0)
    expect(r.steps.filter((s) => /touch|_a b/.test(s.key))).toEqual([])
    expect(stepOf(r, `database:mysql:${names.user}_db1`)?.status, describeSteps(r)).toBe("done")
  })

  const domains = hostile("hd", () => item.domains(domains.user))

  it("29: domains in upper case with a trailing dot, IDN, '/', '..' or > 253 characters are normalised or refused", async () => {
    const r = await domains.run()
    expectContained(r, domains.user)
    const domainSteps = r.steps.filter((s) => s.tag === "Domain").map((s) => s.key)
    // Whatever became a domain is lower case, without a trailing dot, ASCII (IDNs as A-labels).
    for (const key of domainSteps) expect(key).toMatch(/^domain:[a-z0-9.-]+$/)
    for (const key of domainSteps) expect(key).not.toMatch(/\.$|\.\.|\//)
    // Refused, each with its own note: a trailing dot and U-label IDNs are not normalised.
    for (const hostileName of [
      `upper-${domains.user}.example.`,
      `bücher-${domains.user}.example`,
      `evil/${domains.user}.example`,
      `..${domains.user}.example`,
      "aaaaaaaaaa",
    ])
      expect(
        r.notes.filter((n) => n.code === "invalid-domain" && n.subject.startsWith(`parked domain "${hostileName}`)),
        `${hostileName}\n${JSON.stringify(r.notes, null, 1)}`,
      ).toHaveLength(1)
    // No configuration file names a raw hostile domain.
    expect(await filesContaining(r.root, /evil\/hd|UPPER-|\.Example\./)).toEqual([])
  })

  const identifiers = hostile("hq", () => item.sqlIdentifiers(identifiers.user))

  it("30: database names with a backtick or a quote are refused with a note; the other database loads", async () => {
    const r = await identifiers.run()
    expectContained(r, identifiers.user)
    expect(notesMatching(r, /database-name-invalid .*_x`; DROP DATABASE mysql/).length).toBeGreaterThan(0)
    expect(notesMatching(r, /database-name-invalid .*_q'x/).length).toBeGreaterThan(0)
    expect(r.steps.filter((s) => /DROP|q'x/.test(s.key))).toEqual([])
    expect(stepOf(r, `database:mysql:${identifiers.user}_db1`)?.status, describeSteps(r)).toBe("done")
    expect(mysql("SHOW DATABASES LIKE 'mysql'")).toEqual([["mysql"]])
  })
})

describe("31–32 reserved and mismatched names: caught by the checks before the import", () => {
  it("31: an account named root is refused by the checks; nothing is imported", async () => {
    const r = await importHostile("root", () => ({}))
    runs.push(r)
    expect(r.run.code, r.run.stderr).toBe(6)
    expect(r.jobId).toBeUndefined()
    expect(
      r.report?.critical.some((c) => c.entities.some((e) => e.id === "account:root")),
      JSON.stringify(r.report?.critical),
    ).toBe(true)
    expect(existsSync(nodePath.join(r.root, "home/root"))).toBe(false)
    expect(newOutsideRoot(r)).toEqual([])
  })

  const webmail = hostile("hw", () => ({
    [`userdata/webmail.${webmail.user}.example`]: `--- \ndocumentroot: /home/${webmail.user}/public_html/webmail\nservername: webmail.${webmail.user}.example\nhomedir: /home/${webmail.user}\nip: 192.0.2.10\nport: 80\n`,
    "userdata/main": `--- \naddon_domains: \n  ${webmail.user}-addon1.example: addon1.${webmail.user}.example\nmain_domain: ${webmail.user}.example\nparked_domains: \n  - ${webmail.user}-parked1.example\nsub_domains: \n  - webmail.${webmail.user}.example\n  - sub1.${webmail.user}.example\n  - sub1.${webmail.user}-addon1.example\n  - addon1.${webmail.user}.example\n`,
  }))

  it("31: a subdomain webmail.* is reported by the checks and skipped; the rest imports", async () => {
    const r = await webmail.run()
    expectContained(r, webmail.user)
    const name = `domain:webmail.${webmail.user}.example`
    expect(
      r.report?.critical.some((c) => c.entities.some((e) => e.id === name)),
      JSON.stringify(r.report?.critical),
    ).toBe(true)
    expectSkipped(r, name, /reserved-name/)
    expectSkipped(r, `site:webmail.${webmail.user}.example`, /dependency-skipped/)
  })

  const other = uniqueUser("hz")
  const mismatch = hostile("hm", () => ({}), { archiveName: `cpmove-${other}.tar.gz` })

  it("32: an archive named for one account and holding another imports the cp/ account, never the archive's name", async () => {
    const r = await mismatch.run()
    expectContained(r, mismatch.user)
    expect(r.steps.some((s) => s.key.includes(other))).toBe(false)
  })

  // Known gap: the mismatch is not reported at all (security.md #32 asks for a conflict).
  it.fails("32: the mismatch between archive name and cp/ account is reported", async () => {
    const r = await mismatch.run()
    const said = JSON.stringify([r.notes, r.report?.critical, r.report?.warning])
    expect(said).toMatch(new RegExp(other))
  })
})

describe("33–37 SQL in MySQL dumps", () => {
  const sql = hostile("hs", (canary) => item.sql(sql.user, canary))
  const rootRows = () =>
    mysql(
      "SELECT User, Host, Password, authentication_string, Super_priv, File_priv FROM mysql.user WHERE User IN ('root','ferry_admin','mariadb.sys') ORDER BY User, Host",
    )
  let rootBefore: ReturnType<typeof rootRows> | undefined
  const run = memo(async () => {
    rootBefore = rootRows()
    return sql.run()
  })

  it.each(Object.entries(sqlAttacks("<canary>")).filter(([, a]) => a.item !== 37 && a.item !== 35))(
    "%s: the database's load fails or is inert; root accounts unchanged; no canary",
    async (name) => {
      const r = await run()
      expectContained(r, sql.user)
      const step = stepOf(r, `content:dump:mysql:${sql.user}_${name}`)
      expect(step, describeSteps(r)).toBeDefined()
      if (step?.status === "failed")
        expect(step.reason).toMatch(
          new RegExp(
            `database ${sql.user}_${name}: the dump did not load: .*(Unknown command|Access denied|denied|not allowed|disabled|ERROR)`,
            "s",
          ),
        )
      else expect(step?.status).toBe("done")
      expect(rootRows()).toEqual(rootBefore)
      expect(mysql("SELECT COUNT(*) FROM mysql.user WHERE User = 'hostile_evil'")).toEqual([["0"]])
      const grants = mysql(`SHOW GRANTS FOR '${sql.user}'@'localhost'`).flat().join("\n")
      expect(grants).not.toMatch(/ON \*\.\*.*(ALL|SUPER|FILE|GRANT OPTION)|ALL PRIVILEGES ON \*\.\*/)
    },
  )

  it("34: no failed load leaves a staging database or shadow account behind", async () => {
    const r = await run()
    const failed = r.steps.filter((s) => s.status === "failed" && s.tag === "Content").length
    expect(failed).toBeGreaterThan(0)
    expect(mysql(`SHOW DATABASES LIKE '${sql.user}\\_%'`).flat().sort()).toEqual(
      r.steps
        .filter((s) => s.tag === "Database" && s.status === "done")
        .map((s) => s.label)
        .sort(),
    )
  })

  it("35: DEFINER=root is rewritten: the view and procedure load, with a definer that is not root", async () => {
    const r = await run()
    const db = `${sql.user}_definer`
    expect(stepOf(r, `database:mysql:${db}`)?.status, describeSteps(r)).toBe("done")
    expect(logText(r)).toMatch(new RegExp(`database ${db}: DEFINER rewritten`))
    const definers = mysql(
      `SELECT DEFINER FROM information_schema.VIEWS WHERE TABLE_SCHEMA='${db}' UNION ALL SELECT DEFINER FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA='${db}'`,
    ).flat()
    expect(definers).toHaveLength(2)
    for (const d of definers) expect(d).not.toMatch(/^root@/)
  })

  it("37: utf8mb4_0900_ai_ci is rewritten to utf8mb4_unicode_ci, and the job log says so", async () => {
    const r = await run()
    const db = `${sql.user}_coll`
    expect(stepOf(r, `database:mysql:${db}`)?.status, describeSteps(r)).toBe("done")
    expect(logText(r)).toMatch(new RegExp(`database ${db}: utf8mb4_0900 collation rewritten to utf8mb4_unicode_ci`))
    expect(mysql(`SELECT TABLE_COLLATION FROM information_schema.TABLES WHERE TABLE_SCHEMA='${db}'`)).toEqual([["utf8mb4_unicode_ci"]])
  })
})

describe("38–40 PostgreSQL dumps (psql/<db>.tar)", () => {
  const pg = hostile("hp", (canary) => pgItem(pg.user, canary))
  const superusers = () => psql("SELECT rolname FROM pg_roles WHERE rolsuper ORDER BY rolname")
  let before: ReturnType<typeof superusers> | undefined
  const run = memo(async () => {
    before = superusers()
    return pg.run()
  })

  it("38: backslash meta-commands are inert: filtered out, the rest loads, no canary", async () => {
    const r = await run()
    expectContained(r, pg.user)
    expect(stepOf(r, `content:dump:postgresql:${pg.user}_pgmeta`)?.status, describeSteps(r)).toBe("done")
    expect(psql("SELECT count(*) FROM t", `${pg.user}_pgmeta`)).toEqual([["1"]])
    expect(superusers()).toEqual(before)
  })

  it.each(["pgpriv", "pgtrunc"])("%s: the database fails with a per-entity reason; superusers unchanged; no canary", async (name) => {
    const r = await run()
    expectContained(r, pg.user)
    expectFailed(r, `content:dump:postgresql:${pg.user}_${name}`, new RegExp(`${pg.user}_${name}`))
    expectFailed(r, `database:postgresql:${pg.user}_${name}`, /failed, and this depends on it/)
    expect(superusers()).toEqual(before)
    // Only the good dump and the inert one exist: a failed load leaves no database behind.
    expect(psql(`SELECT datname FROM pg_database WHERE datname LIKE '${pg.user}%' ORDER BY datname`)).toEqual([
      [`${pg.user}_pgmeta`],
      [`${pg.user}_pgok`],
    ])
  })
})

describe("40: a genuine pg_dump tar archive (what cPanel writes as psql/<db>.tar)", () => {
  // A plain .tar dump is written whole to the loader (pg_restore reads the tar format itself).
  it("loads", async () => {
    const user = uniqueUser("ht")
    const source = `${user}_src`
    psql(`CREATE DATABASE ${source}`)
    psql("CREATE TABLE t (id int); INSERT INTO t VALUES (1);", source)
    const dump = pgTarDump(source)
    psql(`DROP DATABASE ${source}`)
    const r = await importHostile(user, () => ({ [`psql/${user}_pg.tar`]: dump, "psql_users.sql": "", "psql_grants.sql": "" }))
    runs.push(r)
    expect(stepOf(r, `database:postgresql:${user}_pg`)?.status, describeSteps(r)).toBe("done")
  })
})

describe("41–46 mail, cron, web, SSL", () => {
  const fwd = hostile("hf", (canary) => item.forwarders(fwd.user, canary))

  it.each(["pipe", "file", "canary", "inc"])("41: forwarder %s@ to a pipe, file or :include: is skipped as unsafe", async (local) => {
    const r = await fwd.run()
    expectContained(r, fwd.user)
    expectSkipped(r, `forwarder:${local}@${fwd.user}.example`, /forward-target-unsafe/)
    expect(stepOf(r, `forwarder:fwd@${fwd.user}.example`)?.status).toBe("done")
    expect(await filesContaining(nodePath.join(r.root, "etc"), /\/bin\/sh|:include:|\/etc\/passwd|canary/)).toEqual([])
  })

  const maildir = hostile("hl", () => ({
    [`homedir/mail/${maildir.user}.example/info/cur/1700000000.evil:2,S`]: { type: "symlink", target: "../../../../../../canary" },
    [`homedir/mail/${maildir.user}.example/info/dovecot.index`]: "index",
    [`homedir/mail/${maildir.user}.example/info/dovecot.index.cache`]: "cache",
    [`homedir/mail/${maildir.user}.example/info/dovecot-uidlist`]: "3 V1 N1\n",
  }))

  it("42: a Maildir symlink is left out (logged on the mailbox's step), dovecot indexes are dropped, the messages land", async () => {
    const r = await maildir.run()
    expectContained(r, maildir.user)
    expect(logText(r)).toMatch(new RegExp(`mail of info@${maildir.user}\\.example: symbolic link .*1700000000\\.evil.* left out`))
    const box = nodePath.join(r.root, `var/mail/vhosts/${maildir.user}.example/info`)
    const files = await fs.readdir(box, { recursive: true })
    // Indexes are dropped (the server rebuilds them); dovecot-uidlist is kept on purpose (UIDs).
    expect(files.filter((f) => /evil|dovecot\.index/.test(String(f)))).toEqual([])
    expect(files.filter((f) => String(f).startsWith("cur/")).length).toBeGreaterThan(0)
    const links = (await fs.readdir(r.root, { recursive: true, withFileTypes: true })).filter((e) => e.isSymbolicLink())
    for (const link of links) {
      const target = nodePath.resolve(link.parentPath, await fs.readlink(nodePath.join(link.parentPath, link.name)))
      expect(target.startsWith(`${r.root}/`), `${link.name} → ${target}`).toBe(true)
    }
  })

  it("42: an absolute symlink anywhere in the archive refuses the whole backup (exit 3) before anything is written", async () => {
    const user = uniqueUser("ha")
    const r = await importHostile(user, (canary) => ({
      [`homedir/mail/${user}.example/info/cur/1.evil:2,S`]: { type: "symlink", target: canary },
    }))
    runs.push(r)
    expect(r.run.code).toBe(3)
    expect(r.run.stderr).toMatch(/unsafe link .*absolute/)
    expect(await fs.readdir(r.root)).toEqual([])
    expect(newOutsideRoot(r)).toEqual([])
  })

  const hashes = hostile("hh", () => item.hashes(hashes.user))

  it.each([
    ["md5", "kept"],
    ["bf", "kept"],
    ["plain", "new"],
    ["unknown", "new"],
    ["locked", "new"],
  ])("43: mailbox hash %s → %s password", async (local, expected) => {
    const r = await hashes.run()
    expectContained(r, hashes.user)
    const key = `mailbox:${local}@${hashes.user}.example`
    expect(stepOf(r, key)?.status, describeSteps(r)).toBe("done")
    const generated = r.log.some((l) => l.step === key && /new generated password/.test(l.message))
    expect(generated, logText(r)).toBe(expected === "new")
    const passwd = await filesContaining(nodePath.join(r.root, "etc"), new RegExp(`^${local}@${hashes.user}\\.example:`, "m"))
    expect(passwd.length).toBeGreaterThan(0)
    for (const file of passwd) {
      const line = (await fs.readFile(file, "utf8")).split("\n").find((l) => l.startsWith(`${local}@`)) ?? ""
      expect(line).not.toMatch(/plaintextpassword|with:colon|\{SSHA\}/)
    }
  })

  // Known gap: "$6$salt$with:colon" reaches the model as "$6$salt$with" (":" splits the shadow
  // line), a sha512-crypt hash of the wrong length, and is carried as a known scheme instead of
  // getting a new password. Harmless (no password matches it) but the mailbox silently cannot log in.
  it.fails("43: a malformed $6$ hash (cut at ':') gets a new password", async () => {
    const r = await hashes.run()
    const key = `mailbox:colon@${hashes.user}.example`
    expect(r.log.some((l) => l.step === key && /new generated password/.test(l.message))).toBe(true)
  })

  it("43: a hash cut at ':' never writes the rest of the line into a passwd file", async () => {
    const r = await hashes.run()
    expect(stepOf(r, `mailbox:colon@${hashes.user}.example`)?.status, describeSteps(r)).toBe("done")
    // Server configuration only: homedir/etc/<domain>/shadow itself travels inside the home.
    expect(await filesContaining(nodePath.join(r.root, "etc"), /with:colon|plaintextpassword/)).toEqual([])
  })

  const cron = hostile("hc", (canary) => item.cron(cron.user, canary))

  it("44: SHELL/PATH/BASH_ENV, CR and 10 kB lines are skipped with notes, @reboot fails on its step, the good job is written", async () => {
    const r = await cron.run()
    expectContained(r, cron.user)
    const reboot = r.steps.find((s) => s.tag === "CronJob" && s.label.startsWith("@reboot"))
    expect(reboot?.status, describeSteps(r)).toBe("failed")
    expect(reboot?.reason).toMatch(/@reboot/)
    for (const pattern of [/SHELL/, /PATH/, /BASH_ENV/, /carriage return/, /long|bytes|characters/])
      expect(
        notesMatching(r, pattern).filter((n) => n.path.endsWith(`cron/${cron.user}`)),
        `${pattern}\n${JSON.stringify(r.notes, null, 1)}`,
      ).not.toEqual([])
    const crontab = await fs.readFile(nodePath.join(r.root, `var/spool/cron/crontabs/${cron.user}`), "utf8")
    expect(crontab).toContain(`/home/${cron.user}/public_html/ok.php`)
    expect(crontab).not.toMatch(/SHELL=|PATH=|BASH_ENV=|@reboot|\r|xxxxxxxxxx|canary/)
  })

  const web = hostile("hx", (canary) => item.web(web.user, canary))

  it("45: .htaccess stays tenant content; httpfiles/ include snippets reach no nginx or other config", async () => {
    const r = await web.run()
    expectContained(r, web.user)
    const htaccess = await fs.readFile(nodePath.join(r.root, `home/${web.user}/public_html/.htaccess`), "utf8")
    expect(htaccess).toContain("auto_prepend_file")
    expect(
      await filesContaining(
        nodePath.join(r.root, "etc"),
        /auto_prepend_file|Include \/etc\/shadow|evil_module|SetHandler|FollowSymLinks|canary/,
      ),
    ).toEqual([])
    const all = await fs.readdir(r.root, { recursive: true })
    expect(all.filter((f) => String(f).includes("httpfiles") || String(f).endsWith("evil.conf"))).toEqual([])
  })

  const ssl = hostile("hk", () => item.ssl())

  it("46: a key matching no certificate and an encrypted key are reported and not installed", async () => {
    const r = await ssl.run()
    expectContained(r, ssl.user)
    expect(notesMatching(r, /ssl-key-unreadable .*encrypted\.key/)).toHaveLength(1)
    expect(notesMatching(r, /ssl-key-unpaired .*mismatch\.key/)).toHaveLength(1)
    // The user's SSL store travels inside the home directory (tenant data); no server config uses it.
    const body = strangerKey.plain.split("\n")[1] as string
    expect(await filesContaining(nodePath.join(r.root, "etc"), new RegExp(body.replace(/[+/]/g, "\\$&")))).toEqual([])
    expect(await filesContaining(nodePath.join(r.root, "etc"), /mismatch\.key|encrypted\.key/)).toEqual([])
    expect(r.steps.filter((s) => s.tag === "SslCertificate").every((s) => s.status === "done")).toBe(true)
  })
})
