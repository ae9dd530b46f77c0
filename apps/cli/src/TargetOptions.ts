import * as os from "node:os"
import * as nodePath from "node:path"
import { TargetError } from "@ferry/core"
import { Config, Effect, FileSystem, Option } from "effect"
import { Flag } from "effect/cli"

/* Flags that say which receiving server a command works on, and how their defaults resolve. */

/** `$XDG_STATE_HOME/ferry`, else `~/.local/state/ferry` (a relative XDG_STATE_HOME is ignored, per the spec). */
export const defaultStateDir = (env: NodeJS.ProcessEnv = process.env, home: string = os.homedir()): string => {
  const xdg = env["XDG_STATE_HOME"]
  return nodePath.join(xdg !== undefined && nodePath.isAbsolute(xdg) ? xdg : nodePath.join(home, ".local/state"), "ferry")
}

export const stateDirFlag = Flag.String("state-dir").pipe(
  Flag.withFallbackConfig(Config.String("FERRY_STATE_DIR")),
  Flag.withDefault(defaultStateDir()),
  Flag.withMetavar("DIR"),
  Flag.withDescription("Where Ferry keeps the receiving server's accounts ($FERRY_STATE_DIR, else ~/.local/state/ferry)"),
)

export const rootFlag = Flag.String("root").pipe(
  Flag.withDefault("/"),
  Flag.withMetavar("DIR"),
  Flag.withDescription("Root of the receiving server's file system; imported data lands below it"),
)

export const defaultProfile = "ferry.yaml"

export const configFlag = Flag.String("config").pipe(
  Flag.optional,
  Flag.withMetavar("FILE"),
  Flag.withDescription("Profile of the receiving server (default: ./ferry.yaml if present, else detect on --root)"),
)

/** Where the receiving server's capabilities come from, as the reports name it. */
export type ProfileSource = { readonly _tag: "profile"; readonly path: string } | { readonly _tag: "detected"; readonly root: string }

export const describeSource = (source: ProfileSource): string =>
  source._tag === "profile" ? `profile ${source.path}` : `detected on ${source.root}`

const profileAt = (path: string): ProfileSource => ({ _tag: "profile", path })
const detectedOn = (root: string): ProfileSource => ({ _tag: "detected", root })

/** `--config FILE`, else `./ferry.yaml` when it exists, else detection on `root`. */
export const resolveProfile = Effect.fn("TargetOptions.resolveProfile")(function* (config: Option.Option<string>, root: string) {
  if (Option.isSome(config)) return profileAt(config.value)
  const fs = yield* FileSystem.FileSystem
  const present = yield* fs.exists(defaultProfile).pipe(Effect.orElseSucceed(() => false))
  return present ? profileAt(`./${defaultProfile}`) : detectedOn(root)
})

/** Write a file the user asked for; an existing one is kept unless `force`. */
export const writeNewFile = Effect.fn("TargetOptions.writeNewFile")(function* (path: string, text: string, force: boolean) {
  const fs = yield* FileSystem.FileSystem
  const fail = (detail: string) => Effect.fail(new TargetError({ target: path, detail }))
  if (!force && (yield* fs.exists(path).pipe(Effect.orElseSucceed(() => false)))) {
    return yield* fail("exists; choose another path or add --force to replace it")
  }
  yield* fs.writeFileString(path, text).pipe(Effect.catch((error) => fail(`cannot write: ${error.message}`)))
})
