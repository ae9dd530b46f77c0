import { execFileSync } from "node:child_process"
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { Readable } from "node:stream"
import type {
  ArchiveEntry,
  Capabilities,
  ContentRef,
  ContentSink,
  Decision,
  Entity,
  EntryType,
  Snapshot,
  StepContext,
  StepFailed,
  StepResult,
  TargetError,
} from "@ferry/core"
import { Effect, type Scope } from "effect"
import { openInventory } from "../../src/InventoryStore.ts"
import type { DatabaseServerAccess, ImportEnv, ImporterPart } from "../../src/import/ImportEnv.ts"
import { makeLayout } from "../../src/import/Layout.ts"
import { makeRecordStore } from "../../src/import/Records.ts"
import { tempDir } from "../Support.ts"

/*
 * An ImportEnv over a fresh temporary target root and state directory, plus a StepContext and
 * archive entries built in memory, for the importer-part tests.
 */

const cryptSchemes = ["des-crypt", "md5-crypt", "sha256-crypt", "sha512-crypt", "bcrypt", "yescrypt"] as const

/** nginx, PHP 8.2/8.3 (FPM), MariaDB and PostgreSQL, BIND, Postfix + Dovecot, Pure-FTPd. */
export const testCapabilities: Capabilities = {
  webServer: { kind: "nginx" },
  php: { versions: ["8.2", "8.3"], modes: ["fpm"], default: "8.3", defaultMode: "fpm" },
  mysql: [{ id: "mariadb-main", engine: "mariadb", version: "10.11.6", host: "localhost", port: 3306, default: true }],
  postgresql: [{ id: "pg15", engine: "postgresql", version: "15.8", host: "localhost", port: 5432, default: true }],
  python: { versions: [] },
  nodejs: { versions: [] },
  ftp: { kind: "pure-ftpd" },
  dns: { kind: "bind" },
  mail: { mta: "postfix", imap: "dovecot" },
  diskFreeBytes: 10 * 1024 ** 3,
  ips: ["192.0.2.10"],
  passwordSchemes: {
    system: ["md5-crypt", "sha256-crypt", "sha512-crypt", "bcrypt", "yescrypt"],
    mail: [...cryptSchemes, "plain"],
    ftp: [...cryptSchemes],
    mysql: ["mysql-native", "mysql-old"],
    postgresql: ["postgres-md5", "postgres-scram"],
    web: [...cryptSchemes],
  },
}

type Change = Decision["changes"][number]

export interface ImportEnvOptions {
  readonly capabilities?: Capabilities
  readonly runningAsRoot?: boolean
  readonly databaseServers?: ReadonlyMap<string, DatabaseServerAccess>
}

/** A fresh ImportEnv: target root and state dir under the test temp dir; closes with the scope. */
export const makeImportEnv = (options: ImportEnvOptions = {}): Effect.Effect<ImportEnv, TargetError, Scope.Scope> =>
  Effect.gen(function* () {
    const root = tempDir()
    const stateDir = join(tempDir(), "state")
    const store = yield* openInventory(stateDir)
    const layout = makeLayout(root)
    mkdirSync(layout.staging, { recursive: true, mode: 0o700 })
    return {
      root,
      stateDir,
      store,
      records: makeRecordStore(store.connection),
      layout,
      capabilities: options.capabilities ?? testCapabilities,
      runningAsRoot: options.runningAsRoot ?? process.getuid?.() === 0,
      databaseServers: options.databaseServers ?? new Map(),
    }
  })

export interface LoggedLine {
  readonly level: "info" | "warning" | "error"
  readonly message: string
}

/** A StepContext for `entity` within `entities`; `changes` become its decision; log lines collected. */
export const makeStepContext = (
  entity: Entity,
  entities: ReadonlyArray<Entity> = [entity],
  changes: ReadonlyArray<Change> = [],
  log: Array<LoggedLine> = [],
): StepContext => {
  const all = entities.includes(entity) ? entities : [...entities, entity]
  const decision = (e: Entity): Decision => ({
    id: e.id,
    tag: e._tag,
    label: e.id,
    action: e.id === entity.id && changes.length > 0 ? "import-with-changes" : "import",
    changes: e.id === entity.id ? changes : [],
    findings: [],
    newPasswords: [],
  })
  const snapshot: Snapshot = {
    source: { panel: "test", archive: { path: "/dev/null", container: "tar", bytes: 0, entries: 0, contentBytes: 0 } },
    entities: all,
    content: [],
    notes: [],
  }
  return {
    jobId: "job-test",
    snapshot,
    decision: decision(entity),
    entity: (id) => all.find((e) => e.id === id),
    decisionOf: (id) => {
      const found = all.find((e) => e.id === id)
      return found === undefined ? undefined : decision(found)
    },
    log: (level, message) => Effect.sync(() => void log.push({ level, message })),
  }
}

