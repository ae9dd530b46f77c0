/* Plain-text building blocks shared by the human reports: styling, tables, wrapping. */

/** ANSI styling that collapses to plain text when colour is off. */
export interface Style {
  readonly bold: (s: string) => string
  readonly dim: (s: string) => string
  readonly red: (s: string) => string
  readonly yellow: (s: string) => string
  readonly cyan: (s: string) => string
}

const sgr = (open: number, close: number) => (s: string) => (s === "" ? s : `\x1b[${open}m${s}\x1b[${close}m`)
const plain = (s: string) => s

export const style = (color: boolean): Style =>
  color
    ? { bold: sgr(1, 22), dim: sgr(2, 22), red: sgr(31, 39), yellow: sgr(33, 39), cyan: sgr(36, 39) }
    : { bold: plain, dim: plain, red: plain, yellow: plain, cyan: plain }

export const number = (n: number) => n.toLocaleString("en-US")

// Control characters and bidi overrides: names from a backup must not move the cursor, recolour
// or reorder the terminal (hostile input is normal input).
const unprintable = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g

/** Text from a backup made safe for a terminal: each control character becomes "\ufffd". */
export const printable = (s: string): string => s.replace(unprintable, "\ufffd")

export const truncate = (text: string, width: number) => {
  const s = printable(text)
  return s.length <= width ? s : width <= 1 ? "…".slice(0, width) : `${s.slice(0, width - 1)}…`
}

/**
 * A plain-text table: columns padded to their widest cell, the widest columns shortened (with
 * "…") until the table fits `width`. Styling is applied after padding so escapes never count.
 */
export const table = (
  header: ReadonlyArray<string>,
  rows: ReadonlyArray<ReadonlyArray<string>>,
  options: { readonly width: number; readonly right?: ReadonlyArray<number>; readonly s: Style; readonly indent?: string },
): Array<string> => {
  const indent = options.indent ?? "  "
  const gap = 2
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)))
  const available = options.width - indent.length - gap * (widths.length - 1)
  while (widths.reduce((a, b) => a + b, 0) > available) {
    const widest = widths.indexOf(Math.max(...widths))
    if ((widths[widest] ?? 0) <= 6) break
    widths[widest] = (widths[widest] ?? 0) - 1
  }
  const line = (cells: ReadonlyArray<string>) =>
    indent +
    cells
      .map((cell, i) => {
        const w = widths[i] ?? 0
        const text = truncate(cell, w)
        return options.right?.includes(i) ? text.padStart(w) : i === cells.length - 1 ? text : text.padEnd(w)
      })
      .join(" ".repeat(gap))
  return [options.s.dim(line(header)), ...rows.map(line)]
}

/** Word-wrap `text` to `width`, continuation lines indented by `hang` spaces. */
export const wrap = (text: string, width: number, hang: number): Array<string> => {
  const lines: Array<string> = []
  let current = ""
  for (const word of text
    .split(/\s+/)
    .filter((w) => w !== "")
    .map(printable)) {
    const limit = lines.length === 0 ? width : width - hang
    if (current === "") current = word
    else if (current.length + 1 + word.length <= limit) current += ` ${word}`
    else {
      lines.push(current)
      current = word
    }
    while (current.length > (lines.length === 0 ? width : width - hang)) {
      const cut = lines.length === 0 ? width : width - hang
      lines.push(current.slice(0, cut))
      current = current.slice(cut)
    }
  }
  if (current !== "" || lines.length === 0) lines.push(current)
  return lines.map((l, i) => (i === 0 ? l : " ".repeat(hang) + l))
}

/** A labelled line of a report header: "  Archive   /backups/x.tar.gz", cut to `width`. */
export const fieldLine = (name: string, value: string, width: number, s: Style, labelWidth = 10): string =>
  `  ${s.dim(name.padEnd(labelWidth))}${truncate(value, width - labelWidth - 2)}`
