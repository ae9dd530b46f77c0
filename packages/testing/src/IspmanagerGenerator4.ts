import * as fs from "node:fs/promises"
import * as nodePath from "node:path"
import type { Readable } from "node:stream"
import { type TreeNode, writeArchive } from "./FixtureBuilder.ts"
import type { IspmanagerPlan, IspmanagerSpec, PhpMode } from "./IspmanagerGeneratorPlan.ts"
import { planIspmanager } from "./IspmanagerGeneratorPlan.ts"
import { type ContentExpectation, dumpHead, TreeWriter, writeHomeExtras, writeWebRoots } from "./IspmanagerGeneratorTree.ts"
import { escapeXml, type XmlFields, xmlDocument, xmlFields } from "./IspmanagerGeneratorXml.ts"
import * as RawTar from "./RawTar.ts"
import { seedOf, syntheticWords } from "./SyntheticContent.ts"
import { type ZipMember, zipArchive } from "./ZipWriter.ts"

/*
 * Synthetic ispmanager 4 `pbackup` archives (ispmanager.md §3): `PBKP_CONTENT` (one element per
 * object type holding `item`s: `elid`, `filename`, edit-form fields), `PBKP_XML_LISTING`,
 * `PBKP_PATH` and `pbkp_*` payloads at the root, the user's files below `var/www/<user>/data/`.
 * Field names beyond those §3.3 lists are Ferry's assumptions (see the ispmanager4 README).
 */

export type Ispmanager4Container = "tar" | "tar.gz" | "zip" | "directory"

export const php4: Readonly<Record<PhpMode, string>> = { module: "phpmod", cgi: "phpcgi", fastcgi: "phpfcgi", fpm: "phpfpm" }

const item = (fields: XmlFields): XmlFields => [["item", fields]]

const mailboxPayload = (address: string): string => `pbkp_email_${address}.tgz`
const dumpPayload = (db: string): string => `pbkp_${db}.sql`

/** A mailbox archive: the Maildir as a small tar.gz (ispmanager 4 attaches one per mailbox). */
const maildirArchive = (plan: IspmanagerPlan, address: string): Buffer => {
  const parts: Array<Buffer> = [RawTar.directory("cur"), RawTar.directory("new"), RawTar.directory("tmp")]
  for (let i = 0; i < plan.spec.messagesPerMailbox; i++) {
    const body = `From: sender${i}@elsewhere.example\nTo: ${address}\nSubject: message ${i}\n\n${syntheticWords(seedOf(plan.seed, `isp4:${address}:${i}`), 80)}\n`
    parts.push(RawTar.file(`cur/${1_714_564_800 + i}.M${i}.mx:2,S`, body))
  }
  return RawTar.gzip(RawTar.tar(...parts))
}

const zoneText = (zone: IspmanagerPlan["zones"][number]): string =>
  [
    "$TTL 3600",
    ...zone.records.map(
      (r) =>
        `${r.label} ${r.ttl} IN ${r.type} ${r.priority !== undefined ? `${r.priority} ` : ""}${r.type === "TXT" ? `"${r.value}"` : r.value}`,
    ),
    "",
  ].join("\n")

