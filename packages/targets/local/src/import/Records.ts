import { isDeepStrictEqual } from "node:util"
import type { TargetError } from "@ferry/core"
import { type Effect, Result } from "effect"
import { type Connection, query, transaction } from "../Sqlite.ts"

/*
 * What the importer created, one row per object (kind, key), with its settings as JSON. Config
 * files that hold many objects (a Dovecot passwd-file, a crontab, the FTP users file) are
 * rendered from these rows, so writing the same object twice changes nothing and a resumed job
 * never duplicates a line (security rule 28).
 */

export interface StoredRecord {
  readonly kind: string
  readonly key: string
  readonly owner: string
  readonly data: unknown
}

export type PutOutcome = "created" | "updated" | "unchanged"

export interface RecordStore {
  /** Insert or replace; says whether anything changed. */
  readonly put: (kind: string, key: string, owner: string, data: unknown) => Effect.Effect<PutOutcome, TargetError>
  readonly get: (kind: string, key: string) => Effect.Effect<StoredRecord | undefined, TargetError>
  /** Rows of a kind, by key; `keyPrefix` narrows ("example.com/" for one domain's mailboxes). */
  readonly list: (
    kind: string,
    filter?: { readonly owner?: string; readonly keyPrefix?: string },
  ) => Effect.Effect<ReadonlyArray<StoredRecord>, TargetError>
  readonly remove: (kind: string, key: string) => Effect.Effect<void, TargetError>
}

const parse = (row: { kind: string; key: string; owner: string; data: string }): StoredRecord => ({
  kind: row.kind,
  key: row.key,
  owner: row.owner,
  data: JSON.parse(row.data) as unknown,
})

export const makeRecordStore = (connection: Connection): RecordStore => ({
  put: (kind, key, owner, data) =>
    transaction(connection, `recording ${kind} ${key}`, (db) => {
      const row = db.prepare("SELECT kind, key, owner, data FROM records WHERE kind = ? AND key = ?").get(kind, key) as
        | { kind: string; key: string; owner: string; data: string }
        | undefined
      const json = JSON.stringify(data)
      if (row !== undefined && row.owner === owner && isDeepStrictEqual(parse(row).data, JSON.parse(json)))
        return Result.succeed("unchanged" as const)
      db.prepare(
        "INSERT INTO records (kind, key, owner, data) VALUES (?, ?, ?, ?) ON CONFLICT (kind, key) DO UPDATE SET owner = excluded.owner, data = excluded.data",
      ).run(kind, key, owner, json)
      return Result.succeed(row === undefined ? ("created" as const) : ("updated" as const))
    }),
  get: (kind, key) =>
    query(connection, `reading ${kind} ${key}`, (db) => {
      const row = db.prepare("SELECT kind, key, owner, data FROM records WHERE kind = ? AND key = ?").get(kind, key) as
        | { kind: string; key: string; owner: string; data: string }
        | undefined
      return row === undefined ? undefined : parse(row)
    }),
  list: (kind, filter = {}) =>
    query(connection, `reading ${kind} records`, (db) => {
      const rows = db
        .prepare(
          "SELECT kind, key, owner, data FROM records WHERE kind = ? AND (? IS NULL OR owner = ?) AND (? IS NULL OR substr(key, 1, length(?)) = ?) ORDER BY key",
        )
        .all(
          kind,
          filter.owner ?? null,
          filter.owner ?? null,
          filter.keyPrefix ?? null,
          filter.keyPrefix ?? null,
          filter.keyPrefix ?? null,
        ) as Array<{
        kind: string
        key: string
        owner: string
        data: string
      }>
      return rows.map(parse)
    }),
  remove: (kind, key) =>
    query(connection, `removing ${kind} ${key}`, (db) => {
      db.prepare("DELETE FROM records WHERE kind = ? AND key = ?").run(kind, key)
    }),
})

/** Effect-free helper for parts: the outcome of several puts as one step outcome. */
export const combineOutcomes = (outcomes: ReadonlyArray<PutOutcome>): PutOutcome =>
  outcomes.includes("created") ? "created" : outcomes.includes("updated") ? "updated" : "unchanged"
