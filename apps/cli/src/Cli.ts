import { readFileSync } from "node:fs"
// Module paths, not the package index: the index loads every Node service (HTTP, workers, …),
// which costs ~30 MB and ~0.3 s at every start of the CLI.
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeServices from "@effect/platform-node/NodeServices"
import { type Adapter, AdapterRegistry, type Check, CheckPipeline, CheckRegistry, Inspector } from "@ferry/core"
import { Effect, Layer } from "effect"
import { CliOutput, Command } from "effect/cli"
import { accountsCommand } from "./AccountsCommand.ts"
import { checkCommand } from "./CheckCommand.ts"
import { exitCodesHelp, helpText, reportUnexpected, teardown, usagePresenter } from "./ExitCodes.ts"
import { importCommand } from "./ImportCommand.ts"
import { inspectCommand } from "./InspectCommand.ts"
import { jobsCommand } from "./JobsCommand.ts"
import { targetCommand } from "./TargetCommand.ts"

/** What a build of `ferry` reads and checks: both explicit lists, nothing is discovered. */
export interface CliSetup {
  readonly adapters: ReadonlyArray<Adapter.Adapter>
  readonly checks: ReadonlyArray<Check.Check>
}

// src/Cli.ts and its compiled dist/src/Cli.js sit at different depths below the package.
const packageJson = new URL(import.meta.url.includes("/dist/src/") ? "../../package.json" : "../package.json", import.meta.url)
const { version } = JSON.parse(readFileSync(packageJson, "utf8")) as { version: string }

export const ferryCommand = (adapters: ReadonlyArray<Adapter.Adapter>) =>
  Command.make("ferry").pipe(
    Command.withDescription(helpText(["Ferry moves hosting accounts from panel backups to another server.", "", ...exitCodesHelp])),
    Command.withSubcommands([
      inspectCommand(adapters),
      checkCommand(adapters),
      importCommand(adapters),
      jobsCommand,
      targetCommand,
      accountsCommand,
    ]),
  )

const services = (setup: CliSetup) =>
  Layer.mergeAll(
    NodeServices.layer,
    Inspector.layer.pipe(Layer.provide(AdapterRegistry.layer(setup.adapters))),
    CheckPipeline.layer.pipe(Layer.provide(CheckRegistry.layer(setup.checks))),
  )

/** Run `ferry` on the process's arguments and exit with its exit code. */
export const runCli = (setup: CliSetup): void =>
  ferryCommand(setup.adapters).pipe(
    Command.run({ version }),
    reportUnexpected,
    Effect.provideService(CliOutput.Presenter, usagePresenter),
    Effect.provide(services(setup)),
    NodeRuntime.runMain({ teardown }),
  )
