import { createHash } from "node:crypto"
import { existsSync } from "node:fs"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { makePasswordHash } from "@ferry/core"
import { Effect } from "effect"
import { shortHash } from "../../src/import/DbClient.ts"
import { makePostgres } from "../../src/import/Postgres.ts"
import { failure } from "../Support.ts"
import { makeStepContext } from "../support/ImportEnvFixture.ts"
import { applyEntity, database, databaseEnv, databaseUser, importDump, pgDump, psql, services, uniqueName } from "../support/Services.ts"

/*
 * The PostgreSQL import against the real server of scripts/services.sh (checklist items 38–40):
 * plain, custom and tar dumps load through a staging database owned by a shadow role; psql
 * meta-commands are inert, superuser-only statements fail, truncated dumps leave nothing.
 */

const hashOf = (live: string, job = "job-test") => shortHash(`${job}/pg15/${live}`)
const dbExists = (name: string) => psql(`SELECT COUNT(*) FROM pg_database WHERE datname = '${name}'`)[0]?.[0] === "1"
const roleExists = (name: string) => psql(`SELECT COUNT(*) FROM pg_roles WHERE rolname = '${name}'`)[0]?.[0] === "1"

const assertNothingLeft = (live: string) => {
  assert.isFalse(dbExists(live), `${live} must not exist`)
  assert.isFalse(dbExists(`ferry_stage_${hashOf(live)}`), "the staging database is dropped")
  assert.isFalse(roleExists(`ferry_shadow_${hashOf(live)}`), "the shadow role is dropped")
}

const owner = (live: string) => makePostgres(services().postgres, false).ownerRole(live)

