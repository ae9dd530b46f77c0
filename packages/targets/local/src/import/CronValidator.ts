import { createHash } from "node:crypto"

/*
 * Cron jobs are rebuilt, never copied (security rule 26, checklist item 44): the schedule must be
 * five valid fields or a known macro, the command one line without control characters, and
 * nothing may change the environment of the crontab (SHELL=, PATH=, BASH_ENV=, …) except the
 * MAILTO the model carries, validated as addresses. `@reboot` is refused by default: it would run
 * the job at the next boot of the receiving server, which the admin has not reviewed.
 */

export const maxCronLineLength = 1000

export interface CronPolicy {
  /** Allow `@reboot` jobs (off by default). */
  readonly allowReboot?: boolean
}

export interface CronInput {
  readonly schedule: string
  readonly command: string
  /** The crontab's user (the job's owner on the receiving server). */
  readonly user: string
  readonly mailTo?: string | undefined
}

export interface ValidCron {
  /** Fields joined by one space, or the macro. */
  readonly schedule: string
  readonly command: string
  /** Absent: cron's default (mail to the user); "" turns mail off. */
  readonly mailTo?: string
}

export type CronVerdict =
  | { readonly _tag: "valid"; readonly job: ValidCron }
  | { readonly _tag: "refused"; readonly code: string; readonly reason: string }

const refused = (code: string, reason: string): CronVerdict => ({ _tag: "refused", code, reason })

const macros = new Set(["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"])

const monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
const dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

interface FieldSpec {
  readonly name: string
  readonly min: number
  readonly max: number
  /** Names accepted for values (jan…dec, sun…sat), value = index + offset. */
  readonly names?: ReadonlyArray<string>
  readonly nameOffset?: number
}

const fieldSpecs: ReadonlyArray<FieldSpec> = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: monthNames, nameOffset: 1 },
  { name: "day of week", min: 0, max: 7, names: dayNames, nameOffset: 0 },
]

const fieldValue = (text: string, spec: FieldSpec): number | undefined => {
  if (/^\d{1,2}$/.test(text)) {
    const n = Number(text)
    return n >= spec.min && n <= spec.max ? n : undefined
  }
  const index = spec.names?.indexOf(text.toLowerCase()) ?? -1
  return index >= 0 ? index + (spec.nameOffset ?? 0) : undefined
}

/** One field: comma-separated items, each `*`, `N`, `N-M`, optionally `/step`. */
const validField = (field: string, spec: FieldSpec): boolean =>
  field.length <= 100 &&
  field.split(",").every((item) => {
    const match = /^(\*|[0-9A-Za-z]{1,3}(?:-[0-9A-Za-z]{1,3})?)(?:\/(\d{1,2}))?$/.exec(item)
    if (match === null) return false
    const [, range, step] = match as unknown as [string, string, string | undefined]
    if (step !== undefined && (Number(step) < 1 || Number(step) > spec.max)) return false
    if (range === "*") return true
    const [from, to] = range.split("-") as [string, string | undefined]
    const a = fieldValue(from, spec)
    if (a === undefined) return false
    if (to === undefined) return true
    const b = fieldValue(to, spec)
    return b !== undefined && a <= b
  })

const envAssignment = /^\s*[A-Za-z_][A-Za-z0-9_]*\s*=/
const controlChar = /[\u0000-\u0008\u000a-\u001f\u007f]/

/** An address list for MAILTO: addresses or local user names, comma-separated; "" turns mail off. */
const validMailTo = (value: string): boolean =>
  value === "" ||
  (value.length <= 320 &&
    value
      .split(",")
      .map((part) => part.trim())
      .every((part) =>
        /^[A-Za-z0-9._%+-]{1,64}(?:@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+)?$/.test(
          part,
        ),
      ))

