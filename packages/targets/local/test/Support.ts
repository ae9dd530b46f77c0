import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"

let tempRoot: string | undefined

/** A fresh directory under one per-run temp root. */
export const tempDir = (): string => {
  tempRoot ??= mkdtempSync(join(tmpdir(), "ferry-target-local-"))
  return mkdtempSync(join(tempRoot, "t-"))
}

/** An executable `#!/bin/sh` script named `name` in `dir`. */
export const writeStub = (dir: string, name: string, body: string): string => {
  mkdirSync(dir, { recursive: true })
  const path = join(dir, name)
  writeFileSync(path, `#!/bin/sh\n${body}\n`)
  chmodSync(path, 0o755)
  return path
}

export const exampleProfile = new URL("../ferry.example.yaml", import.meta.url).pathname

/** The error of an effect that must fail. */
export const failure = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<E, never, R> =>
  Effect.flip(effect).pipe(Effect.orDie) as Effect.Effect<E, never, R>
