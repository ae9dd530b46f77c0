import { type Assembly, noteAt } from "./Context.ts"
import type { XNode } from "./Xml.ts"

const macro = /^@(reboot|yearly|annually|monthly|weekly|daily|midnight|hourly)$/
const field = /^[0-9*,/A-Za-z-]{1,64}$/

/**
 * Scheduled tasks of a system user: the crontab text Plesk keeps with the user. `MAILTO` applies
 * to the jobs after it; other environment lines are reported, never applied (security rule 26).
 */
export const readCrontab = (a: Assembly, node: XNode, user: string, owner: string | null): void => {
  const text = node.text() ?? ""
  const subject = `crontab of ${user}`
  let mailTo: string | undefined
  let count = 0
  text.split("\n").forEach((raw, index) => {
    const line = raw.replace(/\r$/, "").trim()
    const number = index + 1
    if (line === "" || line.startsWith("#")) return
    if (line.length > 4096) {
      noteAt(a, node, "warning", "cron-line", subject, `line ${number} is longer than 4096 characters; skipped`)
      return
    }
    const env = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line)
    if (env) {
      if (env[1] === "MAILTO") mailTo = (env[2] as string).replace(/^"(.*)"$/, "$1")
      else
        noteAt(
          a,
          node,
          "warning",
          "cron-environment",
          subject,
          `line ${number}: ${env[1]} is not carried over (jobs run with the receiving server's environment)`,
        )
      return
    }
    const match = /^(@[a-z]+|(?:\S+\s+){4}\S+)\s+(\S.*)$/.exec(line)
    const schedule = match ? (match[1] as string).split(/\s+/) : []
    const command = match ? (match[2] as string) : ""
    const valid = schedule.length === 1 ? macro.test(schedule[0] as string) : schedule.every((p) => field.test(p))
    if (!match || !valid) {
      noteAt(a, node, "warning", "cron-line", subject, `line ${number} is not "schedule command"; skipped`)
      return
    }
    count++
    a.builder.add({
      _tag: "CronJob",
      id: `cron:${user}:${count}`,
      owner,
      source: { path: node.file, detail: `${node.path} line ${number}` },
      schedule: schedule.join(" "),
      command,
      user,
      enabled: true,
      ...(mailTo !== undefined && mailTo !== "" ? { mailTo } : {}),
    })
  })
}
