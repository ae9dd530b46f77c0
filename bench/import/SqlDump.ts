import { Readable } from "node:stream"
import { prng } from "@ferry/testing"

/*
 * MySQL dumps of an exact size that a real `mariadb` client loads: what `mysqldump` (MariaDB
 * 10.6, as cPanel's pkgacct runs it) writes for a WordPress-like schema — session settings,
 * DROP/CREATE TABLE with secondary indexes, LOCK TABLES, extended INSERTs of up to ~1 MB per line
 * (mysqldump's default net_buffer_length) with escaped quotes, backslashes, newlines and UTF-8.
 * The synthetic dumps of @ferry/testing are pool slices cut mid-statement (fine for inspect and
 * check, not loadable), hence this generator. Bytes are produced on demand, deterministic for a
 * (database, size, seed), and the row count of every table is reported once the stream ends.
 */

/** Rows written per table, filled in while the dump streams. */
export type RowCounts = Record<string, number>

const maxStatementBytes = 1_000_000

const syllables = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "si", "de", "pa", "gu", "er", "an", "ol", "is", "te", "ba", "no", "ri", "za"]
/** Words that must be escaped or are multi-byte, as real posts and comments contain. */
const special = ["l\\'été", "naïve", "Straße", "日本語", "café", '\\"quoted\\"', "C:\\\\path", "😀", "don\\'t", "Ünïcødé"]

const vocabulary = (() => {
  const next = prng(21)
  const words = Array.from({ length: 4096 }, () =>
    Array.from({ length: 1 + (next() % 4) }, () => syllables[next() % syllables.length]).join(""),
  )
  for (let i = 0; i < words.length; i += 97) words[i] = special[(i / 97) % special.length] ?? "x"
  return words
})()

const words = (next: () => number, count: number): string => {
  const out: Array<string> = []
  for (let i = 0; i < count; i++) out.push(vocabulary[next() % vocabulary.length] ?? "")
  return out.join(" ")
}

/** Paragraphs of HTML as WordPress stores them, newlines escaped the way mysqldump does. */
const html = (next: () => number, paragraphs: number): string => {
  const out: Array<string> = []
  for (let p = 0; p < paragraphs; p++) {
    const body = words(next, 20 + (next() % 80))
    out.push(
      next() % 4 === 0
        ? `<!-- wp:paragraph -->\\n<p>${body} <a href=\\"https://example.com/${vocabulary[next() % vocabulary.length]}\\">${words(next, 2)}</a></p>\\n<!-- /wp:paragraph -->`
        : `<p>${body}</p>`,
    )
  }
  return out.join("\\r\\n\\r\\n")
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n))
const datetime = (next: () => number): string =>
  `'20${pad2(15 + (next() % 9))}-${pad2(1 + (next() % 12))}-${pad2(1 + (next() % 28))} ${pad2(next() % 24)}:${pad2(next() % 60)}:${pad2(next() % 60)}'`
const hex = (next: () => number, chars: number): string => {
  let out = ""
  while (out.length < chars) out += next().toString(16).padStart(8, "0")
  return out.slice(0, chars)
}

interface Table {
  readonly name: string
  readonly columns: ReadonlyArray<string>
  /** Share of the dump's data bytes. */
  readonly share: number
  readonly row: (id: number, next: () => number) => string
}

