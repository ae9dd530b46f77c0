import {
  autoresponderFile,
  cacheJson,
  cpUserFile,
  cronFile,
  emailAccountsJson,
  mysqlAuthJson,
  mysqlCreate,
  mysqlDumpHead,
  mysqlGrants,
  proftpdPasswd,
  sdsFiles,
  userdataMain,
  userdataVhost,
  vaFile,
  vfFile,
  zoneFile,
} from "./CpanelMetadata.ts"
import { type CpanelAccountSpec, type CpanelPlan, planAccount, plannedSites } from "./CpanelPlan.ts"
import { type Envelope, type TreeNode, withTop, writeArchive } from "./FixtureBuilder.ts"
import { dkimPrivateKeyPem, dkimPublicKeyPem, selfSignedCertificatePem, selfSignedKeyPem } from "./fixtures/SelfSignedPem.ts"
import { type ContentKind, seedOf, syntheticBody, syntheticWords } from "./SyntheticContent.ts"

/*
 * Synthetic cPanel account backups (pkgacct, archive version 4, cpanel.md §2–§5) of any size.
 * Metadata is small text built in memory; messages, dumps and web files are lazy bodies of exact
 * sizes, so a multi-GB backup is written with flat memory. The SSL certificate names
 * synth.example, i.e. it matches the main domain when `user` is "synth".
 */

export type { CpanelAccountSpec } from "./CpanelPlan.ts"

/** What an adapter should find in a generated backup. */
export interface GeneratedExpectation {
  readonly user: string
  /** main, addon domains, parked domains ("alias") and subdomains (addon sub-vhosts are not subdomains). */
  readonly domains: ReadonlyArray<{ name: string; kind: "main" | "addon" | "alias" | "subdomain" }>
  /** Addresses, `local@domain`. */
  readonly mailboxes: ReadonlyArray<string>
  readonly databases: ReadonlyArray<string>
  /** MySQL users other than the account owner's own login (which carries the cPanel user name). */
  readonly databaseUsers: ReadonlyArray<string>
  readonly zones: ReadonlyArray<string>
  /** Extra FTP accounts only: not the main login, not `USER_logs`, not anonymous `ftp`. */
  readonly ftpUsers: ReadonlyArray<string>
  readonly cronJobs: number
  readonly certificates: number
  /** Regular files in the archive and the sum of their sizes. */
  readonly files: number
  readonly bytes: number
}

/** Every entity type present, a few dozen KB in all. */
export const smallCpanelSpec: CpanelAccountSpec = {
  user: "synth",
  domains: 2,
  subdomainsPerDomain: 1,
  parkedDomains: 1,
  mailboxesPerDomain: 2,
  messagesPerMailbox: 4,
  messageBytes: 1200,
  databases: 1,
  dumpBytes: 2048,
  webFiles: 2,
  webFileBytes: 400,
  seed: 1,
}

/** A size around `average`, between half and one and a half times it, fixed by `key`. */
const sizeAround = (plan: CpanelPlan, average: number, key: string): number =>
  Math.round(average * (0.5 + (seedOf(plan.seed, key) % 1000) / 1000))

class TreeWriter {
  readonly tree = new Map<string, TreeNode>()

  dir(path: string): void {
    const parts = path.split("/")
    for (let i = 1; i <= parts.length; i++) {
      const prefix = parts.slice(0, i).join("/")
      if (!this.tree.has(prefix)) this.tree.set(prefix, { type: "dir" })
    }
  }

  put(path: string, node: TreeNode): void {
    const slash = path.lastIndexOf("/")
    if (slash > 0) this.dir(path.slice(0, slash))
    this.tree.set(path, node)
  }

  lazy(path: string, kind: ContentKind, size: number, seed: number, head = ""): void {
    this.put(path, { type: "file", size, content: syntheticBody(kind, size, seed, head), mode: 0o644 })
  }
}

