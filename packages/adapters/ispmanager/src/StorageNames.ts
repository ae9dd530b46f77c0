/*
 * ispmanager 5/6 storage file names (ispmanager.md §4.1): data `F<date>.<user>.tgz` (prefix F, I
 * or C), listing `<date>.<user>.tgz`, info `<date>.<user>.info`; data may be split
 * (`.partN`) and encrypted (`.aes`). `F` is read as "full"; `I`/`C` as incremental /
 * differential, which need their full backup (§8 #3). A `#` in the user token is part of the name.
 */

export const storageNamePattern = /^([FIC]?)(\d{4}-\d{2}-\d{2})\.(.+?)\.(tgz|info)(?:\.part(\d{1,6}))?(\.aes)?$/

export interface StorageName {
  readonly kind: "data" | "listing" | "info"
  /** "F", "I", "C" for data files. */
  readonly prefix: string
  readonly date: string
  readonly user: string
  readonly volume: number | undefined
  readonly encrypted: boolean
}

export const parseStorageName = (basename: string): StorageName | undefined => {
  const match = storageNamePattern.exec(basename)
  if (match === null) return undefined
  const [, prefix = "", date = "", user = "", ext, volume, aes] = match
  if (user === "" || user.includes("/")) return undefined
  const kind = ext === "info" ? "info" : prefix === "" ? "listing" : "data"
  if (kind === "info" && (prefix !== "" || volume !== undefined || aes !== undefined)) return undefined
  return { kind, prefix, date, user, volume: volume !== undefined ? Number(volume) : undefined, encrypted: aes !== undefined }
}

export const baseName = (path: string): string => path.slice(path.lastIndexOf("/") + 1)

/** The `.info` file name that belongs to a data file name. */
export const infoNameFor = (name: StorageName): string => `${name.date}.${name.user}.info`

/** DAR slices of old ispmanager 5 backups (`name.1.dar`). */
export const darSlicePattern = /\.\d{1,6}\.dar$/
