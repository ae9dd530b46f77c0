import { appendFileSync, existsSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import type { Account, Domain, Entity, Site, SslCertificate } from "@ferry/core"
import { Effect, Redacted } from "effect"
import { makeAccountPart } from "../../src/import/AccountPart.ts"
import type { ImportEnv } from "../../src/import/ImportEnv.ts"
import { makeSslPart } from "../../src/import/SslPart.ts"
import { makeWebPart } from "../../src/import/WebPart.ts"
import { failure } from "../Support.ts"
import { applyWith, contentRef, contentWith, makeEntry, makeImportEnv, makeStepContext, makeTestPki } from "../support/ImportEnvFixture.ts"

const bob: Account = {
  _tag: "Account",
  id: "account:bob",
  owner: null,
  source: { path: "cp/bob" },
  kind: "client",
  login: "bob",
  contact: {},
  status: "active",
  limits: {},
  permissions: {},
  ipPool: [],
  extras: {},
}

const domainOf = (name: string): Domain => ({
  _tag: "Domain",
  id: `domain:${name}`,
  owner: "account:bob",
  source: { path: "x" },
  name,
  kind: "main",
  ips: [],
})

const siteOf = (name: string, more: Partial<Site> = {}): Site => ({
  _tag: "Site",
  id: `site:${name}`,
  owner: "account:bob",
  source: { path: "userdata/x" },
  domain: `domain:${name}`,
  docroot: "public_html",
  serverAliases: [`www.${name}`],
  content: `content:web:${name}`,
  php: { enabled: true, version: "8.2" },
  protectedDirectories: [],
  webUsers: [],
  mimeTypes: [],
  redirects: [],
  errorPages: [],
  applications: [],
  extras: {},
  ...more,
})

/** An env with bob, his domains, and the web part; `run` applies an entity with the whole list as snapshot. */
const setup = (names: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const env = yield* makeImportEnv()
    const web = makeWebPart(env)
    const entities: Array<Entity> = [bob, ...names.map(domainOf)]
    const accounts = makeAccountPart(env)
    for (const e of [...entities]) yield* applyWith(accounts, e, makeStepContext(e, entities))
    const run = (entity: Entity, changes: Parameters<typeof makeStepContext>[2] = []) => {
      if (!entities.includes(entity)) entities.push(entity)
      const part = entity._tag === "SslCertificate" ? makeSslPart(env) : web
      return applyWith(part, entity, makeStepContext(entity, entities, changes))
    }
    return { env, web, run, entities }
  })

const finishLines = (env: ImportEnv) => (makeWebPart(env).finish as NonNullable<ReturnType<typeof makeWebPart>["finish"]>)({ jobId: "j" })

