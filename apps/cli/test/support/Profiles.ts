/*
 * ferry.yaml texts for the CLI tests, in the format of @ferry/target-local (ferry.example.yaml).
 * Fixed values everywhere (no `auto`), so a run does not depend on the machine.
 */

export interface ProfileChoice {
  readonly php?: ReadonlyArray<string>
  readonly postgresql?: boolean
  /** Bytes free where imported data lands. */
  readonly diskFree?: number
}

const quoted = (versions: ReadonlyArray<string>) => `[${versions.map((v) => JSON.stringify(v)).join(", ")}]`

/** A receiving server with every service; `choice` takes some away. */
export const profileYamlText = (choice: ProfileChoice = {}): string => {
  const php = choice.php ?? ["7.4", "8.0", "8.1", "8.2", "8.3"]
  return [
    "format: 1",
    "webServer:",
    "  kind: nginx",
    '  version: "1.24.0"',
    "php:",
    `  versions: ${quoted(php)}`,
    "  modes: [fpm, cgi]",
    `  default: ${JSON.stringify(php.at(-1))}`,
    "  defaultMode: fpm",
    "mysql:",
    "  - id: mariadb-main",
    "    engine: mariadb",
    '    version: "10.11.6"',
    ...(choice.postgresql === false ? [] : ["postgresql:", "  - id: pg15", '    version: "15.8"']),
    "python:",
    '  versions: ["3.11"]',
    "nodejs:",
    '  versions: ["20.11.1"]',
    "ftp:",
    "  kind: pure-ftpd",
    "dns:",
    "  kind: bind",
    "mail:",
    "  mta: postfix",
    "  imap: dovecot",
    "disk:",
    `  free: ${choice.diskFree ?? 1024 ** 4}`,
    "ips:",
    "  - 203.0.113.10",
    "passwordSchemes:",
    "  system: [md5-crypt, sha256-crypt, sha512-crypt, bcrypt, yescrypt]",
    "  mail: [md5-crypt, sha256-crypt, sha512-crypt, bcrypt, plain]",
    "  ftp: [md5-crypt, sha256-crypt, sha512-crypt, bcrypt]",
    "  mysql: [mysql-native, caching-sha2]",
    "  postgresql: [postgres-md5, postgres-scram]",
    "  web: [md5-crypt, sha256-crypt, sha512-crypt, bcrypt]",
    "",
  ].join("\n")
}
