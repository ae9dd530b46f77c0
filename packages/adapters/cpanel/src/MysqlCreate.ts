import { databaseLiteral, mysqlGrantLimits } from "./MysqlGrants.ts"

const createHeaderLines = 500

/** The mysqldump header and `CREATE DATABASE` line of a `.create` file; the rest is not read. */
export const parseMysqlCreate = (
  text: string,
): {
  readonly database?: string
  readonly charset?: string
  readonly collation?: string
  readonly serverVersion?: string
  readonly hasCreateDatabase: boolean
} => {
  let headerDatabase: string | undefined
  let serverVersion: string | undefined
  let created: { database: string; charset?: string; collation?: string } | undefined
  let hasCreateDatabase = false
  const lines = text.split("\n", createHeaderLines)
  for (const raw of lines) {
    if (raw.length > mysqlGrantLimits.maxLineLength) continue
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw
    const host = /^-- Host: \S*\s+Database: ([A-Za-z0-9_$-]{1,64})$/.exec(line)
    if (host) headerDatabase = host[1]
    const version = /^-- Server version\s+([0-9A-Za-z.+~_-]{1,64})$/.exec(line)
    if (version) serverVersion = version[1]
    if (/^CREATE DATABASE\b/i.test(line)) {
      hasCreateDatabase = true
      const m =
        /^CREATE DATABASE (?:\/\*!\d+ IF NOT EXISTS\s*\*\/ |IF NOT EXISTS )?`((?:[^`]|``){1,128})`(?: \/\*!\d+ ((?:DEFAULT )?(?:CHARACTER SET|CHARSET)\s*=?\s*\w+(?: COLLATE\s*=?\s*\w+)?)\s*\*\/)?(?: \/\*!\d+ DEFAULT ENCRYPTION='[YN]' \*\/)?;$/i.exec(
          line,
        )
      if (m) {
        const database = (m[1] as string).replace(/``/g, "`")
        const options = m[2] ?? ""
        const charset = /(?:CHARACTER SET|CHARSET)\s*=?\s*(\w+)/i.exec(options)?.[1]
        const collation = /COLLATE\s*=?\s*(\w+)/i.exec(options)?.[1]
        if (databaseLiteral.test(database)) {
          created = { database, ...(charset ? { charset } : {}), ...(collation ? { collation } : {}) }
        }
      }
      break
    }
  }
  const database = created?.database ?? headerDatabase
  return {
    ...(database !== undefined ? { database } : {}),
    ...(created?.charset !== undefined ? { charset: created.charset } : {}),
    ...(created?.collation !== undefined ? { collation: created.collation } : {}),
    ...(serverVersion !== undefined ? { serverVersion } : {}),
    hasCreateDatabase,
  }
}
