import type { Entity } from "../../model/Entity.ts"
import type { PasswordHash, PasswordScheme } from "../../model/PasswordHash.ts"
import type { Capabilities } from "../../target/Target.ts"
import type { Finding } from "../Check.ts"
import * as Check from "../Check.ts"
import { entityLabel } from "../Dependencies.ts"
import { groupBy, listed } from "./Findings.ts"

/*
 * Password hashes per service (anchors §6 #1, security item 43): a hash whose scheme the
 * receiving service cannot verify is imported with a new password, and the report lists each
 * one — never a silent reset. A plain password can always be hashed for the target; an unknown
 * scheme never passes.
 */

type Service = keyof Capabilities["passwordSchemes"]

const serviceNames: Record<Service, string> = {
  system: "system accounts",
  mail: "mail server",
  ftp: "FTP server",
  mysql: "MySQL server",
  postgresql: "PostgreSQL server",
  web: "web server (protected directories)",
}

const hashesOf = (entity: Entity): ReadonlyArray<{ service: Service; hash: PasswordHash }> => {
  const one = (service: Service, hash: PasswordHash | undefined) => (hash === undefined ? [] : [{ service, hash }])
  switch (entity._tag) {
    case "Account":
      return one("system", entity.passwordHash)
    case "Mailbox":
      return one("mail", entity.passwordHash)
    case "FtpUser":
      return one("ftp", entity.passwordHash)
    case "DatabaseUser":
      return one(entity.engine, entity.passwordHash)
    case "Site":
      return [...entity.webUsers, ...entity.protectedDirectories.flatMap((d) => d.users)].flatMap((u) => one("web", u.passwordHash))
    default:
      return []
  }
}

const usableScheme = (capabilities: Capabilities, service: Service, scheme: PasswordScheme): boolean =>
  scheme === "plain" || (scheme !== "unknown" && capabilities.passwordSchemes[service].includes(scheme))

export const passwordSchemesCheck = Check.make({
  id: "password-schemes",
  title: "Password hashes the target cannot use",
  run: (ctx) => {
    const unusable = ctx.snapshot.entities
      .filter((e) => !ctx.plan.isSkipped(e.id))
      .flatMap((entity) =>
        hashesOf(entity)
          .filter(({ service, hash }) => !usableScheme(ctx.capabilities, service, hash.scheme))
          .map(({ service, hash }) => ({ entity, service, scheme: hash.scheme })),
      )
    return [...groupBy(unusable, (u) => `${u.service}\u0000${u.scheme}`).values()].map((group): Finding => {
      const { service, scheme } = group[0] as (typeof unusable)[number]
      const entities = [...new Set(group.map((u) => u.entity))]
      return {
        code: "password-unusable",
        severity: "warning",
        title: "Password hashes the target cannot use",
        message: `${scheme === "unknown" ? "passwords in an unrecognised format" : `${scheme} password hashes`}, which the receiving ${serviceNames[service]} cannot use: ${listed(entities.map(entityLabel))}`,
        resolution: "imported with a new password; the report lists every one (passwords are never reset silently)",
        effects: entities.map((e) => ({ entity: e.id, action: "new-password", service })),
      }
    })
  },
})
