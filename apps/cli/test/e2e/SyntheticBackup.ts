import { createHash } from "node:crypto"
import { type CpanelAccountSpec, cpanelAccountTree, type GeneratedExpectation, type TreeNode, writeArchive } from "@ferry/testing"

/*
 * A synthetic cPanel backup (CpanelGenerator) whose MySQL parts can be checked after an import:
 * the generator's dumps are lazy bodies cut at an exact size (no "-- Dump completed" trailer, so
 * Ferry rightly refuses them as truncated) and its MySQL hashes are random hex with no known
 * password. Here every dump is replaced by a complete mysqldump-style script with a known number
 * of rows per table, and every MySQL hash by the hash of a known password.
 */

/** The password every MySQL user of the backup has (its mysql_native_password hash is in the backup). */
export const knownMysqlPassword = "E2e-known-Passw0rd"

export const mysqlNativeHash = (password: string): string => {
  const inner = createHash("sha1").update(password, "utf8").digest()
  return `*${createHash("sha1").update(inner).digest("hex").toUpperCase()}`
}

const hexOf = (text: string) => Buffer.from(text, "utf8").toString("hex").toUpperCase()

export interface DumpShape {
  /** Rows in each of the tables `posts` and `options`. */
  readonly rows: number
}

const word = (i: number) => ["alpha", "bravo", "charlie", "delta", "echo", "fox", "golf", "hotel"][i % 8] as string

/** A complete mysqldump-like script for `db`: two tables, extended INSERTs of 100 rows. */
export const mysqlDump = (db: string, shape: DumpShape): string => {
  const out: Array<string> = [
    "-- MySQL dump 10.19  Distrib 10.6.16-MariaDB, for Linux (x86_64)",
    "--",
    `-- Host: localhost    Database: ${db}`,
    "-- ------------------------------------------------------",
    "-- Server version\t10.6.16-MariaDB",
    "",
    "/*!40101 SET NAMES utf8mb4 */;",
    "DROP TABLE IF EXISTS `posts`;",
    "CREATE TABLE `posts` (`id` int(11) NOT NULL, `title` varchar(200), `body` text, PRIMARY KEY (`id`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;",
    "DROP TABLE IF EXISTS `options`;",
    "CREATE TABLE `options` (`name` varchar(64) NOT NULL, `value` longtext, PRIMARY KEY (`name`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;",
  ]
  for (const table of ["posts", "options"]) {
    out.push(`LOCK TABLES \`${table}\` WRITE;`)
    for (let start = 0; start < shape.rows; start += 100) {
      const values: Array<string> = []
      for (let i = start; i < Math.min(shape.rows, start + 100); i++) {
        const text = `${word(i)} ${word(i * 7)} ${db} ${i} ${"lorem ipsum dolor sit amet ".repeat(1 + (i % 5))}`
        values.push(table === "posts" ? `(${i},'${word(i)} ${i}','${text}')` : `('opt_${i}','${text}')`)
      }
      out.push(`INSERT INTO \`${table}\` VALUES ${values.join(",")};`)
    }
    out.push("UNLOCK TABLES;")
  }
  out.push("", "-- Dump completed on 2024-01-10 12:00:00", "")
  return out.join("\n")
}

export interface SyntheticBackup {
  readonly path: string
  readonly expected: GeneratedExpectation
  /** Database → table → rows the dump holds. */
  readonly rows: Readonly<Record<string, Readonly<Record<string, number>>>>
}

export const writeSyntheticBackup = async (spec: CpanelAccountSpec, out: string, shape: DumpShape): Promise<SyntheticBackup> => {
  const { tree, expected } = cpanelAccountTree(spec)
  const top = `cpmove-${spec.user}`
  const rows: Record<string, Record<string, number>> = {}
  const hash = mysqlNativeHash(knownMysqlPassword)
  const replaceHashes = (path: string) => {
    const node = tree.get(path)
    if (typeof node !== "string") throw new Error(`${path} is not a text node of the generated tree`)
    // mysql.sql carries `*<40 hex>`, the auth JSON the same string hex-encoded.
    const text = node.replace(/\*[0-9A-F]{40}/g, hash).replace(/2A(?:[0-9A-F]{2}){40}/g, hexOf(hash))
    tree.set(path, text as TreeNode)
  }
  replaceHashes(`${top}/mysql.sql`)
  replaceHashes(`${top}/mysql.sql-auth.json`)
  for (const db of expected.databases) {
    const key = `${top}/mysql/${db}.sql`
    if (!tree.has(key)) throw new Error(`the generated tree has no ${key}`)
    tree.set(key, mysqlDump(db, shape))
    rows[db] = { options: shape.rows, posts: shape.rows }
  }
  const path = await writeArchive(tree, out, "tar.gz")
  return { path, expected, rows }
}
