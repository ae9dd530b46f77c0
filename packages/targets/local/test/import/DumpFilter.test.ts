import { Readable, Writable } from "node:stream"
import { pipeline } from "node:stream/promises"
import { gzipSync } from "node:zlib"
import { assert, describe, it } from "@effect/vitest"
import { DumpRefused, MysqlDumpFilter, openDump } from "../../src/import/DumpFilter.ts"
import { PgDumpFilter } from "../../src/import/PgDumpFilter.ts"

type Filter = MysqlDumpFilter | PgDumpFilter

/** Runs `input` through `filter` in chunks of `chunk` bytes; the output, or the error. */
const run = async (filter: Filter, input: string | Buffer, chunk = 7): Promise<string> => {
  const bytes = typeof input === "string" ? Buffer.from(input, "latin1") : input
  const pieces: Array<Buffer> = []
  for (let i = 0; i < bytes.length; i += chunk) pieces.push(bytes.subarray(i, i + chunk))
  const out: Array<Buffer> = []
  await pipeline(
    Readable.from(pieces),
    filter,
    new Writable({
      write(data: Buffer, _encoding, callback) {
        out.push(data)
        callback()
      },
    }),
  )
  return Buffer.concat(out).toString("latin1")
}

const refused = async (filter: Filter, input: string, chunk?: number): Promise<string> => {
  try {
    await run(filter, input, chunk)
  } catch (error) {
    assert.instanceOf(error, DumpRefused)
    return (error as Error).message
  }
  return assert.fail("the filter accepted the dump")
}

const mysql = () => new MysqlDumpFilter({ targetIsMariaDb: true })

describe("MysqlDumpFilter", () => {
  it("rewrites DEFINER clauses to CURRENT_USER and leaves data lines alone", async () => {
    const filter = mysql()
    const out = await run(
      filter,
      [
        "/*!50013 DEFINER=`root`@`localhost` SQL SECURITY DEFINER */",
        "/*!50003 CREATE*/ /*!50017 DEFINER=`ad``min`@`%`*/ /*!50003 TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET NEW.a = 1 */;;",
        "CREATE DEFINER='root'@'localhost' PROCEDURE p() SELECT 1;",
        "CREATE DEFINER=CURRENT_USER FUNCTION f() RETURNS INT RETURN 1;",
        "INSERT INTO notes VALUES ('DEFINER=`root`@`localhost`');",
        "INSERT INTO notes (a) VALUES",
        "('utf8mb4_0900_ai_ci DEFINER=`x`@`y`'),",
        "('b');",
        "",
      ].join("\n"),
    )
    assert.strictEqual(
      out,
      [
        "/*!50013 DEFINER=CURRENT_USER SQL SECURITY DEFINER */",
        "/*!50003 CREATE*/ /*!50017 DEFINER=CURRENT_USER*/ /*!50003 TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET NEW.a = 1 */;;",
        "CREATE DEFINER=CURRENT_USER PROCEDURE p() SELECT 1;",
        "CREATE DEFINER=CURRENT_USER FUNCTION f() RETURNS INT RETURN 1;",
        "INSERT INTO notes VALUES ('DEFINER=`root`@`localhost`');",
        "INSERT INTO notes (a) VALUES",
        "('utf8mb4_0900_ai_ci DEFINER=`x`@`y`'),",
        "('b');",
        "",
      ].join("\n"),
    )
    assert.strictEqual(filter.rewrites["DEFINER rewritten to the loading account"], 3)
  })

  it("drops USE, CREATE DATABASE, binary-log settings and the sandbox line", async () => {
    const filter = mysql()
    const out = await run(
      filter,
      [
        "/*M!999999\\- enable the sandbox mode */",
        "-- MariaDB dump 10.19  Distrib 10.11.6-MariaDB",
        "CREATE DATABASE /*!32312 IF NOT EXISTS*/ `wp` /*!40100 DEFAULT CHARACTER SET utf8mb4 */;",
        "/*!40000 DROP DATABASE IF EXISTS `wp`*/;",
        "USE `mysql`;",
        "SET @@SESSION.SQL_LOG_BIN= 0;",
        "SET @@GLOBAL.GTID_PURGED=/*!80000 '+'*/ 'a:1-5,",
        "b:1-3';",
        "CREATE TABLE t (a int);",
        "-- Dump completed on 2024-01-01",
        "",
      ].join("\n"),
    )
    assert.strictEqual(out, "-- MariaDB dump 10.19  Distrib 10.11.6-MariaDB\nCREATE TABLE t (a int);\n-- Dump completed on 2024-01-01\n")
    assert.strictEqual(filter.rewrites["USE statement dropped"], 1)
    assert.strictEqual(filter.rewrites["CREATE/DROP DATABASE dropped"], 2)
    assert.strictEqual(filter.rewrites["binary-log setting dropped"], 2)
  })

  it("rewrites MySQL 8 _0900_ collations for MariaDB only", async () => {
    const dump =
      "CREATE TABLE t (a varchar(5) COLLATE utf8mb4_0900_as_cs, b text COLLATE utf8mb4_0900_bin\n) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci;\n"
    const filter = mysql()
    assert.strictEqual(
      await run(filter, dump),
      "CREATE TABLE t (a varchar(5) COLLATE utf8mb4_unicode_ci, b text COLLATE utf8mb4_bin\n) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;\n",
    )
    assert.strictEqual(
      Object.values(filter.rewrites).reduce((a, b) => a + b, 0),
      3,
    )
    assert.strictEqual(await run(new MysqlDumpFilter({ targetIsMariaDb: false }), dump), dump)
  })

  it("streams a line far longer than its buffer without holding it, and refuses one over the cap", async () => {
    const row = `INSERT INTO t VALUES ('${"x".repeat(300_000)}');\n`
    const filter = new MysqlDumpFilter({ targetIsMariaDb: true, headBytes: 1024, maxLineBytes: 1_000_000 })
    assert.strictEqual(await run(filter, `${row}SELECT 1;\n`, 4096), `${row}SELECT 1;\n`)
    const capped = new MysqlDumpFilter({ targetIsMariaDb: true, headBytes: 1024, maxLineBytes: 100_000 })
    assert.match(await refused(capped, row, 4096), /longer than 100000 bytes/)
  })

  it("refuses a mysqldump without its completion line (truncated)", async () => {
    assert.match(
      await refused(mysql(), "-- MySQL dump 10.13  Distrib 8.0.36\nCREATE TABLE t (a int);\nINSERT INTO t VALUES (1"),
      /truncated/,
    )
  })

  it("keeps every byte of binary data lines", async () => {
    const bytes = Buffer.from([...Buffer.from("INSERT INTO b VALUES ('"), 0xff, 0x00, 0x80, 0x5c, 0x27, ...Buffer.from("');\n")])
    assert.deepStrictEqual(Buffer.from(await run(mysql(), bytes, 3), "latin1"), bytes)
  })
})

