import { createHash } from "node:crypto"
import { existsSync } from "node:fs"
import { join } from "node:path"
import { gzipSync } from "node:zlib"
import { assert, describe, it } from "@effect/vitest"
import { makePasswordHash, type StepFailed } from "@ferry/core"
import { Effect } from "effect"
import { shortHash } from "../../src/import/DbClient.ts"
import { generatedPasswordKey, generatedPasswordKind } from "../../src/import/LocalImporter.ts"
import { makeMariaDb } from "../../src/import/MariaDb.ts"
import { failure } from "../Support.ts"
import { makeEntry, makeStepContext } from "../support/ImportEnvFixture.ts"
import {
  applyEntity,
  database,
  databaseEnv,
  databasePart,
  databaseUser,
  importDump,
  mysql,
  mysqlDump,
  services,
  uniqueName,
} from "../support/Services.ts"

/*
 * The MariaDB import against the real server of scripts/services.sh (checklist items 33–37, rule
 * 23): dumps load through a staging database and a shadow account, hostile statements fail or do
 * nothing, and a failed load leaves no database behind.
 */

const nativeHash = (password: string) =>
  `*${createHash("sha1").update(createHash("sha1").update(password).digest()).digest("hex").toUpperCase()}`

const stageOf = (live: string, job = "job-test") => `ferry_stage_${shortHash(`${job}/mariadb-main/${live}`)}`
const shadowOf = (live: string, job = "job-test") => `ferry_shadow_${shortHash(`${job}/mariadb-main/${live}`)}`

const schemaExists = (name: string) =>
  mysql(`SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '${name}'`)[0]?.[0] === "1"
const userExists = (name: string) => mysql(`SELECT COUNT(*) FROM mysql.user WHERE User = '${name}'`)[0]?.[0] !== "0"

/** No database of this name, no staging database and no shadow account are left. */
const assertNothingLeft = (live: string) => {
  assert.isFalse(schemaExists(live), `${live} must not exist`)
  assert.isFalse(schemaExists(stageOf(live)), "the staging database is dropped")
  assert.isFalse(userExists(shadowOf(live)), "the shadow account is dropped")
}

/** Drops test databases and the owner accounts the import made for them. */
const dropAll = (...names: ReadonlyArray<string>) => {
  const maria = makeMariaDb(services().mariadb, false)
  for (const name of names) mysql(`DROP DATABASE IF EXISTS \`${name}\`; DROP USER IF EXISTS '${maria.ownerAccount(name)}'@'localhost'`)
}

const failedLoad = (live: string, body: string | Uint8Array) =>
  Effect.gen(function* () {
    const env = yield* databaseEnv
    const db = database(live, "mysql")
    return yield* failure(importDump(env, db, body, makeStepContext(db)))
  })

