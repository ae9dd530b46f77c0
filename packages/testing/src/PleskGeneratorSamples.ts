import type { PleskDomainSpec, PleskSpec } from "./PleskGeneratorSpec.ts"
import { syntheticSha512Crypt } from "./SyntheticContent.ts"

/* Descriptions of synthetic Plesk backups: the small one with every entity, a reseller tree, the benchmark size. */

const sha512 = syntheticSha512Crypt(11)
const md5 = "$1$synthslt$Kd3Xq9Vb7Wn2Lp5Ys8Tz1/"

/** Every entity kind of the model in one client's subscription. */
export const fullPleskDomainSpec = (name: string, seed: number): PleskDomainSpec => {
  const base = name.split(".")[0] as string
  return {
    name,
    ips: ["192.0.2.10", "2001:db8::10"],
    www: true,
    hosting: {
      sysuser: { login: `${base}sys`, password: { type: "crypt", value: sha512 }, quotaBytes: 1073741824, shell: "/bin/bash" },
      wwwRoot: "httpdocs",
      php: { enabled: true, version: "8.2", handler: "fpm" },
      phpSettings: { memory_limit: "256M", max_execution_time: "60" },
      https: true,
      certificate: "synth",
      ftpUsers: [
        { login: `${base}upload`, password: { type: "plain", value: "Upl0ad-Pass" }, home: "httpdocs/upload", quotaBytes: 52428800 },
      ],
      webUsers: [{ login: "bob", password: { type: "crypt", value: md5 } }],
      protectedDirs: [
        { path: "private", title: "Members only", users: [{ login: "alice", password: { type: "plain", value: "Al1ce-Pass" } }] },
      ],
      mimeTypes: [{ extension: ".json", type: "application/json" }],
      hotlink: { enabled: true, extensions: ["jpg", "png"], friends: ["partner.example"] },
      logRotation: { enabled: true, period: "daily", keep: 7, compress: true },
      anonymousFtp: { enabled: true, incoming: false },
      sharedSsl: true,
      applications: [{ name: "WordPress", version: "6.4.2", path: "httpdocs/blog" }],
      cron: ["MAILTO=ops@example.com", "*/15 * * * * /usr/bin/php httpdocs/cron.php --quiet", "@daily /usr/bin/true"],
      subdomains: [{ name: "blog", wwwRoot: `subdomains/blog/httpdocs` }],
      sites: [
        {
          name: `${base}.org`,
          ips: ["192.0.2.10"],
          www: true,
          hosting: { wwwRoot: `${base}.org`, php: { enabled: false }, webFiles: 2, webBytes: 600 },
          mail: {
            enabled: true,
            users: [
              {
                name: "contact",
                password: { type: "plain", value: "C0ntact!" },
                quotaBytes: 10485760,
                mailbox: true,
                messages: 1,
                messageBytes: 500,
              },
            ],
          },
        },
      ],
      webFiles: 3,
      webBytes: 2400 + (seed % 7),
    },
    aliases: [{ name: `${base}.net`, web: true, mail: true, dns: false }],
    mail: {
      enabled: true,
      catchAll: "bounce:No such user here",
      dkim: true,
      users: [
        {
          name: "info",
          password: { type: "sym", value: "Inf0-Secret" },
          quotaBytes: 104857600,
          mailbox: true,
          aliases: ["sales"],
          autoresponder: { subject: "Out of office", body: "Back on Monday.\nRegards", charset: "UTF-8" },
          spamassassin: { status: "on", hits: 7, action: "move" },
          virusfilter: "inout",
          messages: 3,
          messageBytes: 900,
        },
        {
          name: "boss",
          password: { type: "crypt", value: md5 },
          quotaBytes: -1,
          mailbox: true,
          redirects: ["boss@elsewhere.example"],
          messages: 2,
          messageBytes: 700,
        },
        {
          name: "team",
          password: { type: "plain", value: "T3am-Pass" },
          quotaBytes: -1,
          mailbox: false,
          groupMembers: [`info@${name}`, `boss@${name}`],
          messages: 0,
          messageBytes: 0,
        },
      ],
      lists: [{ name: "news", owners: [`info@${name}`], members: ["a@elsewhere.example", "b@elsewhere.example"] }],
    },
    databases: [
      {
        name: `${base}_wp`,
        type: "mysql",
        version: "8.0.36",
        host: "localhost",
        port: 3306,
        users: [{ name: `${base}_wpuser`, password: { type: "plain", value: "Wp-Db-Pass1" } }],
        dumpBytes: 2048,
      },
      {
        name: `${base}_app`,
        type: "postgresql",
        version: "15.4",
        users: [{ name: `${base}_pguser`, password: { type: "sym", value: "Pg-Secret-2" } }],
        dumpBytes: 1024,
      },
    ],
    dns: [
      { type: "A", src: `${name}.`, dst: "192.0.2.10" },
      { type: "A", src: `www.${name}.`, dst: "192.0.2.10" },
      { type: "AAAA", src: `${name}.`, dst: "2001:db8::10" },
      { type: "MX", src: `${name}.`, dst: `mail.${name}.`, opt: "10" },
      { type: "CNAME", src: `ftp.${name}.`, dst: `${name}.` },
      { type: "TXT", src: `${name}.`, dst: "v=spf1 +a +mx -all" },
      { type: "SRV", src: `_sip._tcp.${name}.`, dst: `sip.${name}.`, opt: "10 60 5060" },
    ],
    certificates: [{ name: "synth", withKey: true, withCsr: true }],
  }
}

