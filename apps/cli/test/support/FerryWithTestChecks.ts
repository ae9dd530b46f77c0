/**
 * The real `ferry` with the test checks after the built-in ones: the CLI tests start it as a
 * child process to reach exit codes 6 and 7 whatever the built-in checks hold.
 */
import { builtinChecks } from "@ferry/core"
import { adapters } from "../../src/Adapters.ts"
import { runCli } from "../../src/Cli.ts"
import { testChecks } from "./TestChecks.ts"

runCli({ adapters, checks: [...builtinChecks, ...testChecks] })
