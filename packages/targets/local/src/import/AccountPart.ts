import { isIP } from "node:net"
import { join } from "node:path"
import {
  type Account,
  type ContentRef,
  type Domain,
  type Entity,
  type StepContext,
  StepFailed,
  type StepResult,
  TargetError,
} from "@ferry/core"
import { Effect, Redacted, Result } from "effect"
import { type AccountError, adminLogin } from "../Accounts.ts"
import { query, transaction } from "../Sqlite.ts"
import { makeFileSink } from "./FileSink.ts"
import { domainName, orFailStep, resolveOwner, systemUser } from "./Identifiers.ts"
import type { ImportEnv, ImporterPart } from "./ImportEnv.ts"
import { combineOutcomes, type PutOutcome } from "./Records.ts"
import { ensureDir, readFileIfExists, toStepFailed } from "./SafeFs.ts"

/*
 * Accounts and domains. An account becomes a row of the AccountStore (kind, owner, limits,
 * permissions, addresses), a uid from 20000 up (stable: kept in accounts.uid), a home directory
 * and a "system-user" record holding the uid, home, shell and password hash (the hash only lives
 * in the inventory database, 0600; it is never logged).
 *
 * Known gap: the system user itself is NOT created (no useradd/usermod, no /etc/passwd edit).
 * The record holds everything needed for it; until then files carry the uid/gid numerically and
 * php-fpm pools name a user that may not exist. `finish` says so once per job.
 */

/** First uid (and gid: one group per account, same number) given to imported accounts. */
export const firstUid = 20000

const fromTarget = (step: string, what: string) => (error: TargetError | AccountError) =>
  new StepFailed({
    step,
    code: error._tag === "AccountError" ? `account-${error.reason}` : "inventory",
    reason: `${what}: ${error.message}`,
  })

/** uids named in `<root>/etc/passwd` (a real server's users are never reused). */
const passwdUids = (env: ImportEnv): Effect.Effect<ReadonlySet<number>> =>
  readFileIfExists(env.root, join(env.root, "etc/passwd"), 16 * 1024 * 1024).pipe(
    Effect.map((bytes) => {
      const used = new Set<number>()
      for (const line of Buffer.from(bytes ?? new Uint8Array())
        .toString("utf8")
        .split("\n")) {
        const uid = Number(line.split(":")[2])
        if (Number.isInteger(uid)) used.add(uid)
      }
      return used as ReadonlySet<number>
    }),
    Effect.orElseSucceed(() => new Set<number>()),
  )

/** The account's uid, allocated on first use (max + 1, from 20000, skipping uids in /etc/passwd). */
export const allocateUid = (env: ImportEnv, login: string): Effect.Effect<number, TargetError> =>
  Effect.gen(function* () {
    const used = yield* passwdUids(env)
    return yield* transaction(env.store.connection, `allocating a uid for ${login}`, (db) => {
      const row = db.prepare("SELECT uid FROM accounts WHERE login = ?").get(login) as { uid: number | null } | undefined
      if (row === undefined) return Result.fail(new TargetError({ target: env.store.file, detail: `account ${login} does not exist` }))
      if (row.uid !== null) return Result.succeed(row.uid)
      const { top } = db.prepare("SELECT max(uid) AS top FROM accounts").get() as { top: number | null }
      let uid = Math.max(firstUid, (top ?? 0) + 1)
      while (used.has(uid)) uid++
      db.prepare("UPDATE accounts SET uid = ? WHERE login = ?").run(uid, login)
      return Result.succeed(uid)
    })
  })

/**
 * uid and gid for files of `login` when Ferry runs as root (undefined otherwise, or for an
 * account without a uid such as the administrator): what SafeFs and FileSink take as owner.
 */
export const accountOwnership = (env: ImportEnv, login: string): Effect.Effect<{ uid?: number; gid?: number }, TargetError> =>
  query(env.store.connection, `reading the uid of ${login}`, (db) => {
    const row = db.prepare("SELECT uid FROM accounts WHERE login = ?").get(login) as { uid: number | null } | undefined
    return row?.uid ?? null
  }).pipe(Effect.map((uid) => (env.runningAsRoot && uid !== null ? { uid, gid: uid } : {})))

