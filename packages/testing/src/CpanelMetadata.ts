import type { CpanelPlan, PlannedSite } from "./CpanelPlan.ts"
import { dkimPublicKeyPem } from "./fixtures/SelfSignedPem.ts"

/* Text of the pkgacct metadata files (cpanel.md §5), in the exact styles cPanel writes. */

const lines = (items: ReadonlyArray<string>): string => (items.length === 0 ? "" : `${items.join("\n")}\n`)

/** cPanel dot-free name used by sds/addons: only the first "." becomes "_". */
const underscored = (label: string, root: string): string => `${label}_${root}`

/** `cp/USER`: two header lines, a blank line, KEY=VALUE sorted by key. */
export const cpUserFile = (plan: CpanelPlan): string => {
  const others = [...plan.subdomains.map((s) => s.name), ...plan.addons.flatMap((a) => [a.name, a.subVhost]), ...plan.parked]
  const record: Record<string, string> = {
    BACKUP: "1",
    BWLIMIT: "unlimited",
    CONTACTEMAIL: `owner@${plan.main}`,
    CONTACTEMAIL2: "",
    CREATED_IN_VERSION: "11.110.0.17",
    DEMO: "0",
    DISK_BLOCK_LIMIT: "10240000",
    DNS: plan.main,
    FEATURELIST: "default",
    HASCGI: "1",
    HASDKIM: "1",
    HASSPF: "1",
    HOMEDIRPATHS: plan.home,
    IP: plan.ip,
    LANG: "en",
    LOCALE: "en",
    MAILBOX_FORMAT: "maildir",
    MAXADDON: "unlimited",
    MAXFTP: "unlimited",
    MAXLST: "unlimited",
    MAXPARK: "unlimited",
    MAXPOP: "unlimited",
    MAXSQL: "unlimited",
    MAXSUB: "unlimited",
    MAX_EMAILACCT_QUOTA: "unlimited",
    MAX_EMAIL_PER_HOUR: "unlimited",
    MTIME: "1700000000",
    OWNER: "root",
    PLAN: "default",
    RS: "jupiter",
    SITEJET_API_TOKEN: plan.sitejetToken,
    STARTDATE: "1600000000",
    USER: plan.user,
    UTF8MAILBOX: "1",
    UUID: "6f1c0d2e-0000-4000-8000-000000000001",
  }
  others.forEach((name, i) => {
    record[`DNS${i + 1}`] = name
  })
  for (const domain of plan.zoneDomains) record[`MXCHECK-${domain}`] = "0"
  const body = Object.keys(record)
    .sort()
    .map((key) => `${key}=${record[key]}`)
  return [
    "# cPanel -- If you edit this file directly you must run /usr/local/cpanel/scripts/updateuserdomains afterwards to rebuild the system caches.",
    "# If you edit MAX_EMAIL_PER_HOUR or MAX_EMAIL_PER_HOUR-[domain] you must run /usr/local/cpanel/scripts/updateuserdomains'",
    "",
    ...body,
    "",
  ].join("\n")
}

/** Syck-style YAML list or map, with cPanel's empty forms and trailing blank line. */
const yamlList = (key: string, items: ReadonlyArray<string>): string =>
  items.length === 0 ? `${key}: []\n\n` : `${key}: \n${items.map((i) => `  - ${i}\n`).join("")}`
const yamlMap = (key: string, entries: ReadonlyArray<readonly [string, string]>): string =>
  entries.length === 0 ? `${key}: {}\n\n` : `${key}: \n${entries.map(([k, v]) => `  ${k}: ${v}\n`).join("")}`

export const userdataMain = (plan: CpanelPlan): string =>
  `--- \n${yamlMap(
    "addon_domains",
    plan.addons.map((a) => [a.name, a.subVhost] as const),
  )}` +
  `main_domain: ${plan.main}\n` +
  yamlList("parked_domains", plan.parked) +
  yamlList("sub_domains", [...plan.subdomains.map((s) => s.name), ...plan.addons.map((a) => a.subVhost)])

