/** Longest `KEY=VALUE` line Ferry accepts in cPanel's own files (security rule 18). */
export const maxKeyValueLine = 8192

export interface KeyValueFile {
  readonly values: ReadonlyMap<string, string>
  readonly problems: ReadonlyArray<{ readonly line: number; readonly message: string }>
}

/**
 * The `cp/USER` format: `#` comments, blank lines, `KEY=VALUE` split on the first `=`. Keys may
 * hold `-` and `.` (`MXCHECK-example.com`); values are kept verbatim but never contain CR or NUL
 * (security checklist 27). The last of repeated keys wins, as in cPanel's own loader.
 */
export const parseKeyValue = (text: string): KeyValueFile => {
  const values = new Map<string, string>()
  const problems: Array<{ line: number; message: string }> = []
  const lines = text.split("\n")
  lines.forEach((raw, index) => {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw
    const number = index + 1
    if (line.trim() === "" || line.startsWith("#")) return
    if (line.length > maxKeyValueLine) {
      problems.push({ line: number, message: `line longer than ${maxKeyValueLine} characters ignored` })
      return
    }
    const at = line.indexOf("=")
    if (at <= 0) {
      problems.push({ line: number, message: "line without KEY=VALUE ignored" })
      return
    }
    const key = line.slice(0, at)
    const value = line.slice(at + 1)
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.@-]*$/.test(key)) {
      problems.push({ line: number, message: `invalid key ${JSON.stringify(key.slice(0, 64))} ignored` })
      return
    }
    if (/[\r\0]/.test(value)) {
      problems.push({ line: number, message: `value of ${key} contains a control character; ignored` })
      return
    }
    if (values.has(key)) problems.push({ line: number, message: `${key} is set more than once; the last value is used` })
    values.set(key, value)
  })
  return { values, problems }
}

/** Keys whose values are credentials: never copied, logged or printed (`notify_*` are on/off flags). */
export const isSecretKey = (key: string): boolean =>
  !key.startsWith("notify_") && /TOKEN|SECRET|PASSW|CREDENTIAL|API_?KEY|PRIVATE/i.test(key)
