import * as nodePath from "node:path"
import {
  type Account,
  Adapter,
  AdapterError,
  type Database,
  type Domain,
  type Mailbox,
  makePasswordHash,
  type Site,
  type Snapshot,
  SnapshotBuilder,
  type SslCertificate,
} from "@ferry/core"
import { Effect, Redacted } from "effect"
import { describe, expect, it } from "vitest"
import {
  adapterConformance,
  smallCpanelSpec,
  snapshotProblems,
  snapshotSecrets,
  type TreeNode,
  writeArchive,
  writeCpanelBackup,
} from "../src/index.ts"

/*
 * The conformance suite run against a tiny fake adapter (a backup is any archive with a
 * `fake.txt` marker), plus direct tests of the snapshot checks it relies on.
 */

const accountHash = "$6$fakesaltfakesalt$FAKEACCOUNTHASHVALUE"
const mailboxHash = "$6$otherSaltOther$FAKEMAILBOXHASHVALUE"

const markerFor =
  (name: string) =>
  (probe: Adapter.DetectProbe): Adapter.DetectResult => {
    for (const [path, text] of probe.files) {
      if (nodePath.posix.basename(path) === `${name}.txt` && text.startsWith(`${name.toUpperCase()}-BACKUP`)) {
        const root = nodePath.posix.dirname(path)
        return { _tag: "Detected", adapter: name, root: root === "." ? "" : root, facts: {} }
      }
    }
    return undefined
  }

const fakeAdapter = Adapter.make({
  id: "fake",
  displayName: "Fake panel",
  detect: markerFor("fake"),
  read: (ctx) =>
    Effect.gen(function* () {
      const builder = new SnapshotBuilder()
      const prefix = ctx.detection.root === "" ? "" : `${ctx.detection.root}/`
      let marker: string | undefined
      const stats = yield* ctx.archive.scan(
        (entry) =>
          Effect.gen(function* () {
            if (entry.type === "file") builder.file(entry.path, entry.size, entry.path.endsWith(".sql"))
            if (entry.path === `${prefix}fake.txt`) marker = yield* entry.readText(4096)
          }),
        ctx.scanOptions,
      )
      if (marker === undefined) return yield* new AdapterError({ adapter: "fake", path: `${prefix}fake.txt`, detail: "marker vanished" })
      const source = { path: `${prefix}fake.txt` }
      const account: Account = {
        _tag: "Account",
        id: "account:alice",
        owner: null,
        source,
        kind: "client",
        login: "alice",
        contact: {},
        status: "active",
        passwordHash: makePasswordHash("sha512-crypt", accountHash),
        limits: {},
        permissions: {},
        ipPool: [],
        extras: {},
      }
      builder.add(account)
      const web = builder.declareContent({ id: "content:web:alice.example", kind: "web", path: `${prefix}www/` })
      const mail = builder.declareContent({ id: "content:mail:info@alice.example", kind: "mail", path: `${prefix}mail/info/` })
      const dump = builder.declareContent({ id: "content:db:alice_db", kind: "database-dump", path: `${prefix}db.sql` })
      const certificate: SslCertificate = {
        _tag: "SslCertificate",
        id: "ssl:alice.example",
        owner: account.id,
        source,
        name: "alice.example",
        certificatePem: "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n",
        privateKey: Redacted.make("-----BEGIN PRIVATE KEY-----FAKEPRIVATEKEY-----END PRIVATE KEY-----"),
        chainPem: [],
        subject: "CN=alice.example",
        issuer: "CN=alice.example",
        domains: ["alice.example"],
        notBefore: "2024-01-01T00:00:00.000Z",
        notAfter: "2034-01-01T00:00:00.000Z",
        fingerprintSha256: "00",
        selfSigned: true,
        keyMatches: true,
      }
      builder.add(certificate)
      const site: Site = {
        _tag: "Site",
        id: "site:alice.example",
        owner: account.id,
        source,
        domain: "domain:alice.example",
        docroot: "www",
        serverAliases: [],
        content: web,
        php: { enabled: true },
        ssl: { enabled: true, certificate: certificate.id },
        protectedDirectories: [],
        webUsers: [],
        mimeTypes: [],
        redirects: [],
        errorPages: [],
        applications: [],
        extras: {},
      }
      const main: Domain = {
        _tag: "Domain",
        id: "domain:alice.example",
        owner: account.id,
        source,
        name: "alice.example",
        kind: "main",
        site: site.id,
        ips: [],
      }
      const sub: Domain = {
        _tag: "Domain",
        id: "domain:blog.alice.example",
        owner: account.id,
        source,
        name: "blog.alice.example",
        kind: "subdomain",
        parent: main.id,
        ips: [],
      }
      const mailbox: Mailbox = {
        _tag: "Mailbox",
        id: "mailbox:info@alice.example",
        owner: account.id,
        source,
        address: "info@alice.example",
        localPart: "info",
        domain: "alice.example",
        passwordHash: makePasswordHash("sha512-crypt", mailboxHash),
        quotaBytes: null,
        storage: "maildir",
        content: mail,
        enabled: true,
      }
      const database: Database = {
        _tag: "Database",
        id: "database:alice_db",
        owner: account.id,
        source,
        name: "alice_db",
        engine: "mysql",
        dump,
      }
      for (const entity of [main, sub, site, mailbox, database]) builder.add(entity)
      return builder.build({
        panel: "fake",
        archive: {
          path: ctx.archive.path,
          container: ctx.archive.container,
          bytes: ctx.archive.bytes,
          entries: stats.entries,
          contentBytes: stats.contentBytes,
        },
      })
    }),
})

