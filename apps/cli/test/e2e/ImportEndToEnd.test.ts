import { existsSync, readdirSync, statSync } from "node:fs"
import * as nodePath from "node:path"
import type { Snapshot } from "@ferry/core"
import {
  realCpanelFixtures,
  realFixtureSymlinks,
  smallCpanelSpec,
  treeEntries,
  treeFromDirectory,
  withTop,
  writeArchive,
} from "@ferry/testing"
import { Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { parseJson, type ShowJson } from "../support/Jobs.ts"
import { type Run, runFerry } from "../support/RunFerry.ts"
import {
  contentLines,
  dovecotPrefix,
  dropImported,
  type E2eServer,
  entities,
  expectedWebFiles,
  inspectBackup,
  leftovers,
  loginOf,
  makeE2eServer,
  mysql,
  mysqlChecksums,
  mysqlDatabases,
  mysqlRowCounts,
  psql,
  systemListing,
} from "./E2eSupport.ts"
import { knownMysqlPassword, writeSyntheticBackup } from "./SyntheticBackup.ts"

/*
 * `ferry import` of real and synthetic cPanel backups into a temp root, against the real MariaDB
 * and PostgreSQL of scripts/services.sh, checked against the snapshot the same adapters read:
 * web files byte for byte, Maildirs and Dovecot lines with the original hashes, databases with
 * their rows, database logins, and the job's verdict. The cases share database servers and the
 * real fixtures have fixed database names, so they run one after the other and drop what they
 * create before and after.
 */

interface Case {
  readonly name: string
  readonly archive: string
  /** Database → table → rows the dump holds (only where the backup has dumps we wrote). */
  readonly rows?: Readonly<Record<string, Readonly<Record<string, number>>>>
  /** Plaintext of every MySQL user's hash, where known. */
  readonly mysqlPassword?: string
  /**
   * Step keys allowed to fail, each with why. Empty everywhere: the real fixtures' redacted hashes
   * (`*000…`, `$6$REDACTEDSALT$…`) are well-formed and imported as they are (nobody can log in with
   * them, as nobody could with the redacted originals), and the synthetic backup is complete.
   */
  readonly allowedFailures: Readonly<Record<string, string>>
}

let server: E2eServer
const cases: Array<Case> = []

beforeAll(async () => {
  server = await makeE2eServer("ferry-e2e-import-")
  const fixtures = realCpanelFixtures()
  for (const set of readdirSync(fixtures)
    .filter((n) => statSync(nodePath.join(fixtures, n)).isDirectory())
    .sort()) {
    const user = (readdirSync(nodePath.join(fixtures, set, "cp"))[0] ?? "").replace(/\.redacted$/, "")
    const tree = await treeFromDirectory(nodePath.join(fixtures, set), { symlinks: realFixtureSymlinks })
    const archive = await writeArchive(withTop(`cpmove-${user}`, tree), nodePath.join(server.dir, `cpmove-${user}.tar.gz`), "tar.gz")
    cases.push({ name: set, archive, allowedFailures: {} })
  }
  // A user name of its own: the database and user names must not collide with other tests'.
  const synthetic = await writeSyntheticBackup({ ...smallCpanelSpec, user: "e2eimp" }, nodePath.join(server.dir, "cpmove-e2eimp.tar.gz"), {
    rows: 250,
  })
  cases.push({ name: "synthetic", archive: synthetic.path, rows: synthetic.rows, mysqlPassword: knownMysqlPassword, allowedFailures: {} })
}, 120_000)

interface Imported {
  readonly run: Run
  readonly result: ShowJson
  readonly root: string
}

const importInto = async (c: Case, name: string): Promise<Imported> => {
  const root = await server.newRoot(name)
  const args = ["import", c.archive, "--yes", "--json", "--show-passwords", "--root", root, "--state-dir", server.stateDir(name)]
  const run = await runFerry([...args, "--config", server.profile])
  return { run, result: parseJson<ShowJson>(run), root }
}

const expectJobVerdict = (c: Case, imported: Imported) => {
  const failed = Object.fromEntries(imported.result.failed.map((f) => [f.key, f.reason]))
  // Every failure must be one the case lists, with its reason; and then the status says so.
  expect(Object.keys(failed).sort(), JSON.stringify(failed, null, 2)).toEqual(Object.keys(c.allowedFailures).sort())
  const status = Object.keys(c.allowedFailures).length === 0 ? "completed" : "completed-with-errors"
  expect(imported.result.job.status).toBe(status)
  expect(imported.run.code).toBe(status === "completed" ? 0 : 10)
  expect(imported.result.counts.pending + imported.result.counts.running).toBe(0)
}

const expectWebFiles = async (c: Case, snapshot: Snapshot, root: string) => {
  const expected = await expectedWebFiles(c.archive, snapshot)
  const docroots = new Set(
    entities(snapshot, "Site")
      .filter((s) => s.content !== undefined)
      .map((s) => nodePath.posix.join("home", loginOf(s.owner), s.docroot)),
  )
  const actual = new Map<string, string>()
  for (const docroot of docroots) {
    const dir = nodePath.join(root, docroot)
    if (!existsSync(dir)) continue
    for (const [rel, entry] of await treeEntries(dir))
      if (entry.type === "file") actual.set(nodePath.posix.join(docroot, rel), entry.digest)
  }
  expect(actual).toEqual(expected)
  return expected.size
}

const expectMailboxes = async (snapshot: Snapshot, root: string, result: ShowJson) => {
  const generated = new Set(result.generatedPasswords.map((p) => p.entity))
  for (const mailbox of entities(snapshot, "Mailbox")) {
    const maildir = nodePath.join(root, "var/mail/vhosts", mailbox.domain, mailbox.localPart)
    for (const sub of ["cur", "new", "tmp"]) expect(statSync(nodePath.join(maildir, sub)).isDirectory(), `${maildir}/${sub}`).toBe(true)
    const lines = await contentLines(nodePath.join(root, "etc/dovecot/passwd.d", `${mailbox.domain}.passwd`))
    const mine = lines.filter((l) => l.startsWith(`${mailbox.address}:`))
    expect(mine, mailbox.address).toHaveLength(1)
    const hash = mailbox.passwordHash
    const prefix = hash === undefined ? undefined : dovecotPrefix[hash.scheme]
    if (hash !== undefined && prefix !== undefined) {
      const field = (mine[0] ?? "").slice(mailbox.address.length + 1).split(":")[0]
      expect(field === `${prefix}${Redacted.value(hash.value)}`, `${mailbox.address} keeps its ${hash.scheme} hash`).toBe(true)
    } else expect(generated.has(mailbox.id), `${mailbox.address} has no usable hash: a generated password`).toBe(true)
  }
}

const importedMysqlDatabases = (snapshot: Snapshot) => entities(snapshot, "Database").filter((d) => d.engine === "mysql")

const expectDatabases = (c: Case, snapshot: Snapshot) => {
  const present = new Set(mysqlDatabases())
  for (const db of entities(snapshot, "Database")) {
    if (db.engine === "mysql") {
      expect(present.has(db.name), `MariaDB database ${db.name}`).toBe(true)
      const expectedRows = c.rows?.[db.name]
      if (expectedRows !== undefined) expect(mysqlRowCounts(db.name)).toEqual(expectedRows)
    } else expect(psql(`SELECT datname FROM pg_database WHERE datname = '${db.name}'`), `PostgreSQL database ${db.name}`).toHaveLength(1)
  }
  expect(leftovers()).toEqual([])
}

const expectLogins = (c: Case, snapshot: Snapshot, result: ShowJson) => {
  const passwords = new Map(result.generatedPasswords.filter((p) => p.service === "mysql").map((p) => [p.login, p.password]))
  let tried = 0
  for (const user of entities(snapshot, "DatabaseUser").filter((u) => u.engine === "mysql")) {
    const password = passwords.get(user.name) ?? c.mysqlPassword
    if (password === undefined) continue
    const grantedDb = user.grants.map((g) => g.database).find((d) => d !== undefined && d !== "*" && !d.includes("%"))
    const rows = mysql(
      `SELECT CURRENT_USER()${grantedDb !== undefined ? `; SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '${grantedDb}'` : ""}`,
      {
        user: user.name,
        password,
      },
    )
    expect(rows[0]?.[0]?.startsWith(`${user.name}@`), `${user.name} logs in`).toBe(true)
    tried++
  }
  return tried
}

describe("ferry import end to end", () => {
  const snapshots = new Map<string, Snapshot>()
  afterAll(() => {
    for (const snapshot of snapshots.values()) dropImported(snapshot)
  })

  it("imports every real fixture and the synthetic backup as the snapshot describes", { timeout: 600_000 }, async () => {
    expect(cases.length).toBeGreaterThanOrEqual(4)
    for (const c of cases) {
      const { snapshot } = await inspectBackup(c.archive)
      snapshots.set(c.name, snapshot)
      dropImported(snapshot)
      const before = await systemListing()
      const first = await importInto(c, `${c.name}-1`)
      expect(await systemListing(), `${c.name}: nothing written outside the root`).toBe(before)
      expectJobVerdict(c, first)
      const webFiles = await expectWebFiles(c, snapshot, first.root)
      await expectMailboxes(snapshot, first.root, first.result)
      expectDatabases(c, snapshot)
      const logins = expectLogins(c, snapshot, first.result)
      if (c.mysqlPassword !== undefined) expect(logins, `${c.name}: every MySQL user logged in`).toBeGreaterThan(0)

      // The same backup again, from nothing: the databases come out the same.
      const checksums = Object.fromEntries(importedMysqlDatabases(snapshot).map((d) => [d.name, mysqlChecksums(d.name)]))
      dropImported(snapshot)
      const second = await importInto(c, `${c.name}-2`)
      expectJobVerdict(c, second)
      expect(Object.fromEntries(importedMysqlDatabases(snapshot).map((d) => [d.name, mysqlChecksums(d.name)]))).toEqual(checksums)
      console.log(
        `${c.name}: ${first.result.job.status}, ${webFiles} web files, ${entities(snapshot, "Mailbox").length} mailboxes, ` +
          `${entities(snapshot, "Database").length} databases, ${logins} MySQL logins checked`,
      )
    }
  })
})
