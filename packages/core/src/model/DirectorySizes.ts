/**
 * Byte and file totals per directory, kept for every ancestor of every file up to `maxDepth`
 * levels deep. Memory grows with the number of distinct directories (not files), which stays
 * small next to the data: a 30,000-file home has a few thousand directories.
 *
 * A directory deeper than `maxDepth` is measured by its ancestor at `maxDepth`; `measure` then
 * reports `exact: false`.
 */
export class DirectorySizes {
  private readonly totals = new Map<string, { bytes: number; files: number }>()
  private readonly files = new Map<string, number>()

  private readonly maxDepth: number

  constructor(maxDepth = 12) {
    this.maxDepth = maxDepth
  }

  /**
   * Count a regular file. Its own size is remembered only with `keepFile` (single-file content
   * such as dumps), so memory does not grow with the number of files.
   */
  add(path: string, size: number, keepFile = false): void {
    if (keepFile) this.files.set(path, size)
    const parts = path.split("/")
    let prefix = ""
    const limit = Math.min(parts.length - 1, this.maxDepth)
    for (let i = 0; i < limit; i++) {
      prefix += `${parts[i]}/`
      const total = this.totals.get(prefix)
      if (total) {
        total.bytes += size
        total.files += 1
      } else {
        this.totals.set(prefix, { bytes: size, files: 1 })
      }
    }
  }

  /** Totals for a directory (path ending in "/") or a single file. */
  measure(path: string): { bytes: number; files: number; exact: boolean } {
    if (!path.endsWith("/")) {
      const size = this.files.get(path)
      return size === undefined ? { bytes: 0, files: 0, exact: true } : { bytes: size, files: 1, exact: true }
    }
    const total = this.totals.get(path)
    const depth = path.split("/").length - 1
    return { bytes: total?.bytes ?? 0, files: total?.files ?? 0, exact: depth <= this.maxDepth }
  }
}