const otherAdapter = Adapter.make({
  id: "other",
  displayName: "Other panel",
  detect: markerFor("other"),
  read: () => Effect.die("never read in these tests"),
})

const fakeTree = (top: string): Map<string, TreeNode> => {
  const at = (path: string) => (top === "" ? path : `${top}/${path}`)
  const tree = new Map<string, TreeNode>()
  if (top !== "") tree.set(top, { type: "dir" })
  tree.set(at("fake.txt"), "FAKE-BACKUP 1\naccount=alice\n")
  tree.set(at("www"), { type: "dir" })
  tree.set(at("www/index.html"), "<h1>alice</h1>\n")
  tree.set(at("mail"), { type: "dir" })
  tree.set(at("mail/info"), { type: "dir" })
  tree.set(at("mail/info/cur"), { type: "dir" })
  tree.set(at("mail/info/cur/1700000000.M1P1.host,S=5:2,S"), "hello")
  tree.set(at("db.sql"), "CREATE TABLE t (id int);\n")
  return tree
}

adapterConformance({
  adapter: fakeAdapter,
  own: [
    {
      name: "fake backup in a tar.gz with a top folder",
      build: (dir) => writeArchive(fakeTree("backup"), nodePath.join(dir, "fake.tar.gz"), "tar.gz"),
    },
    { name: "fake backup as a plain tar", build: (dir) => writeArchive(fakeTree(""), nodePath.join(dir, "fake.tar"), "tar") },
    {
      name: "fake backup as an extracted directory",
      build: (dir) => writeArchive(fakeTree("backup"), nodePath.join(dir, "extracted"), "directory"),
    },
  ],
  foreign: [
    {
      name: "a small cPanel backup",
      build: async (dir) => (await writeCpanelBackup(smallCpanelSpec, nodePath.join(dir, "cpmove-synth.tar.gz"), "tar.gz")).path,
    },
    {
      name: "an archive whose marker has the wrong content",
      build: (dir) => writeArchive(new Map<string, TreeNode>([["fake.txt", "NOT A FAKE BACKUP\n"]]), nodePath.join(dir, "x.tar"), "tar"),
    },
    {
      name: "an other-panel backup",
      build: (dir) => writeArchive(new Map<string, TreeNode>([["other.txt", "OTHER-BACKUP\n"]]), nodePath.join(dir, "other.tar"), "tar"),
    },
  ],
  otherAdapters: [otherAdapter],
})

describe("snapshotProblems", () => {
  const source = { path: "x" }
  const good = (): Snapshot => {
    const builder = new SnapshotBuilder()
    builder.add({
      _tag: "Account",
      id: "account:a",
      owner: null,
      source,
      kind: "client",
      login: "a",
      contact: {},
      status: "active",
      passwordHash: makePasswordHash("md5-crypt", "$1$saltsalt$SECRETSECRETSECRET"),
      limits: {},
      permissions: {},
      ipPool: [],
      extras: {},
    } satisfies Account)
    const dump = builder.declareContent({ id: "content:db", kind: "database-dump", path: "db.sql" })
    builder.add({ _tag: "Database", id: "database:d", owner: "account:a", source, name: "d", engine: "mysql", dump } satisfies Database)
    builder.add({
      _tag: "Domain",
      id: "domain:a.example",
      owner: "account:a",
      source,
      name: "a.example",
      kind: "main",
      ips: [],
    } satisfies Domain)
    return builder.build({ panel: "t", archive: { path: "p", container: "tar", bytes: 0, entries: 0, contentBytes: 0 } })
  }

  it("finds nothing wrong with a consistent snapshot", () => {
    expect(snapshotProblems(good())).toEqual([])
  })

  it("reports duplicate ids, non-account owners, dangling references, unredacted and leaked secrets", () => {
    const base = good()
    expect(snapshotSecrets(base)).toEqual(["$1$saltsalt$SECRETSECRETSECRET"])
    const domain = base.entities.find((e) => e._tag === "Domain") as Domain
    const broken: Snapshot = {
      ...base,
      entities: [
        ...base.entities,
        { ...domain },
        { ...domain, id: "domain:b.example", name: "b.example", owner: "domain:a.example", parent: "domain:missing", site: "site:missing" },
        {
          _tag: "Mailbox",
          id: "mailbox:x@a.example",
          owner: "account:a",
          source,
          address: "x@a.example",
          localPart: "x",
          domain: "a.example",
          passwordHash: { scheme: "md5-crypt", value: "$1$plain$NOTREDACTEDATALL" as unknown as Redacted.Redacted<string> },
          quotaBytes: null,
          storage: "maildir",
          content: "content:missing",
          enabled: true,
        },
      ],
      notes: [{ severity: "info", code: "leak", subject: "account:a", path: "x", message: "hash was $1$saltsalt$SECRETSECRETSECRET" }],
    }
    const problems = snapshotProblems(broken).join("\n")
    expect(problems).toContain("duplicate entity id domain:a.example")
    expect(problems).toContain('domain:b.example: owner "domain:a.example" is a Domain, expected Account')
    expect(problems).toContain('parent "domain:missing" is not an entity')
    expect(problems).toContain('site "site:missing" is not an entity')
    expect(problems).toContain('content "content:missing" is not a content ref')
    expect(problems).toContain("passwordHash.value is not Redacted")
    expect(problems).toContain("a secret value appears in JSON.stringify(snapshot): $1$s…")
  })
})
