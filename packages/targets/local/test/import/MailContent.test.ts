import { execFileSync } from "node:child_process"
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Archive, type ContentRef, type ContentSink, type Entity, type Mailbox, type MailingList, type StepFailed } from "@ferry/core"
import { Effect } from "effect"
import type { ImportEnv } from "../../src/import/ImportEnv.ts"
import { makeMailContentPart, placeMaildirEntry } from "../../src/import/MailContent.ts"
import { failure, tempDir } from "../Support.ts"
import { makeImportEnv, makeStepContext } from "../support/ImportEnvFixture.ts"

const owner = { _tag: "Account", id: "account:bob", login: "bob" } as unknown as Entity

const mailbox = (fields: Partial<Mailbox> = {}): Mailbox => ({
  _tag: "Mailbox",
  id: "mailbox:info@example.com",
  owner: "account:bob",
  source: { path: "x" },
  address: "info@example.com",
  localPart: "info",
  domain: "example.com",
  quotaBytes: null,
  storage: "maildir",
  content: "content:mail:info@example.com",
  enabled: true,
  ...fields,
})

const ref = (path: string, kind: ContentRef["kind"] = "mail"): ContentRef => ({
  id: "content:mail:info@example.com",
  kind,
  path,
  excludes: [],
  bytes: 0,
  files: 0,
})

/** A real tar of `files` (path → body, or { link } for a symlink), made with GNU tar. */
const makeTar = (files: Record<string, string | { link: string }>): string => {
  const dir = tempDir()
  for (const [path, body] of Object.entries(files)) {
    const abs = join(dir, path)
    mkdirSync(path.endsWith("/") ? abs : dirname(abs), { recursive: true })
    if (path.endsWith("/")) continue
    if (typeof body === "string") writeFileSync(abs, body)
    else symlinkSync(body.link, abs)
  }
  const out = join(tempDir(), "backup.tar")
  execFileSync("tar", ["-cf", out, "-C", dir, "--", ...readdirSync(dir)])
  return out
}

/** Stream every entry below `prefix` into the sink, as the executor's router does. */
const feed = (tar: string, prefix: string, sink: ContentSink) =>
  Effect.gen(function* () {
    const archive = yield* Archive.open(tar)
    yield* archive.scan((entry) => {
      if (!entry.path.startsWith(prefix)) return Effect.void
      const rel = entry.path.slice(prefix.length)
      return rel === "" ? Effect.void : sink.write(rel, entry)
    })
    return yield* sink.commit
  })

const addAccount = (env: ImportEnv, login: string, uid: number) =>
  Effect.gen(function* () {
    yield* env.store.accounts.add({ login, kind: "client", owner: null })
    env.store.connection.db.prepare("UPDATE accounts SET uid = ? WHERE login = ?").run(uid, login)
  })

const setup = Effect.gen(function* () {
  const env = yield* makeImportEnv()
  yield* addAccount(env, "bob", 2001)
  yield* env.store.record.domain("example.com", "bob")
  const part = makeMailContentPart(env)
  const open = (r: ContentRef, entity: Entity) =>
    (r.kind === "mail" ? part.content.mail : part.content["mailing-list"])(r, entity, makeStepContext(entity, [owner, entity]))
  return { env, open }
})

const cpanelBox = "homedir/mail/example.com/info/"

