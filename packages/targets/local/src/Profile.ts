import { open } from "node:fs/promises"
import { type Capabilities, type DatabaseServer, parseYaml, TargetError } from "@ferry/core"
import { Effect, Predicate, Result, Schema, SchemaIssue } from "effect"
import { freeDiskBytes, hostAddresses } from "./HostFacts.ts"
import { derivePasswordSchemes, type PasswordSchemes, type PasswordService } from "./PasswordSchemes.ts"
import { ProfileFile } from "./ProfileFile.ts"
import { parseSize } from "./Size.ts"

/** ferry.yaml is a short hand-written file; anything larger is not one. */
const maxProfileBytes = 1024 * 1024

export interface ProfileOptions {
  /** The target root `disk.free: auto` measures; default "/". */
  readonly root?: string
}

/** "mysql[0].id", "php.versions[1]". */
const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>((out, key) => (typeof key === "number" ? `${out}[${key}]` : out === "" ? String(key) : `${out}.${String(key)}`), "")

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1)

const formatter = SchemaIssue.makeFormatterStandardSchemaV1({
  leafHook: (issue) => (issue._tag === "UnexpectedKey" ? "unknown key" : SchemaIssue.defaultLeafHook(issue)),
})

/** A parsed ferry.yaml as a valid ProfileFile, or every problem in it as "key: problem". */
export const decodeProfileFile = (value: unknown): Result.Result<ProfileFile, ReadonlyArray<string>> => {
  if (!Predicate.isObject(value) || Array.isArray(value)) {
    return Result.fail(["the document must be a mapping of sections (webServer, php, mysql, …)"])
  }
  const decoded = Schema.decodeUnknownResult(ProfileFile)(value, { onExcessProperty: "error", errors: "all", reportInput: true })
  if (Result.isSuccess(decoded)) return Result.succeed(decoded.success)
  return Result.fail(
    formatter(decoded.failure.issue).issues.map((issue) => {
      const key = formatPath((issue.path ?? []).map((segment) => (typeof segment === "object" ? segment.key : segment)))
      return key === "" ? lowerFirst(issue.message) : `${key}: ${lowerFirst(issue.message)}`
    }),
  )
}

type ServerEntry = NonNullable<ProfileFile["mysql"] | ProfileFile["postgresql"]>[number]

const servers = (entries: ReadonlyArray<ServerEntry>, fallbackEngine: DatabaseServer["engine"]): Array<DatabaseServer> =>
  entries.map((entry) => ({
    id: entry.id,
    engine: entry.engine ?? fallbackEngine,
    version: entry.version,
    ...(entry.host !== undefined ? { host: entry.host } : {}),
    ...(entry.port !== undefined ? { port: entry.port } : {}),
    default: entry.default ?? entries.length === 1,
  }))

/** Capabilities from a valid ferry.yaml; `auto` values are measured on this host. */
export const profileCapabilities = Effect.fn("Profile.capabilities")(function* (
  file: ProfileFile,
  options: ProfileOptions = {},
): Effect.fn.Return<Capabilities, TargetError> {
  const php = file.php
  const withoutSchemes = {
    webServer: file.webServer ?? { kind: "none" as const },
    php: {
      versions: [...(php?.versions ?? [])],
      modes: [...(php?.modes ?? [])],
      ...(php?.default !== undefined ? { default: php.default } : {}),
      ...(php?.defaultMode !== undefined ? { defaultMode: php.defaultMode } : {}),
    },
    mysql: servers(file.mysql ?? [], "mysql"),
    postgresql: servers(file.postgresql ?? [], "postgresql"),
    python: {
      versions: [...(file.python?.versions ?? [])],
      ...(file.python?.default !== undefined ? { default: file.python.default } : {}),
    },
    nodejs: {
      versions: [...(file.nodejs?.versions ?? [])],
      ...(file.nodejs?.default !== undefined ? { default: file.nodejs.default } : {}),
    },
    ftp: file.ftp ?? { kind: "none" as const },
    dns: file.dns ?? { kind: "none" as const },
    mail: { mta: file.mail?.mta ?? "none", imap: file.mail?.imap ?? "none" },
  } satisfies Omit<Capabilities, "diskFreeBytes" | "ips" | "passwordSchemes">
  const free = file.disk?.free ?? "auto"
  const diskFreeBytes =
    free === "auto" ? yield* freeDiskBytes(options.root ?? "/") : typeof free === "number" ? free : (parseSize(free) ?? 0)
  const ips = file.ips === undefined || file.ips === "auto" ? hostAddresses() : [...file.ips]
  const derived = derivePasswordSchemes(withoutSchemes)
  const overrides = file.passwordSchemes ?? {}
  const scheme = (service: PasswordService) => [...new Set(overrides[service] ?? derived[service])]
  const passwordSchemes: PasswordSchemes = {
    system: scheme("system"),
    mail: scheme("mail"),
    ftp: scheme("ftp"),
    mysql: scheme("mysql"),
    postgresql: scheme("postgresql"),
    web: scheme("web"),
  }
  return { ...withoutSchemes, diskFreeBytes, ips, passwordSchemes } satisfies Capabilities
})

/** The validated document from the text of a ferry.yaml; `source` names it in errors. */
export const parseProfileFile = Effect.fn("Profile.parseFile")(function* (
  text: string,
  source: string,
): Effect.fn.Return<ProfileFile, TargetError> {
  const parsed = yield* Effect.try({
    try: () => parseYaml(text),
    catch: (cause) => new TargetError({ target: source, detail: cause instanceof Error ? cause.message : String(cause) }),
  })
  if (parsed === null || parsed === undefined) {
    return yield* new TargetError({ target: source, detail: "the file is empty" })
  }
  const checked = decodeProfileFile(parsed)
  if (Result.isFailure(checked)) {
    return yield* new TargetError({ target: source, detail: checked.failure.join("; ") })
  }
  return checked.success
})

/** Capabilities from the text of a ferry.yaml; `source` names it in errors. */
export const parseProfile = Effect.fn("Profile.parse")(function* (
  text: string,
  source: string,
  options: ProfileOptions = {},
): Effect.fn.Return<Capabilities, TargetError> {
  return yield* profileCapabilities(yield* parseProfileFile(text, source), options)
})

const readCapped = (path: string) =>
  Effect.tryPromise({
    try: async () => {
      const handle = await open(path, "r")
      try {
        const buffer = Buffer.alloc(maxProfileBytes + 1)
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0)
        return bytesRead > maxProfileBytes ? undefined : buffer.subarray(0, bytesRead).toString("utf8")
      } finally {
        await handle.close()
      }
    },
    catch: (cause) => new TargetError({ target: path, detail: `cannot read: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}` }),
  })

/** Reads and validates a ferry.yaml; every problem names its key. */
export const loadProfile = Effect.fn("Profile.load")(function* (
  path: string,
  options: ProfileOptions = {},
): Effect.fn.Return<Capabilities, TargetError> {
  return yield* profileCapabilities(yield* loadProfileFile(path), options)
})

/** Reads and validates a ferry.yaml as the document (with what Capabilities leave out: database admin access). */
export const loadProfileFile = Effect.fn("Profile.loadFile")(function* (path: string): Effect.fn.Return<ProfileFile, TargetError> {
  const text = yield* readCapped(path)
  if (text === undefined) {
    return yield* new TargetError({ target: path, detail: `larger than ${maxProfileBytes} bytes; not a ferry.yaml` })
  }
  return yield* parseProfileFile(text, path)
})
