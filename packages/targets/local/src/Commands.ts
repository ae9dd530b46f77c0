import { execFile } from "node:child_process"
import { accessSync, constants, readdirSync, realpathSync, statSync } from "node:fs"
import { delimiter, join } from "node:path"
import { Effect } from "effect"

/*
 * Runs version probes without a shell: the program is looked up on an explicit PATH and started
 * by absolute path with an argv array, a clean environment, a short timeout and a small output
 * cap. A program that is missing, hangs or crashes is simply not there.
 */

export interface CommandRunner {
  readonly pathDirs: ReadonlyArray<string>
  /** Absolute paths of `name` along the PATH, in PATH order. */
  readonly findAll: (name: string) => ReadonlyArray<string>
  readonly find: (name: string) => string | undefined
  /** Executables along the PATH whose name matches; the first of each name wins. */
  readonly list: (pattern: RegExp) => ReadonlyArray<{ readonly name: string; readonly path: string; readonly match: RegExpExecArray }>
  /** stdout and stderr of a run, or undefined when the program could not be run or timed out. */
  readonly output: (program: string, args: ReadonlyArray<string>) => Effect.Effect<string | undefined>
}

const isExecutableFile = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK)
    return statSync(path).isFile()
  } catch {
    return false
  }
}

const maxOutputBytes = 64 * 1024

export const makeCommandRunner = (options: { readonly path: string; readonly timeoutMs: number }): CommandRunner => {
  const pathDirs = [...new Set(options.path.split(delimiter).filter((dir) => dir.startsWith("/")))]
  const findAll = (name: string) => pathDirs.map((dir) => join(dir, name)).filter(isExecutableFile)
  const find = (name: string) => findAll(name)[0]
  const list = (pattern: RegExp) => {
    const found = new Map<string, { readonly name: string; readonly path: string; readonly match: RegExpExecArray }>()
    for (const dir of pathDirs) {
      let names: Array<string>
      try {
        names = readdirSync(dir)
      } catch {
        continue
      }
      for (const name of names.sort()) {
        const match = pattern.exec(name)
        if (match === null || found.has(name)) continue
        const path = join(dir, name)
        if (isExecutableFile(path)) found.set(name, { name, path, match })
      }
    }
    return [...found.values()]
  }
  const output = (program: string, args: ReadonlyArray<string>) =>
    Effect.callback<string | undefined>((resume) => {
      const path = program.startsWith("/") ? program : find(program)
      if (path === undefined) return resume(Effect.succeed(undefined))
      const child = execFile(
        path,
        args,
        {
          timeout: options.timeoutMs,
          killSignal: "SIGKILL",
          maxBuffer: maxOutputBytes,
          env: { PATH: pathDirs.join(delimiter), LC_ALL: "C", LANG: "C" },
          windowsHide: true,
        },
        (error, stdout, stderr) => {
          // Many tools print their version and then exit non-zero (apache2 without its envvars,
          // pure-ftpd --help): keep the output unless the program never ran or was killed.
          const code = (error as NodeJS.ErrnoException | null)?.code
          const killed = error !== null && (error.killed || error.signal !== null)
          resume(Effect.succeed(code === "ENOENT" || code === "EACCES" || killed ? undefined : `${stdout}${stderr}`))
        },
      )
      child.stdin?.end()
      return Effect.sync(() => {
        child.kill("SIGKILL")
      })
    })
  return { pathDirs, findAll, find, list, output }
}

/** The real file a path leads to, or the path itself when it cannot be resolved. */
export const realPath = (path: string): string => {
  try {
    return realpathSync(path)
  } catch {
    return path
  }
}
