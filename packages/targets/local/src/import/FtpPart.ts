import { dirname, join } from "node:path"
import type { FtpUser, PasswordScheme, StepContext, StepResult } from "@ferry/core"
import { StepFailed } from "@ferry/core"
import { Effect, Result } from "effect"
import { choosePassword, cryptSchemes, fileOwner, inventoryFailure, ownerIds, settlePassword } from "./Dovecot.ts"
import type { FinishLine, ImportEnv, ImporterPart } from "./ImportEnv.ts"
import { combineOutcomes, type PutOutcome } from "./Records.ts"
import { containedPath, ensureDir, toStepFailed, writeFileAtomic } from "./SafeFs.ts"

/*
 * FTP users as virtual users of the receiving FTP server, in one file rendered from all
 * "ftp-user" records: Pure-FTPd's text passwd file (`pure-pw` format; `pure-pw mkdb` turns it
 * into the .pdb the server reads) or ProFTPD's AuthUserFile (`ftpasswd` format). With no FTP
 * server (or vsftpd, which uses system users) the Pure-FTPd file is written and the step says so.
 * The user's directory must stay inside the owning account's home (checklist item 28); the
 * server runs the session as the account's uid, chrooted there. Hashes follow the mail rules:
 * crypt(3) schemes are kept, anything else gets a new SHA512-CRYPT password (item 43).
 */

export const ftpUserKind = "ftp-user"

export interface FtpUserData {
  readonly login: string
  readonly scheme: PasswordScheme
  readonly hash: string
  readonly uid: number
  readonly gid: number
  readonly home: string
  readonly quotaBytes: number | null
  readonly generated: boolean
}

export type FtpFlavour = "pure-ftpd" | "proftpd"

/** Logins the FTP servers accept in their files: no ":" or whitespace; `user@domain` allowed. */
export const isFtpLogin = (login: string): boolean => /^[A-Za-z0-9_][A-Za-z0-9._@+-]{0,63}$/.test(login)

/**
 * Pure-FTPd: `login:hash:uid:gid:gecos:home/./:` then 12 fields (bandwidth up/down, ratios up/down,
 * max connections, files quota, size quota in bytes, local/client IP allow/deny, time). The
 * `/./` suffix chroots the user into the directory.
 */
export const pureFtpdLine = (user: FtpUserData): string =>
  [
    user.login,
    user.hash,
    user.uid,
    user.gid,
    "",
    `${user.home.replace(/\/+$/, "")}/./`,
    "",
    "",
    "",
    "",
    "",
    "",
    user.quotaBytes === null ? "" : String(Math.max(0, Math.floor(user.quotaBytes))),
    "",
    "",
    "",
    "",
    "",
  ].join(":")

/** ProFTPD AuthUserFile (passwd(5) layout); `RequireValidShell off` accepts /bin/false. */
export const proftpdLine = (user: FtpUserData): string => `${user.login}:${user.hash}:${user.uid}:${user.gid}::${user.home}:/bin/false`

export const renderFtpUsers = (flavour: FtpFlavour, users: ReadonlyArray<FtpUserData>): string => {
  const line = flavour === "pure-ftpd" ? pureFtpdLine : proftpdLine
  const lines = [...users].sort((a, b) => (a.login < b.login ? -1 : a.login > b.login ? 1 : 0)).map(line)
  return [`# FTP users: written by Ferry from its inventory; edits are replaced on the next import.`, ...lines, ""].join("\n")
}

export const ftpFlavour = (env: ImportEnv): FtpFlavour => (env.capabilities.ftp.kind === "proftpd" ? "proftpd" : "pure-ftpd")

/** The FTP user's directory: the account home joined with `homeDir`, which must stay inside it. */
export const ftpHome = (accountHome: string, homeDir: string): Result.Result<string, string> => {
  const rel = homeDir.replace(/^\.\/+/, "").replace(/\/+$/, "")
  if (rel === "" || rel === ".") return Result.succeed(accountHome)
  if (rel.startsWith("/"))
    return Result.fail(`the directory ${JSON.stringify(homeDir.slice(0, 100))} is absolute; it must lie inside the account's home`)
  if (/[\u0000-\u001f\u007f:\\]/.test(rel))
    return Result.fail(`the directory ${JSON.stringify(homeDir.slice(0, 100))} holds a character FTP files cannot carry`)
  const home = join(accountHome, rel)
  const contained = containedPath(accountHome, `${accountHome}/${rel}`)
  return Result.isSuccess(contained)
    ? Result.succeed(home)
    : Result.fail(`the directory ${JSON.stringify(homeDir.slice(0, 100))} leaves the account's home`)
}

const supportedSchemes: ReadonlySet<PasswordScheme> = cryptSchemes