/** The smallest backup with every entity type: an administrator, one client, one full domain. */
export const smallPleskSpec: PleskSpec = {
  seed: 1,
  backupId: "2311141200",
  secretKey: "000102030405060708090a0b0c0d0e0f",
  admin: {
    login: "admin",
    contact: { name: "Server Admin", email: "admin@example.com", company: "Example Hosting" },
    password: { type: "crypt", value: sha512 },
  },
  clients: [
    {
      login: "jdoe",
      contact: {
        name: "John Doe",
        company: "Doe Ltd",
        email: "john@example.com",
        phone: "+1 555 0100",
        fax: "+1 555 0101",
        address: "1 Example Street",
        city: "Springfield",
        state: "IL",
        postalCode: "62701",
        country: "US",
        locale: "en-US",
      },
      password: { type: "sym", value: "J0hn-Panel-Pass" },
      limits: { max_dom: 5, max_box: 100, disk_space: 10737418240, max_traffic: -1, max_db: 10, mbox_quota: 1073741824 },
      permissions: { manage_dns: true, manage_crontab: true, manage_sh_access: false, create_domains: true },
      ipPool: ["192.0.2.10"],
      template: "Default Customer",
      createdAt: "2015-06-01",
      domains: [fullPleskDomainSpec("example.com", 1)],
    },
  ],
}

const smallDomain = (name: string, users: number): PleskDomainSpec => ({
  name,
  ips: ["192.0.2.20"],
  www: false,
  hosting: {
    sysuser: { login: `${name.split(".")[0]}u`, password: { type: "plain", value: "Sys-Pass-1" } },
    php: { enabled: true, version: "8.1", handler: "fastcgi" },
    webFiles: 2,
    webBytes: 800,
  },
  mail: {
    enabled: true,
    users: Array.from({ length: users }, (_, i) => ({
      name: `user${i + 1}`,
      password: { type: "plain", value: `Mail-Pass-${i}` } as const,
      quotaBytes: 52428800,
      mailbox: true,
      messages: 1,
      messageBytes: 400,
    })),
  },
  dns: [{ type: "A", src: `${name}.`, dst: "192.0.2.20" }],
})

/** A reseller owning clients that own domains, beside an admin client and an admin domain. */
export const resellerPleskSpec: PleskSpec = {
  seed: 2,
  backupId: "2311151330",
  secretKey: "0f0e0d0c0b0a09080706050403020100",
  admin: { login: "admin", contact: { name: "Root Admin", email: "root@example.net" }, password: { type: "plain", value: "Adm1n-Pass" } },
  resellers: [
    {
      login: "res1",
      contact: { name: "Reseller One", company: "Resell Inc", email: "res1@example.net" },
      password: { type: "crypt", value: sha512 },
      limits: { max_cl: 50, max_dom: 100, disk_space: -1 },
      permissions: { create_clients: true, create_domains: true },
      ipPool: ["192.0.2.20", "192.0.2.21"],
      template: "Reseller Gold",
      clients: [
        {
          login: "c1",
          contact: { name: "Client One", email: "c1@example.net" },
          password: { type: "plain", value: "C1-Pass" },
          domains: [smallDomain("c1-shop.example", 2)],
        },
        {
          login: "c2",
          contact: { name: "Client Two", email: "c2@example.net" },
          password: { type: "sym", value: "C2-Secret" },
          status: "disabled",
          domains: [smallDomain("c2-blog.example", 1), smallDomain("c2-docs.example", 1)],
        },
      ],
      domains: [smallDomain("res1-own.example", 1)],
    },
  ],
  clients: [
    {
      login: "direct",
      contact: { name: "Direct Client" },
      password: { type: "plain", value: "Direct-1" },
      domains: [smallDomain("direct.example", 1)],
    },
  ],
}

/**
 * A large repository for the benchmark: `domains` subscriptions under `clients` clients, each
 * with `usersPerDomain` mailboxes and one database; content sizes are per domain.
 */