export const pbkpContent = (plan: IspmanagerPlan): string => {
  const a = plan.account
  const l = a.limits
  const sections: Array<readonly [string, XmlFields]> = [
    [
      "user",
      item([
        ["elid", a.login],
        ["name", a.login],
        ["fullname", a.fullname],
        ["passwd", a.hash],
        ["owner", "root"],
        ["ip", plan.ip],
        ["disklimit", String(l.diskMiB ?? "")],
        ["traflimit", String(l.trafficMiB)],
        ["ftplimit", String(l.ftpUsers)],
        ["maillimit", String(l.emails)],
        ["domainlimit", String(l.dnsDomains)],
        ["webdomainlimit", String(l.webdomains)],
        ["maildomainlimit", String(l.emaildomains)],
        ["baselimit", String(l.databases)],
        ["baseuserlimit", String(l.databaseUsers)],
        ["shell", l.shell],
        ["ssl", l.ssl],
        ["cgi", l.cgi],
      ]),
    ],
    ...plan.databases.map((db): readonly [string, XmlFields] => [
      db.engine,
      item([
        ["elid", `${db.engine === "mysql" ? "MySQL" : "PostgreSQL"}->${db.name}`],
        ["name", db.name],
        ["owner", plan.user],
        ["charset", db.charset],
        ["dbusername", db.user.name],
        ["dbpassword", db.user.hash],
        ["filename", dumpPayload(db.name)],
      ]),
    ]),
    [
      "wwwdomain",
      plan.sites.flatMap((site) =>
        item([
          ["elid", site.domain],
          ["domain", site.domain],
          ["alias", site.aliases.join(" ")],
          ["ip", plan.ip],
          ["owner", plan.user],
          ["admin", site.adminEmail],
          ["index", "index.php index.html"],
          ["php", php4[site.php.mode]],
          ["docroot", `${plan.home}/${site.docroot}`],
          ["ssl", site.ssl !== undefined],
        ]),
      ),
    ],
    [
      "wwwredirect",
      plan.wwwRedirects.flatMap((r) =>
        item([
          ["elid", r.domain],
          ["name", r.domain],
          ["owner", plan.user],
          ["url", r.to],
        ]),
      ),
    ],
    [
      "emaildomain",
      plan.mailDomains.flatMap((d) =>
        item([
          ["elid", d.name],
          ["name", d.name],
          ["owner", plan.user],
          ["ip", plan.ip],
          ...(d.catchAll === undefined
            ? ([["defaction", ""]] as const)
            : d.catchAll.action === "forward"
              ? ([
                  ["defaction", "redirect"],
                  ["redirect", d.catchAll.target],
                ] as const)
              : ([["defaction", d.catchAll.action === "reject" ? "error" : "ignore"]] as const)),
        ]),
      ),
    ],
    [
      "email",
      plan.mailboxes.flatMap((b) =>
        item([
          ["elid", b.address],
          ["name", b.local],
          ["domain", b.domain],
          ["passwd", b.hash],
          ["quota", b.quotaBytes === null ? "0" : String(b.quotaBytes / (1024 * 1024))],
          ["forward", b.forwards.join(" ")],
          ["dontsave", !b.keepCopy],
          ["active", b.enabled],
          ["filename", mailboxPayload(b.address)],
        ]),
      ),
    ],
    [
      "emailgroup",
      plan.mailGroups.flatMap((g) =>
        item([
          ["elid", g.address],
          ["members", g.members.join(", ")],
        ]),
      ),
    ],
    [
      "emailredirect",
      plan.mailRedirects.flatMap((r) =>
        item([
          ["elid", r.address],
          ["redirect", r.targets.join(", ")],
        ]),
      ),
    ],
    [
      "ftp",
      plan.ftpUsers.flatMap((u) =>
        item([
          ["elid", u.login],
          ["name", u.login],
          ["owner", plan.user],
          ["passwd", u.password],
          ["home", u.homeDir],
        ]),
      ),
    ],
    [
      "zones",
      plan.zones.flatMap((z) =>
        item([
          ["elid", z.name],
          ["name", z.name],
          ["owner", plan.user],
          ["ip", plan.ip],
          ["zonefile", zoneText(z)],
        ]),
      ),
    ],
    [
      "cron",
      plan.cronJobs.flatMap((job, i) =>
        item([
          ["elid", String(i + 1)],
          ["owner", plan.user],
          ["min", job.minute],
          ["hour", job.hour],
          ["mday", job.mday],
          ["month", job.month],
          ["wday", job.wday],
          ["command", job.command],
          ["active", job.enabled],
          ...(job.mailTo !== undefined ? ([["mailto", job.mailTo]] as const) : []),
        ]),
      ),
    ],
  ]
  const body = [`  <version>1.0</version>`, ...sections.map(([type, fields]) => `  <${type}>\n${xmlFields(fields, "    ")}\n  </${type}>`)]
  return xmlDocument("doc", body.join("\n"))
}

/** `PBKP_XML_LISTING`: the home's hierarchy relative to `PBKP_PATH` (§3.4). */
const listing = (tree: ReadonlyMap<string, TreeNode>, homePrefix: string): string => {
  interface Dir {
    readonly dirs: Map<string, Dir>
    readonly files: Array<string>
    readonly links: Array<readonly [string, string]>
  }
  const root: Dir = { dirs: new Map(), files: [], links: [] }
  const dirAt = (parts: ReadonlyArray<string>): Dir => {
    let dir = root
    for (const part of parts) {
      let next = dir.dirs.get(part)
      if (next === undefined) {
        next = { dirs: new Map(), files: [], links: [] }
        dir.dirs.set(part, next)
      }
      dir = next
    }
    return dir
  }
  for (const [path, node] of tree) {
    if (!path.startsWith(homePrefix)) continue
    const parts = path.slice(homePrefix.length).split("/")
    const name = parts.pop() as string
    const parent = dirAt(parts)
    if (typeof node === "object" && !(node instanceof Uint8Array) && node.type === "dir") dirAt([...parts, name])
    else if (typeof node === "object" && !(node instanceof Uint8Array) && node.type === "symlink") parent.links.push([name, node.target])
    else parent.files.push(name)
  }
  const render = (dir: Dir, indent: string): string =>
    [
      ...[...dir.dirs].map(([name, child]) => `${indent}<dir name="${escapeXml(name)}">\n${render(child, `${indent}  `)}\n${indent}</dir>`),
      ...dir.links.map(
        ([name, target]) => `${indent}<link name="${escapeXml(name)}" uid="root" gid="root" perm="777" src="${escapeXml(target)}"/>`,
      ),
      ...dir.files.map((name) => `${indent}<file name="${escapeXml(name)}"/>`),
    ]
      .filter((line) => line !== "")
      .join("\n")
  return xmlDocument("doc", render(root, "  "))
}

