import { execFileSync } from "node:child_process"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as nodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { planIspmanager, smallIspmanagerSpec, writeIspmanager4Backup, writeIspmanagerIsptarBackup } from "../src/index.ts"

let root = ""
beforeAll(async () => {
  root = await fs.mkdtemp(nodePath.join(os.tmpdir(), "ferry-ispgen-"))
})
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true })
})

describe("synthetic ispmanager backups", () => {
  it("the small description has every entity type", () => {
    const plan = planIspmanager(smallIspmanagerSpec)
    const counts = {
      sites: plan.sites.length,
      redirects: plan.sites.flatMap((s) => s.redirects).length,
      errorPages: plan.sites.flatMap((s) => s.errorPages).length,
      protectedDirs: plan.sites.flatMap((s) => s.protectedDirs).length,
      dkim: plan.mailDomains.filter((d) => d.dkim !== undefined).length,
      mailboxes: plan.mailboxes.length,
      forwards: plan.mailboxes.filter((b) => b.forwards.length > 0).length,
      mysql: plan.databases.filter((d) => d.engine === "mysql").length,
      postgresql: plan.databases.filter((d) => d.engine === "postgresql").length,
      zones: plan.zones.length,
      ftp: plan.ftpUsers.length,
      cron: plan.cronJobs.length,
      groups: plan.mailGroups.length,
      mailRedirects: plan.mailRedirects.length,
      wwwRedirects: plan.wwwRedirects.length,
    }
    for (const [kind, count] of Object.entries(counts)) expect(count, kind).toBeGreaterThan(0)
  })

  it("writes the same bytes every time (ispmanager 4 tar, ISPtar tgz, encrypted volumes)", async () => {
    const read = async (files: ReadonlyArray<string>) => Promise.all(files.map((f) => fs.readFile(f)))
    const once = async (n: number) => ({
      isp4: await read([(await writeIspmanager4Backup(smallIspmanagerSpec, nodePath.join(root, `d${n}`), "tar")).path]),
      isptar: await read(
        (
          await writeIspmanagerIsptarBackup(smallIspmanagerSpec, nodePath.join(root, `t${n}`), {
            version: "6",
            volumeBytes: 8192,
            encryption: { password: "p" },
          })
        ).files,
      ),
    })
    expect(await once(1)).toEqual(await once(2))
  })

  it("volumes joined with cat are the unsplit .tgz, and openssl decrypts the .aes files", async () => {
    const plain = await writeIspmanagerIsptarBackup(smallIspmanagerSpec, nodePath.join(root, "plain"), { version: "5" })
    const split = await writeIspmanagerIsptarBackup(smallIspmanagerSpec, nodePath.join(root, "split"), { version: "5", volumeBytes: 5000 })
    const tgz = await fs.readFile(plain.path)
    const volumes = split.files.filter((f) => /\.part\d+$/.test(f))
    expect(Buffer.concat(await Promise.all(volumes.map((v) => fs.readFile(v))))).toEqual(tgz)
    for (const derivation of ["pbkdf2", "md5"] as const) {
      const enc = await writeIspmanagerIsptarBackup(smallIspmanagerSpec, nodePath.join(root, `enc-${derivation}`), {
        version: "5",
        encryption: { password: "pw", derivation },
      })
      const args = [
        "enc",
        "-d",
        "-aes-256-cbc",
        "-in",
        enc.path,
        "-pass",
        "pass:pw",
        ...(derivation === "pbkdf2" ? ["-pbkdf2"] : ["-md", "md5"]),
      ]
      expect(execFileSync("openssl", args, { maxBuffer: 64 * 1024 * 1024, stdio: ["ignore", "pipe", "ignore"] })).toEqual(tgz)
    }
  })
})