export const userdataVhost = (plan: CpanelPlan, site: PlannedSite, ssl: boolean): string => {
  const fields: Array<readonly [string, string]> = [
    ["documentroot", `${plan.home}/${site.docroot}`],
    ["group", plan.user],
    ["hascgi", "1"],
    ["homedir", plan.home],
    ["ip", plan.ip],
    ["ipv6", "~"],
    ["owner", "root"],
    ["phpopenbasedirprotect", "1"],
    ...(site.phpVersion !== undefined ? [["phpversion", site.phpVersion] as const] : []),
    ["port", ssl ? "443" : "80"],
    ["serveradmin", `webmaster@${site.vhost}`],
    ["serveralias", [...site.aliases, ...(site.vhost === plan.main ? plan.parked : [])].join(" ")],
    ["servername", site.vhost],
    ...(ssl
      ? ([
          ["ssl", "1"],
          ["sslcertificatefile", `/var/cpanel/ssl/apache_tls/${site.vhost}/combined`],
          ["sslcertificatekeyfile", `/var/cpanel/ssl/apache_tls/${site.vhost}/combined`],
        ] as const)
      : []),
    ["usecanonicalname", "'Off'"],
    ["user", plan.user],
    ["userdirprotect", "''"],
  ]
  return `--- \n${fields.map(([k, v]) => `${k}: ${v}\n`).join("")}`
}

export const cacheJson = (plan: CpanelPlan): string => {
  const row = (type: string, parent: string, docroot: string, php: string | undefined) => [
    plan.user,
    "root",
    type,
    parent,
    `${plan.home}/${docroot}`,
    `${plan.ip}:80`,
    `${plan.ip}:443`,
    "",
    "0",
    php ?? "",
  ]
  const out: Record<string, Array<string>> = { [plan.main]: row("main", plan.main, "public_html", plan.mainSite.phpVersion) }
  for (const a of plan.addons) {
    out[a.name] = row("addon", plan.main, a.site.docroot, a.site.phpVersion)
    out[a.subVhost] = row("sub", plan.main, a.site.docroot, a.site.phpVersion)
  }
  for (const s of plan.subdomains) out[s.name] = row("sub", s.parent, s.site.docroot, s.site.phpVersion)
  for (const p of plan.parked) out[p] = row("parked", plan.main, "public_html", plan.mainSite.phpVersion)
  return JSON.stringify(out)
}

export const sdsFiles = (plan: CpanelPlan): { sds: string; sds2: string; addons: string; pds: string } => {
  const subs = [
    ...plan.subdomains.map((s) => ({ key: underscored(s.label, s.parent), docroot: s.site.docroot })),
    ...plan.addons.map((a) => ({ key: underscored(a.subVhost.split(".")[0] ?? "", plan.main), docroot: a.site.docroot })),
  ]
  return {
    sds: lines(subs.map((s) => s.key)),
    sds2: lines(subs.map((s) => `${s.key}=${s.docroot}`)),
    addons: lines(plan.addons.map((a) => `${a.name}=${underscored(a.subVhost.split(".")[0] ?? "", plan.main)}`)),
    pds: lines(plan.parked),
  }
}

const dkimTxt = (): string => {
  const key = dkimPublicKeyPem.replace(/-----[A-Z ]+-----|\s/g, "")
  return `"v=DKIM1; k=rsa; p=${key.slice(0, 200)}" "${key.slice(200)}"`
}

