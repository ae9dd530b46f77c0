/*
 * The description every synthetic Plesk backup is written from (one description, every
 * generation). Names follow plesk.md §3 where the reference has them; see README.md for what is
 * synthetic. Passwords of type `sym` hold the clear text here; the generator encrypts them with
 * `secretKey` as Plesk does (plesk.md §5).
 */

export interface PleskPasswordSpec {
  readonly type: "plain" | "crypt" | "sym"
  /** The stored value (`plain`, `crypt`) or the clear text to encrypt (`sym`). */
  readonly value: string
}

export interface PleskContactSpec {
  readonly name?: string
  readonly company?: string
  readonly email?: string
  readonly phone?: string
  readonly fax?: string
  readonly address?: string
  readonly city?: string
  readonly state?: string
  readonly postalCode?: string
  readonly country?: string
  readonly locale?: string
}

export interface PleskCertificateSpec {
  readonly name: string
  readonly withKey: boolean
  readonly withCsr?: boolean
}

export interface PleskMailUserSpec {
  readonly name: string
  readonly password: PleskPasswordSpec
  /** Bytes; -1 = unlimited. */
  readonly quotaBytes: number
  readonly mailbox: boolean
  readonly aliases?: ReadonlyArray<string>
  readonly redirects?: ReadonlyArray<string>
  readonly groupMembers?: ReadonlyArray<string>
  readonly autoresponder?: { readonly subject: string; readonly body: string; readonly html?: boolean; readonly charset?: string }
  readonly spamassassin?: { readonly status: "on" | "off"; readonly hits: number; readonly action: string }
  readonly virusfilter?: "in" | "out" | "inout"
  readonly messages: number
  readonly messageBytes: number
}

export interface PleskMailSpec {
  readonly enabled: boolean
  readonly catchAll?: string
  readonly dkim?: boolean
  readonly users: ReadonlyArray<PleskMailUserSpec>
  readonly lists?: ReadonlyArray<{ readonly name: string; readonly owners: ReadonlyArray<string>; readonly members: ReadonlyArray<string> }>
}

export interface PleskDatabaseSpec {
  readonly name: string
  readonly type: "mysql" | "postgresql"
  readonly version: string
  readonly host?: string
  readonly port?: number
  readonly users: ReadonlyArray<{ readonly name: string; readonly password: PleskPasswordSpec }>
  readonly dumpBytes: number
}

export interface PleskHostingSpec {
  /** The webspace's system (FTP/SSH) user; additional sites have none. */
  readonly sysuser?: { readonly login: string; readonly password: PleskPasswordSpec; readonly quotaBytes?: number; readonly shell?: string }
  readonly wwwRoot?: string
  readonly php?: { readonly enabled: boolean; readonly version?: string; readonly handler?: "fastcgi" | "fpm" | "cgi" | "module" }
  readonly phpSettings?: Readonly<Record<string, string>>
  readonly https?: boolean
  /** Name of one of the domain's certificates. */
  readonly certificate?: string
  readonly ftpUsers?: ReadonlyArray<{
    readonly login: string
    readonly password: PleskPasswordSpec
    readonly home: string
    readonly quotaBytes?: number
  }>
  readonly webUsers?: ReadonlyArray<{ readonly login: string; readonly password: PleskPasswordSpec }>
  readonly protectedDirs?: ReadonlyArray<{
    readonly path: string
    readonly title?: string
    readonly users: ReadonlyArray<{ readonly login: string; readonly password: PleskPasswordSpec }>
  }>
  readonly mimeTypes?: ReadonlyArray<{ readonly extension: string; readonly type: string }>
  readonly hotlink?: { readonly enabled: boolean; readonly extensions: ReadonlyArray<string>; readonly friends: ReadonlyArray<string> }
  readonly logRotation?: { readonly enabled: boolean; readonly period?: string; readonly keep?: number; readonly compress?: boolean }
  readonly anonymousFtp?: { readonly enabled: boolean; readonly incoming: boolean }
  readonly sharedSsl?: boolean
  readonly applications?: ReadonlyArray<{ readonly name: string; readonly version?: string; readonly path?: string }>
  /** Crontab lines of the system user (`MAILTO=` lines included). */
  readonly cron?: ReadonlyArray<string>
  readonly subdomains?: ReadonlyArray<{ readonly name: string; readonly wwwRoot?: string }>
  /** Additional sites of the webspace (Plesk 10+ `phosting/sites/site`). */
  readonly sites?: ReadonlyArray<PleskDomainSpec>
  /** Web files in the content archive and their total size. */
  readonly webFiles: number
  readonly webBytes: number
}

export interface PleskDomainSpec {
  readonly name: string
  readonly ips: ReadonlyArray<string>
  readonly www: boolean
  readonly hosting?: PleskHostingSpec
  readonly aliases?: ReadonlyArray<{ readonly name: string; readonly web: boolean; readonly mail: boolean; readonly dns: boolean }>
  readonly mail?: PleskMailSpec
  readonly databases?: ReadonlyArray<PleskDatabaseSpec>
  /** Zone records as Plesk stores them (`opt` = MX priority, SRV "priority weight port"). */
  readonly dns?: ReadonlyArray<{ readonly type: string; readonly src: string; readonly dst: string; readonly opt?: string }>
  readonly certificates?: ReadonlyArray<PleskCertificateSpec>
}

export interface PleskAccountSpec {
  readonly login: string
  readonly contact: PleskContactSpec
  readonly password: PleskPasswordSpec
  readonly status?: "active" | "disabled"
  /** Plesk limit names (`max_dom`, `disk_space`, …); -1 = unlimited. */
  readonly limits?: Readonly<Record<string, number>>
  readonly permissions?: Readonly<Record<string, boolean>>
  readonly ipPool?: ReadonlyArray<string>
  readonly template?: string
  readonly createdAt?: string
  readonly certificates?: ReadonlyArray<PleskCertificateSpec>
  readonly domains?: ReadonlyArray<PleskDomainSpec>
}

export interface PleskResellerSpec extends PleskAccountSpec {
  readonly clients?: ReadonlyArray<PleskAccountSpec>
}

export interface PleskSpec {
  readonly seed: number
  /** 10 digits, `YYMMDDHHMM` (plesk.md §2.2). */
  readonly backupId: string
  /** The source server's secret key (32 hex digits) that `sym` passwords are encrypted with. */
  readonly secretKey: string
  readonly admin: PleskAccountSpec
  readonly resellers?: ReadonlyArray<PleskResellerSpec>
  readonly clients?: ReadonlyArray<PleskAccountSpec>
}
