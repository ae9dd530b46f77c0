import { accessSync, constants } from "node:fs"
import type { Effect } from "effect"
import { runTool, type ToolRun, UnsafeConfigValue } from "./NginxConfig.ts"

/*
 * One php-fpm pool per site, running as the site's account. Values are checked names (login,
 * domain, paths of checked components) and checked once more: an INI value must not hold a line
 * break, `;`, `=`, quotes, brackets or `$` (rule 13).
 */

export const fpmValue = (value: string, what: string): string => {
  if (value === "" || /[\s"'`;=[\]{}$\\\0-\x1f\x7f]/.test(value))
    throw new UnsafeConfigValue(`${what} ${JSON.stringify(value)} cannot be written into a php-fpm pool`)
  return value
}

export interface PoolSpec {
  readonly siteId: string
  /** Pool name: the site's domain. */
  readonly name: string
  readonly user: string
  readonly group: string
  readonly socket: string
  /** The account's home: the pool's working directory. */
  readonly home: string
  /** User the web server runs as: owner of the socket. */
  readonly webUser?: string
}

export const renderPool = (spec: PoolSpec): string =>
  [
    `; Written by Ferry for ${fpmValue(spec.name, "pool name")} (${spec.siteId.replace(/[^\x20-\x7e]/g, "?")}); a new import rewrites this file.`,
    `[${fpmValue(spec.name, "pool name")}]`,
    `user = ${fpmValue(spec.user, "pool user")}`,
    `group = ${fpmValue(spec.group, "pool group")}`,
    `listen = ${fpmValue(spec.socket, "socket path")}`,
    `listen.owner = ${fpmValue(spec.webUser ?? "www-data", "web server user")}`,
    `listen.group = ${fpmValue(spec.webUser ?? "www-data", "web server user")}`,
    "listen.mode = 0660",
    "pm = ondemand",
    "pm.max_children = 5",
    "pm.process_idle_timeout = 10s",
    "pm.max_requests = 500",
    `chdir = ${fpmValue(spec.home, "home")}`,
    "security.limit_extensions = .php",
    "",
  ].join("\n")

/** Debian's binary for PHP `version` (`/usr/sbin/php-fpm8.3`), when installed. */
export const phpFpmBinary = (version: string): string | undefined => {
  const path = `/usr/sbin/php-fpm${version}`
  try {
    accessSync(path, constants.X_OK)
    return path
  } catch {
    return undefined
  }
}

/** A main configuration under `dir` that includes one pool file, for `php-fpm -t`. */
export const renderFpmTestConfig = (dir: string, pool: string): string =>
  [
    "[global]",
    `pid = ${fpmValue(dir, "staging directory")}/php-fpm.pid`,
    `error_log = ${fpmValue(dir, "staging directory")}/php-fpm.log`,
    `include = ${fpmValue(pool, "pool path")}`,
    "",
  ].join("\n")

/** `php-fpm -t -y conf` with the given binary. */
export const phpFpmTest = (binary: string, conf: string): Effect.Effect<ToolRun> => runTool(binary, ["-t", "-y", conf])
