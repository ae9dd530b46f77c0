import type { Entity, EntityOf, EntityTag } from "../model/Entity.ts"
import type { Snapshot } from "../model/Snapshot.ts"
import { confirmList } from "../report/InspectReport.ts"
import type { Capabilities, Inventory } from "../target/Target.ts"
import type { Change, Check, CheckContext, Finding } from "./Check.ts"
import { dependenciesOf, entityLabel } from "./Dependencies.ts"
import type { ImportOptions } from "./ImportOptions.ts"
import type { Decision, Plan, ReportIssue } from "./Plan.ts"

interface State {
  skippedBy: string | undefined
  cascades: boolean
  readonly changes: Array<Change>
  readonly findings: Set<string>
  readonly newPasswords: Set<string>
}

export interface PipelineInput {
  readonly snapshot: Snapshot
  readonly capabilities: Capabilities
  readonly inventory: Inventory
  readonly options: ImportOptions
  readonly checks: ReadonlyArray<Check>
}

export const dependencySkipped = "dependency-skipped"

/**
 * Runs the checks in order over one snapshot and turns their findings into a plan: every entity
 * exactly once, imported, imported with changes, or skipped with the finding that decided it.
 * After each check, entities whose parent (owner account, domain, mail domain, mailbox …) is
 * skipped are skipped too, so later checks and limits count only what will really be imported.
 * Pure: the same input gives the same plan.
 */
export const runChecks = (input: PipelineInput): Plan => {
  const { snapshot } = input
  const byId = new Map<string, Entity>(snapshot.entities.map((e) => [e.id, e]))
  const state = new Map<string, State>(
    snapshot.entities.map((e) => [
      e.id,
      { skippedBy: undefined, cascades: true, changes: [], findings: new Set(), newPasswords: new Set() },
    ]),
  )
  const issues: Array<ReportIssue> = []
  const cascaded: Array<string> = []

  const context: CheckContext = {
    snapshot,
    capabilities: input.capabilities,
    inventory: input.inventory,
    options: input.options,
    plan: {
      isSkipped: (id) => state.get(id)?.skippedBy !== undefined,
      changed: (id, field) => state.get(id)?.changes.findLast((c) => c.field === field)?.to,
    },
    active: <T extends EntityTag>(tag: T) =>
      snapshot.entities.filter((e): e is EntityOf<T> => e._tag === tag && state.get(e.id)?.skippedBy === undefined),
    entity: (id) => byId.get(id),
  }

  const apply = (check: Check, finding: Finding) => {
    // A Set: one finding may touch thousands of entities (a limit, a missing server).
    const affected = new Set<string>()
    for (const effect of finding.effects) {
      const s = state.get(effect.entity)
      if (s === undefined || s.skippedBy !== undefined) continue
      if (effect.action === "skip") {
        s.skippedBy = finding.code
        s.cascades = effect.keepDependents !== true
      } else if (effect.action === "change") s.changes.push(...effect.changes)
      else s.newPasswords.add(effect.service)
      s.findings.add(finding.code)
      affected.add(effect.entity)
    }
    // A finding whose entities were all skipped earlier is not reported again, unless it blocks.
    if (affected.size === 0 && finding.effects.length > 0 && finding.blocking !== true) return
    issues.push({
      code: finding.code,
      severity: finding.severity,
      title: finding.title,
      message: finding.message,
      resolution: finding.resolution,
      count: affected.size,
      entities: [...affected],
      check: check.id,
      blocking: finding.blocking === true,
    })
  }

  const cascade = () => {
    let progress = true
    while (progress) {
      progress = false
      for (const entity of snapshot.entities) {
        const s = state.get(entity.id)
        if (s === undefined || s.skippedBy !== undefined) continue
        const parent = dependenciesOf(entity, byId).find((id) => {
          const p = state.get(id)
          return p !== undefined && p.skippedBy !== undefined && p.cascades
        })
        if (parent === undefined) continue
        s.skippedBy = dependencySkipped
        s.findings.add(dependencySkipped)
        cascaded.push(entity.id)
        progress = true
      }
    }
  }

  for (const check of input.checks) {
    for (const finding of check.run(context)) apply(check, finding)
    cascade()
  }

  if (cascaded.length > 0) {
    issues.push({
      code: dependencySkipped,
      severity: "critical",
      title: "Depends on an entity that is not imported",
      message: "these belong to an account, domain, mail domain or mailbox that is not imported",
      resolution: "not imported",
      count: cascaded.length,
      entities: cascaded,
      check: "pipeline",
      blocking: false,
    })
  }

  const decisions: Array<Decision> = snapshot.entities.map((entity) => {
    const s = state.get(entity.id) as State
    const action = s.skippedBy !== undefined ? "skip" : s.changes.length > 0 || s.newPasswords.size > 0 ? "import-with-changes" : "import"
    return {
      id: entity.id,
      tag: entity._tag,
      label: entityLabel(entity),
      action,
      changes: action === "skip" ? [] : s.changes,
      findings: [...s.findings],
      newPasswords: action === "skip" ? [] : [...s.newPasswords],
    }
  })
  const imported = (tag: EntityTag) => decisions.filter((d) => d.tag === tag && d.action !== "skip").length
  return {
    decisions,
    issues,
    confirm: confirmList.map(({ label, entity }) => ({ label, entity, count: imported(entity) })),
    blocked: issues.some((i) => i.blocking),
    summary: {
      import: decisions.filter((d) => d.action === "import").length,
      importWithChanges: decisions.filter((d) => d.action === "import-with-changes").length,
      skip: decisions.filter((d) => d.action === "skip").length,
    },
  }
}