const pg = (key?: string) => new PgDumpFilter(key === undefined ? {} : { restrictKey: key })

describe("PgDumpFilter", () => {
  it("wraps the dump in Ferry's own \\restrict key and removes the dump's meta-commands", async () => {
    const filter = pg("FerryKey123")
    const out = await run(
      filter,
      [
        "\\restrict attackerKey",
        "SELECT 1;",
        "\\! id",
        "  \\o |/bin/sh",
        "\\copy t from program 'id'",
        "\\unrestrict attackerKey",
        "\\connect postgres",
        "",
      ].join("\n"),
    )
    assert.strictEqual(
      out,
      [
        "\\restrict FerryKey123",
        "-- ferry: removed a psql meta-command (\\restrict)",
        "SELECT 1;",
        "-- ferry: removed a psql meta-command (\\!)",
        "-- ferry: removed a psql meta-command (\\o)",
        "-- ferry: removed a psql meta-command (\\copy)",
        "-- ferry: removed a psql meta-command (\\unrestrict)",
        "-- ferry: removed a psql meta-command (\\connect)",
        "\\unrestrict FerryKey123",
        "",
      ].join("\n"),
    )
    assert.strictEqual(
      Object.values(filter.rewrites).reduce((a, b) => a + b, 0),
      6,
    )
  })

  it("passes COPY data, quoted backslashes and dollar-quoted bodies untouched", async () => {
    const dump = [
      "SET standard_conforming_strings = on;",
      "CREATE FUNCTION f() RETURNS text LANGUAGE plpgsql AS $body$",
      "BEGIN",
      "  RETURN '\\! not a command'; -- \\! nor this",
      "END $body$;",
      "SELECT E'it\\'s \\\\', 'a\\b', \"we\\ird\" /* \\! /* nested */ */;",
      "COPY public.t (a, b) FROM stdin;",
      "1\t\\N",
      "\\! looks like a command but is data",
      "\\.",
      "SELECT 2;",
      "",
    ].join("\n")
    assert.strictEqual(await run(pg(), dump, 5), dump)
  })

  it("refuses a meta-command hidden inside a statement or after SQL on a line", async () => {
    assert.match(await refused(pg(), "SELECT 1 \\! id\n;\n"), /meta-command inside an SQL statement/)
    assert.match(await refused(pg(), "CREATE TABLE t (\n\\! id\n);\n"), /meta-command inside an SQL statement/)
    assert.match(await refused(pg(), "SELECT 'x'; \\g |id\n"), /meta-command/)
  })

  it("drops ownership, privilege and role statements", async () => {
    const filter = pg()
    const out = await run(
      filter,
      [
        "ALTER TABLE public.t OWNER TO bob;",
        "GRANT ALL ON TABLE public.t TO PUBLIC;",
        "REVOKE ALL ON SCHEMA public FROM PUBLIC;",
        "SET SESSION AUTHORIZATION 'postgres';",
        "ALTER ROLE bob SUPERUSER;",
        "CREATE ROLE evil SUPERUSER",
        "  LOGIN;",
        "CREATE TABLE kept (a int);",
        "",
      ].join("\n"),
    )
    assert.strictEqual(out, "CREATE TABLE kept (a int);\n")
    assert.strictEqual(filter.rewrites["OWNER TO dropped"], 1)
    assert.strictEqual(filter.rewrites["GRANT/REVOKE dropped"], 2)
    assert.strictEqual(filter.rewrites["CREATE/ALTER ROLE dropped"], 2)
  })

  it("refuses a truncated pg_dump: no trailer, or cut inside COPY data", async () => {
    const head = "--\n-- PostgreSQL database dump\n--\n\nCREATE TABLE t (a int);\n"
    assert.match(await refused(pg(), `${head}COPY public.t (a) FROM stdin;\n1\n2\n`), /inside COPY data/)
    assert.match(await refused(pg(), head), /dump complete/)
    assert.match(await refused(pg(), "CREATE TABLE t (a int"), /inside a statement/)
    assert.strictEqual(await run(pg(), `${head}-- PostgreSQL database dump complete\n`), `${head}-- PostgreSQL database dump complete\n`)
  })

  it("refuses client encodings whose bytes psql reads as backslashes or quotes", async () => {
    assert.match(await refused(pg(), "SET client_encoding = 'SJIS';\n"), /SJIS/)
  })

  it("scans a huge SQL line in bounded pieces", async () => {
    const big = `INSERT INTO t VALUES ('${"y".repeat(200_000)}');\n`
    const filter = new PgDumpFilter({ headBytes: 1024, maxLineBytes: 1_000_000 })
    assert.strictEqual(await run(filter, big, 8192), big)
    const hidden = `INSERT INTO t VALUES ('${"y".repeat(200_000)}'); \\! id\n`
    assert.match(await refused(new PgDumpFilter({ headBytes: 1024 }), hidden, 8192), /meta-command/)
  })
})

