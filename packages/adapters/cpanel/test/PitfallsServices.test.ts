import { generateKeyPairSync } from "node:crypto"
import { Readable } from "node:stream"
import { Redacted } from "effect"
import { describe, expect, it } from "vitest"
import {
  content,
  csrFor,
  entities,
  entity,
  fixtureTree,
  ids,
  illini,
  inspectTree,
  minimalAccount,
  notes,
  selfSigned,
  uniprev,
} from "./Support.ts"

const fingerprintOf = (snapshot: Parameters<typeof entities>[0], domain: string) =>
  entities(snapshot, "SslCertificate").find((c) => c.domains.includes(domain))

describe("cPanel pitfalls 20–25 (§8): SSL, cron, FTP, huge homes, junk, DKIM", () => {
  it("pitfall 20: apache_tls bundles with RSA, EC and PKCS#8 keys pair by public key; v3 and home stores too", async () => {
    const rsa = await selfSigned("rsa", "example.com", "traditional")
    const ec = await selfSigned("ec", "blog.example.com", "traditional")
    const pkcs8 = await selfSigned("rsa", "shop.example.net", "pkcs8")
    const ca = await selfSigned("rsa", "ca.example.test")
    const legacy = await selfSigned("ec", "old.example.com", "pkcs8")
    const stored = await selfSigned("rsa", "store.example.com")
    const csrKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString()
    const stray = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey.export({ type: "sec1", format: "pem" }).toString()
    expect(rsa.key).toContain("BEGIN RSA PRIVATE KEY")
    expect(ec.key).toContain("BEGIN EC PRIVATE KEY")
    expect(pkcs8.key).toContain("BEGIN PRIVATE KEY")
    const tree = minimalAccount({
      "userdata/main":
        "--- \naddon_domains: \n  shop.example.net: shop.example.com\nmain_domain: example.com\nparked_domains: []\n\nsub_domains: \n  - shop.example.com\n  - blog.example.com\n",
      "userdata/shop.example.com": "--- \ndocumentroot: /home/exuser/shop\n",
      "userdata/blog.example.com": "--- \ndocumentroot: /home/exuser/public_html/blog\n",
      "userdata/example.com_SSL": "--- \nssl: 1\n",
      "apache_tls/example.com": `${rsa.key}${rsa.cert}${ca.cert}`,
      "apache_tls/blog.example.com": `${ec.key}${ec.cert}`,
      "apache_tls/shop.example.com": `${pkcs8.cert}${pkcs8.key}`,
      "apache_tls/broken.example.com": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
      "sslcerts/old_example_com.crt": legacy.cert,
      "sslkeys/old_example_com.key": legacy.key,
      ssldomain: "",
      "homedir/ssl/certs/store_example_com.crt": stored.cert,
      "homedir/ssl/keys/store.key": stored.key,
      "homedir/ssl/keys/csr.key": csrKey,
      "homedir/ssl/keys/stray.key": stray,
      "homedir/ssl/csrs/request.csr": await csrFor(csrKey, "next.example.com"),
    })
    const { snapshot } = await inspectTree(tree)
    const certs = entities(snapshot, "SslCertificate")
    expect(certs).toHaveLength(5)
    for (const cert of certs) {
      expect(cert.keyMatches).toBe(true)
      expect(cert.id).toBe(`ssl:${cert.fingerprintSha256}`)
      expect(cert.fingerprintSha256).toMatch(/^[0-9a-f]{64}$/)
      expect(Redacted.isRedacted(cert.privateKey)).toBe(true)
    }
    const main = fingerprintOf(snapshot, "example.com")!
    expect(main.keyType).toBe("rsa")
    expect(main.chainPem).toHaveLength(1)
    expect(fingerprintOf(snapshot, "blog.example.com")?.keyType).toBe("ec")
    expect(entity(snapshot, "Site", "site:example.com").ssl).toEqual({ enabled: true, certificate: main.id })
    expect(entity(snapshot, "Site", "site:blog.example.com").ssl?.certificate).toBe(fingerprintOf(snapshot, "blog.example.com")?.id)
    expect(entity(snapshot, "Site", "site:shop.example.net").ssl?.certificate).toBe(fingerprintOf(snapshot, "shop.example.net")?.id)
    expect(notes(snapshot, "ssl-certificate-unreadable")).toHaveLength(1)
    const csr = entity(snapshot, "Csr", "csr:request")
    expect(csr.domains).toContain("next.example.com")
    expect(Redacted.isRedacted(csr.privateKey)).toBe(true)
    expect(notes(snapshot, "ssl-key-unpaired").map((n) => n.path)).toEqual(["cpmove-exuser/homedir/ssl/keys/stray.key"])
    const json = JSON.stringify(snapshot)
    for (const key of [rsa.key, ec.key, pkcs8.key, stray]) expect(json).not.toContain(key.split("\n")[1])
  })

  it("pitfall 21: cron MAILTO is kept, SHELL and other settings are reported, a lone newline has no jobs", async () => {
    const real = await inspectTree(await fixtureTree(uniprev), "cpmove-uniprev")
    expect(ids(real.snapshot, "CronJob")).toEqual([])
    const tree = minimalAccount({
      "cron/exuser":
        'SHELL="/bin/bash"\nMAILTO=""\n*/5 * * * * /usr/local/bin/ea-php81 /home/exuser/public_html/cron.php\nMAILTO=ops@example.com\n@daily /home/exuser/bin/backup.sh\nPATH=/tmp\n',
    })
    const { snapshot } = await inspectTree(tree)
    expect(entity(snapshot, "CronJob", "cron:exuser:1")).toMatchObject({
      schedule: "*/5 * * * *",
      user: "exuser",
      mailTo: "",
      enabled: true,
    })
    expect(entity(snapshot, "CronJob", "cron:exuser:2")).toMatchObject({
      schedule: "@daily",
      command: "/home/exuser/bin/backup.sh",
      mailTo: "ops@example.com",
    })
    expect(notes(snapshot, "cron-environment").map((n) => n.message.split(":")[1]?.trim().split(" ")[0])).toEqual(["SHELL", "PATH"])
  })

  it("pitfall 22: FTP skips the main and _logs logins; `ftp` with no password is anonymous FTP; nobodyfiles noted", async () => {
    const real = await inspectTree(await fixtureTree(illini), "cpmove-illiniwi")
    expect(ids(real.snapshot, "FtpUser")).toEqual([])
    expect(notes(real.snapshot, "nobody-files")[0]?.message).toContain(".lscache")
    const tree = minimalAccount({
      proftpdpasswd: [
        "exuser:$6$s$h:1000:1000::/home/exuser:/bin/bash",
        "exuser_logs:$6$s$h:1000:1000:exuser:/usr/local/apache/domlogs/exuser:/bin/ftpsh",
        "ftp::99:99:exuser:/home/exuser/public_ftp:/sbin/nologin",
        "upload@example.com:$1$saltsalt$abcdefghijklmnopqrstuv:1000:1000:exuser:/home/exuser/public_html/upload:/bin/ftpsh",
        "evil@example.com:$6$s$h:1000:1000:exuser:/etc:/bin/ftpsh",
        "",
      ].join("\n"),
    })
    const { snapshot } = await inspectTree(tree)
    expect(ids(snapshot, "FtpUser")).toEqual(["ftpuser:upload@example.com"])
    expect(entity(snapshot, "FtpUser", "ftpuser:upload@example.com")).toMatchObject({
      homeDir: "public_html/upload",
      passwordHash: { scheme: "md5-crypt" },
    })
    expect(entity(snapshot, "Site", "site:example.com").anonymousFtp).toEqual({ enabled: true, incoming: false })
    expect(notes(snapshot, "ftp-home-outside")).toHaveLength(1)
  })

  it("pitfall 23: huge homes and dumps are measured while streaming, never read", async () => {
    const big = 24 * 1024 * 1024
    const stream = (size: number) => () =>
      Readable.from(
        (function* () {
          for (let left = size; left > 0; left -= 1 << 20) yield Buffer.alloc(Math.min(1 << 20, left), 0x61)
        })(),
      )
    const tree = minimalAccount({
      "mysql/exuser_big.create": "CREATE DATABASE `exuser_big`;\n",
      "mysql/exuser_big.sql": { type: "file", content: stream(big), size: big },
      "homedir/public_html/video.mp4": { type: "file", content: stream(big + 7), size: big + 7 },
      "dnszones/example.com.db": { type: "file", content: stream(9 * 1024 * 1024), size: 9 * 1024 * 1024 },
    })
    const { snapshot } = await inspectTree(tree, "cpmove-exuser", "tar")
    expect(content(snapshot, "content:dump:mysql:exuser_big").bytes).toBe(big)
    expect(content(snapshot, "content:web:example.com").bytes).toBe(big + 7 + "<h1>hello</h1>\n".length)
    expect(notes(snapshot, "file-too-large").map((n) => n.subject)).toEqual(["dnszone:example.com"])
    expect(snapshot.source.archive.contentBytes).toBeGreaterThan(2 * big)
  })

  it("pitfall 24: old backups copied into the home are reported for exclusion", async () => {
    const tree = minimalAccount({
      "homedir/backup-1.10.2024_12-58-58_exuser.tar.gz": "old",
      "homedir/cpmove-exuser.tar.gz": "older",
      "homedir/public_html/backup-notes.txt": "not a backup",
    })
    const { snapshot } = await inspectTree(tree)
    const note = notes(snapshot, "old-backups-in-home")
    expect(note).toHaveLength(1)
    expect(note[0]?.message).toContain("backup-1.10.2024_12-58-58_exuser.tar.gz")
    expect(note[0]?.message).toContain("cpmove-exuser.tar.gz")
    expect(note[0]?.message).not.toContain("backup-notes")
  })

  it("pitfall 25: DKIM keys are imported (selector default) and reported", async () => {
    const pair = generateKeyPairSync("rsa", { modulusLength: 1024 })
    const privatePem = pair.privateKey.export({ type: "pkcs1", format: "pem" }).toString()
    const publicPem = pair.publicKey.export({ type: "spki", format: "pem" }).toString()
    const other = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({ type: "spki", format: "pem" }).toString()
    const tree = minimalAccount({
      "userdata/main": "--- \naddon_domains: {}\n\nmain_domain: example.com\nparked_domains: \n  - example.org\nsub_domains: []\n\n",
      "domainkeys/private/example.com": privatePem,
      "domainkeys/public/example.com": publicPem,
      "domainkeys/private/example.org": privatePem,
      "domainkeys/public/example.org": other,
      "domainkeys/private/foreign.test": privatePem,
    })
    const { snapshot } = await inspectTree(tree)
    const dkim = entity(snapshot, "MailDomain", "maildomain:example.com").dkim
    expect(dkim?.selector).toBe("default")
    expect(dkim?.publicKey).toBe(publicPem)
    expect(Redacted.value(dkim!.privateKey!)).toBe(privatePem)
    expect(notes(snapshot, "dkim-imported")).toHaveLength(2)
    expect(notes(snapshot, "dkim-key-mismatch").map((n) => n.subject)).toEqual(["maildomain:example.org"])
    expect(notes(snapshot, "dkim-foreign")).toHaveLength(1)
    expect(ids(snapshot, "MailDomain")).toEqual(["maildomain:example.com", "maildomain:example.org"])
    expect(JSON.stringify(snapshot)).not.toContain(privatePem.split("\n")[2])
  })
})
