import * as fs from "node:fs/promises"
import * as path from "node:path"
import type { Readable } from "node:stream"
import { packTree, RawTar, type TreeNode } from "@ferry/testing"
import { describe, expect, it } from "vitest"
import {
  content,
  entity,
  fixtureTree,
  ids,
  inspectPath,
  inspectTree,
  minimalAccount,
  notes,
  quantify,
  tempDir,
  uniprev,
  withTop,
  writeTree,
} from "./Support.ts"

const streamBytes = async (stream: Readable): Promise<Buffer> => {
  const chunks: Array<Buffer> = []
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array))
  return Buffer.concat(chunks)
}

/** Raw tar entries for a tree of string bodies and directories (under `top/`). */
const rawEntries = (tree: Map<string, TreeNode>, top: string): Array<Buffer> =>
  [...tree].map(([name, node]) =>
    typeof node === "string"
      ? RawTar.file(`${top}/${name}`, node, { format: "gnu" })
      : RawTar.directory(`${top}/${name}`, { format: "gnu" }),
  )

const userdata = (docroot: string, extra = "") => `--- \ndocumentroot: ${docroot}\nhomedir: /home/exuser\nphpversion: ea-php82\n${extra}`

describe("cPanel pitfalls 1–8 (§8): payload, tar features, domains, docroots, PHP", () => {
  it("pitfall 1: the account comes from cp/, never from the archive or folder name", async () => {
    const tree = await fixtureTree(uniprev)
    const archive = await writeTree(withTop("cpmove-somebodyelse", tree), "tar", "cpmove-somebodyelse")
    const { detection, snapshot } = await inspectPath(archive)
    expect(detection.facts["user"]).toBe("uniprev")
    expect(detection.root).toBe("cpmove-somebodyelse")
    expect(ids(snapshot, "Account")).toEqual(["account:uniprev"])
  })

  it("pitfall 2: GNU long names, PAX paths and hard links in the home are read", async () => {
    const longDir = `public_html/${"deep-directory-name/".repeat(8)}`
    const top = "cpmove-exuser"
    const bytes = RawTar.tar(
      RawTar.directory(top, { format: "gnu" }),
      ...rawEntries(minimalAccount(), top),
      RawTar.gnuLongName(`${top}/homedir/${longDir}file.php`),
      RawTar.file("short-name", "<?php echo 1;\n", { format: "gnu" }),
      RawTar.paxHeader({ path: `${top}/homedir/public_html/pax named file with spaces @ 100%.txt` }),
      RawTar.file("PaxHeaders/short", "pax body\n"),
      RawTar.hardlink(`${top}/homedir/public_html/copy.html`, `${top}/homedir/public_html/index.html`, { format: "gnu" }),
    )
    const file = path.join(await tempDir(), "cpmove-exuser.tar")
    await fs.writeFile(file, bytes)
    const { snapshot } = await inspectPath(file)
    const web = content(snapshot, "content:web:example.com")
    expect(web.files).toBe(3)
    expect(web.bytes).toBe("<h1>hello</h1>\n".length + "<?php echo 1;\n".length + "pax body\n".length)
    expect(notes(snapshot, "unrecognised-file")).toEqual([])
  })

  it("pitfall 2: a legacy nested homedir.tar is scanned as its own archive", async () => {
    const inner = new Map<string, TreeNode>([
      ["./public_html/index.php", "<?php phpinfo();\n"],
      ["./etc/example.com/passwd", "info:x:1000:1000::/home/exuser/mail/example.com/info:/home/exuser\n"],
      ["./etc/example.com/shadow", "info:$1$abcdefgh$abcdefghijklmnopqrstuv:19000::::::\n"],
      ["./mail/example.com/info/cur/1.host:2,S", "Subject: hi\n\nbody\n"],
    ])
    const homedirTar = await streamBytes(packTree(inner))
    const tree = minimalAccount({ "homedir.tar": homedirTar })
    tree.delete("homedir")
    tree.delete("homedir/public_html/index.html")
    const { snapshot } = await inspectTree(tree)
    expect(notes(snapshot, "legacy-homedir-tar")).toHaveLength(1)
    expect(content(snapshot, "content:web:example.com")).toMatchObject({ path: "cpmove-exuser/homedir/public_html/", files: 1 })
    const box = entity(snapshot, "Mailbox", "mailbox:info@example.com")
    expect(box.passwordHash?.scheme).toBe("md5-crypt")
    expect(content(snapshot, "content:mail:info@example.com").files).toBe(1)
    expect(notes(snapshot, "home-missing")).toEqual([])
  })

  it("pitfall 3: subdomains come from userdata/main, not from cp/USER", async () => {
    const tree = minimalAccount({
      "userdata/main": "--- \naddon_domains: {}\n\nmain_domain: example.com\nparked_domains: []\n\nsub_domains: \n  - blog.example.com\n",
      "userdata/blog.example.com": userdata("/home/exuser/public_html/blog"),
    })
    const { snapshot } = await inspectTree(tree)
    expect(entity(snapshot, "Domain", "domain:blog.example.com")).toMatchObject({ kind: "subdomain", parent: "domain:example.com" })
    expect(entity(snapshot, "Site", "site:blog.example.com").docroot).toBe("public_html/blog")
  })

  it("pitfall 4: an addon domain and its sub-vhost are one site, not also a subdomain", async () => {
    const tree = minimalAccount({
      "userdata/main":
        "--- \naddon_domains: \n  shop.example.net: shopping.example.com\nmain_domain: example.com\nparked_domains: \n  - example.org\nsub_domains: \n  - shopping.example.com\n  - blog.example.com\n",
      "userdata/shopping.example.com": userdata(
        "/home/exuser/shop.example.net",
        "serveralias: shop.example.net www.shop.example.net www.shopping.example.com\nservername: shopping.example.com\n",
      ),
      "userdata/blog.example.com": userdata("/home/exuser/public_html/blog"),
      addons: "shop.example.net=shopping_example.com\n",
      pds: "example.org\nwww.example.org\n",
    })
    const { snapshot } = await inspectTree(tree)
    expect(ids(snapshot, "Site")).toEqual(["site:blog.example.com", "site:example.com", "site:shop.example.net"])
    expect(ids(snapshot, "Domain")).toEqual([
      "domain:blog.example.com",
      "domain:example.com",
      "domain:example.org",
      "domain:shop.example.net",
    ])
    expect(entity(snapshot, "Domain", "domain:shop.example.net")).toMatchObject({ kind: "addon", site: "site:shop.example.net" })
    expect(entity(snapshot, "Domain", "domain:example.org")).toMatchObject({
      kind: "alias",
      parent: "domain:example.com",
      site: "site:example.com",
    })
    const shop = entity(snapshot, "Site", "site:shop.example.net")
    expect(shop.docroot).toBe("shop.example.net")
    expect(shop.php.version).toBe("8.2")
    expect(shop.extras["sourceVhost"]).toBe("shopping.example.com")
    expect(shop.serverAliases).toEqual(["shopping.example.com", "www.shop.example.net", "www.shopping.example.com"])
    expect(notes(snapshot, "domain-list-mismatch")).toEqual([])
  })

  it("pitfall 5: addon docroots may be outside or inside public_html", async () => {
    const tree = minimalAccount({
      "userdata/main":
        "--- \naddon_domains: \n  out.example.net: out.example.com\n  in.example.net: in.example.com\nmain_domain: example.com\nparked_domains: []\n\nsub_domains: \n  - out.example.com\n  - in.example.com\n",
      "userdata/out.example.com": userdata("/home/exuser/out.example.net"),
      "userdata/in.example.com": userdata("/home/exuser/public_html/in"),
      "homedir/out.example.net/index.html": "out\n",
      "homedir/public_html/in/index.html": "in!\n",
    })
    const { snapshot } = await inspectTree(tree)
    expect(entity(snapshot, "Site", "site:out.example.net").docroot).toBe("out.example.net")
    expect(entity(snapshot, "Site", "site:in.example.net").docroot).toBe("public_html/in")
    expect(content(snapshot, "content:web:example.com")).toMatchObject({ excludes: ["cpmove-exuser/homedir/public_html/in/"], files: 1 })
    expect(content(snapshot, "content:web:out.example.net").files).toBe(1)
    expect(content(snapshot, "content:web:in.example.net").files).toBe(1)
  })

  it("pitfall 6: only the first `_` of sds/sds2/addons stands for a dot", async () => {
    const tree = minimalAccount({
      "userdata/main":
        "--- \naddon_domains: \n  my-shop.example.net: my-shop.example.com\nmain_domain: example.com\nparked_domains: []\n\nsub_domains: \n  - my-shop.example.com\n  - blog.example.com\n",
      "userdata/my-shop.example.com": userdata("/home/exuser/my_shop_files"),
      "userdata/blog.example.com": userdata("/home/exuser/public_html/my_blog_dir"),
      sds: "my-shop_example.com\nblog_example.com\n",
      sds2: "my-shop_example.com=my_shop_files\nblog_example.com=public_html/my_blog_dir\n",
      addons: "my-shop.example.net=my-shop_example.com\n",
    })
    const { snapshot } = await inspectTree(tree)
    expect(notes(snapshot, "domain-list-mismatch")).toEqual([])
    expect(entity(snapshot, "Site", "site:blog.example.com").docroot).toBe("public_html/my_blog_dir")

    const wrong = minimalAccount({ ...Object.fromEntries(tree), sds2: "blog_example.com=public_html/other\n" })
    const mismatch = await inspectTree(wrong)
    expect(
      notes(mismatch.snapshot, "domain-list-mismatch")
        .map((n) => n.message)
        .join("\n"),
    ).toContain("public_html/other")

    const noUserdata = new Map(tree)
    noUserdata.delete("userdata/blog.example.com")
    const fallback = await inspectTree(noUserdata)
    expect(entity(fallback.snapshot, "Site", "site:blog.example.com").docroot).toBe("public_html/my_blog_dir")
    expect(notes(fallback.snapshot, "docroot-unknown")[0]?.message).toContain("using public_html/my_blog_dir")
  })

  it("pitfall 7: /home2 homes and userdata homedir ≠ HOMEDIRPATHS", async () => {
    const real = await inspectTree(await fixtureTree(uniprev), "cpmove-uniprev")
    expect(entity(real.snapshot, "Site", "site:diagnosticos.uniprev.com.br").docroot).toBe("public_html/diagnostico")
    const tree = minimalAccount(
      {
        homedir_paths: "/home/exuser\n/home2/exuser\n",
        "userdata/example.com": "--- \ndocumentroot: /home2/exuser/public_html\nhomedir: /home/exuser\nphpversion: ea-php81\n",
        proftpdpasswd:
          "exuser:$6$s$h:1000:1000::/home2/exuser:/bin/bash\nftp1@example.com:$6$s$h:1000:1000:exuser:/home2/exuser/public_html/upload:/bin/ftpsh\n",
      },
      { HOMEDIRPATHS: "/home2/exuser" },
    )
    const { snapshot } = await inspectTree(tree)
    expect(entity(snapshot, "Site", "site:example.com").docroot).toBe("public_html")
    expect(entity(snapshot, "FtpUser", "ftpuser:ftp1@example.com").homeDir).toBe("public_html/upload")
    expect(entity(snapshot, "Account", "account:exuser").homeDir).toBe("/home2/exuser")
  })

  it("pitfall 8: a missing or empty phpversion never aborts", async () => {
    const real = await inspectTree(await fixtureTree(quantify), "cpmove-olufmdppx6pn")
    expect(entity(real.snapshot, "Site", "site:quantifyuniversity.com").php).toEqual({ enabled: true })
    const tree = minimalAccount({
      "userdata/example.com": "--- \ndocumentroot: /home/exuser/public_html\nphpversion: ''\n",
      "userdata/cache.json": '{"example.com":["exuser","root","main","example.com","/home/exuser/public_html","","","","0","ea-php74"]}',
    })
    const { snapshot } = await inspectTree(tree)
    expect(entity(snapshot, "Site", "site:example.com").php.version).toBe("7.4")
    expect(notes(snapshot, "php-version-missing")[0]?.message).toContain("cache.json says 7.4")
  })
})
