import type { InspectResult } from "../adapter/Inspector.ts"
import type { ImportOptions } from "../check/ImportOptions.ts"
import type { Decision, Plan, ReportIssue } from "../check/Plan.ts"
import type { Entity, EntityTag } from "../model/Entity.ts"
import { countEntities } from "../model/Snapshot.ts"
import { backupFacts } from "./InspectReport.ts"

/**
 * What `ferry check` reports: the Check step (critical issues and warnings, each with the number
 * of entities behind it and the list the seed lets you click through to) and the Confirm step
 * (what will be imported). A plain, JSON-safe object built from ids, labels and counts only, so
 * no password hash, key or other secret can reach it.
 */
export interface CheckReport {
  readonly panel: string
  readonly panelVersion?: string
  readonly formatVersion?: string
  readonly archive: {
    readonly path: string
    readonly container: string
    readonly bytes: number
    readonly entries: number
    readonly contentBytes: number
  }
  readonly hostname?: string
  /** The import options the plan was made with, defaults filled in. */
  readonly options: CheckReportOptions
  /** True when a blocking issue stops the whole import. */
  readonly blocked: boolean
  /** Entities that will not be imported, grouped by the finding that decided it. */
  readonly critical: ReadonlyArray<CheckIssue>
  /** Entities imported with changed settings or new passwords. */
  readonly warning: ReadonlyArray<CheckIssue>
  /** Settings the import changes, per entity (`example.com: php.version 8.1 → 8.2`). */
  readonly changes: ReadonlyArray<EntityChanges>
  readonly skipped: ReadonlyArray<SkippedEntity>
  /** Passwords generated on import because the source hash is unusable there; never a value. */
  readonly newPasswords: ReadonlyArray<NewPassword>
  /** The Confirm step: per kind, how many will be imported of how many the backup holds. */
  readonly confirm: ReadonlyArray<CheckConfirmItem>
  readonly totals: CheckTotals
}

export interface CheckReportOptions {
  /** Source accounts to import; absent = all. */
  readonly users?: ReadonlyArray<string>
  readonly existing: ImportOptions["existing"]
  readonly only?: "mail" | "hosting"
  readonly owner?: string
  readonly ipMap: Readonly<Record<string, string>>
  readonly dbMap: Readonly<Record<string, string>>
}

/** An entity as the report names it: id for scripts, label and kind for people. */
export interface EntityRef {
  readonly id: string
  readonly label: string
  readonly kind: EntityTag
}

export interface CheckIssue {
  readonly code: string
  readonly title: string
  readonly message: string
  readonly resolution: string
  /** The check that raised it ("pipeline" for dependents of skipped entities). */
  readonly check: string
  readonly blocking: boolean
  /** The seed's number next to the issue; `entities` is the list behind it. */
  readonly count: number
  readonly entities: ReadonlyArray<EntityRef>
}

export interface EntityChanges extends EntityRef {
  readonly changes: ReadonlyArray<{ readonly field: string; readonly from: string; readonly to: string }>
}

export interface SkippedEntity extends EntityRef {
  /** Code and title of the finding that kept it out. */
  readonly finding: string
  readonly title: string
}

export interface NewPassword extends EntityRef {
  /** The service the password is for ("mail", "ftp", "mysql", …). */
  readonly service: string
}

export interface CheckConfirmItem {
  readonly label: string
  readonly entity: EntityTag
  /** Will be imported. */
  readonly count: number
  /** In the backup. */
  readonly total: number
}

export interface CheckTotals {
  readonly entities: number
  readonly import: number
  readonly importWithChanges: number
  readonly skip: number
  readonly criticalIssues: number
  readonly warningIssues: number
  readonly newPasswords: number
}

/**
 * A cron command line may carry a password (`mysqldump -pSECRET`, `?key=…`); the report names a
 * job by its schedule and program only.
 */
const cronLabel = (schedule: string, command: string): string => {
  const words = command.trim().split(/\s+/)
  const program = words[0] ?? ""
  return `${schedule} ${program}${words.length > 1 ? " …" : ""}`.trim()
}

const refLabel = (decision: Decision, entity: Entity | undefined): string =>
  entity?._tag === "CronJob" ? cronLabel(entity.schedule, entity.command) : decision.label

const issueOf = (issue: ReportIssue, ref: (id: string) => EntityRef): CheckIssue => ({
  code: issue.code,
  title: issue.title,
  message: issue.message,
  resolution: issue.resolution,
  check: issue.check,
  blocking: issue.blocking,
  count: issue.count,
  entities: issue.entities.map(ref),
})

const appliedOptions = (options: ImportOptions): CheckReportOptions => ({
  ...(options.users !== undefined ? { users: [...options.users] } : {}),
  existing: options.existing,
  ...(options.only !== undefined ? { only: options.only } : {}),
  ...(options.owner !== undefined ? { owner: options.owner } : {}),
  ipMap: { ...options.ipMap },
  dbMap: { ...options.dbMap },
})

/** The report of one check run: backup facts, options, issues, decisions, Confirm list. */
export const checkReport = (inspect: InspectResult, plan: Plan, options: ImportOptions): CheckReport => {
  const { snapshot } = inspect
  const entities = new Map<string, Entity>(snapshot.entities.map((e) => [e.id, e]))
  const decisions = new Map<string, Decision>(plan.decisions.map((d) => [d.id, d]))
  const ref = (id: string): EntityRef => {
    const decision = decisions.get(id)
    const entity = entities.get(id)
    if (decision === undefined) return { id, label: id, kind: entity?._tag ?? "Account" }
    return { id, label: refLabel(decision, entity), kind: decision.tag as EntityTag }
  }

  // An entity leaves the pipeline's view once skipped, so the last issue naming it is the one
  // that skipped it.
  const lastIssue = new Map<string, ReportIssue>()
  for (const issue of plan.issues) for (const id of issue.entities) lastIssue.set(id, issue)

  const changes: Array<EntityChanges> = []
  const skipped: Array<SkippedEntity> = []
  const newPasswords: Array<NewPassword> = []
  for (const decision of plan.decisions) {
    if (decision.action === "skip") {
      const issue = lastIssue.get(decision.id)
      const finding = issue?.code ?? decision.findings.at(-1) ?? "unknown"
      skipped.push({ ...ref(decision.id), finding, title: issue?.title ?? finding })
      continue
    }
    if (decision.changes.length > 0) {
      changes.push({ ...ref(decision.id), changes: decision.changes.map(({ field, from, to }) => ({ field, from, to })) })
    }
    for (const service of decision.newPasswords) newPasswords.push({ ...ref(decision.id), service })
  }

  const counts = countEntities(snapshot)
  const critical = plan.issues.filter((i) => i.severity === "critical").map((i) => issueOf(i, ref))
  const warning = plan.issues.filter((i) => i.severity === "warning").map((i) => issueOf(i, ref))
  return {
    ...backupFacts(inspect),
    options: appliedOptions(options),
    blocked: plan.blocked,
    critical,
    warning,
    changes,
    skipped,
    newPasswords,
    confirm: plan.confirm.map(({ label, entity, count }) => ({
      label,
      entity: entity as EntityTag,
      count,
      total: counts[entity as EntityTag] ?? 0,
    })),
    totals: {
      entities: plan.decisions.length,
      import: plan.summary.import,
      importWithChanges: plan.summary.importWithChanges,
      skip: plan.summary.skip,
      criticalIssues: critical.length,
      warningIssues: warning.length,
      newPasswords: newPasswords.length,
    },
  }
}
