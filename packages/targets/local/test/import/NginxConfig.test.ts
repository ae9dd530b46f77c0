import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { nginxTest, nginxValue, renderTestConfig, renderVhost, UnsafeConfigValue } from "../../src/import/NginxConfig.ts"
import { fpmValue, renderPool } from "../../src/import/PhpFpmConfig.ts"
import { tempDir } from "../Support.ts"

const spec = { siteId: "site:example.com", domain: "example.com", aliases: [], docroot: "/home/bob/public_html" }

describe("nginx and php-fpm configuration", () => {
  it("values that could end a directive or open a block are refused", () => {
    for (const bad of ["a;b", "a b", "a\nb", "a}b", "a{b", 'a"b', "a$b", "a#b", "a\\b", "", "a\0b"]) {
      assert.throws(() => nginxValue(bad, "x"), UnsafeConfigValue)
      if (bad !== "") assert.throws(() => renderVhost({ ...spec, docroot: `/home/${bad}` }), UnsafeConfigValue)
      assert.throws(() => fpmValue(bad === "a#b" ? "a=b" : bad, "x"), UnsafeConfigValue)
    }
    assert.throws(() => renderVhost({ ...spec, aliases: ["www.example.com; include /etc/shadow"] }), UnsafeConfigValue)
    assert.throws(
      () =>
        renderPool({ siteId: "s", name: "example.com", user: "bob\nuser = root", group: "bob", socket: "/run/x.sock", home: "/home/bob" }),
      UnsafeConfigValue,
    )
  })

  it.effect("a rendered vhost passes the real nginx -t; a broken one fails with nginx's message", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      mkdirSync(join(dir, "sites"))
      writeFileSync(
        join(dir, "sites", "a.conf"),
        renderVhost({ ...spec, aliases: ["www.example.com", "*.example.com"], phpSocket: "/run/php/x.sock" }),
      )
      writeFileSync(join(dir, "nginx.conf"), renderTestConfig(dir, [join(dir, "sites", "a.conf")]))
      const ok = yield* nginxTest(dir, join(dir, "nginx.conf"))
      assert.isTrue(ok.ok, ok.lines.join("\n"))
      writeFileSync(join(dir, "sites", "b.conf"), "server { listen 80; root /x }\n")
      writeFileSync(join(dir, "nginx.conf"), renderTestConfig(dir, [join(dir, "sites", "a.conf"), join(dir, "sites", "b.conf")]))
      const bad = yield* nginxTest(dir, join(dir, "nginx.conf"))
      assert.isFalse(bad.ok)
      assert.match(bad.lines.join("\n"), /b\.conf:\d/)
    }),
  )
})