describe("openDump", () => {
  it("recognises gzip, pg_dump custom and tar archives, and plain SQL", async () => {
    const text = "CREATE TABLE t (a int);\n"
    const body = async (stream: Readable) => Buffer.concat(await stream.toArray()).toString()
    const plain = await openDump(Readable.from([Buffer.from(text)]))
    assert.deepStrictEqual([plain.format, plain.compression, await body(plain.stream)], ["sql", "none", text])
    const gz = await openDump(Readable.from([gzipSync(Buffer.from(text))]))
    assert.deepStrictEqual([gz.format, gz.compression, await body(gz.stream)], ["sql", "gzip", text])
    const custom = await openDump(Readable.from([Buffer.from("PGDMP\x01\x0e\x00")]))
    assert.strictEqual(custom.format, "pg-custom")
    const tar = Buffer.alloc(1024)
    tar.write("toc.dat")
    tar.write("ustar", 257)
    assert.strictEqual((await openDump(Readable.from([tar]))).format, "pg-tar")
  })

  it("fails the stream of a truncated gzip dump", async () => {
    const gz = gzipSync(Buffer.from("CREATE TABLE t (a int);\n".repeat(1000)))
    const opened = await openDump(Readable.from([gz.subarray(0, gz.length - 20)]))
    let failed = false
    try {
      await opened.stream.toArray()
    } catch {
      failed = true
    }
    assert.isTrue(failed)
  })
})
