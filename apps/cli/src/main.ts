import { readFileSync } from "node:fs"
// Module paths, not the package index: the index loads every Node service (HTTP, workers, …),
// which costs ~30 MB and ~0.3 s at every start of the CLI.
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeServices from "@effect/platform-node/NodeServices"
import { AdapterRegistry, Inspector } from "@ferry/core"
import { Effect, Layer } from "effect"
import { CliOutput, Command } from "effect/cli"
import { adapters } from "./Adapters.ts"
import { exitCodesHelp, helpText, reportUnexpected, teardown, usagePresenter } from "./ExitCodes.ts"
import { inspectCommand } from "./InspectCommand.ts"

// src/main.ts and its compiled dist/src/main.js sit at different depths below the package.
const packageJson = new URL(import.meta.url.includes("/dist/src/") ? "../../package.json" : "../package.json", import.meta.url)
const { version } = JSON.parse(readFileSync(packageJson, "utf8")) as { version: string }

const ferry = Command.make("ferry").pipe(
  Command.withDescription(helpText(["Ferry moves hosting accounts from panel backups to another server.", "", ...exitCodesHelp])),
  Command.withSubcommands([inspectCommand(adapters)]),
)

const services = Layer.mergeAll(NodeServices.layer, Inspector.layer.pipe(Layer.provide(AdapterRegistry.layer(adapters))))

ferry.pipe(
  Command.run({ version }),
  reportUnexpected,
  Effect.provideService(CliOutput.Presenter, usagePresenter),
  Effect.provide(services),
  NodeRuntime.runMain({ teardown }),
)
