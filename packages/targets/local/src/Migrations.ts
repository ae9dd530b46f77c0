import type { DatabaseSync } from "node:sqlite"

/*
 * The inventory schema grows by numbered migrations, never by recreating tables: a state
 * directory from an older Ferry keeps its accounts. Each migration runs once, in its own
 * transaction together with its schema_migrations row. Append new ones; never edit old ones.
 */

export interface Migration {
  readonly version: number
  readonly name: string
  readonly sql: string
}

const ownedTable = (table: string) => `
  CREATE TABLE ${table} (
    name TEXT NOT NULL COLLATE NOCASE PRIMARY KEY,
    owner TEXT NOT NULL REFERENCES accounts (login) ON UPDATE RESTRICT ON DELETE RESTRICT
  ) STRICT;`

const engineTable = (table: string) => `
  CREATE TABLE ${table} (
    name TEXT NOT NULL,
    engine TEXT NOT NULL CHECK (engine IN ('mysql', 'postgresql')),
    owner TEXT NOT NULL REFERENCES accounts (login) ON UPDATE RESTRICT ON DELETE RESTRICT,
    PRIMARY KEY (engine, name)
  ) STRICT;`

export const migrations: ReadonlyArray<Migration> = [
  {
    version: 1,
    name: "accounts",
    sql: `
      CREATE TABLE accounts (
        login TEXT NOT NULL PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('admin', 'reseller', 'client')),
        owner TEXT REFERENCES accounts (login) ON UPDATE RESTRICT ON DELETE RESTRICT,
        limits TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(limits)),
        permissions TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(permissions)),
        ip_pool TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(ip_pool)),
        CHECK ((kind = 'admin') = (owner IS NULL))
      ) STRICT;
      CREATE UNIQUE INDEX accounts_single_admin ON accounts (kind) WHERE kind = 'admin';`,
  },
  {
    version: 2,
    name: "owned objects",
    sql: [
      ownedTable("domains"),
      ownedTable("mailboxes"),
      engineTable("databases"),
      engineTable("database_users"),
      ownedTable("ftp_users"),
    ].join("\n"),
  },
  {
    version: 3,
    name: "owner indexes",
    sql: ["accounts", "domains", "mailboxes", "databases", "database_users", "ftp_users"]
      .map((table) => `CREATE INDEX ${table}_owner ON ${table} (owner);`)
      .join("\n"),
  },
  {
    version: 4,
    name: "import jobs",
    sql: `
      CREATE TABLE jobs (
        id TEXT NOT NULL PRIMARY KEY,
        status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'cancelled', 'completed', 'completed-with-errors', 'failed')),
        backup TEXT NOT NULL,
        panel TEXT NOT NULL,
        options TEXT NOT NULL CHECK (json_valid(options)),
        decisions TEXT NOT NULL CHECK (json_valid(decisions)),
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        pid INTEGER,
        cancel_requested INTEGER NOT NULL DEFAULT 0,
        steps_total INTEGER NOT NULL,
        bytes_total INTEGER NOT NULL,
        steps_done INTEGER NOT NULL DEFAULT 0,
        bytes_done INTEGER NOT NULL DEFAULT 0,
        error TEXT
      ) STRICT;
      CREATE TABLE job_steps (
        job TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        key TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('entity', 'content')),
        tag TEXT NOT NULL,
        label TEXT NOT NULL,
        phase TEXT NOT NULL CHECK (phase IN ('structure', 'content', 'settings')),
        entity TEXT,
        status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed', 'skipped')),
        outcome TEXT CHECK (outcome IN ('created', 'updated', 'unchanged')),
        reason TEXT,
        bytes_total INTEGER NOT NULL DEFAULT 0,
        bytes_done INTEGER NOT NULL DEFAULT 0,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (job, key)
      ) STRICT;
      CREATE INDEX job_steps_order ON job_steps (job, seq);
      CREATE TABLE job_log (
        id INTEGER PRIMARY KEY,
        job TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        at TEXT NOT NULL,
        level TEXT NOT NULL CHECK (level IN ('info', 'warning', 'error')),
        step TEXT,
        message TEXT NOT NULL
      ) STRICT;
      CREATE INDEX job_log_job ON job_log (job, id);`,
  },
  {
    version: 5,
    name: "imported records",
    sql: `
      ALTER TABLE accounts ADD COLUMN uid INTEGER;
      CREATE UNIQUE INDEX accounts_uid ON accounts (uid) WHERE uid IS NOT NULL;
      CREATE TABLE records (
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        owner TEXT NOT NULL REFERENCES accounts (login) ON UPDATE RESTRICT ON DELETE RESTRICT,
        data TEXT NOT NULL CHECK (json_valid(data)),
        PRIMARY KEY (kind, key)
      ) STRICT;
      CREATE INDEX records_owner ON records (owner);`,
  },
]

export const latestVersion = migrations.reduce((max, migration) => Math.max(max, migration.version), 0)

const bookkeeping = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
  ) STRICT;`

/** Highest applied migration; 0 for a new database. */
export const schemaVersion = (db: DatabaseSync): number => {
  db.exec(bookkeeping)
  const row = db.prepare("SELECT coalesce(max(version), 0) AS version FROM schema_migrations").get() as { version: number }
  return row.version
}

export class NewerSchemaError extends Error {
  override readonly name = "NewerSchemaError"
}

/**
 * Applies the missing migrations up to `upTo` (default: all), each in an immediate transaction,
 * so two Ferry processes opening the same state directory do not both apply one. Returns the
 * versions applied. A database from a newer Ferry is refused rather than written to. `migrations`
 * replaces the built-in list (tests).
 */
export const migrate = (
  db: DatabaseSync,
  options: { readonly upTo?: number; readonly now?: () => Date; readonly migrations?: ReadonlyArray<Migration> } = {},
): Array<number> => {
  const list = options.migrations ?? migrations
  const latest = list.reduce((max, migration) => Math.max(max, migration.version), 0)
  const current = schemaVersion(db)
  if (current > latest) {
    throw new NewerSchemaError(`the inventory database is at schema version ${current}, newer than this Ferry knows (${latest})`)
  }
  const applied: Array<number> = []
  for (const migration of list) {
    if (migration.version > (options.upTo ?? latest)) break
    if (migration.version <= current) continue
    db.exec("BEGIN IMMEDIATE")
    try {
      // Re-read inside the lock: another process may have applied it meanwhile.
      const done = db.prepare("SELECT 1 FROM schema_migrations WHERE version = ?").get(migration.version) !== undefined
      if (!done) {
        db.exec(migration.sql)
        db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(
          migration.version,
          migration.name,
          (options.now?.() ?? new Date()).toISOString(),
        )
        applied.push(migration.version)
      }
      db.exec("COMMIT")
    } catch (error) {
      if (db.isTransaction) db.exec("ROLLBACK")
      throw error
    }
  }
  return applied
}
