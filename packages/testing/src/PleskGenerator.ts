import * as fs from "node:fs/promises"
import * as nodePath from "node:path"
import * as zlib from "node:zlib"
import { type TreeNode, withTop, writeArchive } from "./FixtureBuilder.ts"
import { type ContentFormat, contentArchive, memberBytes } from "./PleskGeneratorContent.ts"
import { accountXml, domainXml } from "./PleskGeneratorDomain.ts"
import { type MimePart, mimeDump } from "./PleskGeneratorMime.ts"
import type { PleskAccountSpec, PleskDomainSpec, PleskResellerSpec, PleskSpec } from "./PleskGeneratorSpec.ts"
import { ContentSink, type Dialect, el, guidOf, textEl } from "./PleskGeneratorXml.ts"

export type { ContentFormat } from "./PleskGeneratorContent.ts"
export * from "./PleskGeneratorHostile.ts"
export * from "./PleskGeneratorSamples.ts"
export * from "./PleskGeneratorSpec.ts"

/*
 * Synthetic Plesk backups of every generation from one description (`PleskSpec`). No real
 * Plesk backup is public: everything written here is synthetic (see README.md). Every
 * generation renders every part of the description in its own dialect, so each one reads back
 * to the same entities; only content placement differs.
 */

export type PleskGeneration =
  | "plesk8-mime"
  | "plesk8-mime-gz"
  | "plesk8-mime-signed"
  | "plesk9-tar"
  | "plesk9-tar-gz"
  | "repository-tar"
  | "repository-directory"
  | "repository-subdir"

export const pleskGenerations: ReadonlyArray<PleskGeneration> = [
  "plesk8-mime",
  "plesk8-mime-gz",
  "plesk8-mime-signed",
  "plesk9-tar",
  "plesk9-tar-gz",
  "repository-tar",
  "repository-directory",
  "repository-subdir",
]

/** What an adapter should find besides the description itself. */
export interface PleskExpectation {
  readonly generation: PleskGeneration
  /** Content an entity references, by the entity's name, with the referenced file's size. */
  readonly contents: ReadonlyArray<{
    readonly kind: "web" | "mail" | "database-dump" | "mailing-list"
    readonly owner: string
    readonly bytes: number
  }>
  /** Sum of all regular-file bodies (after decompression of the outer file). */
  readonly contentBytes: number
}

export interface PleskWriteOptions {
  /** Content archive format of repositories (default tgz); `tar` writes lazy bodies of any size. */
  readonly content?: ContentFormat
}

const versions: Readonly<Record<Dialect, string>> = { plesk8: "8.6.0", migration: "10.4.4", repository: "18.0.59" }

const dumpOpen = (dialect: Dialect): string =>
  dialect === "plesk8"
    ? `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE dump SYSTEM "plesk.dtd">\n<dump version="${versions.plesk8}">`
    : `<?xml version="1.0" encoding="UTF-8"?>\n<migration-dump dump-format="panel" content-included="true" agent-name="PleskX" dump-version="${versions[dialect]}">`

const dumpClose = (dialect: Dialect): string => (dialect === "plesk8" ? "</dump>\n" : "</migration-dump>\n")

const wrap = (dialect: Dialect, name: string, items: ReadonlyArray<string>): Array<string> =>
  items.length === 0 ? [] : dialect === "plesk8" ? [...items] : [el(name, {}, items)]

/** The whole description as one document (Plesk 8, Plesk 9–11). */
const inlineDump = (sink: ContentSink, spec: PleskSpec): string => {
  const d = sink.dialect
  const domains = (list: ReadonlyArray<PleskDomainSpec> | undefined) =>
    wrap(
      d,
      "domains",
      (list ?? []).map((x) => domainXml(sink, x, "")),
    )
  const client = (c: PleskAccountSpec) => accountXml(sink, "client", c, domains(c.domains))
  const reseller = (r: PleskResellerSpec) =>
    accountXml(sink, "reseller", r, [...wrap(d, "clients", (r.clients ?? []).map(client)), ...domains(r.domains)])
  const admin = accountXml(sink, "admin", spec.admin, [
    ...wrap(d, "resellers", (spec.resellers ?? []).map(reseller)),
    ...wrap(d, "clients", (spec.clients ?? []).map(client)),
    ...domains(spec.admin.domains),
  ])
  const info = d === "plesk8" ? "" : el("dump-info", {}, textEl("description", "synthetic backup"))
  return `${dumpOpen(d)}${info}${admin}${dumpClose(d)}`
}