export const zoneFile = (plan: CpanelPlan, zone: string): string => {
  const names = [
    ...plan.subdomains.filter((s) => s.parent === zone).map((s) => s.label),
    ...(zone === plan.main ? plan.addons.map((a) => a.subVhost.split(".")[0] ?? "") : []),
  ]
  return [
    `; cPanel first:11.110.0.17 (update_time):1700000000 Cpanel::ZoneFile::VERSION:1.3 hostname:${plan.hostname} latest:11.110.0.17`,
    `; Zone file for ${zone}`,
    "$TTL 14400",
    `@      86400  IN      SOA     ns1.synth-host.example. hostmaster.synth-host.example. (`,
    "                2023111501        ; serial, todays date+todays",
    "                3600            ; refresh, seconds",
    "                1800            ; retry, seconds",
    "                1209600         ; expire, seconds",
    "                86400 )         ; minimum, seconds",
    "",
    `${zone}. 86400 IN NS ns1.synth-host.example.`,
    `${zone}. 86400 IN NS ns2.synth-host.example.`,
    "",
    `${zone}. IN A ${plan.ip}`,
    `${zone}. IN MX 0 ${zone}.`,
    `mail IN CNAME ${zone}.`,
    `www\tIN\tCNAME\t${zone}.`,
    `ftp 14400 IN A ${plan.ip}`,
    `${zone}. IN TXT "v=spf1 +a +mx +ip4:${plan.ip} ~all"`,
    `default._domainkey IN TXT ${dkimTxt()}`,
    `_cpanel-dcv-test-record IN TXT "_cpanel-dcv-test-record=${zone.length}abc"`,
    ...names.map((label) => `${label} 14400 IN A ${plan.ip}`),
    "",
  ].join("\n")
}

export const mysqlGrants = (plan: CpanelPlan): string => {
  const hosts = ["localhost", plan.hostname, plan.ip, "%"]
  const escaped = (db: string) => db.replace(/_/g, "\\_")
  const out = ["-- cPanel mysql backup"]
  for (const host of hosts) {
    out.push(`GRANT USAGE ON *.* TO '${plan.user}'@'${host}' IDENTIFIED BY PASSWORD '${plan.ownerMysqlHash}';`)
    for (const db of plan.databases) out.push(`GRANT ALL PRIVILEGES ON \`${escaped(db)}\`.* TO '${plan.user}'@'${host}';`)
  }
  for (const u of plan.dbUsers) {
    for (const host of ["localhost", "%"]) {
      out.push(`GRANT USAGE ON *.* TO '${u.name}'@'${host}' IDENTIFIED BY PASSWORD '${u.hash}';`)
      out.push(`GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, INDEX ON \`${escaped(u.database)}\`.* TO '${u.name}'@'${host}';`)
    }
  }
  return lines(out)
}

export const mysqlAuthJson = (plan: CpanelPlan): string => {
  const entry = (hash: string) => ({ auth_plugin: "mysql_native_password", pass_hash: Buffer.from(hash).toString("hex").toUpperCase() })
  const out: Record<string, Record<string, unknown>> = {
    [plan.user]: Object.fromEntries(["localhost", plan.hostname, plan.ip, "%"].map((h) => [h, entry(plan.ownerMysqlHash)])),
  }
  for (const u of plan.dbUsers) out[u.name] = { localhost: entry(u.hash), "%": entry(u.hash) }
  return JSON.stringify(out)
}

export const mysqlCreate = (db: string): string =>
  [
    "-- MySQL dump 10.19  Distrib 10.6.16-MariaDB, for Linux (x86_64)",
    "--",
    `-- Host: localhost    Database: ${db}`,
    "-- ------------------------------------------------------",
    "-- Server version\t10.6.16-MariaDB",
    "",
    "/*!40101 SET NAMES utf8mb4 */;",
    "",
    "--",
    `-- Current Database: \`${db}\``,
    "--",
    "",
    `CREATE DATABASE /*!32312 IF NOT EXISTS*/ \`${db}\` /*!40100 DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci */;`,
    "",
    `USE \`${db}\`;`,
    "",
  ].join("\n")