const quotaOf = (user: FtpUser, ctx: StepContext): number | null => {
  const changed = ctx.decision.changes.find((c) => c.field === "quotaBytes")
  const raw = changed !== undefined ? (changed.to === "unlimited" ? null : Number(changed.to)) : (user.quotaBytes ?? null)
  return raw === null || !Number.isFinite(raw) || raw < 0 ? null : Math.floor(raw)
}

const applyFtpUser =
  (env: ImportEnv) =>
  (user: FtpUser, ctx: StepContext): Effect.Effect<StepResult, StepFailed> =>
    Effect.gen(function* () {
      if (!isFtpLogin(user.login))
        return yield* new StepFailed({
          step: user.id,
          code: "invalid-name",
          reason: `FTP user ${JSON.stringify(user.login.slice(0, 64))}: not a valid login`,
        })
      const owner = yield* ownerIds(env, user, ctx)
      const accountHome = env.layout.home(owner.login)
      const home = ftpHome(accountHome, user.homeDir)
      if (Result.isFailure(home))
        return yield* new StepFailed({ step: user.id, code: "home-outside", reason: `FTP user ${user.login}: ${home.failure}` })
      yield* env.store.record
        .ftpUser(user.login, owner.login)
        .pipe(
          Effect.mapError((e) => new StepFailed({ step: user.id, code: "ftp-user-exists", reason: `FTP user ${user.login}: ${e.detail}` })),
        )
      // The home's parent (e.g. <root>/home) is never given to the tenant; the rest is theirs.
      const dirs = [
        ...(yield* ensureDir(env.root, dirname(accountHome), { mode: 0o755 })),
        ...(yield* ensureDir(env.root, home.success, { mode: 0o755, ...fileOwner(env, owner) })),
      ]
      const previous = (yield* env.records.get(ftpUserKind, user.login).pipe(Effect.mapError(inventoryFailure(user.id))))?.data as
        | FtpUserData
        | undefined
      const password = yield* settlePassword(env.records, {
        service: "ftp",
        login: user.login,
        owner: owner.login,
        step: user.id,
        label: `FTP user ${user.login}`,
        choice: choosePassword(
          user.passwordHash,
          env.capabilities.passwordSchemes.ftp,
          supportedSchemes,
          ctx.decision.newPasswords.includes("ftp"),
        ),
        previous: previous === undefined ? undefined : { scheme: previous.scheme, value: previous.hash },
      })
      const data: FtpUserData = {
        login: user.login,
        scheme: password.scheme,
        hash: password.value,
        uid: owner.uid,
        gid: owner.gid,
        home: home.success,
        quotaBytes: quotaOf(user, ctx),
        generated: password.generated,
      }
      const put = yield* env.records.put(ftpUserKind, user.login, owner.login, data).pipe(Effect.mapError(inventoryFailure(user.id)))
      const rows = yield* env.records.list(ftpUserKind).pipe(Effect.mapError(inventoryFailure(user.id)))
      const flavour = ftpFlavour(env)
      const file = flavour === "pure-ftpd" ? env.layout.pureFtpdPasswd : env.layout.proftpdPasswd
      const written = yield* writeFileAtomic(
        env.root,
        file,
        renderFtpUsers(
          flavour,
          rows.map((r) => r.data as FtpUserData),
        ),
        { mode: 0o600, fsync: true },
      ).pipe(Effect.mapError(toStepFailed(user.id, "the FTP users file")))
      const notes = [
        ...(password.note !== undefined ? [password.note] : []),
        ...(env.capabilities.ftp.kind === "pure-ftpd" || env.capabilities.ftp.kind === "proftpd"
          ? []
          : [`FTP user ${user.login}: the receiving server has no Pure-FTPd or ProFTPD; the user is written to ${file} for one`]),
      ]
      const outcomes: Array<PutOutcome> = [put, written, dirs.length > 0 ? "created" : "unchanged"]
      return { outcome: combineOutcomes(outcomes), ...(notes.length > 0 ? { notes } : {}) }
    }).pipe(Effect.mapError((e) => (e instanceof StepFailed ? e : toStepFailed(user.id, `FTP user ${user.login}`)(e))))

const finish = (env: ImportEnv) => (_ctx: { readonly jobId: string }) =>
  env.records.list(ftpUserKind).pipe(
    Effect.map(
      (rows): ReadonlyArray<FinishLine> =>
        rows.length > 0 && ftpFlavour(env) === "pure-ftpd"
          ? [
              {
                level: "info",
                message: `Pure-FTPd reads a .pdb file: run "pure-pw mkdb <pdb> -f ${env.layout.pureFtpdPasswd}" to load the ${rows.length} FTP user(s)`,
              },
            ]
          : [],
    ),
    Effect.orElseSucceed((): ReadonlyArray<FinishLine> => []),
  )

export const makeFtpPart = (env: ImportEnv) =>
  ({
    apply: { FtpUser: applyFtpUser(env) },
    finish: finish(env),
  }) satisfies ImporterPart
