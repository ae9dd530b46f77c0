import { Schema } from "effect"
import { Change } from "./Check.ts"

/** What happens to one entity of the snapshot. Every entity appears exactly once in a plan. */
export const Decision = Schema.Struct({
  id: Schema.String,
  tag: Schema.String,
  /** Short name for people ("info@example.com", "wp_db"). */
  label: Schema.String,
  action: Schema.Literals(["import", "import-with-changes", "skip"]),
  changes: Schema.Array(Change),
  /** Codes of the findings that decided this (skip) or changed it. */
  findings: Schema.Array(Schema.String),
  /** Services whose password is regenerated because the hash cannot be used there. */
  newPasswords: Schema.Array(Schema.String),
})
export type Decision = typeof Decision.Type

/** One issue of the report: the seed's line, with the count and the list behind it. */
export const ReportIssue = Schema.Struct({
  code: Schema.String,
  severity: Schema.Literals(["critical", "warning"]),
  title: Schema.String,
  message: Schema.String,
  resolution: Schema.String,
  count: Schema.Number,
  entities: Schema.Array(Schema.String),
  /** Which check raised it. */
  check: Schema.String,
  /** The import cannot start until this is resolved. */
  blocking: Schema.Boolean,
})
export type ReportIssue = typeof ReportIssue.Type

export const PlanConfirmItem = Schema.Struct({ label: Schema.String, entity: Schema.String, count: Schema.Number })

export const Plan = Schema.Struct({
  decisions: Schema.Array(Decision),
  issues: Schema.Array(ReportIssue),
  /** The Confirm step: how many of each kind will be imported. */
  confirm: Schema.Array(PlanConfirmItem),
  /** True when a blocking issue stops the whole import. */
  blocked: Schema.Boolean,
  /** Totals per action. */
  summary: Schema.Struct({ import: Schema.Number, importWithChanges: Schema.Number, skip: Schema.Number }),
})
export type Plan = typeof Plan.Type