const metadata = (plan: CpanelPlan, w: TreeWriter): void => {
  w.put("version", "pkgacct version: 10\narchive version: 4\n")
  w.put(`cp/${plan.user}`, cpUserFile(plan))
  w.put("shadow", plan.accountHash)
  w.put("quota", "10000\n")
  w.put("shell", "/bin/bash\n")
  w.put("homedir_paths", `${plan.home}\n`)
  w.put("meta/homedir_paths", `${plan.home}\n`)
  w.put("meta/hostname", `${plan.hostname}\n`)
  w.put("meta/mailserver", "dovecot\n")
  w.put("meta/dbprefix", "0\n")
  w.put("userdata/main", userdataMain(plan))
  for (const site of plannedSites(plan)) w.put(`userdata/${site.vhost}`, userdataVhost(plan, site, false))
  w.put(`userdata/${plan.main}_SSL`, userdataVhost(plan, plan.mainSite, true))
  w.put("userdata/cache.json", cacheJson(plan))
  const sds = sdsFiles(plan)
  w.put("sds", sds.sds)
  w.put("sds2", sds.sds2)
  w.put("addons", sds.addons)
  w.put("pds", sds.pds)
  w.put("autossl.json", '{"excluded_domains":[]}')
  w.put("mysql.sql", mysqlGrants(plan))
  w.put("mysql.sql-auth.json", mysqlAuthJson(plan))
  for (const db of plan.databases) {
    // pkgacct writes in readdir order: the dump may come before its .create (cpanel.md §3).
    w.lazy(`mysql/${db}.sql`, "sql", plan.spec.dumpBytes, seedOf(plan.seed, `dump:${db}`), mysqlDumpHead(db))
    w.put(`mysql/${db}.create`, mysqlCreate(db))
  }
  w.put("mysql/roundcube.sql", "-- Roundcube database place holder file\n")
  for (const zone of plan.zoneDomains) w.put(`dnszones/${zone}.db`, zoneFile(plan, zone))
  for (const domain of plan.zoneDomains) {
    w.put(`va/${domain}`, vaFile(plan, domain))
    w.put(`vad/${domain}`, "")
    w.put(`vf/${domain}`, vfFile(plan, domain))
  }
  w.put(`cron/${plan.user}`, cronFile(plan))
  w.put("proftpdpasswd", proftpdPasswd(plan))
  w.put(`apache_tls/${plan.main}`, `${selfSignedKeyPem}${selfSignedCertificatePem}`)
  for (const domain of plan.mailDomains) {
    w.put(`domainkeys/private/${domain}`, dkimPrivateKeyPem)
    w.put(`domainkeys/public/${domain}`, dkimPublicKeyPem)
  }
  w.dir("homedir")
}

const maildirName = (plan: CpanelPlan, n: number, size: number, fresh: boolean): string =>
  `${1_700_000_000 + n}.M${100_000 + n}P${4000 + (n % 997)}.${plan.hostname},S=${size},W=${size + 20}${fresh ? "" : ":2,S"}`

const messageHead = (plan: CpanelPlan, box: string, n: number): string =>
  [
    `Return-Path: <sender${n}@elsewhere.example>`,
    `Delivered-To: ${box}`,
    `Received: from mx.elsewhere.example by ${plan.hostname} with esmtps; Tue, 14 Nov 2023 12:00:00 +0000`,
    `From: Sender ${n} <sender${n}@elsewhere.example>`,
    `To: ${box}`,
    `Subject: ${syntheticWords(seedOf(plan.seed, `subject:${box}:${n}`), 5)}`,
    "Date: Tue, 14 Nov 2023 12:00:00 +0000",
    `Message-ID: <${n}.${box}@elsewhere.example>`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "",
    "",
  ].join("\n")

const mail = (plan: CpanelPlan, w: TreeWriter): void => {
  w.put("homedir/.cpanel/email_accounts.json", emailAccountsJson(plan))
  for (const domain of plan.mailDomains) {
    const boxes = plan.mailboxes.filter((m) => m.domain === domain)
    w.put(
      `homedir/etc/${domain}/passwd`,
      boxes.map((m) => `${m.local}:x:${plan.uid}:${plan.uid}::${plan.home}/mail/${domain}/${m.local}:${plan.home}\n`).join(""),
    )
    w.put(`homedir/etc/${domain}/shadow`, boxes.map((m) => `${m.local}:${m.hash}:19675::::::\n`).join(""))
    w.put(
      `homedir/etc/${domain}/quota`,
      boxes
        .filter((m) => m.quota !== undefined)
        .map((m) => `${m.local}:${m.quota}\n`)
        .join(""),
    )
    w.put(`homedir/etc/${domain}/_privs.json`, '{"mailman":{}}')
  }
  w.put("homedir/mail/mailbox_format.cpanel", "maildir")
  for (const sub of ["cur", "new", "tmp"]) w.dir(`homedir/mail/${sub}`)
  let n = 0
  for (const m of plan.mailboxes) {
    const address = `${m.local}@${m.domain}`
    const base = `homedir/mail/${m.domain}/${m.local}`
    for (const sub of ["cur", "new", "tmp"]) w.dir(`${base}/${sub}`)
    for (let i = 0; i < plan.spec.messagesPerMailbox; i++) {
      n++
      const head = messageHead(plan, address, n)
      // Never cut a message inside its header: a few body bytes always follow it.
      const size = Math.max(Buffer.byteLength(head) + 64, sizeAround(plan, plan.spec.messageBytes, `msg:${address}:${i}`))
      const fresh = i % 4 === 3
      w.lazy(
        `${base}/${fresh ? "new" : "cur"}/${maildirName(plan, n, size, fresh)}`,
        "mail",
        size,
        seedOf(plan.seed, `msg:${address}:${i}`),
        head,
      )
    }
    w.put(`homedir/mail/.${m.local}@${m.domain.replace(/\./g, "_")}`, { type: "symlink", target: `${m.domain}/${m.local}` })
  }
  w.put(`homedir/.autorespond/${plan.autoresponder}`, autoresponderFile(plan))
  w.put(`homedir/.autorespond/${plan.autoresponder}.json`, '{"interval":24,"start":1700000000,"stop":null}')
}

