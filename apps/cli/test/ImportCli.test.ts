import { spawn } from "node:child_process"
import { once } from "node:events"
import { existsSync } from "node:fs"
import * as fs from "node:fs/promises"
import * as nodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  exampleBackup,
  exitCodeFor,
  importExample,
  jobsCli,
  logOf,
  makeServer,
  parseJson,
  type Server,
  type ShowJson,
  showJob,
  sleep,
} from "./support/Jobs.ts"
import { profileYamlText } from "./support/Profiles.ts"
import { memo, repoRoot, runFerry, testChecksEntry } from "./support/RunFerry.ts"

let server: Server

beforeAll(async () => {
  server = await makeServer("ferry-import-cli-")
})

afterAll(async () => {
  await fs.rm(server.dir, { recursive: true, force: true })
})

const humanRun = memo(async () => importExample(await server.withRoot("human"), server.stateDir("human"), ["--yes"]))
const jsonRun = memo(() => importExample(server, server.stateDir("json"), ["--yes", "--json"]))

const jobIdPattern = /^\d{8}-[0-9a-f]{6}$/

describe("ferry import", () => {
  it("without a terminal and without --yes: exit 2 before reading anything, and no job", async () => {
    const stateDir = server.stateDir("no-tty")
    const run = await importExample(server, stateDir)
    expect(run.code).toBe(2)
    expect(run.stdout).toBe("")
    expect(run.stderr).toBe("ferry: no terminal to confirm the import on; pass --yes to import without asking\n")
    const list = await jobsCli(stateDir, ["list", "--json"])
    expect(list.code).toBe(0)
    expect(JSON.parse(list.stdout)).toEqual([])
  })

  it("--yes shows the report, runs the job and ends with its summary and exit code", async () => {
    const run = await humanRun()
    const id = /^Job (\d{8}-[0-9a-f]{6}) /m.exec(run.stdout)?.[1]
    expect(id, run.stdout + run.stderr).toBeDefined()
    // The check report first (Confirm list, verdict), then the summary.
    expect(run.stdout.indexOf("Confirm")).toBeGreaterThanOrEqual(0)
    expect(run.stdout.indexOf("Confirm")).toBeLessThan(run.stdout.indexOf(`Job ${id}`))
    expect(run.stdout).toMatch(/created \d+ · updated \d+ · unchanged \d+ · failed \d+ · skipped \d+/)
    expect(run.stdout).toContain(`'ferry jobs log ${id}'`)
    const shown = await showJob(server.stateDir("human"), id as string)
    expect(run.code).toBe(exitCodeFor[shown.job.status])
    if (shown.counts.failed > 0) expect(run.stdout).toContain(`Failed (${shown.counts.failed})`)
  })

  it("imports everything but the databases, which need a database server set up for imports", async () => {
    const run = await jsonRun()
    const result = parseJson<ShowJson>(run)
    expect(result.job.status).toBe("completed-with-errors")
    expect(run.code).toBe(10)
    const shown = await showJob(server.stateDir("json"), result.job.id)
    const failed = (shown.steps ?? []).filter((s) => s.status === "failed")
    expect(failed.map((s) => s.tag).sort()).toEqual(["Content", "Database", "DatabaseUser", "DatabaseUser"])
    expect(failed.find((s) => s.tag === "Content")?.key).toMatch(/^content:dump:mysql:/)
    for (const step of failed) expect(step.reason).toMatch(/is not set up for imports|failed, and this depends on it/)
    expect(shown.counts.created).toBe((shown.steps ?? []).length - failed.length)
    // Some of what landed under the root (the layout is the target's, see Layout.ts).
    await fs.access(nodePath.join(server.root, "etc/nginx/sites-enabled/synth.example.conf"))
    await fs.access(nodePath.join(server.root, "etc/bind/zones/db.synth.example"))
    await fs.access(nodePath.join(server.root, "var/mail/vhosts/synth.example/info"))
  })

  it("the journal accounts for every step: finished, counted, failures with reasons", async () => {
    const run = await jsonRun()
    const result = parseJson<ShowJson>(run)
    const shown = await showJob(server.stateDir("json"), result.job.id)
    const steps = shown.steps ?? []
    expect(steps.length).toBeGreaterThan(30)
    expect(steps.filter((s) => s.status === "pending" || s.status === "running")).toEqual([])
    const counts = shown.counts
    expect(counts.created + counts.updated + counts.unchanged + counts.failed + counts.skipped).toBe(steps.length)
    expect(shown.job.finishedAt).toBeDefined()
    expect(shown.job.pid).toBeUndefined()
    expect(shown.job.progress.steps).toBe(shown.job.totals.steps)
    expect(shown.failed.every((f) => f.reason !== "")).toBe(true)
    // Every failure is in the log with its code.
    const log = await logOf(server.stateDir("json"), result.job.id)
    for (const failed of shown.failed) expect(log.some((l) => l.step === failed.key && l.level === "error")).toBe(true)
    expect(log[0]?.message).toMatch(/^started by pid \d+$/)
    expect(log.at(-1)?.message.startsWith(`${shown.job.status}:`)).toBe(true)
  })

  it("--json prints only the finished job and its counts on stdout", async () => {
    const run = await jsonRun()
    expect(run.stderr).toBe("")
    expect(run.stdout).toBe(`${JSON.stringify(JSON.parse(run.stdout), null, 2)}\n`)
    const result = parseJson<ShowJson>(run)
    expect(Object.keys(result).sort()).toEqual(["counts", "failed", "generatedPasswords", "job"])
    expect(result.job.id).toMatch(jobIdPattern)
    expect(run.code).toBe(exitCodeFor[result.job.status])
    // The job keeps what the admin chose and where it imports to, never a secret.
    expect(result.job.options).toMatchObject({
      panel: "cpanel",
      choices: { import: { existing: "skip" }, target: { root: server.root, profile: server.profile } },
    })
    // Generated passwords are never printed to a pipe without --show-passwords.
    for (const p of result.generatedPasswords) expect(p).not.toHaveProperty("password")
  })

  it("generated passwords are listed apart, and printed only when asked for", async () => {
    const stateDir = server.stateDir("passwords")
    // Mail that only takes bcrypt: the backup's sha512-crypt mailbox hashes cannot be kept.
    const bcryptOnly = nodePath.join(server.dir, "bcrypt.yaml")
    await fs.writeFile(bcryptOnly, (await fs.readFile(server.profile, "utf8")).replace(/^ {2}mail: \[.*\]$/m, "  mail: [bcrypt]"))
    const run = await importExample({ ...(await server.withRoot("passwords")), profile: bcryptOnly }, stateDir, ["--yes"])
    const id = /^Job (\S+) /m.exec(run.stdout)?.[1] as string
    const shown = parseJson<ShowJson>(await jobsCli(stateDir, ["show", id, "--json", "--show-passwords"]))
    const passwords = shown.generatedPasswords
    expect(passwords.map((p) => [p.service, p.login]).sort()).toEqual([
      ["mail", "info@synth-addon1.example"],
      ["mail", "info@synth.example"],
      ["mail", "sales@synth-addon1.example"],
      ["mail", "sales@synth.example"],
    ])
    expect(run.stdout).toContain(`Generated passwords (4)  not shown here; see them with 'ferry jobs show ${id} --show-passwords'`)
    const hidden = await jobsCli(stateDir, ["show", id])
    const log = await jobsCli(stateDir, ["log", id])
    const visible = await jobsCli(stateDir, ["show", id, "--show-passwords"])
    for (const { password = "" } of passwords) {
      expect(password.length).toBeGreaterThanOrEqual(12)
      for (const text of [run.stdout, run.stderr, hidden.stdout, log.stdout]) expect(text).not.toContain(password)
      expect(visible.stdout).toContain(password)
    }
  })

  it("a blocked plan exits 7 and starts no job", async () => {
    const stateDir = server.stateDir("blocked")
    const noDisk = nodePath.join(server.dir, "no-disk.yaml")
    await fs.writeFile(noDisk, profileYamlText({ diskFree: 1000 }))
    const run = await importExampleWith(noDisk, stateDir)
    expect(run.code).toBe(7)
    expect(run.stderr).toContain("ferry: the import is blocked")
    expect(run.stdout).toContain("(blocks the import)")
    expect(JSON.parse((await jobsCli(stateDir, ["list", "--json"])).stdout)).toEqual([])
  })

  it("--detach prints the job id; the background process runs the job to its end", async () => {
    const stateDir = server.stateDir("detached")
    const run = await importExample(await server.withRoot("detached"), stateDir, ["--yes", "--detach"])
    expect(run.code).toBe(0)
    const id = run.stdout.trim()
    expect(id).toMatch(jobIdPattern)
    // The report went to stderr, so stdout is the id alone (ID=$(ferry import … --detach)).
    expect(run.stdout).toBe(`${id}\n`)
    expect(run.stderr).toContain("Confirm")
    expect(run.stderr).toContain(`ferry jobs log ${id} --follow`)
    // --follow prints the log as it is written and returns when the job is over, verdict included.
    const followed = await jobsCli(stateDir, ["log", id, "--follow", "--json"])
    expect(followed.code).toBe(0)
    const lines = followed.stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as { message: string })
    expect(lines[0]?.message).toMatch(/^started by pid \d+$/)
    let shown = await showJob(stateDir, id)
    expect(lines.at(-1)?.message.startsWith(`${shown.job.status}: `)).toBe(true)
    for (let i = 0; i < 150 && !["completed", "completed-with-errors", "failed", "cancelled"].includes(shown.job.status); i++) {
      await sleep(200)
      shown = await showJob(stateDir, id)
    }
    expect(shown.job.status).not.toBe("queued")
    expect(shown.job.status).not.toBe("running")
    expect(shown.job.pid).toBeUndefined()
    expect((shown.steps ?? []).filter((s) => s.status === "pending" || s.status === "running")).toEqual([])
    // The same steps and outcomes as a run in the foreground.
    const foreground = parseJson<ShowJson>(await jsonRun())
    expect(shown.counts).toEqual(foreground.counts)
    const output = await fs.readFile(nodePath.join(stateDir, "jobs", `${id}.out`), "utf8")
    expect(output).toContain(`Job ${id}`)
  })
})

