import type { TreeNode } from "./FixtureBuilder.ts"
import type { IspmanagerPlan } from "./IspmanagerGeneratorPlan.ts"
import { type ContentKind, seedOf, syntheticBody, syntheticWords } from "./SyntheticContent.ts"

/*
 * The user's files in a synthetic ispmanager backup, relative to the user's home
 * (`/var/www/<user>/data`): web roots `www/<domain>/`, Maildirs `email/<domain>/<box>/`, logs and
 * PHP settings. Bodies are lazy and of exact sizes, so gigabytes cost no memory.
 */

/** Bytes the content of each site, mailbox and dump holds, and the files and bytes in all. */
export interface ContentExpectation {
  readonly webBytes: Readonly<Record<string, number>>
  readonly mailBytes: Readonly<Record<string, number>>
  readonly dumpBytes: Readonly<Record<string, number>>
  readonly files: number
  readonly bytes: number
}

export class TreeWriter {
  readonly tree = new Map<string, TreeNode>()
  files = 0
  bytes = 0

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
    const size =
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
            : undefined
    if (size !== undefined) {
      this.files++
      this.bytes += size
    }
  }

  lazy(path: string, kind: ContentKind, size: number, seed: number, head = ""): number {
    this.put(path, { type: "file", size, content: syntheticBody(kind, size, seed, head), mode: 0o644 })
    return size
  }
}

/** A size around `average`, between half and one and a half times it, fixed by `key`. */
export const sizeAround = (plan: IspmanagerPlan, average: number, key: string): number =>
  Math.max(1, Math.round(average * (0.5 + (seedOf(plan.seed, key) % 1000) / 1000)))

const messageHead = (address: string, n: number, seed: number): string =>
  [
    `Return-Path: <sender${n}@elsewhere.example>`,
    `Delivered-To: ${address}`,
    `From: Sender ${n} <sender${n}@elsewhere.example>`,
    `To: ${address}`,
    `Subject: ${syntheticWords(seed, 5)}`,
    "Date: Wed, 01 May 2024 12:00:00 +0000",
    `Message-ID: <${n}.${address}@elsewhere.example>`,
    "Content-Type: text/plain; charset=utf-8",
    "",
    "",
  ].join("\n")

/** Web roots: `index.php` and asset files per site. Returns bytes per domain. */
export const writeWebRoots = (plan: IspmanagerPlan, w: TreeWriter, prefix: string): Record<string, number> => {
  const bytes: Record<string, number> = {}
  for (const site of plan.sites) {
    const root = `${prefix}${site.docroot}`
    let total = 0
    for (let k = 0; k < plan.spec.webFiles; k++) {
      const key = `web:${site.domain}:${k}`
      const size = sizeAround(plan, plan.spec.webFileBytes, key)
      total +=
        k === 0
          ? w.lazy(`${root}/index.php`, "web-text", Math.max(size, 64), seedOf(plan.seed, key), `<?php /* ${site.domain} */ ?>\n`)
          : w.lazy(
              `${root}/assets/file${k}.${k % 2 === 0 ? "css" : "png"}`,
              k % 2 === 0 ? "web-text" : "web-binary",
              size,
              seedOf(plan.seed, key),
            )
    }
    for (const dir of site.protectedDirs) w.dir(`${root}/${dir.path}`)
    bytes[site.domain] = total
  }
  for (const ftp of plan.ftpUsers) w.dir(`${prefix}${ftp.homeDir}`)
  return bytes
}

/** Maildirs with `cur/new/tmp`. Returns bytes per address. */
export const writeMaildirs = (plan: IspmanagerPlan, w: TreeWriter, prefix: string): Record<string, number> => {
  const bytes: Record<string, number> = {}
  let n = 0
  for (const box of plan.mailboxes) {
    const base = `${prefix}email/${box.domain}/${box.local}`
    for (const sub of ["cur", "new", "tmp"]) w.dir(`${base}/${sub}`)
    let total = 0
    for (let i = 0; i < plan.spec.messagesPerMailbox; i++) {
      n++
      const seed = seedOf(plan.seed, `msg:${box.address}:${i}`)
      const head = messageHead(box.address, n, seed)
      const size = Math.max(Buffer.byteLength(head) + 64, sizeAround(plan, plan.spec.messageBytes, `msg:${box.address}:${i}`))
      const fresh = i % 3 === 2
      total += w.lazy(
        `${base}/${fresh ? "new" : "cur"}/${1_714_564_800 + n}.M${n}P${1000 + n}.mx.synth-host.example,S=${size}${fresh ? "" : ":2,S"}`,
        "mail",
        size,
        seed,
        head,
      )
    }
    bytes[box.address] = total
  }
  return bytes
}

/** Small files every home has. */
export const writeHomeExtras = (plan: IspmanagerPlan, w: TreeWriter, prefix: string): void => {
  for (const site of plan.sites)
    w.put(`${prefix}logs/${site.domain}.access.log`, `192.0.2.1 - - [01/May/2024:12:00:00 +0000] "GET / HTTP/1.1" 200 512\n`)
  w.put(`${prefix}php-bin/php.ini`, "memory_limit = 256M\n")
  w.dir(`${prefix}tmp`)
}

export const dumpHead = (name: string, engine: "mysql" | "postgresql"): string =>
  engine === "mysql"
    ? `-- MySQL dump 10.13  Distrib 8.0.36\n-- Host: localhost    Database: ${name}\n/*!40101 SET NAMES utf8mb4 */;\n`
    : `--\n-- PostgreSQL database dump\n--\n\nSET client_encoding = 'UTF8';\n`