/** A repository: the root describes the administrator, each object has its own file (plesk.md §2.2). */
const repositoryDocs = (sink: ContentSink, spec: PleskSpec, tree: Map<string, TreeNode>): void => {
  const id = spec.backupId
  const stub = (tag: string, name: string) => el(tag, { name, guid: guidOf(sink, `${tag}:${name}`) })
  const doc = (path: string, body: string) => tree.set(path, `${dumpOpen("repository")}${body}${dumpClose("repository")}`)
  const discovered = (dir: string) => {
    const base = dir === "" ? "" : `${dir}/`
    tree.set(`${base}.discovered/backup_info_${id}/props`, `backup-id=${id}\nstatus=ok\n`)
    tree.set(`${base}.discovered/backup_info_${id}/cid_user-data`, "user-data\n")
  }
  const domain = (d: PleskDomainSpec, ownerDir: string) => {
    const dir = `${ownerDir}domains/${d.name}`
    doc(`${dir}/backup_info_${id}.xml`, domainXml(sink, d, dir))
    discovered(dir)
    return stub("domain", d.name)
  }
  const domains = (list: ReadonlyArray<PleskDomainSpec> | undefined, ownerDir: string) => {
    const stubs = (list ?? []).map((d) => domain(d, ownerDir))
    return stubs.length > 0 ? [el("domains", {}, stubs)] : []
  }
  const client = (c: PleskAccountSpec, ownerDir: string) => {
    const dir = `${ownerDir}clients/${c.login}`
    doc(`${dir}/backup_${c.login}_info_${id}.xml`, accountXml(sink, "client", c, domains(c.domains, `${dir}/`)))
    discovered(dir)
    return stub("client", c.login)
  }
  const reseller = (r: PleskResellerSpec) => {
    const dir = `resellers/${r.login}`
    const clients = (r.clients ?? []).map((c) => client(c, `${dir}/`))
    doc(
      `${dir}/backup_${r.login}_info_${id}.xml`,
      accountXml(sink, "reseller", r, [...(clients.length > 0 ? [el("clients", {}, clients)] : []), ...domains(r.domains, `${dir}/`)]),
    )
    discovered(dir)
    return stub("reseller", r.login)
  }
  const resellers = (spec.resellers ?? []).map(reseller)
  const clients = (spec.clients ?? []).map((c) => client(c, ""))
  const inner = [
    ...(resellers.length > 0 ? [el("resellers", {}, resellers)] : []),
    ...(clients.length > 0 ? [el("clients", {}, clients)] : []),
    ...domains(spec.admin.domains, ""),
  ]
  doc(
    `backup_info_${id}.xml`,
    `${el("dump-info", {}, textEl("description", "synthetic backup"))}${accountXml(sink, "admin", spec.admin, inner)}`,
  )
  discovered("")
}

const bodySize = (node: TreeNode): number =>
  typeof node === "string"
    ? Buffer.byteLength(node)
    : node instanceof Uint8Array
      ? node.length
      : node.type === "file"
        ? typeof node.content === "function"
          ? (node.size ?? 0)
          : typeof node.content === "string"
            ? Buffer.byteLength(node.content)
            : node.content.length
        : 0

/** Write the content archives the XML referenced; returns what entities should find. */
const writeContent = async (
  sink: ContentSink,
  format: ContentFormat,
  tree: Map<string, TreeNode>,
  contents: Array<PleskExpectation["contents"][number]>,
) => {
  for (const pending of sink.pending) {
    const { node, bytes } = await contentArchive(pending.members, format)
    tree.set(pending.path, node)
    for (const owner of pending.owners) contents.push({ ...owner, bytes })
  }
}

/** Write a backup of `spec` in `generation` to `out` (a file, or a directory for directory layouts). */
export const writePleskBackup = async (
  spec: PleskSpec,
  out: string,
  generation: PleskGeneration,
  options: PleskWriteOptions = {},
): Promise<{ readonly path: string; readonly expected: PleskExpectation }> => {
  const contents: Array<PleskExpectation["contents"][number]> = []
  await fs.mkdir(nodePath.dirname(out), { recursive: true })
  if (generation.startsWith("plesk8")) {
    const sink = new ContentSink("plesk8", "tgz", spec)
    const xml = inlineDump(sink, spec)
    const parts: Array<MimePart> = [
      { name: "dump.xml", naming: "none", contentType: "text/xml; charset=UTF-8", encoding: "8bit", body: Buffer.from(xml) },
    ]
    for (const pending of sink.pending) {
      const body = pending.plain
        ? await memberBytes(pending.members[0] as Parameters<typeof memberBytes>[0])
        : await archiveBytes(pending.members)
      parts.push({
        name: pending.path,
        naming: pending.mime === "content-id" ? "content-id" : "filename",
        contentType: "application/octet-stream",
        encoding: pending.mime === "content-id" ? "base64" : "binary",
        body,
      })
      for (const owner of pending.owners) contents.push({ ...owner, bytes: body.length })
    }
    const dump = mimeDump(parts, { version: versions.plesk8, signed: generation === "plesk8-mime-signed", seed: spec.seed })
    await fs.writeFile(out, generation === "plesk8-mime-gz" ? zlib.gzipSync(dump) : dump)
    const signature = generation === "plesk8-mime-signed" ? 256 : 0
    return { path: out, expected: { generation, contents, contentBytes: parts.reduce((n, p) => n + p.body.length, 0) + signature } }
  }
  const tree = new Map<string, TreeNode>()
  const format = options.content ?? "tgz"
  if (generation.startsWith("plesk9")) {
    const sink = new ContentSink("migration", format === "tar" ? "tar" : "tgz", spec)
    tree.set(`dump_${spec.backupId}.xml`, inlineDump(sink, spec))
    await writeContent(sink, format === "tar" ? "tar" : "tgz", tree, contents)
  } else {
    const sink = new ContentSink("repository", format, spec)
    repositoryDocs(sink, spec, tree)
    await writeContent(sink, format, tree, contents)
  }
  let contentBytes = 0
  for (const node of tree.values()) contentBytes += bodySize(node)
  const final = generation === "repository-subdir" ? withTop(`backup_${spec.backupId}`, tree) : tree
  const envelope = generation === "plesk9-tar-gz" ? "tar.gz" : generation === "repository-directory" ? "directory" : "tar"
  const path = await writeArchive(final, out, envelope)
  return { path, expected: { generation, contents, contentBytes } }
}

const archiveBytes = async (members: Parameters<typeof contentArchive>[0]): Promise<Buffer> => {
  const { node } = await contentArchive(members, "tgz")
  return Buffer.from((node as { content: Uint8Array }).content)
}
