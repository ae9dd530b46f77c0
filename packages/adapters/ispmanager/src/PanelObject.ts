import type { Fields } from "./Fields.ts"

/**
 * One object a backup describes, whatever the generation: an ISPtar `elem` (`backup` + `data`)
 * or an ispmanager 4 `PBKP_CONTENT` `item`. `type` is lower-case with any database subtype split
 * off (`db.mysql` → `db` + `mysql`).
 */
export interface PanelObject {
  readonly type: string
  readonly subtype: string | undefined
  readonly name: string
  /** The owning user as the backup names it (`backup/owner`, or the form's `owner` field). */
  readonly owner: string | undefined
  /** `backup/path`: an absolute path on the source server (optional). */
  readonly path: string | undefined
  readonly fields: Fields
  readonly source: { readonly path: string; readonly detail: string }
}

/** A short name for messages: "webdomain example.com". */
export const describeObject = (object: PanelObject): string =>
  `${object.type}${object.subtype !== undefined ? `.${object.subtype}` : ""} ${JSON.stringify(object.name.slice(0, 80))}`