describe("ferry import: usage", () => {
  it("a secret is read from a file; an unreadable one ends with exit 5 before the backup is read", async () => {
    const stateDir = server.stateDir("secret")
    const missing = nodePath.join(server.dir, "no-such-password.txt")
    const run = await importExample(server, stateDir, ["--yes", "--secret", `backup-password=${missing}`])
    expect(run.code).toBe(5)
    expect(run.stderr).toMatch(new RegExp(`^ferry: cannot read the secret backup-password from ${missing}: `))
    const bad = await importExample(server, stateDir, ["--yes", "--secret", "backup-password"])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain("NAME=FILE")
  })

  it("import and jobs explain themselves, with examples and the job exit codes", async () => {
    const help = await runFerry(["import", "--help"])
    expect(help.code).toBe(0)
    for (const text of ["--yes", "--detach", "--secret", "--show-passwords", "ferry import backup.tar.gz --yes --detach", " 10  import"])
      expect(help.stdout).toContain(text)
    const jobs = await runFerry(["jobs", "--help"])
    expect(jobs.code).toBe(0)
    for (const name of ["list", "show", "log", "cancel", "resume", "delete"]) expect(jobs.stdout).toMatch(new RegExp(`^ {2}${name} `, "m"))
    const resume = await runFerry(["jobs", "resume", "--help"])
    expect(resume.stdout).toContain("ferry jobs resume 20260101-a1b2c3 --secret backup-password=/root/pw.txt")
  })
})