/** Addresses after the plan's `ip` changes (from → to); anything that is not an IP is dropped. */
const mappedIps = (ips: ReadonlyArray<string>, ctx: StepContext): Array<string> => {
  const moves = ctx.decision.changes.filter((c) => c.field === "ip")
  const mapped = ips.map((ip) => moves.find((m) => m.from === ip)?.to ?? ip)
  return [...new Set(mapped.filter((ip) => isIP(ip) !== 0))]
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

/** Home directory: 0711 (cPanel's choice), so nginx can reach a docroot inside without listing the home. */
const homeMode = 0o711

export const makeAccountPart = (env: ImportEnv): ImporterPart => {
  const applyAccount = Effect.fn("AccountPart.account")(function* (account: Account, ctx: StepContext) {
    if (account.kind === "admin" || account.login === adminLogin)
      return {
        outcome: "unchanged",
        notes: [`the source administrator ${account.login} is not created; its objects belong to ${adminLogin}`],
      } satisfies StepResult
    const step = account.id
    const login = yield* orFailStep(step, systemUser(account.login))
    const ownerLogin = yield* orFailStep(step, resolveOwner(account, ctx))
    const owner = ownerLogin === adminLogin ? null : ownerLogin
    const failed = fromTarget(step, `account ${login}`)
    const wanted = {
      kind: account.kind,
      owner,
      limits: account.limits,
      permissions: account.permissions,
      ipPool: mappedIps(account.ipPool, ctx),
    }
    const existing = yield* env.store.accounts.show(login).pipe(
      Effect.map((a) => a as typeof a | undefined),
      Effect.catchTag("AccountError", (e) => (e.reason === "not-found" ? Effect.succeed(undefined) : Effect.fail(e))),
      Effect.mapError(failed),
    )
    let outcome: PutOutcome = "unchanged"
    if (existing === undefined) {
      yield* env.store.accounts.add({ login, ...wanted }).pipe(Effect.mapError(failed))
      outcome = "created"
    } else if (
      existing.kind !== wanted.kind ||
      (existing.owner ?? adminLogin) !== (owner ?? adminLogin) ||
      !sameJson(existing.limits, wanted.limits) ||
      !sameJson(existing.permissions, wanted.permissions) ||
      !sameJson(existing.ipPool, wanted.ipPool)
    ) {
      yield* env.store.accounts.set(login, wanted).pipe(Effect.mapError(failed))
      outcome = "updated"
    }
    const uid = yield* allocateUid(env, login).pipe(Effect.mapError(failed))
    const home = env.layout.home(login)
    const fsFailed = toStepFailed(step, `home of ${login}`)
    yield* ensureDir(env.root, join(env.root, "home"), { mode: 0o755 }).pipe(Effect.mapError(fsFailed))
    const made = yield* ensureDir(env.root, home, { mode: homeMode, ...(env.runningAsRoot ? { uid, gid: uid } : {}) }).pipe(
      Effect.mapError(fsFailed),
    )
    const record = yield* env.records
      .put("system-user", login, login, {
        uid,
        gid: uid,
        home,
        shell: account.permissions.shellAccess === true ? "/bin/bash" : "/usr/sbin/nologin",
        status: account.status,
        // The hash is written to the inventory (0600) only; StoredRecord data is never logged.
        passwordHash:
          account.passwordHash === undefined
            ? null
            : { scheme: account.passwordHash.scheme, value: Redacted.value(account.passwordHash.value) },
      })
      .pipe(Effect.mapError(failed))
    return { outcome: combineOutcomes([outcome, record, made.length > 0 ? "created" : "unchanged"]) } satisfies StepResult
  })

  const applyDomain = Effect.fn("AccountPart.domain")(function* (domain: Domain, ctx: StepContext) {
    const step = domain.id
    const name = yield* orFailStep(step, domainName(domain.name))
    const owner = yield* orFailStep(step, resolveOwner(domain, ctx))
    const failed = fromTarget(step, `domain ${name}`)
    yield* env.store.record.domain(name, owner).pipe(Effect.mapError(failed))
    const parent = domain.parent === undefined ? undefined : ctx.entity(domain.parent)
    const outcome = yield* env.records
      .put("domain", name, owner, {
        kind: domain.kind,
        parent: parent?._tag === "Domain" ? parent.name.toLowerCase() : null,
        site: domain.site ?? null,
        ips: mappedIps(domain.ips, ctx),
        ...(domain.aliasServices !== undefined ? { aliasServices: domain.aliasServices } : {}),
      })
      .pipe(Effect.mapError(failed))
    return { outcome } satisfies StepResult
  })

  const homeContent = Effect.fn("AccountPart.home")(function* (ref: ContentRef, entity: Entity, ctx: StepContext) {
    if (entity._tag !== "Account")
      return yield* new StepFailed({ step: ref.id, code: "wrong-owner", reason: `home content belongs to an account, not to ${entity.id}` })
    const login = yield* orFailStep(ref.id, systemUser(entity.login))
    const ownership = yield* accountOwnership(env, login).pipe(Effect.mapError(fromTarget(ref.id, `home of ${login}`)))
    const home = env.layout.home(login)
    return yield* makeFileSink({
      step: ref.id,
      label: `home of ${login}`,
      root: env.root,
      destination: home,
      destinationMode: homeMode,
      linkBoundary: home,
      ...ownership,
      log: ctx.log,
    })
  })

  return {
    apply: { Account: applyAccount, Domain: applyDomain },
    content: { home: homeContent },
    finish: () =>
      env.records.list("system-user").pipe(
        Effect.map((users) =>
          users.length === 0
            ? []
            : [
                {
                  level: "warning" as const,
                  message: `${users.length} system user${users.length === 1 ? " is" : "s are"} recorded with uid, home and password hash but not created: run useradd for them (Ferry does not edit /etc/passwd yet)`,
                },
              ],
        ),
        Effect.orElseSucceed(() => []),
      ),
  }
}
