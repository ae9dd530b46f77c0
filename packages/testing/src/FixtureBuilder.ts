import { createWriteStream } from "node:fs"
import * as fs from "node:fs/promises"
import * as nodePath from "node:path"
import type { Readable } from "node:stream"
import { pipeline } from "node:stream/promises"
import * as zlib from "node:zlib"
import tar from "tar-stream"

/** One node of an in-memory tree. Paths are relative, "/"-separated; a string is a file body. */
export type TreeNode =
  | string
  | Uint8Array
  | { readonly type: "file"; readonly content: string | Uint8Array | (() => Readable); readonly size?: number; readonly mode?: number }
  | { readonly type: "dir"; readonly mode?: number }
  | { readonly type: "symlink"; readonly target: string }
  | { readonly type: "hardlink"; readonly target: string }

export type Tree = ReadonlyMap<string, TreeNode> | Readonly<Record<string, TreeNode>>

export type Envelope = "tar" | "tar.gz" | "tar.zst" | "directory"

const entriesOf = (tree: Tree): Array<[string, TreeNode]> => (tree instanceof Map ? [...tree.entries()] : Object.entries(tree))

/**
 * Read a folder of `../shared/fixtures` into a tree: `NAME.redacted` becomes `NAME`, and files
 * listed in `symlinks` (stored as a text file holding the target) become real symlinks again.
 */
export const treeFromDirectory = async (
  dir: string,
  options: { readonly symlinks?: ReadonlyArray<string> } = {},
): Promise<Map<string, TreeNode>> => {
  const tree = new Map<string, TreeNode>()
  const walk = async (rel: string) => {
    const names = (await fs.readdir(nodePath.join(dir, rel))).sort()
    if (rel !== "" && names.length === 0) tree.set(rel, { type: "dir" })
    for (const name of names) {
      const childRel = rel === "" ? name : `${rel}/${name}`
      const stat = await fs.lstat(nodePath.join(dir, childRel))
      if (stat.isDirectory()) {
        tree.set(childRel, { type: "dir" })
        await walk(childRel)
        continue
      }
      const content = await fs.readFile(nodePath.join(dir, childRel))
      const target = childRel.replace(/\.redacted$/, "")
      if (options.symlinks?.includes(target)) tree.set(target, { type: "symlink", target: content.toString("utf8").trim() })
      else tree.set(target, { type: "file", content, mode: 0o644 })
    }
  }
  await walk("")
  return tree
}

/** Prefix every path of a tree with a top folder (`cpmove-USER`, `USER`, …). */
export const withTop = (top: string, tree: Tree): Map<string, TreeNode> => {
  const out = new Map<string, TreeNode>([[top, { type: "dir" }]])
  for (const [path, node] of entriesOf(tree)) {
    const moved =
      typeof node === "object" && "type" in node && node.type === "hardlink" ? { ...node, target: `${top}/${node.target}` } : node
    out.set(`${top}/${path}`, moved)
  }
  return out
}

const bodyOf = (node: TreeNode): { content: Uint8Array | (() => Readable); size: number; mode: number } | undefined => {
  if (typeof node === "string") return { content: Buffer.from(node), size: Buffer.byteLength(node), mode: 0o644 }
  if (node instanceof Uint8Array) return { content: node, size: node.length, mode: 0o644 }
  if (node.type !== "file") return undefined
  const content = typeof node.content === "string" ? Buffer.from(node.content) : node.content
  const size = typeof content === "function" ? (node.size ?? 0) : content.length
  return { content, size, mode: node.mode ?? 0o644 }
}

/** Pack a tree as a tar byte stream (entries in the tree's order). */
export const packTree = (tree: Tree): Readable => {
  const pack = tar.pack()
  const feed = async () => {
    for (const [name, node] of entriesOf(tree)) {
      const body = bodyOf(node)
      if (body) {
        if (typeof body.content === "function") {
          const entry = pack.entry({ name, size: body.size, mode: body.mode, mtime: new Date(1_700_000_000_000) })
          await pipeline(body.content(), entry)
        } else {
          const bytes = Buffer.from(body.content)
          await new Promise<void>((resolve, reject) =>
            pack.entry({ name, size: body.size, mode: body.mode, mtime: new Date(1_700_000_000_000) }, bytes, (e) =>
              e ? reject(e) : resolve(),
            ),
          )
        }
        continue
      }
      const n = node as Exclude<TreeNode, string | Uint8Array>
      const header =
        n.type === "dir"
          ? { name, type: "directory" as const, mode: n.mode ?? 0o755 }
          : n.type === "symlink"
            ? { name, type: "symlink" as const, linkname: n.target }
            : { name, type: "link" as const, linkname: (n as { target: string }).target }
      await new Promise<void>((resolve, reject) =>
        pack.entry({ ...header, mtime: new Date(1_700_000_000_000) }, (e) => (e ? reject(e) : resolve())),
      )
    }
    pack.finalize()
  }
  feed().catch((e) => pack.destroy(e))
  return pack as unknown as Readable
}

/** Write a tree to `out` in an envelope: a tar, a tar.gz, a tar.zst, or a plain directory. */
export const writeArchive = async (tree: Tree, out: string, envelope: Envelope): Promise<string> => {
  if (envelope === "directory") {
    await fs.mkdir(out, { recursive: true })
    for (const [name, node] of entriesOf(tree)) {
      const target = nodePath.join(out, name)
      await fs.mkdir(nodePath.dirname(target), { recursive: true })
      const body = bodyOf(node)
      if (body) {
        if (typeof body.content === "function") await pipeline(body.content(), createWriteStream(target))
        else await fs.writeFile(target, body.content)
        continue
      }
      const n = node as Exclude<TreeNode, string | Uint8Array>
      if (n.type === "dir") await fs.mkdir(target, { recursive: true })
      else if (n.type === "symlink") await fs.symlink(n.target, target)
      else if (n.type === "hardlink") await fs.link(nodePath.join(out, n.target), target)
    }
    return out
  }
  const stages: Array<NodeJS.ReadWriteStream> =
    envelope === "tar.gz" ? [zlib.createGzip({ level: 6 })] : envelope === "tar.zst" ? [zlib.createZstdCompress()] : []
  await fs.mkdir(nodePath.dirname(out), { recursive: true })
  await pipeline([packTree(tree), ...stages, createWriteStream(out)] as unknown as ReadonlyArray<NodeJS.ReadWriteStream>)
  return out
}