const dropAll = (...names: ReadonlyArray<string>) => {
  for (const name of names) {
    psql(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
    psql(`DROP ROLE IF EXISTS "${owner(name)}"`)
  }
}

const load = (live: string, body: string | Uint8Array) =>
  Effect.gen(function* () {
    const env = yield* databaseEnv
    const db = database(live, "postgresql")
    return yield* importDump(env, db, body, makeStepContext(db))
  })

const failedLoad = (live: string, body: string | Uint8Array) =>
  Effect.gen(function* () {
    const env = yield* databaseEnv
    const db = database(live, "postgresql")
    return yield* failure(importDump(env, db, body, makeStepContext(db)))
  })

/** A small but varied source database: COPY data with backslashes and tabs, bytea, a sequence, functions, a view. */
const makeSource = (): string => {
  const source = uniqueName("pgsrc")
  psql(`CREATE DATABASE ${source}`)
  psql(
    `CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL, data bytea, note text);
     INSERT INTO items (name, data, note) SELECT 'item ' || g, decode(md5(g::text), 'hex'), E'tab\\there \\\\ back\\nline' FROM generate_series(1, 300) g;
     CREATE TABLE orders (id int PRIMARY KEY, item int REFERENCES items (id));
     INSERT INTO orders SELECT g, g FROM generate_series(1, 50) g;
     CREATE VIEW big_orders AS SELECT o.id, i.name FROM orders o JOIN items i ON i.id = o.item WHERE o.id > 10;
     CREATE FUNCTION item_count() RETURNS bigint LANGUAGE plpgsql AS $body$ BEGIN RETURN (SELECT count(*) FROM items); END $body$;
     CREATE FUNCTION secret() RETURNS text LANGUAGE sql SECURITY DEFINER AS 'SELECT current_user::text';`,
    source,
  )
  return source
}

const fingerprint = (db: string) =>
  psql("SELECT md5(string_agg(i::text, ',' ORDER BY i.id)), (SELECT count(*) FROM orders) FROM items i", db)

describe("PostgreSQL import", () => {
  it.effect("loads plain, custom and tar dumps; everything belongs to the owner role; the original md5 password works", () =>
    Effect.gen(function* () {
      const source = makeSource()
      const expected = fingerprint(source)
      const env = yield* databaseEnv
      for (const format of ["p", "c", "t"] as const) {
        const live = uniqueName(`pg${format}`)
        const db = database(live, "postgresql", { dumpFormat: format === "p" ? "sql" : format === "c" ? "pg-custom" : "pg-tar" })
        const ctx = makeStepContext(db)
        const result = yield* importDump(env, db, pgDump(source, format), ctx)
        assert.strictEqual(result.outcome, "created", format)
        assert.deepStrictEqual(fingerprint(live), expected, format)
        assert.isFalse(dbExists(`ferry_stage_${hashOf(live)}`))
        assert.isFalse(roleExists(`ferry_shadow_${hashOf(live)}`))
        // Tables, functions and the database belong to the NOLOGIN owner role, never to a superuser.
        const owners = psql(
          `SELECT DISTINCT r.rolname, r.rolsuper, r.rolcanlogin FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'
           UNION SELECT r.rolname, r.rolsuper, r.rolcanlogin FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
           UNION SELECT r.rolname, r.rolsuper, r.rolcanlogin FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba WHERE d.datname = current_database()`,
          live,
        )
        assert.deepStrictEqual(owners, [[owner(live), "f", "f"]], format)
        assert.deepStrictEqual(psql("SELECT secret(), item_count()", live), [[owner(live), "300"]])

        assert.strictEqual((yield* applyEntity(env, db, ctx)).outcome, "created")
        const login = uniqueName("pguser")
        const password = `Original-${format}-pw`
        const user = databaseUser(login, "postgresql", {
          passwordHash: makePasswordHash(
            "postgres-md5",
            `md5${createHash("md5")
              .update(password + login)
              .digest("hex")}`,
          ),
          grants: [{ database: live, privileges: ["ALL"] }],
        })
        assert.strictEqual((yield* applyEntity(env, user, makeStepContext(user, [db, user]))).outcome, "created")
        assert.deepStrictEqual(psql("SELECT count(*) FROM big_orders", live, { user: login, password }), [["40"]])
        assert.strictEqual((yield* applyEntity(env, user, makeStepContext(user, [db, user]))).outcome, "unchanged")
        assert.strictEqual((yield* importDump(env, db, pgDump(source, format), ctx)).outcome, "unchanged")
        dropAll(live)
        psql(`DROP ROLE "${login}"`)
      }
      dropAll(source)
    }),
  )

  it.effect("a SCRAM verifier is kept verbatim", () =>
    Effect.gen(function* () {
      const login = uniqueName("scram")
      const probe = uniqueName("probe")
      psql(`SET password_encryption = 'scram-sha-256'; CREATE ROLE ${probe} PASSWORD 'Scram-pw-1'`)
      const verifier = psql(`SELECT rolpassword FROM pg_authid WHERE rolname = '${probe}'`)[0]?.[0] ?? ""
      psql(`DROP ROLE ${probe}`)
      const env = yield* databaseEnv
      const user = databaseUser(login, "postgresql", { passwordHash: makePasswordHash("postgres-scram", verifier) })
      const result = yield* applyEntity(env, user, makeStepContext(user))
      assert.deepStrictEqual(result.notes, [])
      assert.deepStrictEqual(psql("SELECT current_user", "postgres", { user: login, password: "Scram-pw-1" }), [[login]])
      psql(`DROP ROLE "${login}"`)
    }),
  )

  it.effect("psql meta-commands in a plain dump are inert (item 38)", () =>
    Effect.gen(function* () {
      const marker = join("/tmp", uniqueName("ferry-pg-pwned"))
      const live = uniqueName("meta")
      const result = yield* load(
        live,
        [
          "CREATE TABLE t (a int);",
          `\\! touch ${marker}`,
          `\\copy t from program 'touch ${marker}'`,
          `\\o |touch ${marker}`,
          "\\unrestrict guessedKey",
          `\\unrestrict \`touch ${marker}\``,
          `  \\setenv PAGER 'touch ${marker}'`,
          "\\connect postgres",
          "INSERT INTO t VALUES (1);",
          "SELECT 1;",
          "",
        ].join("\n"),
      )
      assert.isFalse(existsSync(marker))
      assert.isTrue((result.notes ?? []).some((n) => n.includes("psql meta-command removed")))
      assert.deepStrictEqual(psql("SELECT count(*) FROM t", live), [["1"]])
      dropAll(live)
      const hidden = uniqueName("hidden")
      assert.strictEqual(
        (yield* failedLoad(hidden, `CREATE TABLE t (a int);\nSELECT 1; \\! touch ${marker}\n`)).code,
        "database-load-failed",
      )
      assert.isFalse(existsSync(marker))
      assertNothingLeft(hidden)
    }),
  )

  it.effect("superuser-only statements fail or are dropped, and a failed load leaves nothing (item 39)", () =>
    Effect.gen(function* () {
      const marker = join("/tmp", uniqueName("ferry-pg-program"))
      for (const statement of [
        `COPY t FROM PROGRAM 'touch ${marker}';`,
        `COPY t TO PROGRAM 'touch ${marker}';`,
        "CREATE FUNCTION evil() RETURNS int AS '/lib/x86_64-linux-gnu/libc.so.6', 'getpid' LANGUAGE C;",
        "CREATE EVENT TRIGGER evil ON ddl_command_start EXECUTE FUNCTION pg_catalog.now();",
        "SELECT pg_read_file('/etc/shadow');",
        "ALTER SYSTEM SET log_min_messages = panic;",
      ]) {
        const live = uniqueName("su")
        const error = yield* failedLoad(live, `CREATE TABLE t (a text);\n${statement}\n`)
        assert.strictEqual(error.code, "database-load-failed", statement)
        assertNothingLeft(live)
      }
      assert.isFalse(existsSync(marker))
      const live = uniqueName("roles")
      const result = yield* load(
        live,
        "SET SESSION AUTHORIZATION postgres;\nALTER ROLE CURRENT_USER SUPERUSER;\nCREATE ROLE evil SUPERUSER LOGIN PASSWORD 'x';\nCREATE TABLE t (a int);\nALTER TABLE t OWNER TO postgres;\nGRANT ALL ON t TO PUBLIC;\n",
      )
      assert.isFalse(roleExists("evil"))
      assert.deepStrictEqual(psql("SELECT tableowner FROM pg_tables WHERE tablename = 't'", live), [[owner(live)]])
      assert.deepStrictEqual(psql("SELECT relacl IS NULL FROM pg_class WHERE relname = 't'", live), [["t"]])
      assert.isTrue((result.notes ?? []).some((n) => n.includes("SET SESSION AUTHORIZATION")))
      dropAll(live)
    }),
  )

  it.effect("truncated plain and custom dumps fail and leave no database (item 40)", () =>
    Effect.gen(function* () {
      const source = makeSource()
      const plain = pgDump(source, "p").toString("utf8")
      const cutPlain = uniqueName("cutp")
      const inCopy = plain.indexOf("item 150")
      assert.match((yield* failedLoad(cutPlain, plain.slice(0, inCopy))).reason, /truncated/)
      assertNothingLeft(cutPlain)
      const noTrailer = uniqueName("cutt")
      assert.match(
        (yield* failedLoad(noTrailer, plain.slice(0, plain.indexOf("-- PostgreSQL database dump complete")))).reason,
        /truncated/,
      )
      assertNothingLeft(noTrailer)
      const custom = pgDump(source, "c")
      const cutCustom = uniqueName("cutc")
      assert.strictEqual((yield* failedLoad(cutCustom, custom.subarray(0, Math.floor(custom.length * 0.6)))).code, "database-load-failed")
      assertNothingLeft(cutCustom)
      dropAll(source)
    }),
  )

  it.effect("an existing database is refused, or replaced only after a successful load", () =>
    Effect.gen(function* () {
      const live = uniqueName("pgexists")
      psql(`CREATE DATABASE ${live}`)
      psql("CREATE TABLE keep (a int); INSERT INTO keep VALUES (42);", live)
      const env = yield* databaseEnv
      const db = database(live, "postgresql")
      assert.strictEqual((yield* failure(importDump(env, db, "CREATE TABLE t (a int);\n", makeStepContext(db)))).code, "database-exists")
      const replace = makeStepContext(db, [db], [{ field: "existing", from: "keep", to: "replace" }])
      assert.strictEqual(
        (yield* failure(importDump(env, db, "CREATE TABLE t (a int);\nINSERT INTO nowhere VALUES (1);\n", replace))).code,
        "database-load-failed",
      )
      assert.deepStrictEqual(psql("SELECT a FROM keep", live), [["42"]])
      assert.strictEqual((yield* importDump(env, db, "CREATE TABLE t (a int);\nINSERT INTO t VALUES (7);\n", replace)).outcome, "updated")
      assert.deepStrictEqual(psql("SELECT tablename FROM pg_tables WHERE schemaname = 'public'", live), [["t"]])
      dropAll(live)
    }),
  )

  it.effect("users: postgres and privileged or foreign roles are never taken over", () =>
    Effect.gen(function* () {
      const env = yield* databaseEnv
      const postgres = databaseUser("postgres", "postgresql")
      assert.strictEqual((yield* failure(applyEntity(env, postgres, makeStepContext(postgres)))).code, "reserved-name")
      const admin = uniqueName("su")
      psql(`CREATE ROLE ${admin} SUPERUSER`)
      const privileged = databaseUser(admin, "postgresql")
      const replace = makeStepContext(privileged, [privileged], [{ field: "existing", from: "keep", to: "replace" }])
      assert.strictEqual((yield* failure(applyEntity(env, privileged, replace))).code, "database-user-privileged")
      const foreign = uniqueName("theirs")
      psql(`CREATE ROLE ${foreign} LOGIN`)
      const taken = databaseUser(foreign, "postgresql")
      assert.strictEqual((yield* failure(applyEntity(env, taken, makeStepContext(taken)))).code, "database-user-exists")
      psql(`DROP ROLE ${admin}; DROP ROLE ${foreign}`)
    }),
  )
})
