/**
 * A strict reader for a user crontab (crontab(5), Vixie/cronie dialect). Lines become jobs or
 * environment settings only when they validate; everything else is a problem with its line
 * number. The text is never handed to a shell: callers rebuild crontabs from these values.
 */

export interface CronJobLine {
  readonly line: number
  readonly schedule: string
  readonly command: string
}

export interface CronEnvLine {
  readonly line: number
  readonly name: string
  readonly value: string
}

export interface CronProblem {
  readonly line: number
  readonly message: string
}

export const crontabLimits = {
  maxLineLength: 4096,
  maxEntries: 10_000,
} as const

export const cronMacros: ReadonlyArray<string> = [
  "@reboot",
  "@yearly",
  "@annually",
  "@monthly",
  "@weekly",
  "@daily",
  "@midnight",
  "@hourly",
]

interface FieldSpec {
  readonly name: string
  readonly min: number
  readonly max: number
  readonly names?: ReadonlyArray<string>
  /** Value of the first entry of `names`. */
  readonly namesFrom?: number
}

const months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
const weekdays = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

const fields: ReadonlyArray<FieldSpec> = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: months, namesFrom: 1 },
  // 7 is Sunday as well as 0.
  { name: "day of week", min: 0, max: 7, names: weekdays, namesFrom: 0 },
]

const readValue = (text: string, spec: FieldSpec): number | undefined => {
  if (/^\d{1,2}$/.test(text)) {
    const n = Number(text)
    return n >= spec.min && n <= spec.max ? n : undefined
  }
  const index = spec.names?.indexOf(text.toLowerCase()) ?? -1
  return index >= 0 ? index + (spec.namesFrom ?? 0) : undefined
}

/** Why a schedule field is invalid, or undefined when it is valid. */
const fieldError = (text: string, spec: FieldSpec): string | undefined => {
  for (const item of text.split(",")) {
    const match = /^([^/]+)(?:\/(\d{1,2}))?$/.exec(item)
    if (!match) return `invalid ${spec.name} "${item}"`
    const [, range = "", step] = match
    if (step !== undefined && (Number(step) < 1 || Number(step) > spec.max)) return `invalid step in ${spec.name} "${item}"`
    if (range === "*") continue
    const bounds = range.split("-")
    if (bounds.length === 1) {
      if (step !== undefined) return `a step needs a range or * in ${spec.name} "${item}"`
      if (readValue(range, spec) === undefined) return `${spec.name} "${item}" is out of range ${spec.min}-${spec.max}`
      continue
    }
    if (bounds.length !== 2) return `invalid ${spec.name} range "${item}"`
    const low = readValue(bounds[0] ?? "", spec)
    const high = readValue(bounds[1] ?? "", spec)
    if (low === undefined || high === undefined) return `${spec.name} "${item}" is out of range ${spec.min}-${spec.max}`
    if (low > high) return `${spec.name} range "${item}" runs backwards`
  }
  return undefined
}

const printable = (text: string, max = 40): string => {
  const clean = text.replace(/[^\x20-\x7e]/g, "?")
  return clean.length > max ? `${clean.slice(0, max)}…` : clean
}

/** `NAME = value` (crontab(5)): spaces around `=` are allowed; matching quotes are stripped. */
const envPattern = /^[ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*(.*?)[ \t]*$/

const unquote = (value: string): string | undefined => {
  const first = value[0]
  if (first !== '"' && first !== "'") return value
  if (value.length < 2 || value[value.length - 1] !== first) return undefined
  const inner = value.slice(1, -1)
  return inner.includes(first) ? undefined : inner
}

/**
 * Parse a user crontab. A file holding a single newline has no entries. Lines with CR or NUL,
 * lines longer than {@link crontabLimits.maxLineLength}, invalid schedules, empty commands and
 * unknown macros become problems.
 */
export const parseCrontab = (
  text: string,
): {
  readonly jobs: ReadonlyArray<CronJobLine>
  readonly env: ReadonlyArray<CronEnvLine>
  readonly problems: ReadonlyArray<CronProblem>
} => {
  const jobs: Array<CronJobLine> = []
  const env: Array<CronEnvLine> = []
  const problems: Array<CronProblem> = []
  const lines = text.split("\n")
  for (let index = 0; index < lines.length; index++) {
    const line = index + 1
    const raw = lines[index] as string
    const problem = (message: string): void => {
      problems.push({ line, message })
    }
    if (raw.length > crontabLimits.maxLineLength) {
      problem(`line longer than ${crontabLimits.maxLineLength} characters; ignored`)
      continue
    }
    if (raw.includes("\r")) {
      problem("line contains a carriage return; ignored")
      continue
    }
    if (raw.includes("\0")) {
      problem("line contains a NUL byte; ignored")
      continue
    }
    const trimmed = raw.replace(/^[ \t]+/, "")
    if (trimmed.replace(/[ \t]+$/, "") === "" || trimmed.startsWith("#")) continue
    if (/[\x00-\x08\x0b-\x1f\x7f]/.test(raw)) {
      problem("line contains control characters; ignored")
      continue
    }
    if (jobs.length + env.length >= crontabLimits.maxEntries) {
      problem(`more than ${crontabLimits.maxEntries} entries; ignored`)
      continue
    }
    const assignment = envPattern.exec(raw)
    if (assignment) {
      const [, name = "", quoted = ""] = assignment
      const value = unquote(quoted)
      if (value === undefined) problem(`unbalanced quotes in the value of ${name}; ignored`)
      else env.push({ line, name, value })
      continue
    }
    if (trimmed.startsWith("@")) {
      const [macro = "", ...rest] = trimmed.split(/[ \t]+/)
      const command = trimmed
        .slice(macro.length)
        .replace(/^[ \t]+/, "")
        .replace(/[ \t]+$/, "")
      if (!cronMacros.includes(macro)) problem(`unknown schedule macro "${printable(macro)}"; ignored`)
      else if (rest.length === 0 || command === "") problem(`${macro} entry without a command; ignored`)
      else jobs.push({ line, schedule: macro, command })
      continue
    }
    const match = /^(\S+)[ \t]+(\S+)[ \t]+(\S+)[ \t]+(\S+)[ \t]+(\S+)(?:[ \t]+(.*))?$/.exec(trimmed)
    if (!match) {
      problem("not a cron job (five time fields and a command) or a NAME=value setting; ignored")
      continue
    }
    const schedule = match.slice(1, 6) as Array<string>
    const command = (match[6] ?? "").replace(/[ \t]+$/, "")
    const errors = fields.map((spec, i) => fieldError(schedule[i] ?? "", spec)).filter((e) => e !== undefined)
    if (errors.length > 0) {
      problem(`invalid schedule: ${printable(errors.join("; "), 200)}; ignored`)
      continue
    }
    if (command === "") {
      problem("job without a command; ignored")
      continue
    }
    jobs.push({ line, schedule: schedule.join(" "), command })
  }
  return { jobs, env, problems }
}