const importExampleWith = (profile: string, stateDir: string) =>
  importExample({ ...server, profile }, stateDir, ["--yes"], { entry: testChecksEntry })

/*
 * On a terminal: script(1) gives the CLI a pseudo-terminal for stdin, stdout and stderr. Its -c
 * takes one command line, built here only from paths checked to need no quoting.
 */
const scriptBin = "/usr/bin/script"
const onTerminal = async (args: ReadonlyArray<string>, input: string) => {
  const words = [nodePath.join(repoRoot, "node_modules/.bin/node"), nodePath.join(repoRoot, "apps/cli/src/main.ts"), ...args]
  for (const word of words) if (!/^[\w./:=-]+$/.test(word)) throw new Error(`needs quoting: ${word}`)
  const child = spawn(scriptBin, ["-qec", words.join(" "), "/dev/null"], { cwd: repoRoot, stdio: ["pipe", "pipe", "pipe"] })
  let output = ""
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8")
  })
  // Answer once the question is on the screen.
  const asked = new Promise<void>((resolve) => {
    child.stdout.on("data", () => {
      if (output.includes("[y/N]")) resolve()
    })
  })
  await Promise.race([asked, once(child, "exit")])
  child.stdin.end(input)
  const [code] = (await (child.exitCode === null ? once(child, "exit") : Promise.resolve([child.exitCode]))) as [number]
  return { code, output }
}

describe.skipIf(!existsSync(scriptBin))("ferry import on a terminal", () => {
  const args = (stateDir: string, root: string) => [
    "import",
    exampleBackup,
    "--config",
    server.profile,
    "--root",
    root,
    "--state-dir",
    stateDir,
  ]

  it('asks before importing; "n" imports nothing and ends with exit 1', async () => {
    const stateDir = server.stateDir("tty-no")
    const run = await onTerminal(args(stateDir, server.root), "n\n")
    expect(run.output).toContain("Import 31 entities? [y/N]")
    expect(run.output).toContain("ferry: not imported")
    expect(run.code).toBe(1)
    expect(JSON.parse((await jobsCli(stateDir, ["list", "--json"])).stdout)).toEqual([])
  })

  it("yes runs the job with progress bars, then the summary", async () => {
    const stateDir = server.stateDir("tty-yes")
    const run = await onTerminal(args(stateDir, (await server.withRoot("tty")).root), "y\n")
    const id = /Job (\d{8}-[0-9a-f]{6})/.exec(run.output)?.[1]
    expect(id, run.output).toBeDefined()
    // The three progress lines, drawn in place on stderr (the terminal turns each newline into CR LF).
    expect(run.output).toMatch(/\x1b\[2Kcontent {4}.* of .*\r?\n\x1b\[2Ksteps {6}\d+ of 41/)
    expect(run.output).toMatch(/\x1b\[2Kcurrent {4}\S/)
    // Failed steps are shown as they happen, above the bars.
    expect(run.output).toMatch(/failed {3}synth_db1.*: /)
    expect(run.code).toBe(exitCodeFor[(await showJob(stateDir, id as string)).job.status])
  })
})