export interface EntrySpec {
  readonly type?: EntryType
  readonly body?: string | Uint8Array
  readonly mode?: number
  readonly mtime?: number
  readonly linkTarget?: string
}

/** An in-memory archive entry at `path`; the body can be read once, as the real scanners allow. */
export const makeEntry = (path: string, spec: EntrySpec = {}): ArchiveEntry => {
  const type = spec.type ?? "file"
  const body = typeof spec.body === "string" ? Buffer.from(spec.body) : Buffer.from(spec.body ?? new Uint8Array())
  return {
    path,
    rawPath: path,
    type,
    size: type === "file" ? body.length : 0,
    mode: spec.mode ?? (type === "directory" ? 0o755 : 0o644),
    mtime: spec.mtime,
    linkTarget: spec.linkTarget,
    nestedIn: undefined,
    readBytes: () => Effect.succeed(new Uint8Array(body)),
    readText: () => Effect.succeed(body.toString("utf8")),
    stream: () => Readable.from([body]),
    scanNested: () => Effect.die("not an archive"),
  }
}

/** Run the part's apply function for the entity's kind (dies when the part has none). */
export const applyWith = (part: ImporterPart, entity: Entity, ctx: StepContext): Effect.Effect<StepResult, StepFailed> => {
  const fn = part.apply?.[entity._tag] as ((e: Entity, c: StepContext) => Effect.Effect<StepResult, StepFailed>) | undefined
  return fn === undefined ? Effect.die(new Error(`the part has no apply for ${entity._tag}`)) : fn(entity, ctx)
}

/** Open the part's content sink for `ref` (dies when the part has none for its kind). */
export const contentWith = (
  part: ImporterPart,
  ref: ContentRef,
  entity: Entity,
  ctx: StepContext,
): Effect.Effect<ContentSink, StepFailed> => {
  const fn = part.content?.[ref.kind]
  return fn === undefined ? Effect.die(new Error(`the part has no content for ${ref.kind}`)) : fn(ref, entity, ctx)
}

/** A content ref of `kind` at archive path `path`. */
export const contentRef = (id: string, kind: ContentRef["kind"], path: string): ContentRef => ({
  id,
  kind,
  path,
  excludes: [],
  bytes: 0,
  files: 0,
})

export interface TestPki {
  readonly root: string
  readonly intermediate: string
  readonly leaf: string
  /** PKCS#8 key of `leaf`. */
  readonly leafKey: string
  /** A key that matches nothing. */
  readonly otherKey: string
}

/** A root → intermediate → leaf chain for `domains`, made with the real openssl (EC P-256). */
export const makeTestPki = (domains: ReadonlyArray<string> = ["example.com", "www.example.com"]): TestPki => {
  const dir = tempDir()
  const at = (name: string) => join(dir, name)
  const openssl = (...args: Array<string>) => execFileSync("/usr/bin/openssl", args, { stdio: ["ignore", "pipe", "pipe"] })
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
  writeFileSync(at("ca.ext"), "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n")
  writeFileSync(at("leaf.ext"), `basicConstraints=CA:FALSE\nsubjectAltName=${domains.map((d) => `DNS:${d}`).join(",")}\n`)
  openssl("req", "-x509", ...ec, "-keyout", at("root.key"), "-out", at("root.crt"), "-days", "3650", "-subj", "/CN=Ferry Test Root")
  openssl("req", ...ec, "-keyout", at("int.key"), "-out", at("int.csr"), "-subj", "/CN=Ferry Test Intermediate")
  openssl(
    "x509",
    "-req",
    "-in",
    at("int.csr"),
    "-CA",
    at("root.crt"),
    "-CAkey",
    at("root.key"),
    "-CAcreateserial",
    "-out",
    at("int.crt"),
    "-days",
    "3650",
    "-extfile",
    at("ca.ext"),
  )
  openssl("req", ...ec, "-keyout", at("leaf.key"), "-out", at("leaf.csr"), "-subj", `/CN=${domains[0] ?? "example.com"}`)
  openssl(
    "x509",
    "-req",
    "-in",
    at("leaf.csr"),
    "-CA",
    at("int.crt"),
    "-CAkey",
    at("int.key"),
    "-CAcreateserial",
    "-out",
    at("leaf.crt"),
    "-days",
    "3650",
    "-extfile",
    at("leaf.ext"),
  )
  openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-out", at("other.key"))
  const read = (name: string) => readFileSync(at(name), "utf8")
  return {
    root: read("root.crt"),
    intermediate: read("int.crt"),
    leaf: read("leaf.crt"),
    leafKey: read("leaf.key"),
    otherKey: read("other.key"),
  }
}