describe("MariaDB import", () => {
  it.effect("loads a real dump through staging: rows, checksums, stored objects and the original password", () =>
    Effect.gen(function* () {
      services()
      const source = uniqueName("src")
      const live = uniqueName("wp")
      const login = uniqueName("wpuser")
      mysql(`CREATE DATABASE ${source} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
        USE ${source};
        CREATE TABLE posts (id INT PRIMARY KEY, title VARCHAR(100), body BLOB, hits INT DEFAULT 0);
        CREATE TABLE log (id INT AUTO_INCREMENT PRIMARY KEY, post INT, FOREIGN KEY (post) REFERENCES posts (id));
        INSERT INTO posts (id, title, body) SELECT seq, CONCAT('post ', seq, ' \\'quoted\\' é'), UNHEX(SHA2(seq, 256)) FROM seq_1_to_500;
        CREATE DEFINER=\`root\`@\`localhost\` TRIGGER posts_log AFTER UPDATE ON posts FOR EACH ROW INSERT INTO log (post) VALUES (NEW.id);
        CREATE DEFINER=\`root\`@\`localhost\` SQL SECURITY DEFINER VIEW popular AS SELECT id, title FROM posts WHERE hits > 0;
        CREATE DEFINER=\`root\`@\`localhost\` VIEW popular_titles AS SELECT title FROM popular;
        DELIMITER //
        CREATE DEFINER=\`root\`@\`localhost\` PROCEDURE bump(IN p INT) BEGIN UPDATE posts SET hits = hits + 1 WHERE id = p; END//
        DELIMITER ;
        CREATE DEFINER=\`root\`@\`localhost\` FUNCTION total() RETURNS INT READS SQL DATA RETURN (SELECT COUNT(*) FROM posts);`)
      const dump = mysqlDump(source)
      assert.include(dump.toString("latin1"), "DEFINER=`root`@`localhost`")
      const env = yield* databaseEnv
      const db = database(live, "mysql", { charset: "utf8mb4", collation: "utf8mb4_unicode_ci" })
      const ctx = makeStepContext(db)
      const result = yield* importDump(env, db, dump, ctx)
      assert.strictEqual(result.outcome, "created")
      assert.isTrue((result.notes ?? []).some((n) => n.includes("DEFINER rewritten")))
      assert.isFalse(schemaExists(stageOf(live)))
      assert.isFalse(userExists(shadowOf(live)))

      assert.deepStrictEqual(mysql(`SELECT COUNT(*) FROM ${live}.posts`), [["500"]])
      const checksum = (db: string) => mysql(`CHECKSUM TABLE ${db}.posts`)[0]?.[1]
      assert.strictEqual(checksum(live), checksum(source))
      const owner = makeMariaDb(services().mariadb, false).ownerAccount(live)
      const definers = mysql(
        `SELECT DEFINER FROM information_schema.VIEWS WHERE TABLE_SCHEMA = '${live}' UNION ALL SELECT DEFINER FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = '${live}' UNION ALL SELECT DEFINER FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = '${live}'`,
      )
      assert.strictEqual(definers.length, 5)
      for (const [definer] of definers) assert.strictEqual(definer, `${owner}@localhost`)

      assert.strictEqual((yield* applyEntity(env, db, ctx)).outcome, "created")
      const password = "Original-pw-1"
      const user = databaseUser(login, "mysql", {
        passwordHash: makePasswordHash("mysql-native", nativeHash(password)),
        grants: [{ database: live, privileges: ["ALL PRIVILEGES", "GRANT OPTION", "FILE"] }],
      })
      const applied = yield* applyEntity(env, user, makeStepContext(user, [db, user]))
      assert.strictEqual(applied.outcome, "created")
      assert.isTrue((applied.notes ?? []).some((n) => n.includes("GRANT OPTION, FILE")))
      // The user logs in with the ORIGINAL password whose hash was imported, and the objects work.
      const as = { user: login, password, database: live }
      mysql("CALL bump(7); CALL bump(7);", as)
      assert.deepStrictEqual(mysql("SELECT id FROM popular; SELECT total(); SELECT COUNT(*) FROM log", as), [["7"], ["500"], ["2"]])
      assert.deepStrictEqual(mysql("SELECT COUNT(*) FROM popular_titles", as), [["1"]])
      assert.deepStrictEqual(mysql(`SHOW GRANTS FOR '${login}'@'localhost'`).length, 2)
      assert.notInclude(mysql(`SHOW GRANTS FOR '${login}'@'localhost'`).join(" "), "GRANT OPTION")

      // Idempotent: the same steps again change nothing.
      assert.strictEqual((yield* importDump(env, db, dump, ctx)).outcome, "unchanged")
      assert.strictEqual((yield* applyEntity(env, db, ctx)).outcome, "unchanged")
      assert.strictEqual((yield* applyEntity(env, user, makeStepContext(user, [db, user]))).outcome, "unchanged")
      assert.deepStrictEqual(mysql(`SELECT COUNT(*) FROM ${live}.posts`), [["500"]])
      const inventory = yield* env.store.inventory
      assert.deepStrictEqual(inventory.databases, [{ name: live, owner: "bob", engine: "mysql" }])

      dropAll(source, live)
      mysql(`DROP USER '${login}'@'localhost', '${login}'@'127.0.0.1'`)
    }),
  )

  it.effect("client commands in a dump are inert; the failed load leaves no database (item 33)", () =>
    Effect.gen(function* () {
      const marker = join("/tmp", uniqueName("ferry-pwned"))
      const commands = [
        `\\! touch ${marker}`,
        `system touch ${marker}`,
        "\\. /etc/shadow",
        "source /etc/shadow",
        `tee ${marker}`,
        `pager touch ${marker}`,
        "connect mysql",
      ]
      for (const command of commands) {
        const live = uniqueName("cmd")
        const error = yield* failedLoad(live, `CREATE TABLE t (a INT);\n${command}\nINSERT INTO t VALUES (1);\n`)
        assert.strictEqual(error.code, "database-load-failed", command)
        assert.isFalse(existsSync(marker), `${command} ran`)
        assertNothingLeft(live)
      }
    }),
  )

  it.effect("privileged statements fail for lack of privilege and change nothing (items 34, 36)", () =>
    Effect.gen(function* () {
      const evil = uniqueName("evil")
      const dir = mysql("SELECT @@secure_file_priv")[0]?.[0] ?? "/tmp/"
      const outfile = join(dir, `${evil}.txt`)
      const rootBefore = mysql("SELECT Host, Priv FROM mysql.global_priv WHERE User = 'root'")
      const statements = [
        `CREATE USER '${evil}'@'%' IDENTIFIED BY 'x';`,
        "GRANT ALL ON *.* TO CURRENT_USER;",
        "SET PASSWORD FOR 'root'@'localhost' = PASSWORD('owned');",
        "UPDATE mysql.global_priv SET Priv = '{}' WHERE User = 'root';",
        `SELECT 'x' INTO OUTFILE '${outfile}';`,
        `SELECT 'x' INTO DUMPFILE '${outfile}';`,
        "LOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE t;",
        "LOAD DATA INFILE '/etc/passwd' INTO TABLE t;",
        "DROP TABLE mysql.db;",
      ]
      for (const statement of statements) {
        const live = uniqueName("priv")
        const error = yield* failedLoad(live, `CREATE TABLE t (a TEXT);\n${statement}\n`)
        assert.strictEqual(error.code, "database-load-failed", statement)
        assertNothingLeft(live)
      }
      assert.isFalse(userExists(evil))
      assert.isFalse(existsSync(outfile))
      assert.deepStrictEqual(mysql("SELECT Host, Priv FROM mysql.global_priv WHERE User = 'root'"), rootBefore)
    }),
  )

  it.effect("USE and DEFINER=root are rewritten: objects land in the live database with the owner as definer (items 34, 35)", () =>
    Effect.gen(function* () {
      const live = uniqueName("use")
      const env = yield* databaseEnv
      const db = database(live, "mysql")
      const dump = [
        "USE mysql;",
        "CREATE DATABASE IF NOT EXISTS other_db_of_someone;",
        "CREATE TABLE pwn (a INT);",
        "INSERT INTO pwn VALUES (1), (2);",
        "/*!50001 CREATE ALGORITHM=UNDEFINED */",
        "/*!50013 DEFINER=`root`@`localhost` SQL SECURITY DEFINER */",
        "/*!50001 VIEW `v` AS SELECT a FROM pwn */;",
        "DELIMITER ;;",
        "/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER tr BEFORE INSERT ON pwn FOR EACH ROW SET NEW.a = NEW.a * 10 */;;",
        "DELIMITER ;",
        "",
      ].join("\n")
      yield* importDump(env, db, dump, makeStepContext(db))
      assert.strictEqual(
        mysql("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'mysql' AND TABLE_NAME = 'pwn'")[0]?.[0],
        "0",
      )
      assert.isFalse(schemaExists("other_db_of_someone"))
      mysql(`INSERT INTO ${live}.pwn VALUES (3)`)
      assert.deepStrictEqual(mysql(`SELECT a FROM ${live}.v ORDER BY a`), [["1"], ["2"], ["30"]])
      const definers = mysql(
        `SELECT DEFINER FROM information_schema.VIEWS WHERE TABLE_SCHEMA = '${live}' UNION ALL SELECT DEFINER FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = '${live}'`,
      )
      assert.strictEqual(definers.length, 2)
      for (const [definer] of definers) assert.match(definer ?? "", /^ferry_owner_[0-9a-f]{8}@localhost$/)
      dropAll(live)
    }),
  )

  it.effect("MySQL 8 _0900_ collations load into MariaDB with a documented rewrite (item 37)", () =>
    Effect.gen(function* () {
      const live = uniqueName("c0900")
      const env = yield* databaseEnv
      const db = database(live, "mysql", { sourceServerVersion: "8.0.36" })
      const dump = [
        "-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)",
        "/*!40101 SET NAMES utf8mb4 */;",
        "CREATE TABLE `t` (`name` varchar(20) COLLATE utf8mb4_0900_ai_ci NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci;",
        "INSERT INTO `t` VALUES ('Ærø');",
        "-- Dump completed on 2024-05-01 10:00:00",
        "",
      ].join("\n")
      const result = yield* importDump(env, db, dump, makeStepContext(db))
      assert.isTrue((result.notes ?? []).some((n) => n.includes("utf8mb4_0900 collation rewritten") && n.includes("(2×)")))
      assert.deepStrictEqual(mysql(`SELECT COLLATION_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '${live}'`), [
        ["utf8mb4_unicode_ci"],
      ])
      assert.deepStrictEqual(mysql(`SELECT name FROM ${live}.t`), [["Ærø"]])
      dropAll(live)
    }),
  )

  it.effect("truncated dumps (cut gzip, mysqldump without its trailer) fail and leave nothing (items 40, 48)", () =>
    Effect.gen(function* () {
      const body = `-- MySQL dump 10.13\nCREATE TABLE t (a INT);\n${"INSERT INTO t VALUES (1);\n".repeat(2000)}-- Dump completed\n`
      const gz = gzipSync(Buffer.from(body))
      const cut = yield* failedLoad(uniqueName("gz"), gz.subarray(0, gz.length - 40))
      assert.strictEqual(cut.code, "database-load-failed")
      const live = uniqueName("trunc")
      const truncated = yield* failedLoad(live, body.slice(0, body.indexOf("-- Dump completed")))
      assert.match(truncated.reason, /truncated/)
      assertNothingLeft(live)
      const env = yield* databaseEnv
      const whole = database(uniqueName("gzok"), "mysql")
      const loaded = yield* importDump(env, whole, gz, makeStepContext(whole))
      assert.isTrue((loaded.notes ?? []).some((n) => n.includes("gzip")))
      assert.deepStrictEqual(mysql(`SELECT COUNT(*) FROM ${whole.name}.t`), [["2000"]])
      dropAll(whole.name)
    }),
  )

  it.effect("an existing live database is refused, or replaced only after a successful load (rule 23)", () =>
    Effect.gen(function* () {
      const live = uniqueName("exists")
      mysql(`CREATE DATABASE ${live}; CREATE TABLE ${live}.keep (a INT); INSERT INTO ${live}.keep VALUES (42);`)
      const env = yield* databaseEnv
      const db = database(live, "mysql")
      const refused = yield* failure(importDump(env, db, "CREATE TABLE t (a INT);\n", makeStepContext(db)))
      assert.strictEqual(refused.code, "database-exists")
      const replace = makeStepContext(db, [db], [{ field: "existing", from: "keep", to: "replace" }])
      const broken = yield* failure(importDump(env, db, "CREATE TABLE t (a INT);\nINSERT INTO nowhere VALUES (1);\n", replace))
      assert.strictEqual(broken.code, "database-load-failed")
      assert.deepStrictEqual(mysql(`SELECT a FROM ${live}.keep`), [["42"]], "a failed load leaves the live database as it was")
      const replaced = yield* importDump(env, db, "CREATE TABLE t (a INT);\nINSERT INTO t VALUES (7);\n", replace)
      assert.strictEqual(replaced.outcome, "updated")
      assert.deepStrictEqual(mysql(`SHOW TABLES FROM ${live}`), [["t"]])
      dropAll(live)
    }),
  )

  it.effect("a staging database left by a killed run is dropped and the load starts over", () =>
    Effect.gen(function* () {
      const live = uniqueName("resume")
      const maria = makeMariaDb(services().mariadb, false)
      const names = { stage: stageOf(live), shadow: shadowOf(live) }
      yield* maria.createStaging(names, "leftover-password", {})
      mysql(`CREATE TABLE ${names.stage}.half (a INT)`)
      const env = yield* databaseEnv
      const db = database(live, "mysql")
      yield* importDump(env, db, "CREATE TABLE t (a INT);\nINSERT INTO t VALUES (1);\n", makeStepContext(db))
      assert.deepStrictEqual(mysql(`SHOW TABLES FROM ${live}`), [["t"]])
      assert.isFalse(schemaExists(names.stage))
      // Another job meets the database this one made: it is not silently overwritten.
      const other = { ...makeStepContext(db), jobId: "job-other" }
      assert.strictEqual((yield* failure(importDump(env, db, "CREATE TABLE u (a INT);\n", other))).code, "database-exists")
      dropAll(live)
    }),
  )

  it.effect("a job killed in the middle of the swap finishes it when resumed (item 48)", () =>
    Effect.gen(function* () {
      const live = uniqueName("swap")
      const env = yield* databaseEnv
      const db = database(live, "mysql")
      const ctx = makeStepContext(db)
      const dump = [
        "CREATE TABLE t (a INT);",
        "INSERT INTO t VALUES (1), (2);",
        "CREATE DEFINER=`root`@`localhost` VIEW v AS SELECT SUM(a) AS s FROM t;",
        "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a = NEW.a + 100;",
        "",
      ].join("\n")
      // Load into staging, then do by hand what the swap does up to the RENAME, and "die".
      const ref = { id: db.dump ?? "", kind: "database-dump" as const, path: "d.sql", excludes: [], bytes: 0, files: 1 }
      const sink = yield* databasePart(env).content(ref, db, ctx)
      yield* sink.write("d.sql", makeEntry("d.sql", { body: dump })).pipe(Effect.orDie)
      const maria = makeMariaDb(services().mariadb, false)
      const names = { stage: stageOf(live), shadow: shadowOf(live) }
      const objects = yield* maria.storedObjects(names, live)
      assert.deepStrictEqual(objects.map((o) => `${o.kind} ${o.name}`).sort(), ["trigger tr", "view v"])
      yield* env.records.put("database", `mariadb-main/${live}`, "bob", {
        server: "mariadb-main",
        engine: "mariadb",
        name: live,
        job: ctx.jobId,
        state: "swapping",
        replaced: false,
        objects,
      })
      mysql(`CREATE DATABASE ${live}; DROP TRIGGER ${names.stage}.tr; RENAME TABLE ${names.stage}.t TO ${live}.t;`)

      // The resumed job opens the sink again: no second load, the swap is completed.
      const resumed = yield* importDump(env, db, "this is not read", ctx)
      assert.strictEqual(resumed.outcome, "created")
      mysql(`INSERT INTO ${live}.t VALUES (3)`)
      assert.deepStrictEqual(mysql(`SELECT s FROM ${live}.v`), [["106"]])
      assert.isFalse(schemaExists(names.stage))
      assert.isFalse(userExists(names.shadow))
      assert.strictEqual((yield* importDump(env, db, "not read either", ctx)).outcome, "unchanged")
      dropAll(live)
    }),
  )

  it.effect("users: reserved and foreign accounts are refused, unusable hashes get a recorded generated password", () =>
    Effect.gen(function* () {
      const env = yield* databaseEnv
      const root = databaseUser("root", "mysql", { passwordHash: makePasswordHash("mysql-native", nativeHash("x")) })
      assert.strictEqual((yield* failure(applyEntity(env, root, makeStepContext(root)))).code, "reserved-name")
      const foreign = uniqueName("foreign")
      mysql(`CREATE USER '${foreign}'@'127.0.0.1' IDENTIFIED BY 'theirs'`)
      const taken = databaseUser(foreign, "mysql", { passwordHash: makePasswordHash("mysql-native", nativeHash("mine")) })
      assert.strictEqual((yield* failure(applyEntity(env, taken, makeStepContext(taken)))).code, "database-user-exists")
      assert.deepStrictEqual(mysql("SELECT CURRENT_USER()", { user: foreign, password: "theirs" }), [[`${foreign}@127.0.0.1`]])
      mysql(`DROP USER '${foreign}'@'127.0.0.1'`)

      const login = uniqueName("sha2")
      const user = databaseUser(login, "mysql", {
        authPlugin: "caching_sha2_password",
        passwordHash: makePasswordHash("caching-sha2", "$A$005$abcdefghijklmnopqrst"),
        hosts: ["localhost", "127.0.0.1", "bad'host"],
      })
      const result = yield* applyEntity(env, user, makeStepContext(user))
      assert.isTrue((result.notes ?? []).some((n) => n.includes("new generated password")))
      assert.isTrue((result.notes ?? []).some((n) => n.includes("bad'host")))
      const generated = () =>
        Effect.map(env.records.get(generatedPasswordKind, generatedPasswordKey(user.id, "mysql")), (row) =>
          String((row?.data as { password?: unknown } | undefined)?.password),
        )
      const password = yield* generated()
      assert.deepStrictEqual(mysql("SELECT CURRENT_USER()", { user: login, password }), [[`${login}@127.0.0.1`]])
      // A re-run keeps the same generated password.
      yield* applyEntity(env, user, makeStepContext(user))
      assert.strictEqual(yield* generated(), password)
      mysql(`DROP USER '${login}'@'localhost', '${login}'@'127.0.0.1'`)
    }),
  )

  it.effect("the Database step creates a database without a dump empty, and refuses one Ferry did not make", () =>
    Effect.gen(function* () {
      const env = yield* databaseEnv
      const empty = database(uniqueName("empty"), "mysql", { charset: "latin1", collation: "latin1_swedish_ci" })
      const { dump: _dump, ...withoutDump } = empty
      const first = yield* applyEntity(env, withoutDump, makeStepContext(withoutDump))
      assert.strictEqual(first.outcome, "created")
      assert.deepStrictEqual(mysql(`SELECT DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '${empty.name}'`), [
        ["latin1_swedish_ci"],
      ])
      assert.strictEqual((yield* applyEntity(env, withoutDump, makeStepContext(withoutDump))).outcome, "unchanged")
      const foreign = uniqueName("foreign")
      mysql(`CREATE DATABASE ${foreign}`)
      const taken = database(foreign, "mysql")
      assert.strictEqual((yield* failure(applyEntity(env, taken, makeStepContext(taken)))).code, "database-exists")
      const bad = database("wp`; DROP DATABASE mysql; --", "mysql")
      assert.strictEqual((yield* failure(applyEntity(env, bad, makeStepContext(bad)))).code, "invalid-name")
      const reserved = database("mysql", "mysql")
      assert.strictEqual((yield* failure(applyEntity(env, reserved, makeStepContext(reserved)))).code, "invalid-name")
      dropAll(empty.name, foreign)
    }),
  )

  it.effect("a database server that is not set up for imports fails the step", () =>
    Effect.gen(function* () {
      const env = yield* databaseEnv
      const db = database(uniqueName("nosrv"), "mysql")
      const ctx = makeStepContext(db, [db], [{ field: "server", from: "source", to: "mysql-elsewhere" }])
      const error: StepFailed = yield* failure(importDump(env, db, "SELECT 1;\n", ctx))
      assert.strictEqual(error.code, "database-server-unavailable")
    }),
  )
})
