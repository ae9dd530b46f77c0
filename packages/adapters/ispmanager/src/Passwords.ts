import {
  cryptSchemeLoose,
  isLockedCrypt,
  makePasswordHash,
  mysqlScheme,
  type PasswordHash,
  type PasswordScheme,
  postgresScheme,
} from "@ferry/core"
import { type Assembly, noteObject } from "./Assembly.ts"
import type { PanelObject } from "./PanelObject.ts"

/*
 * The form a backup stores passwords in is not documented (ispmanager.md §8 #6: plain, a hash,
 * RSA-encrypted with the panel key?). Ferry keeps a value only when it is a hash scheme the
 * receiving service can use; anything else is dropped with a note (never printed), and the
 * import generates a new password.
 */

export type PasswordService = "system" | "mysql" | "postgresql"

const schemeOf = (value: string, service: PasswordService): PasswordScheme =>
  service === "mysql" ? mysqlScheme(value) : service === "postgresql" ? postgresScheme(value) : cryptSchemeLoose(value)

export const passwordOf = (
  a: Assembly,
  object: PanelObject,
  value: string | undefined,
  service: PasswordService,
  what = "password",
): PasswordHash | undefined => {
  if (value === undefined || value === "") {
    noteObject(a, object, "info", "password-missing", `no ${what} in the backup; a new one will be generated on import`)
    return undefined
  }
  if (service === "system" && isLockedCrypt(value)) {
    noteObject(a, object, "warning", "password-locked", `the ${what} is locked on the source; a new one will be generated on import`)
    return undefined
  }
  const scheme = schemeOf(value, service)
  if (scheme === "unknown") {
    noteObject(
      a,
      object,
      "warning",
      "password-unrecognised",
      `the ${what} is stored in a form Ferry does not recognise (not a ${service === "system" ? "crypt(3)" : service} hash); a new one will be generated on import`,
    )
    return undefined
  }
  return makePasswordHash(scheme, value)
}
