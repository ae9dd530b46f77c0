import { detectCapabilities, loadProfile, profileYaml } from "@ferry/target-local"
import { Console, Effect, Option } from "effect"
import { Command, Flag, TerminalCapabilities } from "effect/cli"
import { exitCodesHelp, helpText, report } from "./ExitCodes.ts"
import { configFlag, describeSource, type ProfileSource, resolveProfile, rootFlag, writeNewFile } from "./TargetOptions.ts"
import { renderCapabilities } from "./TargetRender.ts"

/** `ferry target`: what the receiving server runs, as `ferry check` sees it; writes ferry.yaml. */
export const targetCommand = Command.make(
  "target",
  {
    detect: Flag.Boolean("detect").pipe(
      Flag.withDefault(false),
      Flag.withDescription("Detect the capabilities on --root, ignoring any profile"),
    ),
    config: configFlag,
    root: rootFlag,
    write: Flag.String("write").pipe(
      Flag.optional,
      Flag.withMetavar("FILE"),
      Flag.withDescription("Write the capabilities as a commented profile (ferry.yaml) to FILE"),
    ),
    force: Flag.Boolean("force").pipe(Flag.withDefault(false), Flag.withDescription("With --write: replace an existing FILE")),
    json: Flag.Boolean("json").pipe(
      Flag.withDefault(false),
      Flag.withDescription("Print the capabilities as JSON on stdout (and nothing else)"),
    ),
  },
  Effect.fn("TargetCommand.run")(
    function* ({ detect, config, root, write, force, json }) {
      const source: ProfileSource = detect ? { _tag: "detected", root } : yield* resolveProfile(config, root)
      const capabilities =
        source._tag === "profile" ? yield* loadProfile(source.path, { root }) : yield* detectCapabilities({ root: source.root })
      if (Option.isSome(write)) yield* writeNewFile(write.value, profileYaml(capabilities), force)
      if (json) return yield* Console.log(JSON.stringify(capabilities, null, 2))
      if (Option.isSome(write)) return yield* Console.log(`Wrote ${write.value} (${describeSource(source)})`)
      const { canColor } = yield* TerminalCapabilities.TerminalCapabilities
      yield* Console.log(
        renderCapabilities(capabilities, {
          color: canColor,
          width: (process.stdout.isTTY && process.stdout.columns) || 100,
          source: describeSource(source),
        }),
      )
    },
    Effect.catchTags({ TargetError: report }),
  ),
).pipe(
  Command.withDescription(
    helpText([
      "Show what the receiving server runs (web server, PHP, database servers, mail, FTP, DNS, free",
      "disk, IP addresses, password-hash schemes) as 'ferry check' sees it: from --config, else",
      "./ferry.yaml, else detected on --root. --detect always detects; --write saves the result as a",
      "commented ferry.yaml to edit and pass to 'ferry check --config'.",
      "",
      ...exitCodesHelp,
    ]),
  ),
  Command.withShortDescription("Show or detect the receiving server's capabilities"),
  Command.withExamples([
    { command: "ferry target --detect", description: "Detect what this server runs" },
    { command: "ferry target --detect --write ferry.yaml", description: "Save it as a profile to review and edit" },
    { command: "ferry target --config ferry.yaml --json", description: "The capabilities a profile describes, as JSON" },
  ]),
)
