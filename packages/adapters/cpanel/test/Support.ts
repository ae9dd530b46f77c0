import { execFileSync } from "node:child_process"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { AdapterRegistry, type Entity, type EntityOf, type EntityTag, Inspector, type InspectResult, type Snapshot } from "@ferry/core"
import { type Envelope, realCpanelFixtures, type Tree, type TreeNode, treeFromDirectory, withTop, writeArchive } from "@ferry/testing"
import { Effect, Layer } from "effect"
import { cpanelAdapter } from "../src/index.ts"

export { type Tree, type TreeNode, withTop }

export const fixturesDir = realCpanelFixtures()
export const illini = "JackDeDobb__IlliniWildCards"
export const quantify = "jstandfast__quantifyuniversity"
export const uniprev = "ragnermoura__uniprev"

/** A real fixture as a tree (`*.redacted` → name, the stored mail link → a real symlink). */
export const fixtureTree = (set: string): Promise<Map<string, TreeNode>> =>
  treeFromDirectory(path.join(fixturesDir, set), { symlinks: ["homedir/mail/.contactus@illiniwildcards_tk"] })

const layer = Inspector.layer.pipe(Layer.provide(AdapterRegistry.layer([cpanelAdapter])))

let tempRoot: string | undefined
export const tempDir = async (): Promise<string> => {
  tempRoot ??= await fs.mkdtemp(path.join(os.tmpdir(), "ferry-cpanel-"))
  return fs.mkdtemp(path.join(tempRoot, "t-"))
}

/** Write a tree in an envelope under a fresh temp dir; `name` is the archive's file name. */
export const writeTree = async (tree: Tree, envelope: Envelope, name = "backup"): Promise<string> => {
  const dir = await tempDir()
  const suffix = envelope === "directory" ? "" : `.${envelope}`
  return writeArchive(tree, path.join(dir, `${name}${suffix}`), envelope)
}

export const inspectPath = (archive: string): Promise<InspectResult> =>
  Effect.runPromise(Inspector.use((inspector) => inspector.inspect(archive)).pipe(Effect.provide(layer)))

/** Inspect and return the failure (for refusals). */
export const inspectFailure = (archive: string): Promise<unknown> =>
  Effect.runPromise(Inspector.use((inspector) => inspector.inspect(archive)).pipe(Effect.flip, Effect.provide(layer)))

/** Pack a tree as `cpmove-<top>.tar.gz` (top folder `cpmove-<top>`) and inspect it. */
export const inspectTree = async (tree: Tree, top = "cpmove-exuser", envelope: Envelope = "tar.gz"): Promise<InspectResult> =>
  inspectPath(await writeTree(withTop(top, tree), envelope, top))

export const entity = <T extends EntityTag>(snapshot: Snapshot, tag: T, id: string): EntityOf<T> => {
  const found = snapshot.entities.find((e: Entity) => e._tag === tag && e.id === id)
  if (!found)
    throw new Error(
      `no ${tag} ${id}; have ${snapshot.entities
        .filter((e) => e._tag === tag)
        .map((e) => e.id)
        .join(", ")}`,
    )
  return found as EntityOf<T>
}

export const entities = <T extends EntityTag>(snapshot: Snapshot, tag: T): Array<EntityOf<T>> =>
  snapshot.entities.filter((e): e is EntityOf<T> => e._tag === tag)

export const ids = (snapshot: Snapshot, tag: EntityTag): Array<string> =>
  entities(snapshot, tag)
    .map((e) => e.id)
    .sort()

export const notes = (snapshot: Snapshot, code: string) => snapshot.notes.filter((n) => n.code === code)

export const content = (snapshot: Snapshot, id: string) => {
  const found = snapshot.content.find((c) => c.id === id)
  if (!found) throw new Error(`no content ${id}; have ${snapshot.content.map((c) => c.id).join(", ")}`)
  return found
}

/** A minimal valid account payload (without top folder), to extend per test. */
export const minimalAccount = (overrides: Record<string, TreeNode> = {}, cp: Record<string, string> = {}): Map<string, TreeNode> => {
  const cpValues: Record<string, string> = { DNS: "example.com", IP: "192.0.2.10", OWNER: "root", PLAN: "default", USER: "exuser", ...cp }
  const cpText = `# cPanel header\n# second header\n\n${Object.entries(cpValues)
    .sort(([x], [y]) => x.localeCompare(y))
    .map(([k, v]) => `${k}=${v}`)
    .join("\n")}\n`
  const base: Record<string, TreeNode> = {
    version: "pkgacct version: 10\narchive version: 4\n",
    "cp/exuser": cpText,
    "userdata/main": "--- \naddon_domains: {}\n\nmain_domain: example.com\nparked_domains: []\n\nsub_domains: []\n\n",
    "userdata/example.com":
      "--- \ndocumentroot: /home/exuser/public_html\nhomedir: /home/exuser\nip: 192.0.2.10\nphpversion: ea-php81\nserveralias: www.example.com\nservername: example.com\n",
    homedir: { type: "dir" },
    "homedir/public_html/index.html": "<h1>hello</h1>\n",
  }
  return new Map(Object.entries({ ...base, ...overrides }))
}

/** A self-signed certificate and its key, made with openssl (node cannot sign certificates). */
export const selfSigned = async (
  kind: "rsa" | "ec",
  cn: string,
  keyFormat: "traditional" | "pkcs8" = "traditional",
): Promise<{ readonly cert: string; readonly key: string }> => {
  const dir = await tempDir()
  const keyFile = path.join(dir, "key.pem")
  const certFile = path.join(dir, "cert.pem")
  const newkey = kind === "rsa" ? ["-newkey", "rsa:2048"] : ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      ...newkey,
      "-nodes",
      "-keyout",
      keyFile,
      "-out",
      certFile,
      "-days",
      "30",
      "-subj",
      `/CN=${cn}`,
      "-addext",
      `subjectAltName=DNS:${cn},DNS:www.${cn}`,
    ],
    { stdio: "ignore" },
  )
  let key = await fs.readFile(keyFile, "utf8")
  if (keyFormat === "traditional") {
    key = execFileSync("openssl", [kind === "rsa" ? "rsa" : "ec", "-in", keyFile, ...(kind === "rsa" ? ["-traditional"] : [])], {
      stdio: ["ignore", "pipe", "ignore"],
    }).toString()
  }
  return { cert: await fs.readFile(certFile, "utf8"), key }
}

/** A CSR for a key, made with openssl. */
export const csrFor = async (keyPem: string, cn: string): Promise<string> => {
  const dir = await tempDir()
  const keyFile = path.join(dir, "key.pem")
  await fs.writeFile(keyFile, keyPem)
  return execFileSync("openssl", ["req", "-new", "-key", keyFile, "-subj", `/CN=${cn}`, "-addext", `subjectAltName=DNS:${cn}`], {
    stdio: ["ignore", "pipe", "ignore"],
  }).toString()
}