describe("WebPart", () => {
  it.effect("docroot files, an nginx vhost and a php-fpm pool; nginx -t passes for real", () =>
    Effect.gen(function* () {
      const { env, web, run, entities } = yield* setup(["example.com"])
      const site = siteOf("example.com")
      entities.push(site)
      const sink = yield* contentWith(
        web,
        contentRef("content:web:example.com", "web", "homedir/public_html/"),
        site,
        makeStepContext(site, entities),
      )
      yield* sink.write("index.php", makeEntry("homedir/public_html/index.php", { body: "<?php echo 1;", mtime: 1_600_000_000 }))
      yield* sink.commit
      const docroot = join(env.layout.home("bob"), "public_html")
      assert.strictEqual(readFileSync(join(docroot, "index.php"), "utf8"), "<?php echo 1;")
      if (env.runningAsRoot) assert.strictEqual(statSync(join(docroot, "index.php")).uid, 20000)

      assert.strictEqual((yield* run(site)).outcome, "created")
      assert.strictEqual((yield* run(site)).outcome, "unchanged")
      const vhost = readFileSync(env.layout.nginxSite("example.com"), "utf8")
      assert.include(vhost, "server_name example.com www.example.com;")
      assert.include(vhost, `root "${docroot}";`)
      assert.include(vhost, `fastcgi_pass "unix:${env.layout.phpSocket("8.2", "example.com")}";`)
      assert.notInclude(vhost, "listen 443")
      const pool = readFileSync(env.layout.phpPool("8.2", "example.com"), "utf8")
      assert.include(pool, "[example.com]\nuser = bob\ngroup = bob\n")
      assert.include(pool, `listen = ${env.layout.phpSocket("8.2", "example.com")}\n`)

      const lines = yield* finishLines(env)
      assert.deepStrictEqual(lines[0], { level: "info", message: "nginx -t: 1 site OK" })
      assert.isTrue(lines.slice(1).every((l) => l.level === "info"))
    }),
  )

  it.effect("the plan's PHP version wins and the old pool is removed; PHP off means a static vhost", () =>
    Effect.gen(function* () {
      const { env, run } = yield* setup(["example.com"])
      const site = siteOf("example.com")
      yield* run(site)
      assert.isTrue(existsSync(env.layout.phpPool("8.2", "example.com")))
      assert.strictEqual((yield* run(site, [{ field: "php.version", from: "8.2", to: "8.3" }])).outcome, "updated")
      assert.isFalse(existsSync(env.layout.phpPool("8.2", "example.com")))
      assert.isTrue(existsSync(env.layout.phpPool("8.3", "example.com")))
      yield* run(site, [{ field: "php", from: "8.2", to: "none" }])
      assert.isFalse(existsSync(env.layout.phpPool("8.3", "example.com")))
      assert.notInclude(readFileSync(env.layout.nginxSite("example.com"), "utf8"), "fastcgi_pass")
    }),
  )

  it.effect("HTTPS with an imported certificate: listen 443 with the written files; nginx -t loads them", () =>
    Effect.gen(function* () {
      const { env, run } = yield* setup(["example.com"])
      const pki = makeTestPki()
      const cert: SslCertificate = {
        _tag: "SslCertificate",
        id: "ssl:leaf",
        owner: "account:bob",
        source: { path: "ssl" },
        name: "example.com",
        certificatePem: pki.leaf,
        privateKey: Redacted.make(pki.leafKey),
        chainPem: [pki.intermediate],
        subject: "CN=example.com",
        issuer: "CN=Ferry Test Intermediate",
        domains: ["example.com", "www.example.com"],
        notBefore: "",
        notAfter: "",
        fingerprintSha256: "ab:cd",
        selfSigned: false,
        keyMatches: true,
      }
      yield* run(cert)
      yield* run(siteOf("example.com", { ssl: { enabled: true, certificate: "ssl:leaf", redirectHttps: true } }))
      const vhost = readFileSync(env.layout.nginxSite("example.com"), "utf8")
      assert.include(vhost, "listen 443 ssl;")
      assert.include(vhost, "return 301 https://$host$request_uri;")
      assert.match(vhost, /ssl_certificate_key ".*\/etc\/ssl\/ferry\/private\/example\.com-[0-9a-f]{12}\.key";/)
      const lines = yield* finishLines(env)
      assert.deepStrictEqual(lines[0], { level: "info", message: "nginx -t: 1 site OK" })
    }),
  )

  it.effect("a broken vhost is found by nginx -t and named", () =>
    Effect.gen(function* () {
      const { env, run } = yield* setup(["example.com", "broken.example"])
      yield* run(siteOf("example.com"))
      yield* run(siteOf("broken.example"))
      appendFileSync(env.layout.nginxSite("broken.example"), "server { bogus_directive on; }\n")
      const lines = yield* finishLines(env)
      const errors = lines.filter((l) => l.level === "error")
      assert.strictEqual(errors.length, 1)
      assert.match(errors[0]?.message ?? "", /^nginx -t failed for broken\.example .*unknown directive "bogus_directive"/)
    }),
  )

  it.effect("bad names and docroots fail the step before anything is written", () =>
    Effect.gen(function* () {
      const { env, run } = yield* setup(["example.com"])
      const escaping = siteOf("example.com", { docroot: "../alice/public_html" })
      assert.strictEqual((yield* failure(run(escaping))).code, "invalid-name")
      const badPhp = siteOf("example.com")
      assert.strictEqual((yield* failure(run(badPhp, [{ field: "php.version", from: "8.2", to: "eight;evil" }]))).code, "invalid-name")
      assert.isFalse(existsSync(env.layout.nginxSite("example.com")))
      const aliases = yield* run(siteOf("example.com", { serverAliases: ["ok.example.com", "bad alias;", "*.example.com"] }))
      assert.match(aliases.notes?.[0] ?? "", /server aliases left out .*"bad alias;"/)
      assert.include(readFileSync(env.layout.nginxSite("example.com"), "utf8"), "server_name example.com ok.example.com *.example.com;")
    }),
  )
})