/** Validates one job for the user's crontab. */
export const validateCron = (input: CronInput, policy: CronPolicy = {}): CronVerdict => {
  const { command } = input
  const schedule = input.schedule.trim()
  for (const [what, text] of [
    ["schedule", input.schedule],
    ["command", command],
  ] as const) {
    if (text.includes("\0")) return refused("cron-control-character", `the ${what} contains a NUL byte`)
    if (/[\r\n]/.test(text)) return refused("cron-control-character", `the ${what} contains a line break (CR or LF)`)
    if (controlChar.test(text)) return refused("cron-control-character", `the ${what} contains a control character`)
  }
  if (schedule.length + 1 + command.length > maxCronLineLength)
    return refused(
      "cron-too-long",
      `the cron line is ${schedule.length + 1 + command.length} characters; at most ${maxCronLineLength} are imported`,
    )
  if (envAssignment.test(schedule) || envAssignment.test(command)) {
    const name = (envAssignment.test(schedule) ? schedule : command).trim().split("=")[0]?.trim() ?? ""
    return refused(
      "cron-environment",
      `${name}= is an environment assignment; cron jobs run with the receiving server's environment (only MAILTO is carried over)`,
    )
  }
  if (command.trim() === "") return refused("cron-empty", "the job has no command")

  let normalised: string
  if (schedule.startsWith("@")) {
    const macro = schedule.toLowerCase()
    if (macro === "@reboot") {
      if (policy.allowReboot !== true)
        return refused("cron-reboot", "@reboot jobs would run at the next boot of the receiving server; they are not imported by default")
      normalised = macro
    } else if (macros.has(macro)) normalised = macro
    else return refused("cron-schedule", `${JSON.stringify(schedule.slice(0, 40))} is not a cron schedule macro`)
  } else {
    const fields = schedule.split(/\s+/)
    if (fields.length !== 5)
      return refused(
        "cron-schedule",
        fields.length === 6
          ? "the schedule has six fields (a system crontab's user column?); user crontabs have five"
          : `the schedule has ${fields.length} fields, not five`,
      )
    for (const [i, field] of fields.entries()) {
      const spec = fieldSpecs[i] as FieldSpec
      if (!validField(field, spec))
        return refused("cron-schedule", `${JSON.stringify(field.slice(0, 40))} is not a valid ${spec.name} field`)
    }
    normalised = fields.join(" ")
  }

  // A system crontab line (`m h dom mon dow USER command`) split as five fields + command leaves
  // the user name as the first word; a user crontab must not carry one.
  const firstWord = command.trim().split(/\s+/)[0] ?? ""
  if ((firstWord === "root" || firstWord === input.user) && command.trim() !== firstWord)
    return refused("cron-user-column", `the command starts with the user name ${firstWord} (a system crontab's user column); not imported`)

  if (input.mailTo !== undefined) {
    if (controlChar.test(input.mailTo) || input.mailTo.includes("\0")) return refused("cron-mailto", "MAILTO contains a control character")
    const mailTo = input.mailTo.trim().replace(/^"(.*)"$/, "$1")
    if (!validMailTo(mailTo)) return refused("cron-mailto", `MAILTO ${JSON.stringify(mailTo.slice(0, 60))} is not a list of addresses`)
    return { _tag: "valid", job: { schedule: normalised, command: command.trim(), mailTo } }
  }
  return { _tag: "valid", job: { schedule: normalised, command: command.trim() } }
}

/** Stable record key of a job: the same schedule and command for a user is one job. */
export const cronKey = (user: string, job: Pick<ValidCron, "schedule" | "command">): string =>
  `${user}/${createHash("sha256").update(`${job.schedule}\n${job.command}`).digest("hex").slice(0, 32)}`

export interface CronLine extends ValidCron {
  readonly enabled: boolean
}

/**
 * The user's crontab: jobs without MAILTO first (cron's default), then one MAILTO line per
 * distinct value followed by its jobs; disabled jobs are kept commented out. Same records, same
 * bytes.
 */
export const renderCrontab = (user: string, jobs: ReadonlyArray<CronLine>): string => {
  const byMailTo = new Map<string | undefined, Array<CronLine>>()
  for (const job of jobs) {
    const list = byMailTo.get(job.mailTo) ?? []
    list.push(job)
    byMailTo.set(job.mailTo, list)
  }
  // Array#sort moves undefined to the end without asking the comparator: list it first by hand.
  const named = [...byMailTo.keys()].filter((k): k is string => k !== undefined).sort()
  const order = byMailTo.has(undefined) ? [undefined, ...named] : named
  const line = (job: CronLine) => `${job.enabled ? "" : "# disabled: "}${job.schedule} ${job.command}`
  const out = [`# Crontab of ${user}: written by Ferry from its inventory; edits are replaced on the next import.`]
  for (const mailTo of order) {
    if (mailTo !== undefined) out.push(`MAILTO=${mailTo === "" ? '""' : mailTo}`)
    const sortKey = (job: CronLine) => `${job.schedule} ${job.command}`
    const group = [...(byMailTo.get(mailTo) ?? [])].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0))
    out.push(...group.map(line))
  }
  return `${out.join("\n")}\n`
}
