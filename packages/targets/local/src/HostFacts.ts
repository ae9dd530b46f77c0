import { statfs } from "node:fs/promises"
import { networkInterfaces } from "node:os"
import { dirname, resolve } from "node:path"
import { TargetError } from "@ferry/core"
import { Effect } from "effect"

/**
 * Free bytes for an unprivileged writer under `root`. The root may not exist before the first
 * import, so the nearest existing ancestor is measured (it is the same filesystem until a mount
 * point is created below it).
 */
export const freeDiskBytes = Effect.fn("HostFacts.freeDiskBytes")(function* (root: string) {
  let path = resolve(root)
  for (;;) {
    const attempt = path
    const result = yield* Effect.tryPromise({
      try: () => statfs(attempt, { bigint: true }),
      catch: (cause) => cause,
    }).pipe(Effect.result)
    if (result._tag === "Success") {
      const stats = result.success
      return Number(stats.bavail * stats.bsize)
    }
    const code = (result.failure as NodeJS.ErrnoException | undefined)?.code
    const parent = dirname(attempt)
    if (code !== "ENOENT" || parent === attempt) {
      return yield* new TargetError({
        target: root,
        detail: `cannot measure free disk space at ${attempt}: ${code ?? String(result.failure)}`,
      })
    }
    path = parent
  }
})

type Interfaces = ReturnType<typeof networkInterfaces>

/**
 * Addresses sites can be bound to: non-internal, without IPv6 link-local ones (they only exist
 * per interface). IPv4 first, in interface order, without duplicates.
 */
export const hostAddresses = (interfaces: Interfaces = networkInterfaces()): Array<string> => {
  const v4: Array<string> = []
  const v6: Array<string> = []
  for (const entries of Object.values(interfaces)) {
    for (const entry of entries ?? []) {
      if (entry.internal) continue
      if (entry.family === "IPv4") {
        if (!v4.includes(entry.address)) v4.push(entry.address)
      } else if (!/^fe[89ab]/i.test(entry.address) && !v6.includes(entry.address)) {
        v6.push(entry.address)
      }
    }
  }
  return [...v4, ...v6]
}
