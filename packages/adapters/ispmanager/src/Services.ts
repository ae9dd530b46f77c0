import { type CronJob, certificateInfo, csrInfo, type FtpUser, isPrivateKeyLabel, pemBlocks, privateKeyPublicDer } from "@ferry/core"
import { Redacted } from "effect"
import { type Assembly, homeRelative, noteObject, ownerId, ownerLogin } from "./Assembly.ts"
import type { PanelObject } from "./PanelObject.ts"
import { passwordOf } from "./Passwords.ts"

/* FTP users, cron jobs (`scheduler`, ispmanager 4 `cron`), SSL certificates and CSRs. */

export const buildFtpUsers = (a: Assembly, objects: ReadonlyArray<PanelObject>): void => {
  for (const object of objects) {
    const f = object.fields
    const login = f.text("name", "login") ?? object.name
    const owner = ownerId(a, object)
    f.mark("owner", "confirm", "active", "elid")
    const home = f.text("home", "homedir", "dir") ?? ""
    let homeDir = homeRelative(home, ownerLogin(a, owner))
    if (homeDir === undefined) {
      noteObject(
        a,
        object,
        "warning",
        "ftp-home-outside",
        `home ${JSON.stringify(home.slice(0, 120))} is not inside the user's home; the user's home is used`,
      )
      homeDir = ""
    }
    const passwordHash = passwordOf(a, object, f.text("passwd", "password"), "system", "FTP password")
    const user: FtpUser = {
      _tag: "FtpUser",
      id: `ftpuser:${login}`,
      owner,
      source: object.source,
      login,
      homeDir,
      ...(passwordHash !== undefined ? { passwordHash } : {}),
    }
    a.builder.add(user)
  }
}

const cronField = /^[0-9A-Za-z*,/-]{1,64}$/
const cronParts: ReadonlyArray<ReadonlyArray<string>> = [
  ["min", "minute", "minutes"],
  ["hour", "hours"],
  ["mday", "dom", "day"],
  ["month", "mon"],
  ["wday", "dow", "weekday"],
]

/**
 * Scheduler field names are not documented (§8 #10): Ferry reads five schedule fields
 * (`min`/`minute`, `hour`, `mday`/`dom`/`day`, `month`/`mon`, `wday`/`dow`) or one `schedule`
 * line, and `command`. Anything else keeps the job out with a note naming the fields it had.
 */
export const buildCronJobs = (a: Assembly, objects: ReadonlyArray<PanelObject>): void => {
  objects.forEach((object, index) => {
    const f = object.fields
    const parts = cronParts.map((names) => f.text(...names))
    const whole = f.text("schedule", "time", "crontab")
    const schedule = parts.every((p) => p !== undefined) ? parts.join(" ") : whole
    const command = f.text("command", "cmd", "exec")
    const fieldNames = f.keys().join(", ")
    if (schedule === undefined || command === undefined) {
      noteObject(
        a,
        object,
        "warning",
        "cron-unreadable",
        `the job's fields (${fieldNames.slice(0, 200)}) are not the ones Ferry knows; not imported — please report them`,
      )
      return
    }
    const tokens = schedule.split(/\s+/)
    const valid =
      (tokens.length === 5 && tokens.every((t) => cronField.test(t))) || (tokens.length === 1 && /^@[a-z]{3,10}$/.test(tokens[0] as string))
    if (!valid) {
      noteObject(
        a,
        object,
        "warning",
        "cron-schedule-invalid",
        `schedule ${JSON.stringify(schedule.slice(0, 80))} is not a cron schedule; not imported`,
      )
      return
    }
    if (/[\r\n\0]/.test(command) || command.length > 4096) {
      noteObject(a, object, "warning", "cron-command-invalid", "the command holds a line break or is too long; not imported")
      return
    }
    const owner = ownerId(a, object)
    const login = ownerLogin(a, owner)
    const enabled = f.flag("active", "enabled") ?? !(f.flag("suspended", "disabled") ?? false)
    const mailTo = f.text("mailto", "mail_to", "email")
    f.mark("owner", "elid", "name")
    const job: CronJob = {
      _tag: "CronJob",
      id: `cron:${login}:${index + 1}`,
      owner,
      source: object.source,
      schedule: tokens.join(" "),
      command,
      user: login,
      enabled,
      ...(mailTo !== undefined ? { mailTo } : {}),
    }
    a.builder.add(job)
  })
}

