import { generateKeyPairSync } from "node:crypto"
import { cpanelAccountTree, smallCpanelSpec } from "@ferry/testing"
import { type Edits, mysqlDump } from "./HostileBackup.ts"

/*
 * The hostile edits of each checklist item (security.md §3.3–3.5), for a generated account `u`
 * whose main domain is `u.example` (see @ferry/testing CpanelPlan). `canary` is a path the
 * hostile input aims at; it must never exist.
 */

const passwdLine = (u: string, domain: string, local: string) => `${local}:x:1001:1001::/home/${u}/mail/${domain}/${local}:/home/${u}`

/** Mailboxes in `homedir/etc/<domain>/{passwd,shadow}`, with their Maildir. */
export const mailboxes = (u: string, domain: string, rows: ReadonlyArray<readonly [local: string, hash: string]>): Edits => {
  const edits: Record<string, string | { type: "dir" }> = {
    [`homedir/etc/${domain}/passwd`]: `${rows.map(([local]) => passwdLine(u, domain, local)).join("\n")}\n`,
    [`homedir/etc/${domain}/shadow`]: `${rows.map(([local, hash]) => `${local}:${hash}:19675::::::`).join("\n")}\n`,
  }
  for (const [local] of rows)
    if (!local.includes("/") && !local.includes("\n"))
      for (const sub of ["cur", "new", "tmp"]) edits[`homedir/mail/${domain}/${local}/${sub}`] = { type: "dir" }
  return edits
}

/** The generator's self-signed certificate (in apache_tls/ with its key), alone. */
const certificatePem = (() => {
  const node = cpanelAccountTree(smallCpanelSpec).tree.get("cpmove-synth/apache_tls/synth.example")
  const pem = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----\n/.exec(typeof node === "string" ? node : "")?.[0]
  if (pem === undefined) throw new Error("the generated backup has no certificate in apache_tls/synth.example")
  return pem
})()

/** A key no certificate of the backup belongs to, plain and encrypted (PKCS#8). */
export const strangerKey = (() => {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 })
  return {
    plain: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    encrypted: privateKey.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "secret" }).toString(),
  }
})()

const sha512 = "$6$ywntiNxq7/3SXhtD$sj7FQCGTAa5eC2lLwVcYtAFFT/WTU1pNMWcpOxYqZsumgu0/JExltp8IIg1oMZrZvtmfolya2n.GIjjBVb5uOZ"

/** A database the adapter finds: `mysql/<name>.sql` (and a grant for the owner). */
export const databases = (u: string, dumps: Readonly<Record<string, string>>): Edits => {
  const edits: Record<string, string> = {}
  const grants = [
    "-- cPanel mysql backup",
    `GRANT USAGE ON *.* TO '${u}'@'localhost' IDENTIFIED BY PASSWORD '*FFAEE89E925CFA473041F6C2F988260635EF4F88';`,
  ]
  for (const [name, body] of Object.entries(dumps)) {
    edits[`mysql/${name}.sql`] = mysqlDump(name, body)
    grants.push(`GRANT ALL PRIVILEGES ON \`${name.replaceAll("_", "\\_")}\`.* TO '${u}'@'localhost';`)
  }
  edits["mysql.sql"] = `${grants.join("\n")}\n`
  return edits
}

export const goodTable = "CREATE TABLE `t` (`id` int NOT NULL, PRIMARY KEY (`id`)) ENGINE=InnoDB;\nINSERT INTO `t` VALUES (1),(2);"

/** 33–36: each hostile statement in its own database, after a good table. */
export const sqlAttacks = (canary: string): Record<string, { readonly item: number; readonly body: string }> => ({
  bang: { item: 33, body: `${goodTable}\n\\! touch ${canary}\n` },
  system: { item: 33, body: `${goodTable}\nsystem touch ${canary}\n` },
  dotsrc: { item: 33, body: `${goodTable}\n\\. /etc/shadow\n` },
  source: { item: 33, body: `${goodTable}\nsource /etc/shadow\n` },
  tee: { item: 33, body: `${goodTable}\ntee ${canary}\nSELECT 1;\n` },
  pager: { item: 33, body: `${goodTable}\npager touch ${canary}\nSELECT 1;\n` },
  connect: { item: 33, body: `${goodTable}\nconnect mysql\nSELECT 1;\n` },
  mkuser: { item: 34, body: `${goodTable}\nCREATE USER 'hostile_evil'@'%' IDENTIFIED BY 'x';\n` },
  grantall: { item: 34, body: `${goodTable}\nGRANT ALL ON *.* TO CURRENT_USER() WITH GRANT OPTION;\n` },
  setpw: { item: 34, body: `${goodTable}\nSET PASSWORD FOR 'root'@'localhost' = PASSWORD('owned');\n` },
  usemysql: { item: 34, body: `${goodTable}\nUSE mysql;\nUPDATE mysql.user SET Password='' WHERE User='root';\n` },
  outfile: { item: 36, body: `${goodTable}\nSELECT 'owned' INTO OUTFILE '${canary}';\n` },
  dumpfile: { item: 36, body: `${goodTable}\nSELECT 'owned' INTO DUMPFILE '${canary}';\n` },
  localinfile: { item: 36, body: `${goodTable}\nLOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE t;\n` },
  infile: { item: 36, body: `${goodTable}\nLOAD DATA INFILE '/etc/passwd' INTO TABLE t;\n` },
  definer: {
    item: 35,
    body: `${goodTable}\n/*!50001 CREATE ALGORITHM=UNDEFINED */\n/*!50013 DEFINER=\`root\`@\`localhost\` SQL SECURITY DEFINER */\n/*!50001 VIEW \`v\` AS select 1 AS \`one\` */;\nDELIMITER ;;\nCREATE DEFINER=\`root\`@\`localhost\` PROCEDURE \`p\`() SQL SECURITY DEFINER\nBEGIN\n  SELECT 1;\nEND ;;\nDELIMITER ;\n`,
  },
  coll: {
    item: 37,
    body: "CREATE TABLE `c` (`s` varchar(10)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci;\nINSERT INTO `c` VALUES ('x');",
  },
})

