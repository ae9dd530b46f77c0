import { execFile } from "node:child_process"
import { randomBytes } from "node:crypto"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as nodePath from "node:path"
import { realCpanelFixtures, treeFromDirectory, withTop, writeArchive } from "@ferry/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const root = "/work/main"
const node = nodePath.join(root, "node_modules/.bin/node")
const fixture = `${realCpanelFixtures()}/JackDeDobb__IlliniWildCards`
const confirmLabels = [
  "Databases",
  "Database users",
  "Domain names",
  "Mailboxes",
  "Mail domains",
  "FTP users",
  "CRON jobs",
  "SSL certificates",
  "CSR requests",
]

interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Run the real CLI as a child process (stdout and stderr are pipes, never a TTY). */
const ferry = (args: ReadonlyArray<string>, env: Readonly<Record<string, string>> = {}): Promise<Run> =>
  new Promise((resolve) => {
    const { NO_COLOR: _noColor, FORCE_COLOR: _forceColor, ...inherited } = process.env
    execFile(
      node,
      ["apps/cli/src/main.ts", ...args],
      { cwd: root, env: { ...inherited, ...env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1
        resolve({ code, stdout, stderr })
      },
    )
  })

const ansi = /\x1b\[/

/** Runs shared by several tests: each starts the CLI once, on first use. */
const memo = <A>(f: () => Promise<A>): (() => Promise<A>) => {
  let result: Promise<A> | undefined
  return () => {
    result ??= f()
    return result
  }
}
const jsonRun = memo(() => ferry(["inspect", backup, "--json"]))
const humanRun = memo(() => ferry(["inspect", backup]))

let dir: string
let backup: string
let evil: string
let random: string

beforeAll(async () => {
  dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), "ferry-cli-"))
  const tree = await treeFromDirectory(fixture, { symlinks: ["homedir/mail/.contactus@illiniwildcards_tk"] })
  backup = await writeArchive(withTop("cpmove-illiniwi", tree), nodePath.join(dir, "cpmove-illiniwi.tar.gz"), "tar.gz")
  evil = await writeArchive({ "backup/version": "3\n", "../evil": "x" }, nodePath.join(dir, "evil.tar"), "tar")
  random = await writeArchive(
    { "photos/cat.jpg": randomBytes(4096), "notes.txt": "shopping list\n", "data/blob.bin": randomBytes(1024) },
    nodePath.join(dir, "random.tar"),
    "tar",
  )
})

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true })
})

describe("ferry inspect --json", () => {
  it("prints exactly the report as JSON, and nothing on stderr when it is not a terminal", async () => {
    const run = await jsonRun()
    expect(run.code).toBe(0)
    expect(run.stderr).toBe("")
    const report = JSON.parse(run.stdout)
    expect(run.stdout).toBe(`${JSON.stringify(report, null, 2)}\n`)
    expect(report.panel).toBe("cpanel")
    expect(report.archive.path).toBe(backup)
    expect(report.archive.container).toBe("tar.gz")
    expect(report.accounts.map((a: { login: string }) => a.login)).toEqual(["illiniwi"])
    expect(report.accounts[0].owner).toBe("root")
    expect(report.accounts[0].passwordScheme).toBe("sha512-crypt")
    expect(report.counts.Account).toBe(1)
    // Two .create files, four logins (three MySQL, one PostgreSQL), one zone, one mailbox.
    expect(report.confirm.map((c: { label: string; count: number }) => [c.label, c.count])).toEqual([
      ["Databases", 2],
      ["Database users", 4],
      ["Domain names", 1],
      ["Mailboxes", 1],
      ["Mail domains", 1],
      ["FTP users", 0],
      ["CRON jobs", 0],
      ["SSL certificates", 0],
      ["CSR requests", 0],
    ])
  })

  it("never prints a password hash, even a redacted one", async () => {
    const run = await jsonRun()
    expect(run.code).toBe(0)
    expect(run.stdout).not.toContain("REDACTEDHASH")
    expect(run.stdout).not.toContain("*0000000000000000000000000000000000000000")
  })

  it("accepts an explicit --panel", async () => {
    const run = await ferry(["inspect", backup, "--panel", "cpanel", "--json"])
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout).panel).toBe("cpanel")
  })
})

describe("ferry inspect (human output)", () => {
  it("shows the account and the Confirm list", async () => {
    const run = await humanRun()
    expect(run.code).toBe(0)
    expect(run.stdout).toContain("illiniwi")
    for (const label of confirmLabels) expect(run.stdout).toContain(label)
    expect(run.stdout).toContain(backup)
  })

  it("fits a 100-column terminal", async () => {
    const run = await humanRun()
    const longest = Math.max(...run.stdout.split("\n").map((line) => line.length))
    expect(longest).toBeLessThanOrEqual(100)
  })

  it("has no colour when stdout is not a terminal", async () => {
    const run = await humanRun()
    expect(run.code).toBe(0)
    expect(run.stdout).not.toMatch(ansi)
  })

  it("has colour when forced, and none when NO_COLOR is set", async () => {
    const forced = await ferry(["inspect", backup], { FORCE_COLOR: "1" })
    expect(forced.stdout).toMatch(ansi)
    const disabled = await ferry(["inspect", backup], { FORCE_COLOR: "1", NO_COLOR: "1" })
    expect(disabled.code).toBe(0)
    expect(disabled.stdout).not.toMatch(ansi)
  })
})

describe("exit codes", () => {
  it("3: an unsafe archive, naming the entry", async () => {
    const run = await ferry(["inspect", evil])
    expect(run.code).toBe(3)
    expect(run.stdout).toBe("")
    expect(run.stderr).toMatch(/^ferry: .*\.\.\/evil/)
    expect(run.stderr.trim().split("\n")).toHaveLength(1)
  })

  it("4: a tar of files that is no backup", async () => {
    const run = await ferry(["inspect", random, "--json"])
    expect(run.code).toBe(4)
    expect(run.stdout).toBe("")
    expect(run.stderr).toMatch(/^ferry: .*not a backup/)
  })

  it("5: a path that does not exist", async () => {
    const missing = nodePath.join(dir, "missing.tar.gz")
    const run = await ferry(["inspect", missing])
    expect(run.code).toBe(5)
    expect(run.stderr).toBe(`ferry: ${missing}: cannot read: ENOENT: no such file or directory, stat '${missing}'\n`)
  })

  it("2: an unknown flag, with nothing on stdout", async () => {
    const run = await ferry(["inspect", backup, "--no-such-flag"])
    expect(run.code).toBe(2)
    expect(run.stdout).toBe("")
    expect(run.stderr).toContain("ferry: Unrecognized flag: --no-such-flag")
  })

  it("2: a panel no adapter provides", async () => {
    const run = await ferry(["inspect", backup, "--panel", "no-such-panel"])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain("--panel")
  })

  it("0: --help lists the exit codes and the examples", async () => {
    const run = await ferry(["inspect", "--help"])
    expect(run.code).toBe(0)
    expect(run.stdout).toContain("Exit codes")
    expect(run.stdout).toContain("ferry inspect ./extracted-backup-dir --panel cpanel")
  })
})
