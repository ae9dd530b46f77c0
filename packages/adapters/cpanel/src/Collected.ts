import type { EntryType, ParseNote, SnapshotBuilder } from "@ferry/core"

/** Metadata files are read into memory up to this size; larger ones are noted, never read. */
export const metadataCap = 8 * 1024 * 1024

/** A file seen during the scan, with its text when it was small enough and worth reading. */
export interface SeenFile {
  /** Full archive path. */
  readonly path: string
  /** Path relative to the payload root (or to `homedir/` for home files). */
  readonly rel: string
  readonly type: EntryType
  readonly size: number
  readonly text: string | undefined
  /** True when the file was worth reading but exceeded {@link metadataCap}. */
  readonly tooLarge: boolean
}

/**
 * Every entry outside `homedir/`, kept until the scan ends (hand-re-tarred archives may have any
 * order). Readers mark what they use; whatever nobody used or noted is reported at the end.
 */
export class MetaFiles {
  private readonly files = new Map<string, SeenFile>()
  private readonly used = new Set<string>()

  add(file: SeenFile): void {
    this.files.set(file.rel, file)
  }

  /** The file at `rel`, marked as used. */
  get(rel: string): SeenFile | undefined {
    const file = this.files.get(rel)
    if (file) this.used.add(rel)
    return file
  }

  /** The text of the file at `rel` (marked as used); undefined if absent or too large. */
  text(rel: string): string | undefined {
    return this.get(rel)?.text
  }

  /** The file at `rel` without marking it used (for facts other readers also report). */
  peek(rel: string): SeenFile | undefined {
    return this.files.get(rel)
  }

  has(rel: string): boolean {
    return this.files.has(rel)
  }

  /** Files directly inside `dir` (not marked). */
  children(dir: string): Array<SeenFile> {
    const prefix = `${dir}/`
    return [...this.files.values()].filter((f) => f.rel.startsWith(prefix) && !f.rel.slice(prefix.length).includes("/"))
  }

  /** Files anywhere below `dir` (not marked). */
  below(dir: string): Array<SeenFile> {
    const prefix = `${dir}/`
    return [...this.files.values()].filter((f) => f.rel.startsWith(prefix))
  }

  markUsed(rel: string): void {
    this.used.add(rel)
  }

  unused(): Array<SeenFile> {
    return [...this.files.values()].filter((f) => !this.used.has(f.rel))
  }
}

/** Per-mailbox facts gathered from the mail tree without reading messages. */
export interface MailDirFacts {
  mdbox: boolean
  files: number
  /** Messages whose stored size is below the `,S=` size in their name: gzip-compressed. */
  compressed: number
  compressedDeclaredBytes: number
  indexFiles: number
}

/** What the scan saw under `homedir/` (or a nested `homedir.tar`). */
export class HomeScan {
  /** Small metadata files inside the home, keyed by home-relative path. */
  readonly files = new Map<string, SeenFile>()
  /** `etc/<domain>/` directories (mail domains). */
  readonly etcDomains = new Set<string>()
  /** `mail/<domain>/<box>` → facts. */
  readonly mailDirs = new Map<string, MailDirFacts>()
  /** `mail/.<box>@<domain_with_underscores>` namespace links → target. */
  readonly mailLinks = new Map<string, string>()
  /** Entries of the account's own default mailbox (`mail/cur`, `mail/new`, `mail/tmp`, `mail/.Folder`). */
  readonly defaultMailboxFolders = new Set<string>()
  /** Old backup archives copied into the home (pitfall 24). */
  readonly oldBackups: Array<{ readonly path: string; readonly size: number }> = []
  /** `nested` when the home came from a legacy `homedir.tar`. */
  source: "none" | "directory" | "nested" = "none"

  mailDir(key: string): MailDirFacts {
    let facts = this.mailDirs.get(key)
    if (!facts) {
      facts = { mdbox: false, files: 0, compressed: 0, compressedDeclaredBytes: 0, indexFiles: 0 }
      this.mailDirs.set(key, facts)
    }
    return facts
  }
}

/** Everything the entity builders share once the scan is over. */
export interface Assembly {
  readonly builder: SnapshotBuilder
  /** Payload root ("" or "cpmove-USER"), and its archive-path prefix. */
  readonly root: string
  readonly prefix: string
  readonly login: string
  readonly accountId: string
  readonly meta: MetaFiles
  readonly home: HomeScan
  /** Every absolute path the account's home was known by on the source (pitfall 7). */
  readonly homePrefixes: Array<string>
  /** Source-server names and addresses (meta/hostname, IP=, related IPs), for host filtering. */
  readonly sourceHosts: Set<string>
}

/** Add a note about a payload-relative path. */
export const noteAt = (a: Assembly, severity: ParseNote["severity"], code: string, subject: string, rel: string, message: string): void =>
  a.builder.note({ severity, code, subject, path: `${a.prefix}${rel}`, message })

/** A dump or create file whose database name fails the identifier allow-list (security rule 12). */
export const noteInvalidDatabaseName = (a: Assembly, rel: string): void =>
  noteAt(a, "error", "database-name-invalid", `file ${rel}`, rel, "the database name holds characters Ferry does not accept; skipped")

/** Archive path of a payload-relative path. */
export const archivePath = (a: Assembly, rel: string): string => `${a.prefix}${rel}`

/** Archive path of a home-relative path. */
export const homePath = (a: Assembly, rel: string): string => `${a.prefix}homedir/${rel}`