export const item = {
  /** 28: shell metacharacters in mailbox local parts, FTP logins and database names. */
  names: (u: string, canary: string): Edits => ({
    ...mailboxes(u, `${u}.example`, [
      ["info", sha512],
      [`a;touch ${canary}`, sha512],
      [`b|touch ${canary}`, sha512],
      [`c$(touch ${canary})`, sha512],
      [`d\`touch ${canary}\``, sha512],
      ["e f", sha512],
      ["-rf", sha512],
    ]),
    proftpdpasswd: [
      `${u}:${sha512}:1001:1001::/home/${u}:/bin/bash`,
      `ok@${u}.example:${sha512}:1001:1001:${u}:/home/${u}/ok:/bin/ftpsh`,
      `x;touch ${canary}@${u}.example:${sha512}:1001:1001:${u}:/home/${u}/x:/bin/ftpsh`,
      `-oProxy@${u}.example:${sha512}:1001:1001:${u}:/home/${u}/y:/bin/ftpsh`,
      "",
    ].join("\n"),
    ...databases(u, { [`${u}_db1`]: goodTable, [`${u}_$(touch ${canary})`]: goodTable, [`${u}_a b`]: goodTable }),
  }),
  /** 30: quotes and backticks in database identifiers. */
  sqlIdentifiers: (u: string): Edits =>
    databases(u, { [`${u}_db1`]: goodTable, [`${u}_x\`; DROP DATABASE mysql; --`]: goodTable, [`${u}_q'x`]: goodTable }),
  /** 29: parked domains in upper case with a trailing dot, an IDN, with `/` and `..`, too long. */
  domains: (u: string): Edits => ({
    "userdata/main": [
      "--- ",
      "addon_domains: ",
      `  ${u}-addon1.example: addon1.${u}.example`,
      `main_domain: ${u}.example`,
      "parked_domains: ",
      `  - ${u}-parked1.example`,
      `  - UPPER-${u}.Example.`,
      `  - bücher-${u}.example`,
      `  - evil/${u}.example`,
      `  - ..${u}.example`,
      `  - ${"a".repeat(60)}.${"b".repeat(60)}.${"c".repeat(60)}.${"d".repeat(60)}.${u}.example`,
      "sub_domains: ",
      `  - sub1.${u}.example`,
      `  - sub1.${u}-addon1.example`,
      `  - addon1.${u}.example`,
      "",
    ].join("\n"),
  }),
  /** 33–37: hostile SQL, one database per statement (a load stops at its first error). */
  sql: (u: string, canary: string): Edits =>
    databases(u, {
      [`${u}_db1`]: goodTable,
      ...Object.fromEntries(Object.entries(sqlAttacks(canary)).map(([k, v]) => [`${u}_${k}`, v.body])),
    }),
  /** 41: forwarders to a pipe, a file and an include list. */
  forwarders: (u: string, canary: string): Edits => ({
    [`va/${u}.example`]: [
      `fwd@${u}.example: info@${u}.example,someone@elsewhere.example`,
      `pipe@${u}.example: "|/bin/sh -c 'touch ${canary}'"`,
      `file@${u}.example: /etc/passwd`,
      `canary@${u}.example: ${canary}`,
      `inc@${u}.example: :include:/etc/shadow`,
      "*: :fail: No Such User Here",
      "",
    ].join("\n"),
  }),
  /** 42: a Maildir message that is a symlink out of home, and dovecot index files. */
  maildir: (u: string, canary: string): Edits => ({
    [`homedir/mail/${u}.example/info/cur/1700000000.evil:2,S`]: { type: "symlink", target: canary },
    [`homedir/mail/${u}.example/info/cur/1700000001.shadow:2,S`]: { type: "symlink", target: "/etc/shadow" },
    [`homedir/mail/${u}.example/info/dovecot.index`]: "index",
    [`homedir/mail/${u}.example/info/dovecot.index.cache`]: "cache",
    [`homedir/mail/${u}.example/info/dovecot-uidlist`]: "3 V1 N1\n",
  }),
  /** 43: mailbox password hashes of every kind. */
  hashes: (u: string): Edits =>
    mailboxes(u, `${u}.example`, [
      ["info", sha512],
      ["md5", "$1$abcdefgh$PWl3fVx2nQHrvGg1dW8Kx/"],
      ["bf", "$2y$10$abcdefghijklmnopqrstuuKpOo9B3k2.1x5zGVt0mO4q5Z7i6uY2"],
      ["plain", "plaintextpassword"],
      ["unknown", "{SSHA}abcdefghijklmnop"],
      ["colon", "$6$salt$with:colon"],
      ["locked", "!!"],
    ]),
  /** 44: crontab with environment lines, @reboot, CR and a huge line. */
  cron: (u: string, canary: string): Edits => ({
    [`cron/${u}`]: [
      'MAILTO="owner@example.com"',
      "SHELL=/bin/sh",
      "PATH=/tmp/evil:/usr/bin",
      `BASH_ENV=${canary}`,
      `@reboot touch ${canary}`,
      `*/5 * * * * /usr/bin/php /home/${u}/public_html/ok.php`,
      `0 1 * * * /usr/bin/php /home/${u}/cr.php\r`,
      `0 2 * * * /bin/echo ${"x".repeat(10_240)}`,
      "",
    ].join("\n"),
  }),
  /** 45: an .htaccess with auto_prepend_file and Apache include snippets. */
  web: (u: string, canary: string): Edits => ({
    "homedir/public_html/.htaccess": `php_value auto_prepend_file ${canary}\nSetHandler application/x-httpd-php\nOptions +FollowSymLinks +ExecCGI\n`,
    [`httpfiles/std/2/${u}.example/evil.conf`]: `Include /etc/shadow\nAlias /canary ${canary}\n`,
    [`httpfiles/ssl/2/${u}.example/evil.conf`]: "LoadModule evil_module /tmp/evil.so\n",
  }),
  /** 46: a certificate with someone else's key, and an encrypted key. */
  ssl: (): Edits => ({
    "homedir/ssl/certs/mismatch.crt": certificatePem,
    "homedir/ssl/keys/mismatch.key": strangerKey.plain,
    "homedir/ssl/keys/encrypted.key": strangerKey.encrypted,
    has_sslstorage: "",
  }),
}