/** The whole ispmanager 4 archive as a tree, and what it holds. */
export const ispmanager4Tree = (
  spec: IspmanagerSpec,
): { readonly tree: Map<string, TreeNode>; readonly plan: IspmanagerPlan; readonly expected: ContentExpectation } => {
  const plan = planIspmanager(spec)
  const homePrefix = `${plan.home.slice(1)}/`
  const home = new TreeWriter()
  const webBytes = writeWebRoots(plan, home, homePrefix)
  writeHomeExtras(plan, home, homePrefix)
  home.put(`${homePrefix}.backup.conf`, "BackupCompress 6\n")
  home.put(`${homePrefix}public_html`, { type: "symlink", target: `www/${plan.sites[0]?.domain}` })
  const w = new TreeWriter()
  w.put("PBKP_CONTENT", pbkpContent(plan))
  w.put("PBKP_XML_LISTING", listing(home.tree, homePrefix))
  w.put("PBKP_PATH", `${plan.home}\n`)
  const dumpBytes: Record<string, number> = {}
  for (const db of plan.databases) {
    dumpBytes[db.name] = w.lazy(
      dumpPayload(db.name),
      "sql",
      plan.spec.dumpBytes,
      seedOf(plan.seed, `dump:${db.name}`),
      dumpHead(db.name, db.engine),
    )
  }
  const mailBytes: Record<string, number> = {}
  for (const box of plan.mailboxes) {
    const archive = maildirArchive(plan, box.address)
    w.put(mailboxPayload(box.address), archive)
    mailBytes[box.address] = archive.length
  }
  for (const [path, node] of home.tree) w.put(path, node)
  return { tree: w.tree, plan, expected: { webBytes, mailBytes, dumpBytes, files: w.files, bytes: w.bytes } }
}

const bodyBytes = async (node: TreeNode): Promise<Buffer | undefined> => {
  if (typeof node === "string") return Buffer.from(node)
  if (node instanceof Uint8Array) return Buffer.from(node)
  if (node.type !== "file") return undefined
  if (typeof node.content === "string") return Buffer.from(node.content)
  if (node.content instanceof Uint8Array) return Buffer.from(node.content)
  const chunks: Array<Buffer> = []
  for await (const chunk of (node.content as () => Readable)()) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** The tree as ZIP members (in memory: small specs only). */
const zipMembers = async (tree: ReadonlyMap<string, TreeNode>): Promise<Array<ZipMember>> => {
  const members: Array<ZipMember> = []
  for (const [path, node] of tree) {
    if (typeof node === "object" && !(node instanceof Uint8Array) && node.type === "dir") {
      members.push({ name: `${path}/`, mode: 0o040755 })
    } else if (typeof node === "object" && !(node instanceof Uint8Array) && node.type === "symlink") {
      members.push({ name: path, body: node.target, mode: 0o120777 })
    } else {
      const body = (await bodyBytes(node)) ?? Buffer.alloc(0)
      members.push({ name: path, body, mode: 0o100644, deflate: !path.endsWith(".tgz") && body.length > 64 })
    }
  }
  return members
}

/** `<planId>_<planName>-<YYYY-MM-DD>.<ext>` (§3.1). */
export const ispmanager4Name = (plan: IspmanagerPlan, container: Ispmanager4Container): string =>
  `1_${plan.user}-2024-05-01${container === "directory" ? "" : `.${container}`}`

export const writeIspmanager4Backup = async (
  spec: IspmanagerSpec,
  dir: string,
  container: Ispmanager4Container,
): Promise<{ readonly path: string; readonly plan: IspmanagerPlan; readonly expected: ContentExpectation }> => {
  const { tree, plan, expected } = ispmanager4Tree(spec)
  const out = nodePath.join(dir, ispmanager4Name(plan, container))
  await fs.mkdir(dir, { recursive: true })
  if (container === "zip") await fs.writeFile(out, zipArchive(await zipMembers(tree)))
  else await writeArchive(tree, out, container)
  return { path: out, plan, expected }
}

/**
 * The checked-in `.tar.bz2` of `smallIspmanagerSpec` (generators do not shell out to `bzip2`; see
 * `packages/testing/README.md` for how it was made). Its tar is byte-identical to
 * `writeIspmanager4Backup(smallIspmanagerSpec, dir, "tar")`.
 */
export const ispmanager4Bzip2Fixture = (): string =>
  nodePath.resolve(import.meta.dirname, "../fixtures/ispmanager4/1_synth-2024-05-01.tar.bz2")
