import type { Check } from "../Check.ts"
import { mysqlVersionCheck } from "./DatabaseServers.ts"
import { diskSpaceCheck } from "./DiskSpace.ts"
import { existingUserCheck, otherOwnerCheck } from "./ExistingData.ts"
import { mailForwardTargetsCheck } from "./ForwardTargets.ts"
import { ipMappingCheck } from "./IpMapping.ts"
import { limitsCheck } from "./Limits.ts"
import { newOwnerCheck } from "./NewOwner.ts"
import { passwordSchemesCheck } from "./PasswordSchemes.ts"
import { permissionsCheck } from "./Permissions.ts"
import { phpModeCheck, phpVersionCheck } from "./Php.ts"
import { reservedNamesCheck } from "./ReservedNames.ts"
import { restrictionCheck } from "./Restriction.ts"
import { nodejsCheck, pythonVersionCheck } from "./Runtimes.ts"
import { selectUsersCheck } from "./SelectUsers.ts"
import { dnsServerCheck, ftpServerCheck, mailServerCheck, mysqlServerCheck, postgresqlServerCheck, webServerCheck } from "./Services.ts"

/**
 * The built-in checks, in the order they run. Each sees what the earlier ones decided, so the
 * order matters: selection and restriction first (what is wanted), then names, missing
 * services, existing data and ownership (what can exist), then limits and access (counted over
 * what is left), then settings that change (versions, addresses, passwords), and disk space last,
 * over what will really be written.
 *
 * | id                   | finding codes                                                          | effect                        |
 * |----------------------|------------------------------------------------------------------------|-------------------------------|
 * | select-users         | not-selected, selected-user-missing (blocking)                         | skip                          |
 * | restriction          | outside-restriction                                                    | skip                          |
 * | reserved-names       | reserved-name, duplicate-name, invalid-name                            | skip                          |
 * | web-server           | web-server-not-found                                                   | skip Site                     |
 * | mysql-server         | mysql-server-not-found                                                 | skip Database, DatabaseUser   |
 * | postgresql-server    | postgresql-server-not-found                                            | skip Database, DatabaseUser   |
 * | ftp-server           | ftp-server-not-found, anonymous-ftp-unavailable                        | skip FtpUser; anonymousFtp    |
 * | dns-server           | dns-server-not-found                                                   | skip DnsZone                  |
 * | mail-server          | mail-server-not-found                                                  | skip mail entities            |
 * | existing-user        | data-exists                                                            | skip, or existing keep→replace|
 * | other-owner          | belongs-to-another-user                                                | skip                          |
 * | new-owner            | new-owner-not-found (blocking), owner-changed, merged-into-client,     | owner, user; skip (merge)     |
 * |                      | client-cannot-own-reseller, reseller-cannot-own-reseller,              |                               |
 * |                      | source-administrator, owner-not-imported                               |                               |
 * | limits               | limit-exceeded, mailbox-quota-limited, disk-quota-exceeded             | skip; quotaBytes              |
 * | permissions          | access-denied, access-denied-settings                                  | skip; webUsers, logRotation…  |
 * | php-mode             | php-mode-not-found                                                     | php.mode                      |
 * | php-version          | php-version-not-found                                                  | php.version, php              |
 * | mysql-version        | mysql-version-not-found, db-same-version, db-mapped,                   | server                        |
 * |                      | db-server-unmapped, db-map-unknown-server / db-map-wrong-engine (block)|                               |
 * | python-version       | python-version-not-found                                               | python.version, python        |
 * | nodejs               | nodejs-not-found, nodejs-version-not-found                             | nodejs, nodejs.version        |
 * | ip-mapping           | ip-not-found, ip-mapped, ip-map-unknown-address (blocking)             | ip                            |
 * | password-schemes     | password-unusable                                                      | new-password                  |
 * | mail-forward-targets | forward-target-unsafe, forward-target-unsafe-removed, catch-all-unsafe | skip; targets, catchAll       |
 * | disk-space           | disk-space (blocking)                                                  | —                             |
 */
export const builtinChecks: ReadonlyArray<Check> = [
  selectUsersCheck,
  restrictionCheck,
  reservedNamesCheck,
  webServerCheck,
  mysqlServerCheck,
  postgresqlServerCheck,
  ftpServerCheck,
  dnsServerCheck,
  mailServerCheck,
  existingUserCheck,
  otherOwnerCheck,
  newOwnerCheck,
  limitsCheck,
  permissionsCheck,
  phpModeCheck,
  phpVersionCheck,
  mysqlVersionCheck,
  pythonVersionCheck,
  nodejsCheck,
  ipMappingCheck,
  passwordSchemesCheck,
  mailForwardTargetsCheck,
  diskSpaceCheck,
]
