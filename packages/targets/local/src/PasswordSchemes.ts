import type { Capabilities, DatabaseServer, PasswordScheme } from "@ferry/core"

export type PasswordSchemes = Capabilities["passwordSchemes"]
export type PasswordService = keyof PasswordSchemes

/** The parts of the capabilities the accepted hash schemes follow from. */
export type SchemeInputs = Pick<Capabilities, "webServer" | "mysql" | "postgresql" | "ftp" | "mail">

/*
 * libxcrypt (Debian 11+, Ubuntu 22.04+, RHEL 9) verifies all of these through crypt(3). DES is
 * left out on purpose: an imported DES hash gets a new password instead of living on.
 */
const cryptSchemes: ReadonlyArray<PasswordScheme> = ["md5-crypt", "sha256-crypt", "sha512-crypt", "bcrypt"]
const systemSchemes: ReadonlyArray<PasswordScheme> = [...cryptSchemes, "yescrypt"]

const versionNumber = (version: string): readonly [number, number] => {
  const match = /^(\d+)(?:\.(\d+))?/.exec(version)
  return match === null ? [Number.NaN, Number.NaN] : [Number(match[1]), Number(match[2] ?? 0)]
}

/** Hash schemes one MySQL / MariaDB server takes as they are. */
export const mysqlServerSchemes = (server: DatabaseServer): ReadonlyArray<PasswordScheme> => {
  if (server.engine === "mariadb") return ["mysql-native"]
  const [major, minor] = versionNumber(server.version)
  if (Number.isNaN(major)) return ["mysql-native", "caching-sha2"]
  if (major < 8) return ["mysql-native"]
  // mysql_native_password is off by default from 8.4 and gone in 9.0.
  if (major === 8 && minor < 4) return ["mysql-native", "caching-sha2"]
  return ["caching-sha2"]
}

/** Hash schemes one PostgreSQL server takes as they are (SCRAM since 10). */
export const postgresServerSchemes = (server: DatabaseServer): ReadonlyArray<PasswordScheme> => {
  const [major] = versionNumber(server.version)
  return !Number.isNaN(major) && major < 10 ? ["postgres-md5"] : ["postgres-md5", "postgres-scram"]
}

/** Schemes every listed server accepts: a kept hash must work whichever server it lands on. */
const intersection = (lists: ReadonlyArray<ReadonlyArray<PasswordScheme>>): Array<PasswordScheme> => {
  const [first, ...rest] = lists
  if (first === undefined) return []
  return first.filter((scheme) => rest.every((list) => list.includes(scheme)))
}

/** The defaults of `passwordSchemes`, derived from the server kinds. */
export const derivePasswordSchemes = (inputs: SchemeInputs): PasswordSchemes => ({
  system: [...systemSchemes],
  mail: inputs.mail.imap === "dovecot" ? [...cryptSchemes, "plain"] : [],
  ftp:
    inputs.ftp.kind === "pure-ftpd" || inputs.ftp.kind === "proftpd"
      ? [...cryptSchemes]
      : inputs.ftp.kind === "vsftpd"
        ? [...systemSchemes]
        : [],
  mysql: intersection(inputs.mysql.map(mysqlServerSchemes)),
  postgresql: intersection(inputs.postgresql.map(postgresServerSchemes)),
  web: inputs.webServer.kind === "none" ? [] : [...cryptSchemes],
})

export const passwordServices: ReadonlyArray<PasswordService> = ["system", "mail", "ftp", "mysql", "postgresql", "web"]