/** A plain pg_dump script the importer accepts as complete: `body` between head and trailer. */
export const pgDump = (body: string): string =>
  [
    "--",
    "-- PostgreSQL database dump",
    "--",
    "",
    "SET statement_timeout = 0;",
    "SET client_encoding = 'UTF8';",
    "",
    body,
    "",
    "--",
    "-- PostgreSQL database dump complete",
    "--",
    "",
  ].join("\n")

/** The first block of a pg_dump tar archive and nothing else: a truncated dump. */
export const truncatedPgTar = (): Uint8Array => {
  const block = new Uint8Array(1024)
  const put = (offset: number, text: string) => block.set(new TextEncoder().encode(text), offset)
  put(0, "toc.dat")
  put(100, "0000600")
  put(124, "00000100000")
  put(257, "ustar")
  put(263, "00")
  return block
}

const pgTable = "CREATE TABLE public.t (id integer);\nINSERT INTO public.t VALUES (1);"

/** 38–40: hostile PostgreSQL dumps (`psql/<db>.tar`, plain scripts are found by their bytes). */
export const pgItem = (u: string, canary: string): Edits => ({
  [`psql/${u}_pgok.tar`]: pgDump(pgTable),
  [`psql/${u}_pgmeta.tar`]: pgDump(
    `${pgTable}\n\\! touch ${canary}\n\\copy t from program 'touch ${canary}'\n\\o |touch ${canary}\n\\unrestrict abc\nSELECT 1;`,
  ),
  [`psql/${u}_pgpriv.tar`]: pgDump(
    `${pgTable}\nCOPY t FROM PROGRAM 'touch ${canary}';\nCREATE FUNCTION evil() RETURNS int AS '/tmp/evil.so', 'evil' LANGUAGE C;\nALTER ROLE ferry_admin NOSUPERUSER;\nSET SESSION AUTHORIZATION postgres;\n`,
  ),
  [`psql/${u}_pgtrunc.tar`]: truncatedPgTar(),
  "psql_users.sql": "",
  "psql_grants.sql": "",
})
