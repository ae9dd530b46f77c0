import type { DatabaseSync } from "node:sqlite"
import { TargetError } from "@ferry/core"
import { Effect, Result } from "effect"

/** An open inventory database and the file it lives in (named in errors). */
export interface Connection {
  readonly db: DatabaseSync
  readonly file: string
}

const describe = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause))

/** A read (or a single statement); any SQLite failure becomes a TargetError naming the file. */
export const query = <A>(connection: Connection, what: string, run: (db: DatabaseSync) => A): Effect.Effect<A, TargetError> =>
  Effect.try({
    try: () => run(connection.db),
    catch: (cause) => new TargetError({ target: connection.file, detail: `${what}: ${describe(cause)}` }),
  })

/**
 * A write in one immediate transaction. The body decides synchronously (DatabaseSync is
 * synchronous), so no other fiber's statement can slip in between its reads and writes; a
 * failed Result rolls back and becomes the effect's error.
 */
export const transaction = <A, E>(
  connection: Connection,
  what: string,
  run: (db: DatabaseSync) => Result.Result<A, E>,
): Effect.Effect<A, E | TargetError> =>
  query(connection, what, (db) => {
    db.exec("BEGIN IMMEDIATE")
    try {
      const result = run(db)
      db.exec(Result.isSuccess(result) ? "COMMIT" : "ROLLBACK")
      return result
    } catch (error) {
      // Also after a failed COMMIT (SQLITE_BUSY), which leaves the transaction open.
      if (db.isTransaction) db.exec("ROLLBACK")
      throw error
    }
  }).pipe(Effect.flatMap(Effect.fromResult))
