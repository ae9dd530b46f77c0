import type { Site } from "../../model/Entity.ts"
import type { CheckContext, Finding } from "../Check.ts"
import * as Check from "../Check.ts"
import { entityLabel } from "../Dependencies.ts"
import { change, changeEffect, compareVersions, groupBy, listed, majorMinor } from "./Findings.ts"

/** Installed PHP versions as major.minor, oldest first. */
const installedPhp = (ctx: CheckContext): Array<string> =>
  [...new Set(ctx.capabilities.php.versions.map(majorMinor).filter((v) => v !== undefined))].sort(compareVersions)

const defaultPhp = (ctx: CheckContext): string | undefined => {
  const installed = installedPhp(ctx)
  const stated = ctx.capabilities.php.default === undefined ? undefined : majorMinor(ctx.capabilities.php.default)
  return stated !== undefined && installed.includes(stated) ? stated : installed.at(-1)
}

/** "PHP mode not found — the sites will be imported with a different PHP mode". */
export const phpModeCheck = Check.make({
  id: "php-mode",
  title: "PHP mode not found",
  run: (ctx) => {
    const { modes, defaultMode } = ctx.capabilities.php
    // With no PHP at all there is no other mode to choose; php-version reports that.
    const fallback = defaultMode !== undefined && modes.includes(defaultMode) ? defaultMode : modes[0]
    if (fallback === undefined) return []
    const sites = ctx.active("Site").filter((s) => {
      const mode = s.php.mode
      return s.php.enabled && mode !== undefined && mode !== "unknown" && !(modes as ReadonlyArray<string>).includes(mode)
    })
    return [...groupBy(sites, (s) => s.php.mode as string)].map(([mode, group]) => ({
      code: "php-mode-not-found",
      severity: "warning",
      title: "PHP mode not found",
      message: `PHP mode ${mode} is not available on the receiving server (it has ${modes.join(", ")}): ${listed(group.map(entityLabel))}`,
      resolution: `the sites will be imported with a different PHP mode: ${fallback}`,
      effects: group.map((s) => changeEffect(s.id, [change("php.mode", mode, fallback)])),
    }))
  },
})

/** The version a site gets: the next newer one within the same major release, else the default. */
const replacementPhp = (ctx: CheckContext, version: string): { readonly to: string; readonly newer: boolean } | undefined => {
  const installed = installedPhp(ctx)
  const major = version.split(".")[0]
  const newer = installed.find((v) => v.split(".")[0] === major && compareVersions(v, version) > 0)
  if (newer !== undefined) return { to: newer, newer: true }
  const fallback = defaultPhp(ctx)
  return fallback === undefined ? undefined : { to: fallback, newer: false }
}

/**
 * "PHP X.X not found — the sites will be imported with a newer PHP version within the same major
 * release or with the default version in case a newer version is missing" (8.1 → 8.2, not 8.3).
 * A site that states no version gets the default without a finding (the adapter noted it).
 */
export const phpVersionCheck = Check.make({
  id: "php-version",
  title: "PHP X.X not found",
  run: (ctx) => {
    const installed = installedPhp(ctx)
    const missing: Array<{ site: Site; from: string; version: string | undefined }> = []
    for (const site of ctx.active("Site")) {
      if (!site.php.enabled) continue
      const from = ctx.plan.changed(site.id, "php.version") ?? site.php.version
      const version = from === undefined ? undefined : majorMinor(from)
      if (installed.length > 0 && (version === undefined || installed.includes(version))) continue
      missing.push({ site, from: from ?? "default", version })
    }
    const findings: Array<Finding> = []
    for (const [, group] of groupBy(missing, (m) => m.version ?? "")) {
      const { version } = group[0] as (typeof missing)[number]
      const replacement = version === undefined ? undefined : replacementPhp(ctx, version)
      findings.push({
        code: "php-version-not-found",
        severity: "warning",
        title: version === undefined ? "PHP not found" : `PHP ${version} not found`,
        message: `${version === undefined ? "PHP is" : `PHP ${version} is`} not installed on the receiving server (${installed.length > 0 ? `it has ${installed.join(", ")}` : "it has no PHP"}): ${listed(group.map((m) => entityLabel(m.site)))}`,
        resolution:
          replacement === undefined
            ? "the sites will be imported without PHP"
            : replacement.newer
              ? `the sites will be imported with a newer PHP version within the same major release: PHP ${replacement.to}`
              : `the sites will be imported with the default version, PHP ${replacement.to} (no newer ${version?.split(".")[0]}.x version is installed)`,
        effects: group.map((m) =>
          changeEffect(m.site.id, [
            replacement === undefined ? change("php", m.from, "none") : change("php.version", m.from, replacement.to),
          ]),
        ),
      })
    }
    return findings
  },
})