const tables: ReadonlyArray<Table> = [
  {
    name: "wp_options",
    columns: [
      "`option_id` bigint(20) unsigned NOT NULL AUTO_INCREMENT",
      "`option_name` varchar(191) NOT NULL DEFAULT ''",
      "`option_value` longtext NOT NULL",
      "`autoload` varchar(20) NOT NULL DEFAULT 'yes'",
      "PRIMARY KEY (`option_id`)",
      "UNIQUE KEY `option_name` (`option_name`)",
      "KEY `autoload` (`autoload`)",
    ],
    share: 0.01,
    row: (id, next) => `(${id},'option_${id}_${hex(next, 8)}','${words(next, 3 + (next() % 30))}','${next() % 3 === 0 ? "no" : "yes"}')`,
  },
  {
    name: "wp_posts",
    columns: [
      "`ID` bigint(20) unsigned NOT NULL AUTO_INCREMENT",
      "`post_author` bigint(20) unsigned NOT NULL DEFAULT 0",
      "`post_date` datetime NOT NULL DEFAULT '0000-00-00 00:00:00'",
      "`post_content` longtext NOT NULL",
      "`post_title` text NOT NULL",
      "`post_excerpt` text NOT NULL",
      "`post_status` varchar(20) NOT NULL DEFAULT 'publish'",
      "`post_name` varchar(200) NOT NULL DEFAULT ''",
      "`post_modified` datetime NOT NULL DEFAULT '0000-00-00 00:00:00'",
      "`post_parent` bigint(20) unsigned NOT NULL DEFAULT 0",
      "`guid` varchar(255) NOT NULL DEFAULT ''",
      "`post_type` varchar(20) NOT NULL DEFAULT 'post'",
      "`comment_count` bigint(20) NOT NULL DEFAULT 0",
      "PRIMARY KEY (`ID`)",
      "KEY `post_name` (`post_name`(191))",
      "KEY `type_status_date` (`post_type`,`post_status`,`post_date`,`ID`)",
      "KEY `post_parent` (`post_parent`)",
      "KEY `post_author` (`post_author`)",
    ],
    share: 0.6,
    row: (id, next) => {
      const title = words(next, 3 + (next() % 8))
      return `(${id},${1 + (next() % 40)},${datetime(next)},'${html(next, 2 + (next() % 10))}','${title}','${words(next, next() % 25)}','${next() % 10 === 0 ? "draft" : "publish"}','post-${id}-${hex(next, 6)}',${datetime(next)},${next() % 5 === 0 ? next() % id : 0},'https://example.com/?p=${id}','${next() % 8 === 0 ? "page" : "post"}',${next() % 40})`
    },
  },
  {
    name: "wp_postmeta",
    columns: [
      "`meta_id` bigint(20) unsigned NOT NULL AUTO_INCREMENT",
      "`post_id` bigint(20) unsigned NOT NULL DEFAULT 0",
      "`meta_key` varchar(255) DEFAULT NULL",
      "`meta_value` longtext DEFAULT NULL",
      "PRIMARY KEY (`meta_id`)",
      "KEY `post_id` (`post_id`)",
      "KEY `meta_key` (`meta_key`(191))",
    ],
    share: 0.22,
    row: (id, next) =>
      next() % 6 === 0
        ? `(${id},${1 + (next() % 50_000)},'_edit_lock',NULL)`
        : `(${id},${1 + (next() % 50_000)},'_${vocabulary[next() % vocabulary.length]}_${next() % 20}','a:2:{s:5:\\"width\\";i:${next() % 4000};s:4:\\"file\\";s:24:\\"${hex(next, 24)}\\";}')`,
  },
  {
    name: "wp_comments",
    columns: [
      "`comment_ID` bigint(20) unsigned NOT NULL AUTO_INCREMENT",
      "`comment_post_ID` bigint(20) unsigned NOT NULL DEFAULT 0",
      "`comment_author` tinytext NOT NULL",
      "`comment_author_email` varchar(100) NOT NULL DEFAULT ''",
      "`comment_author_IP` varchar(100) NOT NULL DEFAULT ''",
      "`comment_date` datetime NOT NULL DEFAULT '0000-00-00 00:00:00'",
      "`comment_content` text NOT NULL",
      "`comment_approved` varchar(20) NOT NULL DEFAULT '1'",
      "PRIMARY KEY (`comment_ID`)",
      "KEY `comment_post_ID` (`comment_post_ID`)",
      "KEY `comment_date` (`comment_date`)",
    ],
    share: 0.17,
    row: (id, next) =>
      `(${id},${1 + (next() % 50_000)},'${words(next, 2)}','user${next() % 100_000}@mail.example','198.51.100.${next() % 256}',${datetime(next)},'${words(next, 10 + (next() % 120))}','${next() % 7 === 0 ? "spam" : "1"}')`,
  },
]

export const dumpTables: ReadonlyArray<string> = tables.map((t) => t.name)

const header = (db: string): string =>
  [
    "/*!999999\\- enable the sandbox mode */ ",
    "-- MariaDB dump 10.19  Distrib 10.6.16-MariaDB, for Linux (x86_64)",
    "--",
    `-- Host: localhost    Database: ${db}`,
    "-- ------------------------------------------------------",
    "-- Server version\t10.6.16-MariaDB",
    "",
    "/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;",
    "/*!40101 SET @OLD_CHARACTER_SET_RESULTS=@@CHARACTER_SET_RESULTS */;",
    "/*!40101 SET @OLD_COLLATION_CONNECTION=@@COLLATION_CONNECTION */;",
    "/*!40101 SET NAMES utf8mb4 */;",
    "/*!40103 SET @OLD_TIME_ZONE=@@TIME_ZONE */;",
    "/*!40103 SET TIME_ZONE='+00:00' */;",
    "/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;",
    "/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */;",
    "/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;",
    "/*!40111 SET @OLD_SQL_NOTES=@@SQL_NOTES, SQL_NOTES=0 */;",
    "",
  ].join("\n")

const tableHead = (t: Table): string =>
  [
    "",
    "--",
    `-- Table structure for table \`${t.name}\``,
    "--",
    "",
    `DROP TABLE IF EXISTS \`${t.name}\`;`,
    "/*!40101 SET @saved_cs_client     = @@character_set_client */;",
    "/*!40101 SET character_set_client = utf8 */;",
    `CREATE TABLE \`${t.name}\` (`,
    t.columns.map((c) => `  ${c}`).join(",\n"),
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci;",
    "/*!40101 SET character_set_client = @saved_cs_client */;",
    "",
    "--",
    `-- Dumping data for table \`${t.name}\``,
    "--",
    "",
    `LOCK TABLES \`${t.name}\` WRITE;`,
    `/*!40000 ALTER TABLE \`${t.name}\` DISABLE KEYS */;`,
    "",
  ].join("\n")

