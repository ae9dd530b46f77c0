import { builtinChecks } from "@ferry/core"
import { adapters } from "./Adapters.ts"
import { runCli } from "./Cli.ts"

runCli({ adapters, checks: builtinChecks })
