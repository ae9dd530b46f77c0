import type { Check } from "../Check.ts"

/** The built-in checks, in the order they run. */
export const builtinChecks: ReadonlyArray<Check> = []
