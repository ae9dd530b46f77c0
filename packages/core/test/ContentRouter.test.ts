import { assert, describe, it } from "@effect/vitest"
import { type ContentRef, ContentRouter } from "../src/index.ts"

const ref = (id: string, kind: ContentRef["kind"], path: string, excludes: Array<string> = []): ContentRef => ({
  id,
  kind,
  path,
  excludes,
  bytes: 1,
  files: 1,
})

const refs = [
  ref("home", "home", "cp/homedir/", ["cp/homedir/public_html/", "cp/homedir/mail/a/"]),
  ref("web", "web", "cp/homedir/public_html/"),
  ref("mail", "mail", "cp/homedir/mail/a/"),
  ref("dump", "database-dump", "cp/mysql/db.sql"),
  ref("packed", "web", "dumps/site.tgz"),
  ref("packed-dump", "database-dump", "dumps/db.tzst"),
]

describe("ContentRouter", () => {
  const all = new ContentRouter(refs, new Set(refs.map((r) => r.id)), [{ path: "cp/homedir.tar", mount: "cp/homedir" }])

  it("routes to the deepest ref, relative to its root", () => {
    assert.deepStrictEqual(all.route("cp/homedir/public_html/a/b.html", true), {
      _tag: "write",
      ref: refs[1] as ContentRef,
      rel: "a/b.html",
    })
    assert.deepStrictEqual(all.route("cp/homedir/.bashrc", true), { _tag: "write", ref: refs[0] as ContentRef, rel: ".bashrc" })
    assert.deepStrictEqual(all.route("cp/homedir/mail/a/cur/1", true), { _tag: "write", ref: refs[2] as ContentRef, rel: "cur/1" })
  })

  it("sends nothing for paths outside every ref and for the ref root itself", () => {
    assert.strictEqual(all.route("cp/version", true)._tag, "none")
    assert.strictEqual(all.route("cp/homedir", false)._tag, "none")
  })

  it("gives a dump its file name and opens packed content as a nested archive", () => {
    assert.deepStrictEqual(all.route("cp/mysql/db.sql", true), { _tag: "write", ref: refs[3] as ContentRef, rel: "db.sql" })
    assert.deepStrictEqual(all.route("dumps/site.tgz", true), { _tag: "nested", mount: "dumps/site.tgz.d" })
    assert.deepStrictEqual(all.route("dumps/site.tgz.d/index.html", true), { _tag: "write", ref: refs[4] as ContentRef, rel: "index.html" })
    assert.deepStrictEqual(all.route("dumps/db.tzst.d/x/db.sql", true), { _tag: "write", ref: refs[5] as ContentRef, rel: "db.sql" })
    assert.deepStrictEqual(all.route("cp/homedir.tar", true), { _tag: "nested", mount: "cp/homedir" })
  })

  it("drops entries of refs that are not active, even inside an active ref", () => {
    const some = new ContentRouter(refs, new Set(["home"]), [{ path: "cp/homedir.tar", mount: "cp/homedir" }])
    assert.strictEqual(some.route("cp/homedir/public_html/index.html", true)._tag, "none")
    assert.strictEqual(some.route("cp/homedir/mail/a/cur/1", true)._tag, "none")
    assert.strictEqual(some.route("cp/homedir/.bashrc", true)._tag, "write")
    assert.strictEqual(some.route("cp/mysql/db.sql", true)._tag, "none")
    const none = new ContentRouter(refs, new Set(["dump"]), [{ path: "cp/homedir.tar", mount: "cp/homedir" }])
    // Nothing under the nested archive is wanted: it is not opened.
    assert.strictEqual(none.route("cp/homedir.tar", true)._tag, "none")
  })
})
