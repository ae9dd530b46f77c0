import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as nodePath from "node:path"
import { certificateInfo, parseJson, parseYaml, pemBlocks, privateKeyPublicDer } from "@ferry/core"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type CpanelAccountSpec, cpanelAccountTree, listArchive, smallCpanelSpec, type TreeNode, writeCpanelBackup } from "../src/index.ts"

let root: string
beforeAll(async () => {
  root = await fs.mkdtemp(nodePath.join(os.tmpdir(), "ferry-cpanel-gen-"))
})
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true })
})

const top = "cpmove-synth"

const textOf = (tree: ReadonlyMap<string, TreeNode>, path: string): string => {
  const node = tree.get(`${top}/${path}`)
  if (typeof node === "string") return node
  throw new Error(`${path} is not a small text file`)
}

const bodyBytes = async (node: TreeNode): Promise<Buffer> => {
  if (typeof node === "string") return Buffer.from(node)
  if (node instanceof Uint8Array) return Buffer.from(node)
  if (node.type !== "file") throw new Error("not a file")
  if (typeof node.content !== "function") return Buffer.from(node.content)
  const chunks: Array<Buffer> = []
  for await (const chunk of node.content()) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

describe("cpanelAccountTree", () => {
  const { tree, expected } = cpanelAccountTree(smallCpanelSpec)
  const paths = [...tree.keys()]
  const under = (prefix: string) =>
    paths.filter((p) => p.startsWith(`${top}/${prefix}`)).map((p) => p.slice(top.length + prefix.length + 1))

  it("counts files and bytes exactly as the tree holds them", async () => {
    let files = 0
    let bytes = 0
    for (const node of tree.values()) {
      if (typeof node === "object" && !(node instanceof Uint8Array) && node.type !== "file") continue
      files++
      bytes += (await bodyBytes(node)).length
    }
    expect(expected.files).toBe(files)
    expect(expected.bytes).toBe(bytes)
  })

  it("lists the domains userdata/main describes", () => {
    const main = parseYaml(textOf(tree, "userdata/main"), { version: "1.1" }) as {
      main_domain: string
      addon_domains: Record<string, string>
      parked_domains: Array<string>
      sub_domains: Array<string>
    }
    const addonVhosts = new Set(Object.values(main.addon_domains))
    expect(expected.domains).toEqual([
      { name: main.main_domain, kind: "main" },
      ...Object.keys(main.addon_domains).map((name) => ({ name, kind: "addon" })),
      ...main.parked_domains.map((name) => ({ name, kind: "alias" })),
      ...main.sub_domains.filter((s) => !addonVhosts.has(s)).map((name) => ({ name, kind: "subdomain" })),
    ])
    for (const kind of ["main", "addon", "alias", "subdomain"])
      expect(
        expected.domains.some((d) => d.kind === kind),
        kind,
      ).toBe(true)
    const cache = parseJson(textOf(tree, "userdata/cache.json")) as Record<string, Array<string>>
    for (const { name } of expected.domains) expect(cache[name], name).toHaveLength(10)
    for (const vhost of main.sub_domains) expect(tree.has(`${top}/userdata/${vhost}`), vhost).toBe(true)
  })

  it("has one Maildir per expected mailbox, with shadow lines and cur/new/tmp", () => {
    const boxes = under("homedir/mail/")
      .filter((p) => /^[^/]+\.[^/]+\/[^/]+\/cur$/.test(p))
      .map((p) => {
        const [domain, local] = p.split("/")
        return `${local}@${domain}`
      })
    expect(boxes.sort()).toEqual([...expected.mailboxes].sort())
    for (const address of expected.mailboxes) {
      const [local, domain] = address.split("@")
      expect(textOf(tree, `homedir/etc/${domain}/shadow`)).toMatch(
        new RegExp(`^${local}:\\$6\\$[./0-9A-Za-z]{16}\\$[./0-9A-Za-z]{86}:`, "m"),
      )
      expect(tree.get(`${top}/homedir/mail/${domain}/${local}/new`)).toEqual({ type: "dir" })
    }
    expect(under("homedir/mail/").some((p) => /\/new\/[^/]+,S=\d+,W=\d+$/.test(p))).toBe(true)
    expect(under("homedir/mail/").some((p) => /\/cur\/[^/]+:2,S$/.test(p))).toBe(true)
  })

  it("has databases, users, zones, FTP users, cron jobs and a matching certificate", () => {
    expect(
      under("mysql/")
        .filter((p) => p.endsWith(".create"))
        .map((p) => p.slice(0, -7)),
    ).toEqual(expected.databases)
    for (const db of expected.databases) expect(tree.has(`${top}/mysql/${db}.sql`)).toBe(true)
    const grants = textOf(tree, "mysql.sql")
    expect(grants.startsWith("-- cPanel mysql backup\n")).toBe(true)
    const grantUsers = new Set([...grants.matchAll(/TO '([^']+)'@'([^']+)'/g)].map((m) => m[1]))
    expect([...grantUsers].filter((u) => u !== expected.user).sort()).toEqual([...expected.databaseUsers].sort())
    expect(new Set([...grants.matchAll(/TO '[^']+'@'([^']+)'/g)].map((m) => m[1])).size).toBeGreaterThan(2)
    expect(grants).toMatch(/IDENTIFIED BY PASSWORD '\*[0-9A-F]{40}'/)
    expect(Object.keys(parseJson(textOf(tree, "mysql.sql-auth.json")) as object).sort()).toEqual(
      [expected.user, ...expected.databaseUsers].sort(),
    )

    expect(under("dnszones/").map((p) => p.replace(/\.db$/, ""))).toEqual(expected.zones)
    for (const zone of expected.zones) {
      const text = textOf(tree, `dnszones/${zone}.db`)
      for (const type of ["SOA", "NS", "A", "MX", "CNAME", "TXT"])
        expect(text, `${zone} ${type}`).toMatch(new RegExp(`\\sIN\\s+${type}\\s`))
      for (const dir of ["va", "vad", "vf"]) expect(tree.has(`${top}/${dir}/${zone}`), `${dir}/${zone}`).toBe(true)
    }

    const ftp = textOf(tree, "proftpdpasswd")
      .trim()
      .split("\n")
      .map((line) => line.split(":"))
    const logins = ftp.map((f) => f[0])
    expect(logins).toContain(expected.user)
    expect(logins).toContain(`${expected.user}_logs`)
    expect(ftp.find((f) => f[0] === "ftp")?.[1]).toBe("")
    expect(logins.filter((l) => l !== expected.user && l !== `${expected.user}_logs` && l !== "ftp")).toEqual(expected.ftpUsers)

    const cron = textOf(tree, `cron/${expected.user}`)
      .split("\n")
      .filter((l) => l !== "" && !l.startsWith("MAILTO="))
    expect(cron).toHaveLength(expected.cronJobs)

    const tls = under("apache_tls/")
    expect(tls).toHaveLength(expected.certificates)
    const blocks = pemBlocks(textOf(tree, `apache_tls/${tls[0]}`))
    expect(blocks.map((b) => b.label)).toEqual(["PRIVATE KEY", "CERTIFICATE"])
    const info = certificateInfo(blocks[1]?.text ?? "")
    expect(info.domains).toContain(expected.domains[0]?.name)
    expect(info.selfSigned).toBe(true)
    expect(privateKeyPublicDer(blocks[0]?.text ?? "")).toBe(info.publicKeyDer)
  })

  it("writes the account metadata in cPanel's own styles", () => {
    const cp = textOf(tree, `cp/${expected.user}`).split("\n")
    expect(cp[0]).toMatch(/^# cPanel -- /)
    expect(cp[2]).toBe("")
    const keys = cp
      .slice(3)
      .filter((l) => l !== "")
      .map((l) => l.slice(0, l.indexOf("=")))
    expect(keys).toEqual([...keys].sort())
    expect(cp).toContain(`USER=${expected.user}`)
    expect(cp).toContain(`DNS=${expected.domains[0]?.name}`)
    expect(textOf(tree, "version")).toBe("pkgacct version: 10\narchive version: 4\n")
    expect(textOf(tree, "shadow")).toMatch(/^\$6\$[^:\n]+$/)
    expect(textOf(tree, "userdata/main").startsWith("--- \n")).toBe(true)
    expect(textOf(tree, `va/${expected.domains[0]?.name}`)).toMatch(/"\|\/usr\/local\/cpanel\/bin\/autorespond /)
    expect(tree.has(`${top}/homedir/.autorespond/auto@${expected.domains[0]?.name}`)).toBe(true)
    expect(textOf(tree, "homedir/mail/mailbox_format.cpanel")).toBe("maildir")
    expect(paths.at(-1)).toBe(`${top}/homedir/public_html/.htaccess`)
  })

  it("is deterministic and lazy bodies have exactly their declared sizes", async () => {
    const again = cpanelAccountTree(smallCpanelSpec)
    expect([...again.tree.keys()]).toEqual(paths)
    for (const [path, node] of tree) {
      if (typeof node !== "object" || node instanceof Uint8Array || node.type !== "file" || typeof node.content !== "function") continue
      const bytes = await bodyBytes(node)
      expect(bytes.length, path).toBe(node.size)
      const other = again.tree.get(path)
      expect(other && (await bodyBytes(other)).equals(bytes), path).toBe(true)
    }
    const reseeded = cpanelAccountTree({ ...smallCpanelSpec, seed: 2 })
    expect(textOf(reseeded.tree, "shadow")).not.toBe(textOf(tree, "shadow"))
  })
})

describe("writeCpanelBackup", () => {
  it("writes the small spec in every envelope with the same listing", async () => {
    const listings: Array<unknown> = []
    for (const envelope of ["tar", "tar.gz", "tar.zst", "directory"] as const) {
      const out = nodePath.join(root, "small", envelope === "directory" ? "dir" : `cpmove-synth.${envelope}`)
      const { path, expected } = await writeCpanelBackup(smallCpanelSpec, out, envelope)
      const listing = await Effect.runPromise(listArchive(path, { nested: false }))
      const files = listing.entries.filter((e) => e.type === "file")
      expect(files).toHaveLength(expected.files)
      expect(files.reduce((sum, e) => sum + e.bodyBytes, 0)).toBe(expected.bytes)
      expect(listing.stats.contentBytes).toBe(expected.bytes)
      expect(listing.entries.filter((e) => e.type === "symlink")).toHaveLength(expected.mailboxes.length)
      listings.push(
        listing.entries
          .map((e) => [e.path, e.type, e.size, e.sha256, e.linkTarget])
          .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      )
    }
    for (const listing of listings.slice(1)) expect(listing).toEqual(listings[0])
  })

  it("compresses like a real backup (gzip ratio between 1.3 and 3.5)", async () => {
    const spec: CpanelAccountSpec = {
      ...smallCpanelSpec,
      mailboxesPerDomain: 3,
      messagesPerMailbox: 40,
      messageBytes: 20_000,
      dumpBytes: 4_000_000,
      webFiles: 30,
      webFileBytes: 40_000,
    }
    const tar = await writeCpanelBackup(spec, nodePath.join(root, "ratio.tar"), "tar")
    const gz = await writeCpanelBackup(spec, nodePath.join(root, "ratio.tar.gz"), "tar.gz")
    const ratio = (await fs.stat(tar.path)).size / (await fs.stat(gz.path)).size
    expect(ratio).toBeGreaterThan(1.3)
    expect(ratio).toBeLessThan(3.5)
  })

  it("keeps memory flat while writing a ~300 MB backup", async () => {
    const spec: CpanelAccountSpec = {
      user: "synth",
      domains: 3,
      subdomainsPerDomain: 2,
      parkedDomains: 1,
      mailboxesPerDomain: 4,
      messagesPerMailbox: 250,
      messageBytes: 40_000,
      databases: 2,
      dumpBytes: 60_000_000,
      webFiles: 120,
      webFileBytes: 60_000,
      seed: 3,
    }
    const { expected } = cpanelAccountTree(spec)
    expect(expected.bytes).toBeGreaterThan(280_000_000)
    globalThis.gc?.()
    const before = process.memoryUsage().rss
    let peak = before
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss)
    }, 50)
    try {
      const { path } = await writeCpanelBackup(spec, nodePath.join(root, "big.tar"), "tar")
      expect((await fs.stat(path)).size).toBeGreaterThan(expected.bytes)
    } finally {
      clearInterval(sampler)
    }
    peak = Math.max(peak, process.memoryUsage().rss)
    expect(peak - before).toBeLessThan(150 * 1024 * 1024)
    await fs.rm(nodePath.join(root, "big.tar"))
  })
})