const tableTail = (t: Table): string => `/*!40000 ALTER TABLE \`${t.name}\` ENABLE KEYS */;\nUNLOCK TABLES;\n`

const footer = [
  "/*!40103 SET TIME_ZONE=@OLD_TIME_ZONE */;",
  "",
  "/*!40101 SET SQL_MODE=@OLD_SQL_MODE */;",
  "/*!40014 SET FOREIGN_KEY_CHECKS=@OLD_FOREIGN_KEY_CHECKS */;",
  "/*!40014 SET UNIQUE_CHECKS=@OLD_UNIQUE_CHECKS */;",
  "/*!40101 SET CHARACTER_SET_CLIENT=@OLD_CHARACTER_SET_CLIENT */;",
  "/*!40101 SET CHARACTER_SET_RESULTS=@OLD_CHARACTER_SET_RESULTS */;",
  "/*!40101 SET COLLATION_CONNECTION=@OLD_COLLATION_CONNECTION */;",
  "/*!40111 SET SQL_NOTES=@OLD_SQL_NOTES */;",
  "",
].join("\n")
const completed = "-- Dump completed on 2023-11-14 12:00:00\n"

/** Comment lines of exactly `bytes` bytes (blank lines for the last 1–3), to land on the exact size. */
function* padding(bytes: number): Generator<Buffer> {
  let remaining = bytes
  while (remaining >= 4) {
    const line = Math.min(remaining, 120)
    const text = line >= 4 ? `-- ${".".repeat(line - 4)}\n` : ""
    remaining -= line
    yield Buffer.from(text)
  }
  if (remaining > 0) yield Buffer.from("\n".repeat(remaining))
}

function* dumpChunks(db: string, size: number, seed: number, counts: RowCounts): Generator<Buffer> {
  const head = Buffer.from(header(db))
  const heads = tables.map((t) => Buffer.from(tableHead(t)))
  const tails = tables.map((t) => Buffer.from(tableTail(t)))
  const end = Buffer.from(footer + completed)
  const fixed = head.length + end.length + [...heads, ...tails].reduce((sum, b) => sum + b.length, 0)
  const dataBudget = size - fixed
  if (dataBudget < 0) throw new Error(`a dump of ${db} needs at least ${fixed} bytes, ${size} requested`)
  const next = prng(seed)
  let written = 0
  const emit = (chunk: Buffer): Buffer => {
    written += chunk.length
    return chunk
  }
  yield emit(head)
  let share = 0
  let dataWritten = 0
  for (const [index, table] of tables.entries()) {
    share += table.share
    // Cumulative limits: what one table leaves unused goes to the next, the rest to padding.
    const limit = Math.floor(dataBudget * Math.min(1, share))
    yield emit(heads[index] ?? Buffer.alloc(0))
    const prefix = `INSERT INTO \`${table.name}\` VALUES `
    let rows = 0
    let statement: Array<string> = []
    let statementBytes = 0
    const flush = (): Buffer => {
      const text = `${prefix}${statement.join(",")};\n`
      statement = []
      statementBytes = 0
      return Buffer.from(text)
    }
    for (;;) {
      const row = table.row(rows + 1, next)
      const rowBytes = Buffer.byteLength(row)
      const cost = (statementBytes === 0 ? prefix.length + 2 : 1) + rowBytes
      if (dataWritten + cost > limit) break
      if (statementBytes > 0 && statementBytes + 1 + rowBytes > maxStatementBytes) {
        yield emit(flush())
        continue
      }
      statement.push(row)
      statementBytes += statementBytes === 0 ? prefix.length + 2 + rowBytes : 1 + rowBytes
      dataWritten += cost
      rows++
    }
    if (statementBytes > 0) yield emit(flush())
    counts[table.name] = rows
    yield emit(tails[index] ?? Buffer.alloc(0))
  }
  yield emit(Buffer.from(footer))
  for (const chunk of padding(size - written - Buffer.byteLength(completed))) yield emit(chunk)
  yield emit(Buffer.from(completed))
  if (written !== size) throw new Error(`dump of ${db}: wrote ${written} bytes, planned ${size}`)
}

/**
 * A lazy dump body of exactly `size` bytes for database `db`. Each call of `content` streams the
 * same bytes; `counts` holds the rows per table once a stream has ended.
 */
export const sqlDump = (db: string, size: number, seed: number): { readonly content: () => Readable; readonly counts: RowCounts } => {
  const counts: RowCounts = {}
  return { content: () => Readable.from(dumpChunks(db, size, seed, counts), { objectMode: false }), counts }
}