const pemsOf = (object: PanelObject) => object.fields.strings().flatMap(([key, text]) => pemBlocks(text).map((block) => ({ key, block })))

/**
 * Certificates (`sslcert`): field names of `setcrt` are not documented, so every PEM block in
 * any field is used — certificates, the key that matches one of them, the rest as chain.
 */
export const buildCertificates = (a: Assembly, objects: ReadonlyArray<PanelObject>): void => {
  for (const object of objects) {
    const f = object.fields
    const name = f.text("name") ?? object.name
    const blocks = pemsOf(object)
    for (const { key } of blocks) f.mark(key)
    const certs = blocks.filter((b) => b.block.label === "CERTIFICATE").map((b) => b.block.text)
    const keys = blocks.filter((b) => isPrivateKeyLabel(b.block.label)).map((b) => b.block.text)
    if (certs.length === 0) {
      noteObject(
        a,
        object,
        "warning",
        "certificate-not-in-backup",
        "no certificate text in the backup (a Let's Encrypt certificate is issued anew on the target); not imported",
      )
      continue
    }
    const keyDers = keys.map((k) => ({ pem: k, der: privateKeyPublicDer(k) }))
    let leaf: string | undefined
    let info: ReturnType<typeof certificateInfo> | undefined
    let matchedKey: string | undefined
    try {
      for (const cert of certs) {
        const candidate = certificateInfo(cert)
        const key = keyDers.find((k) => k.der !== undefined && k.der === candidate.publicKeyDer)
        if (key !== undefined || leaf === undefined) {
          leaf = cert
          info = candidate
          matchedKey = key?.pem
          if (key !== undefined) break
        }
      }
    } catch (e) {
      noteObject(
        a,
        object,
        "warning",
        "certificate-unreadable",
        `the certificate cannot be read (${e instanceof Error ? e.message.slice(0, 120) : "unknown error"}); not imported`,
      )
      continue
    }
    if (leaf === undefined || info === undefined) continue
    const privateKey = matchedKey ?? keys[0]
    if (privateKey === undefined)
      noteObject(
        a,
        object,
        "warning",
        "certificate-key-missing",
        "the private key is not in the backup; the certificate cannot be installed without it",
      )
    const id = `ssl:${info.fingerprintSha256}`
    a.certificates.set(name, id)
    f.mark("type", "owner")
    a.builder.add({
      _tag: "SslCertificate",
      id,
      owner: ownerId(a, object),
      source: object.source,
      name,
      certificatePem: leaf,
      ...(privateKey !== undefined ? { privateKey: Redacted.make(privateKey) } : {}),
      chainPem: certs.filter((c) => c !== leaf),
      subject: info.subject,
      issuer: info.issuer,
      domains: [...info.domains],
      notBefore: info.notBefore,
      notAfter: info.notAfter,
      fingerprintSha256: info.fingerprintSha256,
      ...(info.keyType !== undefined ? { keyType: info.keyType } : {}),
      selfSigned: info.selfSigned,
      keyMatches: matchedKey !== undefined,
    })
  }
}

export const buildCsrs = (a: Assembly, objects: ReadonlyArray<PanelObject>): void => {
  for (const object of objects) {
    const f = object.fields
    const name = f.text("name") ?? object.name
    const blocks = pemsOf(object)
    for (const { key } of blocks) f.mark(key)
    const request = blocks.find((b) => b.block.label === "CERTIFICATE REQUEST" || b.block.label === "NEW CERTIFICATE REQUEST")
    if (request === undefined) {
      noteObject(a, object, "warning", "csr-not-in-backup", "no request text in the backup; not imported")
      continue
    }
    let info: ReturnType<typeof csrInfo>
    try {
      info = csrInfo(request.block.text)
    } catch (e) {
      noteObject(
        a,
        object,
        "warning",
        "csr-unreadable",
        `the request cannot be read (${e instanceof Error ? e.message.slice(0, 120) : "unknown error"}); not imported`,
      )
      continue
    }
    const key = blocks.map((b) => b.block).find((b) => isPrivateKeyLabel(b.label) && privateKeyPublicDer(b.text) === info.publicKeyDer)
    f.mark("owner")
    a.builder.add({
      _tag: "Csr",
      id: `csr:${name}`,
      owner: ownerId(a, object),
      source: object.source,
      name,
      pem: request.block.text,
      subject: info.subject,
      domains: [...info.domains],
      ...(key !== undefined ? { privateKey: Redacted.make(key.text) } : {}),
    })
  }
}