describe("Maildir content (checklist item 42)", () => {
  it.effect("writes messages and folders, drops Dovecot indexes and links, creates missing cur/new/tmp", () =>
    Effect.gen(function* () {
      const { env, open } = yield* setup
      const tar = makeTar({
        [`${cpanelBox}cur/1700000000.M1.host:2,S`]: "Subject: one\n\nbody\n",
        [`${cpanelBox}new/1700000001.M2.host`]: "Subject: two\n\n",
        [`${cpanelBox}dovecot-uidlist`]: "3 V1700000000 N3\n1 1700000000.M1.host\n",
        [`${cpanelBox}subscriptions`]: "Sent\n",
        [`${cpanelBox}dovecot.index`]: "index",
        [`${cpanelBox}dovecot.index.cache`]: "cache",
        [`${cpanelBox}dovecot.list.index.log`]: "log",
        [`${cpanelBox}dovecot-uidvalidity.65a1b2c3`]: "",
        [`${cpanelBox}maildirsize`]: "0S\n",
        [`${cpanelBox}.qmail`]: "|/usr/bin/evil\n",
        [`${cpanelBox}.Sent/cur/1700000002.M3.host:2,S`]: "Subject: three\n\n",
        [`${cpanelBox}.Sent/dovecot.index.log`]: "log",
        [`${cpanelBox}.Drafts/`]: "",
        // Inside the archive, outside the Maildir: the archive layer lets it through, the sink must not.
        [`${cpanelBox}cur/escape`]: { link: "../../../../.ssh/authorized_keys" },
        "homedir/.ssh/authorized_keys": "ssh-ed25519 AAAA",
      })
      const sink = yield* open(ref(cpanelBox), mailbox())
      const result = yield* feed(tar, cpanelBox, sink)
      const maildir = env.layout.maildir("example.com", "info")
      assert.strictEqual(readFileSync(join(maildir, "cur/1700000000.M1.host:2,S"), "utf8"), "Subject: one\n\nbody\n")
      assert.isTrue(existsSync(join(maildir, "new/1700000001.M2.host")))
      assert.isTrue(existsSync(join(maildir, ".Sent/cur/1700000002.M3.host:2,S")))
      assert.isTrue(existsSync(join(maildir, "dovecot-uidlist")))
      assert.isTrue(existsSync(join(maildir, "subscriptions")))
      for (const gone of [
        "dovecot.index",
        "dovecot.index.cache",
        "dovecot.list.index.log",
        "dovecot-uidvalidity.65a1b2c3",
        "maildirsize",
        ".qmail",
        ".Sent/dovecot.index.log",
      ])
        assert.isFalse(existsSync(join(maildir, gone)), gone)
      assert.throws(() => lstatSync(join(maildir, "cur/escape")))
      for (const dir of ["tmp", ".Sent/new", ".Sent/tmp", ".Drafts/cur", ".Drafts/new", ".Drafts/tmp"])
        assert.isTrue(statSync(join(maildir, dir)).isDirectory(), dir)
      assert.strictEqual(statSync(maildir).mode & 0o777, 0o700)
      assert.strictEqual(result.outcome, "created")
      const notes = (result.notes ?? []).join("\n")
      assert.include(notes, "Dovecot index or cache file")
      assert.include(notes, "1 symbolic link left out")
      assert.include(notes, ".qmail")

      // The same content again: every file already in place.
      const again = yield* feed(tar, cpanelBox, yield* open(ref(cpanelBox), mailbox()))
      assert.strictEqual(again.outcome, "unchanged")
    }),
  )

  it.effect("takes a Plesk Maildir/ root and fills in a mailbox without cur/new/tmp", () =>
    Effect.gen(function* () {
      const { env, open } = yield* setup
      const root = "mail/example.com/info/"
      const tar = makeTar({ [`${root}Maildir/.Junk/cur/1.host:2,`]: "x", [`${root}@attachments/a`]: "y" })
      const result = yield* feed(tar, root, yield* open(ref(root), mailbox()))
      const maildir = env.layout.maildir("example.com", "info")
      assert.isTrue(existsSync(join(maildir, ".Junk/cur/1.host:2,")))
      assert.isFalse(existsSync(join(maildir, "@attachments")))
      for (const dir of ["cur", "new", "tmp", ".Junk/new", ".Junk/tmp"]) assert.isTrue(statSync(join(maildir, dir)).isDirectory(), dir)
      assert.include((result.notes ?? []).join("\n"), "2 entries outside the Maildir layout left out (@attachments")
    }),
  )

  it.effect("mdbox and mbox mailboxes are not converted: the step says so", () =>
    Effect.gen(function* () {
      const { open } = yield* setup
      for (const storage of ["mdbox", "mbox"] as const) {
        const error: StepFailed = yield* failure(open(ref(cpanelBox), mailbox({ storage })))
        assert.strictEqual(error.code, "mail-storage-not-converted")
        assert.include(error.reason, `${storage} is not converted`)
      }
    }),
  )

  it.effect("a mailing list's data is kept root-only, links left out", () =>
    Effect.gen(function* () {
      const { env, open } = yield* setup
      const list: MailingList = {
        _tag: "MailingList",
        id: "mailinglist:news@example.com",
        owner: "account:bob",
        source: { path: "x" },
        name: "news",
        domain: "example.com",
        manager: "mailman",
        admins: [],
        members: [],
        content: "content:list:news@example.com",
      }
      const base = "mm/news_example.com/"
      const tar = makeTar({
        [`${base}config.pck`]: "pickle",
        [`${base}archives/2024.txt`]: "mail",
        [`${base}link`]: { link: "config.pck" },
      })
      const result = yield* feed(tar, base, yield* open({ ...ref(base, "mailing-list"), id: "content:list:news@example.com" }, list))
      const dir = env.layout.mailingList("example.com", "news")
      assert.strictEqual(readFileSync(join(dir, "archives/2024.txt"), "utf8"), "mail")
      assert.strictEqual(statSync(dir).mode & 0o777, 0o700)
      assert.throws(() => lstatSync(join(dir, "link")))
      assert.include((result.notes ?? []).join("\n"), "no list manager")
    }),
  )

  it("places entries by the Maildir++ layout", () => {
    assert.deepStrictEqual(placeMaildirEntry("cur/1", "file"), { _tag: "write", rel: "cur/1" })
    assert.deepStrictEqual(placeMaildirEntry("Maildir/new/1", "file"), { _tag: "write", rel: "new/1" })
    assert.deepStrictEqual(placeMaildirEntry(".A.B/tmp/", "directory"), { _tag: "write", rel: ".A.B/tmp" })
    assert.deepStrictEqual(placeMaildirEntry(".A/maildirfolder", "file"), { _tag: "write", rel: ".A/maildirfolder" })
    assert.strictEqual(placeMaildirEntry("dovecot.list.index", "file")._tag, "index")
    assert.strictEqual(placeMaildirEntry("Maildir/", "directory")._tag, "root")
    assert.strictEqual(placeMaildirEntry("cur/sub/1", "file")._tag, "other")
    assert.strictEqual(placeMaildirEntry("cur", "file")._tag, "other")
    assert.strictEqual(placeMaildirEntry(".forward", "file")._tag, "other")
    assert.strictEqual(placeMaildirEntry("courierimapuiddb", "file")._tag, "other")
  })
})
