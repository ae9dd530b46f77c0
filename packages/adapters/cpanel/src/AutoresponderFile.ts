import { asRecord, asString, parseJson } from "@ferry/core"

export interface AutoresponderMessage {
  readonly from?: string
  readonly subject: string
  readonly charset?: string
  readonly html: boolean
  readonly body: string
  readonly problems: ReadonlyArray<string>
}

const maxHeaderLine = 4096

/**
 * `.autorespond/<address>`: header lines (`From:`, `Subject:`, `Charset:`, `Content-Type:`),
 * a blank line, then the body (§5.9).
 */
export const parseAutoresponderMessage = (text: string): AutoresponderMessage => {
  const lines = text.split("\n")
  const headers = new Map<string, string>()
  const problems: Array<string> = []
  let i = 0
  for (; i < lines.length; i++) {
    const line = (lines[i] as string).replace(/\r$/, "")
    if (line === "") {
      i++
      break
    }
    const match = /^([A-Za-z][A-Za-z-]*):[ \t]*(.*)$/.exec(line)
    if (!match || line.length > maxHeaderLine) {
      problems.push(
        i === 0 ? "the file has no headers; all of it is taken as the body" : `line ${i + 1} is not a header; the body starts there`,
      )
      break
    }
    headers.set((match[1] as string).toLowerCase(), (match[2] as string).trim())
  }
  const body = lines.slice(i).join("\n")
  const contentType = headers.get("content-type") ?? ""
  const charset = headers.get("charset") || /charset="?([A-Za-z0-9_.:-]+)"?/i.exec(contentType)?.[1]
  const from = headers.get("from")
  if (!headers.has("subject")) problems.push("no Subject header")
  return {
    ...(from ? { from } : {}),
    subject: headers.get("subject") ?? "",
    ...(charset ? { charset } : {}),
    html: /text\/html/i.test(contentType),
    body,
    problems,
  }
}

export interface AutoresponderSchedule {
  readonly intervalHours?: number
  readonly startsAt?: number
  readonly stopsAt?: number
}

const numeric = (value: unknown): number | undefined => {
  const s = asString(value)?.trim()
  return s !== undefined && /^\d+(\.\d+)?$/.test(s) ? Number(s) : undefined
}

/**
 * `.autorespond/<address>.json` or `.conf`: interval (hours), start and stop (epoch seconds; 0 =
 * not set). The exact keys are unverified (§5.9), so a few spellings are accepted.
 */
export const parseAutoresponderSchedule = (text: string, format: "json" | "conf"): AutoresponderSchedule => {
  let record: Record<string, unknown> = {}
  if (format === "json") {
    record = asRecord(parseJson(text)) ?? {}
  } else {
    for (const line of text.split(/\r?\n/)) {
      const match = /^\s*([A-Za-z_]+)\s*[=:]\s*(.*?)\s*$/.exec(line)
      if (match && line.length <= maxHeaderLine) record[(match[1] as string).toLowerCase()] = match[2]
    }
  }
  const interval = numeric(record["interval"])
  const start = numeric(record["start"] ?? record["starttime"])
  const stop = numeric(record["stop"] ?? record["stoptime"])
  return {
    ...(interval !== undefined ? { intervalHours: interval } : {}),
    ...(start !== undefined && start > 0 ? { startsAt: start } : {}),
    ...(stop !== undefined && stop > 0 ? { stopsAt: stop } : {}),
  }
}
