import type { Site } from "../../model/Entity.ts"
import type { Finding } from "../Check.ts"
import * as Check from "../Check.ts"
import { entityLabel } from "../Dependencies.ts"
import { change, changeEffect, compareVersions, groupBy, listed, majorMinor } from "./Findings.ts"

const installed = (versions: ReadonlyArray<string>, normalise: (v: string) => string | undefined): Array<string> =>
  [...new Set(versions.map(normalise).filter((v) => v !== undefined))].sort(compareVersions)

const majorOnly = (version: string): string | undefined => /^v?(\d+)/.exec(version.trim())?.[1]

const sitesUsing = (sites: ReadonlyArray<Site>, runtime: "python" | "nodejs") => sites.filter((s) => s[runtime] !== undefined)

/**
 * "Python X.X not found — the sites using this version of Python will be imported with the
 * default Python version, or without a handler if Python is missing".
 */
export const pythonVersionCheck = Check.make({
  id: "python-version",
  title: "Python X.X not found",
  run: (ctx) => {
    const versions = installed(ctx.capabilities.python.versions, majorMinor)
    const stated = ctx.capabilities.python.default === undefined ? undefined : majorMinor(ctx.capabilities.python.default)
    const fallback = stated !== undefined && versions.includes(stated) ? stated : versions.at(-1)
    const affected = sitesUsing(ctx.active("Site"), "python").flatMap((site) => {
      const raw = site.python?.version
      const version = raw === undefined ? undefined : majorMinor(raw)
      return fallback !== undefined && (version === undefined || versions.includes(version)) ? [] : [{ site, raw, version }]
    })
    return [...groupBy(affected, (a) => a.version ?? "")].map(([, group]): Finding => {
      const { version } = group[0] as (typeof affected)[number]
      return {
        code: "python-version-not-found",
        severity: "warning",
        title: version === undefined ? "Python not found" : `Python ${version} not found`,
        message: `${version === undefined ? "Python" : `Python ${version}`} is not installed on the receiving server (${versions.length > 0 ? `it has ${versions.join(", ")}` : "it has no Python"}): ${listed(group.map((a) => entityLabel(a.site)))}`,
        resolution:
          fallback === undefined
            ? "the sites using Python will be imported without a handler (Python is missing)"
            : `the sites using this version of Python will be imported with the default Python version, ${fallback}`,
        effects: group.map((a) =>
          changeEffect(a.site.id, [
            fallback === undefined ? change("python", a.raw ?? "enabled", "none") : change("python.version", a.raw ?? "default", fallback),
          ]),
        ),
      }
    })
  },
})

/**
 * "Node.js not found — the sites using this handler will be imported without a handler". A
 * version the target lacks while it has others: the default version (a warning of its own).
 */
export const nodejsCheck = Check.make({
  id: "nodejs",
  title: "Node.js not found",
  run: (ctx) => {
    const versions = installed(ctx.capabilities.nodejs.versions, majorOnly)
    const sites = sitesUsing(ctx.active("Site"), "nodejs")
    if (versions.length === 0)
      return sites.length === 0
        ? []
        : [
            {
              code: "nodejs-not-found",
              severity: "warning",
              title: "Node.js not found",
              message: `Node.js is not installed on the receiving server: ${listed(sites.map(entityLabel))}`,
              resolution: "the sites using this handler will be imported without a handler",
              effects: sites.map((s) => changeEffect(s.id, [change("nodejs", s.nodejs?.version ?? "enabled", "none")])),
            },
          ]
    const stated = ctx.capabilities.nodejs.default === undefined ? undefined : majorOnly(ctx.capabilities.nodejs.default)
    const fallback = (stated !== undefined && versions.includes(stated) ? stated : versions.at(-1)) as string
    const other = sites.flatMap((site) => {
      const raw = site.nodejs?.version
      const major = raw === undefined ? undefined : majorOnly(raw)
      return raw !== undefined && major !== undefined && !versions.includes(major) ? [{ site, raw, major }] : []
    })
    return [...groupBy(other, (o) => o.major)].map(([major, group]) => ({
      code: "nodejs-version-not-found",
      severity: "warning",
      title: `Node.js ${major} not found`,
      message: `Node.js ${major} is not installed on the receiving server (it has ${versions.join(", ")}): ${listed(group.map((o) => entityLabel(o.site)))}`,
      resolution: `the sites will be imported with the default Node.js version, ${fallback}`,
      effects: group.map((o) => changeEffect(o.site.id, [change("nodejs.version", o.raw, fallback)])),
    }))
  },
})
