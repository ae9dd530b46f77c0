import { type Effect, Schema } from "effect"
import { Limits, Permissions } from "../model/Common.ts"
import { PasswordScheme } from "../model/PasswordHash.ts"

/* What the receiving server can run (capabilities) and what it already holds (inventory). */

export const PhpMode = Schema.Literals(["fpm", "cgi", "fastcgi", "module", "lsapi"])
export type PhpMode = typeof PhpMode.Type

export const DatabaseServer = Schema.Struct({
  /** Name used in plans and in `--db-map SOURCE=TARGET` ("mariadb-main", "localhost:3306"). */
  id: Schema.String,
  engine: Schema.Literals(["mysql", "mariadb", "postgresql"]),
  /** "10.11.6", "8.0.36", "15.8". */
  version: Schema.String,
  host: Schema.optionalKey(Schema.String),
  port: Schema.optionalKey(Schema.Number),
  default: Schema.Boolean,
})
export type DatabaseServer = typeof DatabaseServer.Type

export const Capabilities = Schema.Struct({
  webServer: Schema.Struct({
    kind: Schema.Literals(["nginx", "apache", "none"]),
    version: Schema.optionalKey(Schema.String),
  }),
  php: Schema.Struct({
    /** Installed versions, "8.2". */
    versions: Schema.Array(Schema.String),
    modes: Schema.Array(PhpMode),
    default: Schema.optionalKey(Schema.String),
    defaultMode: Schema.optionalKey(PhpMode),
  }),
  /** MySQL and MariaDB servers. */
  mysql: Schema.Array(DatabaseServer),
  postgresql: Schema.Array(DatabaseServer),
  python: Schema.Struct({ versions: Schema.Array(Schema.String), default: Schema.optionalKey(Schema.String) }),
  nodejs: Schema.Struct({ versions: Schema.Array(Schema.String), default: Schema.optionalKey(Schema.String) }),
  ftp: Schema.Struct({ kind: Schema.Literals(["pure-ftpd", "proftpd", "vsftpd", "none"]) }),
  dns: Schema.Struct({ kind: Schema.Literals(["bind", "powerdns", "none"]) }),
  mail: Schema.Struct({
    mta: Schema.Literals(["postfix", "exim", "none"]),
    imap: Schema.Literals(["dovecot", "none"]),
  }),
  /** Free bytes where imported data lands (the target root). */
  diskFreeBytes: Schema.Number,
  ips: Schema.Array(Schema.String),
  /**
   * Password-hash schemes each service accepts as they are. A hash in another scheme is imported
   * with a new password, which the report lists.
   */
  passwordSchemes: Schema.Struct({
    system: Schema.Array(PasswordScheme),
    mail: Schema.Array(PasswordScheme),
    ftp: Schema.Array(PasswordScheme),
    mysql: Schema.Array(PasswordScheme),
    postgresql: Schema.Array(PasswordScheme),
    web: Schema.Array(PasswordScheme),
  }),
})
export type Capabilities = typeof Capabilities.Type

export const InventoryAccount = Schema.Struct({
  login: Schema.String,
  kind: Schema.Literals(["admin", "reseller", "client"]),
  /** Login of the owning admin or reseller; null for the administrator. */
  owner: Schema.NullOr(Schema.String),
  limits: Limits,
  permissions: Permissions,
  ipPool: Schema.Array(Schema.String),
})
export type InventoryAccount = typeof InventoryAccount.Type

/** A named object on the target and the login that owns it. */
export const Owned = Schema.Struct({ name: Schema.String, owner: Schema.String })

export const Inventory = Schema.Struct({
  accounts: Schema.Array(InventoryAccount),
  domains: Schema.Array(Owned),
  mailboxes: Schema.Array(Owned),
  databases: Schema.Array(Schema.Struct({ name: Schema.String, owner: Schema.String, engine: Schema.Literals(["mysql", "postgresql"]) })),
  databaseUsers: Schema.Array(
    Schema.Struct({ name: Schema.String, owner: Schema.String, engine: Schema.Literals(["mysql", "postgresql"]) }),
  ),
  ftpUsers: Schema.Array(Owned),
})
export type Inventory = typeof Inventory.Type

/** The receiving server could not be read (its profile, its inventory database, a probe). */
export class TargetError extends Schema.TaggedError<TargetError>()("TargetError", {
  target: Schema.String,
  detail: Schema.String,
}) {
  override get message(): string {
    return `${this.target}: ${this.detail}`
  }
}

/**
 * A receiving server, as the check pipeline sees it. Import (apply) is added by the executor
 * issue; checks only read.
 */
export interface Target {
  readonly id: string
  readonly capabilities: Effect.Effect<Capabilities, TargetError>
  readonly inventory: Effect.Effect<Inventory, TargetError>
}
