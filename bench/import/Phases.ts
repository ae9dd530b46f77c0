import { readFile } from "node:fs/promises"
import { ferryBin, run } from "../Measure.ts"

/*
 * Where an import's time went, from the job's journal (`ferry jobs show ID --steps --json`):
 * steps record when they last changed, so a phase ends with its last step. Dumps come first in a
 * cPanel archive (mysql/ before homedir/) and each dump step finishes as its entry ends, so the
 * content pass splits into "dumps" and "files"; mail and web steps all finish at the end of the pass.
 */

interface Step {
  readonly phase: string
  readonly label: string
  readonly kind: string
  readonly updatedAt: string
}

interface Shown {
  readonly job: { readonly startedAt?: string; readonly finishedAt?: string }
  readonly steps?: ReadonlyArray<Step>
}

export interface Phases {
  /** Process start to the job's start: loading, the checks, the plan. */
  readonly beforeJob: number
  readonly structure: number
  readonly dumps: number
  readonly files: number
  readonly settings: number
}

const at = (iso: string | undefined): number => (iso === undefined ? Number.NaN : Date.parse(iso) / 1000)

const lastOf = (steps: ReadonlyArray<Step>, from: number): number => steps.reduce((last, step) => Math.max(last, at(step.updatedAt)), from)

export const jobPhases = async (
  jobId: string,
  stateDir: string,
  scratchFile: string,
  totalSeconds: number,
): Promise<Phases | undefined> => {
  const shown = await run(ferryBin, ["jobs", "show", jobId, "--steps", "--json", "--state-dir", stateDir], { stdoutPath: scratchFile })
  if (shown.code !== 0) return undefined
  const report = JSON.parse(await readFile(scratchFile, "utf8")) as Shown
  const steps = report.steps ?? []
  const start = at(report.job.startedAt)
  const finish = at(report.job.finishedAt)
  if (!Number.isFinite(start) || !Number.isFinite(finish)) return undefined
  const structureEnd = lastOf(
    steps.filter((s) => s.phase === "structure"),
    start,
  )
  const content = steps.filter((s) => s.phase === "content")
  const dumpsEnd = lastOf(
    content.filter((s) => s.label.startsWith("database-dump")),
    structureEnd,
  )
  const contentEnd = lastOf(content, dumpsEnd)
  return {
    beforeJob: totalSeconds - (finish - start),
    structure: structureEnd - start,
    dumps: dumpsEnd - structureEnd,
    files: contentEnd - dumpsEnd,
    settings: finish - contentEnd,
  }
}

export const phasesLine = (p: Phases): string =>
  `start-up + checks ${p.beforeJob.toFixed(1)} s, structure ${p.structure.toFixed(1)} s, dumps ${p.dumps.toFixed(1)} s, files ${p.files.toFixed(1)} s, settings ${p.settings.toFixed(1)} s`
