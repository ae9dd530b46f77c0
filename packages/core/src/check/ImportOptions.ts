import { Schema } from "effect"

/**
 * What the admin chose for an import (CLI flags, API fields, library callers alike): the
 * ispmanager wizard's parameters plus the Plesk migration operator's options.
 */
export const ImportOptions = Schema.Struct({
  /** Import only these source accounts (logins); absent = all. */
  users: Schema.optionalKey(Schema.Array(Schema.String)),
  /** A source account whose login already exists on the target: replace its data, or skip it. */
  existing: Schema.Literals(["replace", "skip"]),
  /** Plesk "only mail" / "only hosting" restriction; absent = everything. */
  only: Schema.optionalKey(Schema.Literals(["mail", "hosting"])),
  /**
   * New owner on the target: an admin or reseller login for clients and domains, or a client
   * login to receive the domains only.
   */
  owner: Schema.optionalKey(Schema.String),
  /** Source IP → target IP. */
  ipMap: Schema.Record(Schema.String, Schema.String),
  /** Source database server (host or version label) → target database server id. */
  dbMap: Schema.Record(Schema.String, Schema.String),
})
export type ImportOptions = typeof ImportOptions.Type

export const defaultImportOptions: ImportOptions = { existing: "skip", ipMap: {}, dbMap: {} }