const webExtensions: ReadonlyArray<readonly [string, ContentKind]> = [
  ["html", "web-text"],
  ["png", "web-binary"],
  ["css", "web-text"],
  ["jpg", "web-binary"],
  ["js", "web-text"],
]

const web = (plan: CpanelPlan, w: TreeWriter): void => {
  w.dir("homedir/public_ftp")
  w.dir("homedir/tmp")
  w.dir(`homedir/${plan.ftpUser.dir}`)
  for (const site of plannedSites(plan)) {
    const root = `homedir/${site.docroot}`
    for (let k = 0; k < plan.spec.webFiles; k++) {
      const key = `web:${site.vhost}:${k}`
      const size = sizeAround(plan, plan.spec.webFileBytes, key)
      if (k === 0) {
        w.lazy(`${root}/index.php`, "web-text", size, seedOf(plan.seed, key), `<?php /* ${site.vhost} */ ?>\n<!doctype html>\n`)
        continue
      }
      const [extension, kind] = webExtensions[k % webExtensions.length] ?? ["bin", "web-binary"]
      w.lazy(`${root}/assets/file${k}.${extension}`, kind, size, seedOf(plan.seed, key))
    }
  }
  // pkgacct appends the .htaccess files it rewrote after the rest of the home directory (§3).
  w.put("homedir/public_html/.htaccess", "# BEGIN WordPress\nRewriteEngine On\nRewriteRule ^index\\.php$ - [L]\n# END WordPress\n")
}

const expectation = (plan: CpanelPlan, tree: ReadonlyMap<string, TreeNode>): GeneratedExpectation => {
  let files = 0
  let bytes = 0
  for (const node of tree.values()) {
    if (typeof node === "string") {
      files++
      bytes += Buffer.byteLength(node)
    } else if (node instanceof Uint8Array) {
      files++
      bytes += node.length
    } else if (node.type === "file") {
      files++
      bytes +=
        typeof node.content === "function"
          ? (node.size ?? 0)
          : typeof node.content === "string"
            ? Buffer.byteLength(node.content)
            : node.content.length
    }
  }
  return {
    user: plan.user,
    domains: [
      { name: plan.main, kind: "main" },
      ...plan.addons.map((a) => ({ name: a.name, kind: "addon" as const })),
      ...plan.parked.map((name) => ({ name, kind: "alias" as const })),
      ...plan.subdomains.map((s) => ({ name: s.name, kind: "subdomain" as const })),
    ],
    mailboxes: plan.mailboxes.map((m) => `${m.local}@${m.domain}`),
    databases: plan.databases,
    databaseUsers: plan.dbUsers.map((u) => u.name),
    zones: plan.zoneDomains,
    ftpUsers: [plan.ftpUser.login],
    cronJobs: 2,
    certificates: 1,
    files,
    bytes,
  }
}

/** The whole backup as a tree under `cpmove-<user>/`, with what an adapter should find in it. */
export const cpanelAccountTree = (
  spec: CpanelAccountSpec,
): { readonly tree: Map<string, TreeNode>; readonly expected: GeneratedExpectation } => {
  const plan = planAccount(spec)
  const w = new TreeWriter()
  metadata(plan, w)
  mail(plan, w)
  web(plan, w)
  const tree = withTop(`cpmove-${plan.user}`, w.tree)
  return { tree, expected: expectation(plan, tree) }
}

/** Write a generated backup to `out` (a file, or a directory for the "directory" envelope). */
export const writeCpanelBackup = async (
  spec: CpanelAccountSpec,
  out: string,
  envelope: Envelope,
): Promise<{ readonly path: string; readonly expected: GeneratedExpectation }> => {
  const { tree, expected } = cpanelAccountTree(spec)
  const path = await writeArchive(tree, out, envelope)
  return { path, expected }
}