export const largePleskSpec = (options: {
  readonly clients: number
  readonly domains: number
  readonly usersPerDomain: number
  readonly webBytesPerDomain: number
  readonly mailBytesPerUser: number
  readonly dumpBytesPerDomain: number
}): PleskSpec => ({
  seed: 3,
  backupId: "2311160200",
  secretKey: "00112233445566778899aabbccddeeff",
  admin: { login: "admin", contact: { name: "Bench Admin" }, password: { type: "plain", value: "Bench-Admin" } },
  clients: Array.from({ length: options.clients }, (_, c) => ({
    login: `client${c + 1}`,
    contact: { name: `Client ${c + 1}`, email: `client${c + 1}@example.com` },
    password: { type: "plain", value: `Client-${c + 1}` } as const,
    domains: Array.from(
      { length: Math.ceil(options.domains / options.clients) },
      (_, d) => c * Math.ceil(options.domains / options.clients) + d,
    )
      .filter((n) => n < options.domains)
      .map((n) => ({
        name: `site${n + 1}.example`,
        ips: ["192.0.2.30"],
        www: true,
        hosting: {
          sysuser: { login: `site${n + 1}`, password: { type: "plain", value: `Sys-${n}` } as const },
          php: { enabled: true, version: "8.2", handler: "fpm" as const },
          webFiles: 40,
          webBytes: options.webBytesPerDomain,
        },
        mail: {
          enabled: true,
          users: Array.from({ length: options.usersPerDomain }, (_, u) => ({
            name: `user${u + 1}`,
            password: { type: "plain", value: `Pw-${n}-${u}` } as const,
            quotaBytes: 104857600,
            mailbox: true,
            messages: 4,
            messageBytes: Math.max(256, Math.floor(options.mailBytesPerUser / 4)),
          })),
        },
        databases: [
          {
            name: `db${n + 1}`,
            type: "mysql" as const,
            version: "8.0.36",
            users: [{ name: `dbu${n + 1}`, password: { type: "plain", value: `Db-${n}` } as const }],
            dumpBytes: options.dumpBytesPerDomain,
          },
        ],
        dns: [{ type: "A", src: `site${n + 1}.example.`, dst: "192.0.2.30" }],
      })),
  })),
})

/** The frozen CSR of the synthetic key (`fixtures/SelfSignedPem.ts`), CN synth.example. */
export const syntheticCsrPem = `-----BEGIN CERTIFICATE REQUEST-----
MIICmzCCAYMCAQAwGDEWMBQGA1UEAwwNc3ludGguZXhhbXBsZTCCASIwDQYJKoZI
hvcNAQEBBQADggEPADCCAQoCggEBAK+mVOggGb4Cv+7bhAseFhnoWQrZQcGXA1SQ
stHgD0oJH6aLCWniCwLT/F/EmTQrO9Q8WRK4j7Hj17fKvAkmXePWGS1/FhANRsZF
wQcJtqBC6gMKBYrsVrEDdcWnqM8EqUTC0+149bUe78EnFHCH5k92rN66SIEnqBxk
7hgiftl95fMutMpmuS4pKERHiTagtyDc+0aamFUT4LM9lejQlm1r8g+8DIoAbyUQ
VOYm2U9OmMpgaPa+Dj3JQDKDynJB5EAstyt+ZiEomRRXPb4snefEPT6cKM30EX7X
QNo6+HZrYC0esvo59TBP9FtXO0Fi+eFe48if5vB0IFhQoCXN/lMCAwEAAaA+MDwG
CSqGSIb3DQEJDjEvMC0wKwYDVR0RBCQwIoINc3ludGguZXhhbXBsZYIRd3d3LnN5
bnRoLmV4YW1wbGUwDQYJKoZIhvcNAQELBQADggEBABgX1hx9X6aFqjMwalWftuZF
0jBsej1WhyPNm5iXCOLYNdLRF9cA0kLJ8ySS5BDZlpp/Z6Cg8mk76NcNTNr+227o
vLqRsE+RPo7x+GaCwI/+nBKQExQEJj90OMS45dTCmSVGwTJVQMkJFLa4+Za5ypkk
8P+NYxIeZrMGgXLInkA6tGEaZWOHYQWij7YXoXX1lZQk/otmMu2+tfiprcp52Ggi
1hzMJpGTNhQcj7laCk5JP3/rFaGartlH6z6wgdYJa/0EfMqx9311Fpyrm1r3/NLh
7+oOQw6J1BF47Mq1UERi1jNryrxCA1MviiJYKooq1mmGIAdMEmWAjhFG1O/8l5I=
-----END CERTIFICATE REQUEST-----
`