export const mysqlDumpHead = (db: string): string =>
  [
    "/*!999999\\- enable the sandbox mode */ ",
    "-- MySQL dump 10.19  Distrib 10.6.16-MariaDB, for Linux (x86_64)",
    "--",
    `-- Host: localhost    Database: ${db}`,
    "-- ------------------------------------------------------",
    "/*!40101 SET NAMES utf8mb4 */;",
    "DROP TABLE IF EXISTS `wp_posts`;",
    "CREATE TABLE `wp_posts` (`ID` bigint(20) NOT NULL, `post_author` bigint(20), `post_date` datetime, `post_content` longtext, `post_title` text, `post_status` varchar(20), `post_name` varchar(200), `menu_order` int(11), `guid` varchar(255), KEY `ID` (`ID`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;",
    "/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER `wp_posts_bi` BEFORE INSERT ON `wp_posts` FOR EACH ROW SET NEW.menu_order = 0 */;",
    "",
  ].join("\n")

export const vaFile = (plan: CpanelPlan, domain: string): string => {
  const out: Array<string> = []
  if (plan.mailDomains.includes(domain)) {
    out.push(`${plan.forwarder(domain)}: info@${domain},someone@elsewhere.example`)
    if (domain === plan.main)
      out.push(`${plan.autoresponder}: "|/usr/local/cpanel/bin/autorespond ${plan.autoresponder} ${plan.home}/.autorespond"`)
    out.push(domain === plan.main ? "*: :fail: No Such User Here" : `*: info@${domain}`)
  } else {
    out.push("*: :blackhole:")
  }
  return lines(out)
}

export const vfFile = (plan: CpanelPlan, domain: string): string =>
  domain === plan.main
    ? [
        "# Exim filter - auto-generated by cPanel.",
        "#",
        "# Do not manually edit this file; instead, use cPanel APIs to manipulate",
        "# email filters. MANUAL CHANGES TO THIS FILE WILL BE OVERWRITTEN.",
        "",
        "if not first_delivery and error_message then finish endif",
        "",
        "#Spam",
        'if $header_subject: contains "[SPAM]"',
        "then",
        "  save /dev/null 660",
        "endif",
        "",
      ].join("\n")
    : ""

export const cronFile = (plan: CpanelPlan): string =>
  lines([
    `MAILTO="owner@${plan.main}"`,
    `*/15 * * * * /opt/cpanel/ea-php81/root/usr/bin/php ${plan.home}/public_html/wp-cron.php >/dev/null 2>&1`,
    `30 3 * * 0 /usr/local/bin/ea-php81 ${plan.home}/public_html/maintenance.php --weekly`,
  ])

export const proftpdPasswd = (plan: CpanelPlan): string =>
  lines([
    `${plan.user}:${plan.accountHash}:${plan.uid}:${plan.uid}::${plan.home}:/bin/bash`,
    `${plan.user}_logs:${plan.accountHash}:${plan.uid}:${plan.uid}:${plan.user}:/usr/local/apache/domlogs/${plan.user}:/bin/ftpsh`,
    `${plan.ftpUser.login}:${plan.ftpUser.hash}:${plan.uid}:${plan.uid}:${plan.user}:${plan.home}/${plan.ftpUser.dir}:/bin/ftpsh`,
    `ftp::14:50:${plan.user}:${plan.home}/public_ftp:/bin/ftpsh`,
  ])

export const emailAccountsJson = (plan: CpanelPlan): string => {
  const out: Record<string, unknown> = { __version: 3 }
  for (const domain of plan.mailDomains) {
    const boxes = plan.mailboxes.filter((m) => m.domain === domain)
    out[domain] = {
      account_count: boxes.length,
      accounts: Object.fromEntries(
        boxes.map((m) => [m.local, { diskquota: m.quota === undefined ? "unlimited" : String(m.quota), diskused: 0, suspended_login: 0 }]),
      ),
    }
  }
  return JSON.stringify(out)
}

export const autoresponderFile = (plan: CpanelPlan): string =>
  `From: "Synthetic Owner" <${plan.autoresponder}>\nSubject: Out of office\nCharset: utf-8\nHtml: 0\n\nThank you for your message; we will answer within two days.\n`
