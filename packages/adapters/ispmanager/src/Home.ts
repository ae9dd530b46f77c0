import { type Assembly, note } from "./Assembly.ts"

/** Paths not inside another path of the list. */
const outermost = (paths: ReadonlyArray<string>): Array<string> =>
  [...new Set(paths)].filter((p) => !paths.some((other) => other !== p && p.startsWith(other)))

/**
 * The user's home as content, minus the web roots and Maildirs declared on their own (and any
 * `skip` paths such as `.system/`). A home at the archive root has no single path, so each
 * top-level folder (and file) becomes its own content ref.
 */
export const declareHome = (
  a: Assembly,
  login: string,
  home: string,
  topLevel: ReadonlyMap<string, "dir" | "file">,
  skip: ReadonlyArray<string>,
): void => {
  const owned = outermost(a.owned)
  if (home !== "") {
    const excludes = outermost([...owned, ...skip]).filter((p) => p.startsWith(home) && p !== home)
    a.builder.declareContent({ id: `content:home:${login}`, kind: "home", path: home, ...(excludes.length > 0 ? { excludes } : {}) })
    return
  }
  for (const [name, kind] of topLevel) {
    const path = kind === "dir" ? `${name}/` : name
    if (skip.some((s) => s === path || s === `${name}/`)) continue
    if (owned.includes(path)) continue
    const excludes = kind === "dir" ? owned.filter((p) => p.startsWith(path)) : []
    a.builder.declareContent({
      id: `content:home:${login}:${name}`,
      kind: kind === "dir" ? "home" : "other",
      path,
      ...(excludes.length > 0 ? { excludes } : {}),
    })
  }
  if (topLevel.size === 0) note(a, "info", "home-empty", `account:${login}`, "", "the backup holds no files of the user's home")
}
