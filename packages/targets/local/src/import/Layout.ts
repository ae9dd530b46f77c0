import { join } from "node:path"

/*
 * Where the local target puts things, relative to its root ("/" on a real server, a temporary
 * directory in tests). Every path here is built from names that passed the identifier checks
 * (Identifiers.ts); callers still write through SafeFs, which refuses to leave the root.
 */

export interface Layout {
  readonly root: string
  /** The account's home: `<root>/home/<login>`. */
  readonly home: (login: string) => string
  /** Maildir of one mailbox: `<root>/var/mail/vhosts/<domain>/<local>`. */
  readonly maildir: (domain: string, localPart: string) => string
  /** Dovecot passwd-file of one mail domain (one line per mailbox). */
  readonly dovecotPasswd: (domain: string) => string
  /** Forwarders of one mail domain (`address: target, target`). */
  readonly aliases: (domain: string) => string
  /** Autoresponders, filters and list settings of one mail domain (one YAML document each). */
  readonly mailSettings: (domain: string) => string
  /** DKIM private key of one mail domain and selector (0600). */
  readonly dkimKey: (domain: string, selector: string) => string
  /** Archive and data files of one mailing list, as the backup held them (not served by anything). */
  readonly mailingList: (domain: string, name: string) => string
  readonly zoneFile: (zone: string) => string
  /** `zone "x" { type master; file "…"; };` stanzas for every imported zone. */
  readonly namedConf: string
  readonly crontab: (user: string) => string
  readonly pureFtpdPasswd: string
  readonly proftpdPasswd: string
  readonly sslCertificate: (name: string) => string
  readonly sslKey: (name: string) => string
  readonly sslChain: (name: string) => string
  readonly csr: (name: string) => string
  readonly nginxSite: (domain: string) => string
  /** php-fpm pool of one site for PHP `version` ("8.2"). */
  readonly phpPool: (version: string, domain: string) => string
  readonly phpSocket: (version: string, domain: string) => string
  /** Staging area for this target (importer-owned, 0700; checklist item 20). */
  readonly staging: string
}

export const makeLayout = (root: string): Layout => ({
  root,
  home: (login) => join(root, "home", login),
  maildir: (domain, localPart) => join(root, "var/mail/vhosts", domain, localPart),
  dovecotPasswd: (domain) => join(root, "etc/dovecot/passwd.d", `${domain}.passwd`),
  aliases: (domain) => join(root, "etc/ferry/mail", domain, "aliases"),
  mailSettings: (domain) => join(root, "etc/ferry/mail", domain, "settings.yaml"),
  dkimKey: (domain, selector) => join(root, "etc/ferry/mail", domain, "dkim", `${selector}.key`),
  mailingList: (domain, name) => join(root, "var/lib/ferry/lists", domain, name),
  zoneFile: (zone) => join(root, "etc/bind/zones", `db.${zone}`),
  namedConf: join(root, "etc/bind/named.conf.ferry"),
  crontab: (user) => join(root, "var/spool/cron/crontabs", user),
  pureFtpdPasswd: join(root, "etc/pure-ftpd/pureftpd.passwd"),
  proftpdPasswd: join(root, "etc/proftpd/ftpd.passwd"),
  sslCertificate: (name) => join(root, "etc/ssl/ferry", `${name}.crt`),
  sslKey: (name) => join(root, "etc/ssl/ferry/private", `${name}.key`),
  sslChain: (name) => join(root, "etc/ssl/ferry", `${name}.chain.crt`),
  csr: (name) => join(root, "etc/ssl/ferry", `${name}.csr`),
  nginxSite: (domain) => join(root, "etc/nginx/sites-enabled", `${domain}.conf`),
  phpPool: (version, domain) => join(root, "etc/php", version, "fpm/pool.d", `${domain}.conf`),
  phpSocket: (version, domain) => join(root, "run/php", `php${version}-fpm-${domain}.sock`),
  staging: join(root, "var/lib/ferry/staging"),
})
