import type { Capabilities, Inventory, InventoryAccount } from "../../src/index.ts"

/*
 * Receiving servers as the check pipeline sees them: what they run (capabilities) and what they
 * already hold (inventory).
 */

const GiB = 1024 ** 3

const cryptSchemes = ["des-crypt", "md5-crypt", "sha256-crypt", "sha512-crypt", "bcrypt", "yescrypt"] as const

/**
 * Everything installed: nginx; PHP 7.4/8.1/8.2/8.3 (FPM and CGI); MariaDB 10.11 (default) and
 * MySQL 8.0; PostgreSQL 15; Python 3.11; Node.js 20; Pure-FTPd; BIND; Postfix + Dovecot; 100 GiB
 * free; two addresses. Password schemes: what crypt(3) (libxcrypt) verifies for system users,
 * Dovecot's CRYPT scheme, Pure-FTPd and nginx `auth_basic`; MariaDB's native and old hashes;
 * PostgreSQL's md5 and SCRAM verifiers.
 */
export const fullProfile: Capabilities = {
  webServer: { kind: "nginx", version: "1.24.0" },
  php: { versions: ["7.4", "8.1", "8.2", "8.3"], modes: ["fpm", "cgi"], default: "8.3", defaultMode: "fpm" },
  mysql: [
    { id: "mariadb-main", engine: "mariadb", version: "10.11.6", host: "localhost", port: 3306, default: true },
    { id: "mysql-80", engine: "mysql", version: "8.0.36", host: "127.0.0.1", port: 3307, default: false },
  ],
  postgresql: [{ id: "pg15", engine: "postgresql", version: "15.8", host: "localhost", port: 5432, default: true }],
  python: { versions: ["3.11"], default: "3.11" },
  nodejs: { versions: ["20"], default: "20" },
  ftp: { kind: "pure-ftpd" },
  dns: { kind: "bind" },
  mail: { mta: "postfix", imap: "dovecot" },
  diskFreeBytes: 100 * GiB,
  ips: ["192.0.2.10", "198.51.100.5"],
  passwordSchemes: {
    system: ["md5-crypt", "sha256-crypt", "sha512-crypt", "bcrypt", "yescrypt"],
    mail: [...cryptSchemes, "plain"],
    ftp: [...cryptSchemes],
    mysql: ["mysql-native", "mysql-old"],
    postgresql: ["postgres-md5", "postgres-scram"],
    web: [...cryptSchemes],
  },
}

/** The realistic receiving server: no PostgreSQL, PHP 8.2 and 8.3 only, MariaDB alone. */
export const noPostgresProfile: Capabilities = {
  ...fullProfile,
  php: { versions: ["8.2", "8.3"], modes: ["fpm"], default: "8.3", defaultMode: "fpm" },
  mysql: [{ id: "mariadb-main", engine: "mariadb", version: "10.11.6", host: "localhost", port: 3306, default: true }],
  postgresql: [],
  python: { versions: [] },
  nodejs: { versions: [] },
  diskFreeBytes: 20 * GiB,
  ips: ["203.0.113.7"],
}

const account = (
  login: string,
  kind: InventoryAccount["kind"],
  owner: string | null,
  more: Partial<InventoryAccount> = {},
): InventoryAccount => ({
  login,
  kind,
  owner,
  limits: {},
  permissions: {},
  ipPool: [],
  ...more,
})

/**
 * A panel in use: the administrator, a reseller with two clients' worth of room, and two clients
 * that own domains, mailboxes, databases and FTP users.
 * - `resell` may have 2 clients and 3 domains (it has 1 client, `carol`, with 1 domain);
 * - `carol` (under `resell`) may have 2 domains, 2 mailboxes, 1 database; no DNS or cron access;
 * - `dave` (under admin) has no limits.
 */
export const panelInventory: Inventory = {
  accounts: [
    account("admin", "admin", null),
    account("resell", "reseller", "admin", { limits: { clients: 2, domains: 3 } }),
    account("carol", "client", "resell", {
      limits: { domains: 2, mailboxes: 2, databases: 1, diskBytes: 10 * GiB },
      permissions: { manageDns: false, manageCron: false, manageMail: true },
      ipPool: ["198.51.100.5"],
    }),
    account("dave", "client", "admin", { ipPool: ["192.0.2.10"] }),
  ],
  domains: [
    { name: "carol.example", owner: "carol" },
    { name: "dave.example", owner: "dave" },
    { name: "shop.example", owner: "dave" },
  ],
  mailboxes: [
    { name: "info@carol.example", owner: "carol" },
    { name: "info@dave.example", owner: "dave" },
  ],
  databases: [{ name: "dave_wp", owner: "dave", engine: "mysql" }],
  databaseUsers: [
    { name: "dave_wp", owner: "dave", engine: "mysql" },
    { name: "dave", owner: "dave", engine: "postgresql" },
  ],
  ftpUsers: [{ name: "upload@dave.example", owner: "dave" }],
}

export const emptyInventory: Inventory = { accounts: [], domains: [], mailboxes: [], databases: [], databaseUsers: [], ftpUsers: [] }
