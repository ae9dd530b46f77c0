import { dirname } from "node:path"
import type { CronJob, StepContext, StepResult } from "@ferry/core"
import { StepFailed } from "@ferry/core"
import { Effect } from "effect"
import { type CronLine, type CronPolicy, cronKey, renderCrontab, validateCron } from "./CronValidator.ts"
import { fileOwner, inventoryFailure, ownerIds } from "./Dovecot.ts"
import type { ImportEnv, ImporterPart } from "./ImportEnv.ts"
import { combineOutcomes } from "./Records.ts"
import { ensureDir, toStepFailed, writeFileAtomic } from "./SafeFs.ts"

/*
 * Cron jobs (security rule 26, checklist items 44 and 49). Each job passes the validator, becomes
 * a "cron" record keyed by user and a hash of schedule and command, and the user's crontab is
 * rendered from all of the user's records: importing the same job twice leaves one line. Only
 * the owning account's own crontab is ever written (never root's or another user's).
 */

export const cronKind = "cron"

export interface CronData extends CronLine {
  readonly user: string
}

const applyCron =
  (env: ImportEnv, policy: CronPolicy) =>
  (job: CronJob, ctx: StepContext): Effect.Effect<StepResult, StepFailed> =>
    Effect.gen(function* () {
      const owner = yield* ownerIds(env, job, ctx)
      const user = ctx.decision.changes.find((c) => c.field === "user")?.to ?? job.user
      if (user !== owner.login)
        return yield* new StepFailed({
          step: job.id,
          code: "cron-user",
          reason: `cron job of ${JSON.stringify(job.user.slice(0, 40))}: only the owning account's crontab (${owner.login}) is written`,
        })
      const verdict = validateCron({ schedule: job.schedule, command: job.command, user, mailTo: job.mailTo }, policy)
      if (verdict._tag === "refused")
        return yield* new StepFailed({ step: job.id, code: verdict.code, reason: `cron job of ${user}: ${verdict.reason}` })
      const data: CronData = { user, ...verdict.job, enabled: job.enabled }
      const put = yield* env.records
        .put(cronKind, cronKey(user, verdict.job), owner.login, data)
        .pipe(Effect.mapError(inventoryFailure(job.id)))
      const rows = yield* env.records.list(cronKind, { keyPrefix: `${user}/` }).pipe(Effect.mapError(inventoryFailure(job.id)))
      const text = renderCrontab(
        user,
        rows.map((r) => r.data as CronData),
      )
      // The spool directory stays root's (a tenant owning it could plant other users' crontabs);
      // cron only reads a spool file owned by its user with mode 0600.
      const file = env.layout.crontab(user)
      yield* ensureDir(env.root, dirname(file), { mode: 0o700 }).pipe(Effect.mapError(toStepFailed(job.id, "the cron spool directory")))
      const written = yield* writeFileAtomic(env.root, file, text, {
        mode: 0o600,
        ...fileOwner(env, owner),
        fsync: true,
      }).pipe(Effect.mapError(toStepFailed(job.id, `the crontab of ${user}`)))
      return { outcome: combineOutcomes([put, written]) }
    })

export const makeCronPart = (env: ImportEnv, policy: CronPolicy = {}) =>
  ({
    apply: { CronJob: applyCron(env, policy) },
  }) satisfies ImporterPart
