import { type Assembly, noteAt } from "./Collected.ts"
import { parseCrontab } from "./Crontab.ts"

/**
 * Cron jobs from `cron/USER` (§5.12, pitfall 21). `MAILTO` becomes each following job's `mailTo`;
 * every other environment line (`SHELL`, `PATH`, …) is reported and never applied.
 */
export const buildCron = (a: Assembly): void => {
  for (const file of a.meta.children("cron")) {
    a.meta.markUsed(file.rel)
    const user = file.rel.slice("cron/".length)
    if (user !== a.login) {
      noteAt(a, "warning", "cron-other-user", `file ${file.rel}`, file.rel, `a crontab for ${user.slice(0, 40)}, not ${a.login}; ignored`)
      continue
    }
    if (file.text === undefined) {
      noteAt(a, "error", "file-too-large", `file ${file.rel}`, file.rel, "the crontab is larger than Ferry reads; no jobs were read")
      continue
    }
    const parsed = parseCrontab(file.text)
    for (const p of parsed.problems) noteAt(a, "warning", "cron-line", `file ${file.rel}`, file.rel, `line ${p.line}: ${p.message}`)
    for (const env of parsed.env) {
      if (env.name === "MAILTO") continue
      noteAt(
        a,
        env.name === "SHELL" ? "info" : "warning",
        "cron-environment",
        `file ${file.rel}`,
        file.rel,
        `line ${env.line}: ${env.name} is not carried over (cron jobs run with the receiving server's environment)`,
      )
    }
    parsed.jobs.forEach((job, index) => {
      const mailTo = [...parsed.env].filter((e) => e.name === "MAILTO" && e.line < job.line).pop()?.value
      a.builder.add({
        _tag: "CronJob",
        id: `cron:${a.login}:${index + 1}`,
        owner: a.accountId,
        source: { path: file.path, detail: `line ${job.line}` },
        schedule: job.schedule,
        command: job.command,
        user: a.login,
        enabled: true,
        ...(mailTo !== undefined ? { mailTo } : {}),
      })
    })
  }
}
