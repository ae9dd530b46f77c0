import type { Change, Finding, Effect as FindingEffect } from "../Check.ts"

/* Small builders shared by the built-in checks: findings are plain data. */

export const skipEffects = (ids: Iterable<string>, keepDependents = false): Array<FindingEffect> =>
  [...ids].map((entity) => (keepDependents ? { entity, action: "skip", keepDependents: true } : { entity, action: "skip" }))

export const changeEffect = (entity: string, changes: ReadonlyArray<Change>): FindingEffect => ({ entity, action: "change", changes })

export const change = (field: string, from: string, to: string): Change => ({ field, from, to })

/** A critical finding that keeps `ids` out of the import (their dependents with them). */
export const skipFinding = (fields: Omit<Finding, "severity" | "effects">, ids: Iterable<string>): Finding => ({
  ...fields,
  severity: "critical",
  effects: skipEffects(ids),
})

/** A blocking finding: the whole import waits until the admin fixes the cause. */
export const blockingFinding = (fields: Omit<Finding, "severity" | "effects" | "blocking">): Finding => ({
  ...fields,
  severity: "critical",
  effects: [],
  blocking: true,
})

/** "a, b, c and 4 more": names in messages stay short whatever the backup holds. */
export const listed = (names: ReadonlyArray<string>, max = 8): string =>
  names.length <= max ? names.join(", ") : `${names.slice(0, max).join(", ")} and ${names.length - max} more`

/** Groups in first-seen order, so findings come out in snapshot order. */
export const groupBy = <T, K>(items: Iterable<T>, key: (item: T) => K): Map<K, Array<T>> => {
  const groups = new Map<K, Array<T>>()
  for (const item of items) {
    const k = key(item)
    const group = groups.get(k)
    if (group) group.push(item)
    else groups.set(k, [item])
  }
  return groups
}

/** "8.1" from "8.1", "8.1.27", "8.1-fpm"; undefined when there is no major.minor. */
export const majorMinor = (version: string): string | undefined => {
  const match = /^(\d+)\.(\d+)/.exec(version.trim())
  return match ? `${Number(match[1])}.${Number(match[2])}` : undefined
}

export const compareVersions = (a: string, b: string): number => {
  const pa = a.split(".").map(Number)
  const pb = b.split(".").map(Number)
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0)
    if (d !== 0) return d
  }
  return 0
}

export const formatBytes = (bytes: number): string => {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"]
  let value = bytes
  let unit = 0
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]} (${bytes} bytes)`
}
