import type { ForwardTarget } from "@ferry/core"

/** Longest alias line Ferry accepts (security rule 18). */
export const maxAliasLine = 16 * 1024

export interface AliasLine {
  readonly line: number
  /** `*` for the catch-all, else the address (lowercase). */
  readonly name: string
  readonly targets: ReadonlyArray<ForwardTarget>
}

export interface AliasFile {
  readonly entries: ReadonlyArray<AliasLine>
  readonly problems: ReadonlyArray<{ readonly line: number; readonly message: string }>
}

const unquote = (value: string): string => {
  const trimmed = value.trim()
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1).replace(/\\"/g, '"') : trimmed
}

/** Split on commas that are not inside double quotes. */
const splitTargets = (rhs: string): Array<string> => {
  const parts: Array<string> = []
  let current = ""
  let quoted = false
  for (let i = 0; i < rhs.length; i++) {
    const c = rhs[i] as string
    if (c === "\\" && quoted && i + 1 < rhs.length) {
      current += c + rhs[i + 1]
      i++
    } else if (c === '"') {
      quoted = !quoted
      current += c
    } else if (c === "," && !quoted) {
      parts.push(current)
      current = ""
    } else {
      current += c
    }
  }
  parts.push(current)
  return parts.map(unquote).filter((p) => p !== "")
}

/** Type one alias target: address, local user, pipe, file, `:include:`, `:blackhole:`, `:fail:`. */
export const classifyTarget = (value: string): ForwardTarget => {
  if (value.startsWith("|")) return { kind: "pipe", value: value.slice(1).trim() }
  if (value.startsWith(":include:")) return { kind: "include", value: value.slice(":include:".length).trim() }
  if (value === ":blackhole:") return { kind: "discard", value: "" }
  if (value.startsWith(":fail:") || value.startsWith(":defer:")) return { kind: "fail", value: value.replace(/^:(fail|defer):/, "").trim() }
  if (value.startsWith("/")) return { kind: "file", value }
  if (value.includes("@")) {
    const at = value.lastIndexOf("@")
    return { kind: "address", value: `${value.slice(0, at)}@${value.slice(at + 1).toLowerCase()}` }
  }
  return { kind: "local-user", value }
}

/**
 * cPanel's `/etc/valiases/<domain>` (and `vdomainaliases`) format: `name: target, target, …`.
 * Targets may be quoted; `:fail:`/`:defer:` take the rest of the line as their message.
 */
export const parseAliasFile = (text: string): AliasFile => {
  const entries: Array<AliasLine> = []
  const problems: Array<{ line: number; message: string }> = []
  text.split("\n").forEach((raw, index) => {
    const line = raw.replace(/\r$/, "")
    const number = index + 1
    if (line.trim() === "" || line.trimStart().startsWith("#")) return
    if (line.length > maxAliasLine) {
      problems.push({ line: number, message: `line longer than ${maxAliasLine} characters ignored` })
      return
    }
    if (/[\0\r]/.test(line)) {
      problems.push({ line: number, message: "line with a control character ignored" })
      return
    }
    const match = /^\s*("[^"]*"|[^\s:]+)\s*:(.*)$/.exec(line)
    if (!match) {
      problems.push({ line: number, message: "line without `name: target` ignored" })
      return
    }
    const name = unquote(match[1] as string).toLowerCase()
    const rhs = (match[2] as string).trim()
    if (rhs === "") {
      problems.push({ line: number, message: `${name} has no target; ignored` })
      return
    }
    const whole = unquote(rhs)
    const targets =
      whole.startsWith(":fail:") || whole.startsWith(":defer:") || whole === ":blackhole:"
        ? [classifyTarget(whole)]
        : splitTargets(rhs).map(classifyTarget)
    entries.push({ line: number, name, targets })
  })
  return { entries, problems }
}

const autorespondCommand = /^\/usr\/local\/cpanel\/bin\/autorespond\s+(\S+)\s+(\S+)\s*$/
const mailmanCommand = /^\/usr\/local\/cpanel\/3rdparty\/mailman\/mail\/mailman\s+([a-z-]+)\s+(\S+)\s*$/

/** A pipe to cPanel's autoresponder: the address and the directory holding its message. */
export const autorespondPipe = (target: ForwardTarget): { readonly address: string; readonly dir: string } | undefined => {
  if (target.kind !== "pipe") return undefined
  const match = autorespondCommand.exec(target.value)
  return match ? { address: (match[1] as string).toLowerCase(), dir: match[2] as string } : undefined
}

/** A pipe to Mailman 2: the action (`post`, `admin`, …) and the list argument (`list_example.com`). */
export const mailmanPipe = (target: ForwardTarget): { readonly action: string; readonly list: string } | undefined => {
  if (target.kind !== "pipe") return undefined
  const match = mailmanCommand.exec(target.value)
  return match ? { action: match[1] as string, list: (match[2] as string).toLowerCase() } : undefined
}
