import * as fs from "node:fs/promises"
import * as nodePath from "node:path"
import { type TreeNode, writeArchive } from "./FixtureBuilder.ts"
import { ispmanager4Tree } from "./IspmanagerGenerator4.ts"
import { type IsptarBackup, isptarTree, writeIspmanagerIsptarBackup } from "./IspmanagerGeneratorIsptar.ts"
import { type IspmanagerSpec, largeIspmanager6Spec } from "./IspmanagerGeneratorPlan.ts"
import type { IsptarVersion } from "./IspmanagerGeneratorSystem.ts"

/*
 * Hostile and legacy variants of the synthetic ispmanager backups: XML that a safe parser must
 * refuse (security.md checklist items 22–24, 26), an old DAR slice (§8 #9), and the large
 * benchmark backup in ispmanager's default 100 MB volumes.
 */

export interface HostileXmlVariant {
  readonly id: string
  readonly description: string
  /** Turn a well-formed `<?xml …?><doc>…</doc>` document into the hostile one. */
  readonly edit: (xml: string) => string
}

const withDoctype = (xml: string, doctype: string, body?: (xml: string) => string): string => {
  const edited = xml.replace("<doc>", `${doctype}\n<doc>`)
  return body !== undefined ? body(edited) : edited
}

export const hostileXmlVariants: ReadonlyArray<HostileXmlVariant> = [
  {
    id: "xxe-file",
    description: "an external entity reading /etc/passwd, used in a field (item 22)",
    edit: (xml) =>
      withDoctype(xml, '<!DOCTYPE doc [<!ENTITY x SYSTEM "file:///etc/passwd">]>', (x) => x.replace("</doc>", "<leak>&x;</leak></doc>")),
  },
  {
    id: "xxe-url",
    description: "a DOCTYPE fetching the cloud metadata address (item 22)",
    edit: (xml) => withDoctype(xml, '<!DOCTYPE doc SYSTEM "http://169.254.169.254/latest/meta-data/">'),
  },
  {
    id: "billion-laughs",
    description: "nested entity expansion (item 23)",
    edit: (xml) =>
      withDoctype(
        xml,
        `<!DOCTYPE doc [<!ENTITY a "${"a".repeat(10)}">${Array.from({ length: 9 }, (_, i) => `<!ENTITY ${String.fromCharCode(98 + i)} "${`&${String.fromCharCode(97 + i)};`.repeat(10)}">`).join("")}]>`,
        (x) => x.replace("</doc>", "<boom>&j;</boom></doc>"),
      ),
  },
  {
    id: "regex-entity-name",
    description: "an entity whose name holds regex metacharacters (item 24)",
    edit: (xml) => withDoctype(xml, '<!DOCTYPE doc [<!ENTITY l. "x">]>', (x) => x.replace("</doc>", "<v>&l.;</v></doc>")),
  },
  {
    id: "proto-element",
    description: "a __proto__ element (item 26)",
    edit: (xml) => xml.replace("</doc>", "<__proto__><polluted>yes</polluted></__proto__></doc>"),
  },
  {
    id: "deep-nesting",
    description: "5,000 nested elements",
    edit: (xml) => xml.replace("</doc>", `${"<n>".repeat(5000)}${"</n>".repeat(5000)}</doc>`),
  },
]

const variantOf = (id: string): HostileXmlVariant => {
  const variant = hostileXmlVariants.find((v) => v.id === id)
  if (variant === undefined) throw new Error(`no hostile XML variant ${id}`)
  return variant
}

/** An ISPtar data file whose `.system/<file>` is made hostile. */
export const writeIsptarHostileBackup = async (
  spec: IspmanagerSpec,
  dir: string,
  version: IsptarVersion,
  variant: string,
  file = "user.xml",
): Promise<string> => {
  const { tree } = isptarTree(spec, version)
  const copy = new Map<string, TreeNode>(tree)
  const path = `.system/${file}`
  copy.set(path, variantOf(variant).edit(String(copy.get(path) ?? '<?xml version="1.0"?>\n<doc>\n</doc>\n')))
  return writeArchive(copy, nodePath.join(dir, `F2024-05-01.${spec.user}.tgz`), "tar.gz")
}

/** An ispmanager 4 archive whose `PBKP_CONTENT` or `PBKP_XML_LISTING` is made hostile. */
export const writeIspmanager4HostileBackup = async (
  spec: IspmanagerSpec,
  dir: string,
  variant: string,
  file: "PBKP_CONTENT" | "PBKP_XML_LISTING" = "PBKP_CONTENT",
): Promise<string> => {
  const { tree } = ispmanager4Tree(spec)
  const copy = new Map<string, TreeNode>(tree)
  copy.set(file, variantOf(variant).edit(String(copy.get(file))))
  return writeArchive(copy, nodePath.join(dir, `1_${spec.user}-2024-05-01.tar.gz`), "tar.gz")
}

/**
 * The start of a DAR slice as the `file(1)` magic database describes it: a big-endian 123, a
 * 10-byte label, `T` (last slice) or `N`, then filler. Enough to be recognised, nothing more.
 */
export const darSliceBytes = (last = true): Buffer =>
  Buffer.concat([Buffer.from([0, 0, 0, 123]), Buffer.from("ferrysynth"), Buffer.from(last ? "T" : "N"), Buffer.alloc(1024, 0x5a)])

/** An old ispmanager 5 backup: `<name>.1.dar … .N.dar` slices in `dir`. Returns the slices. */
export const writeDarBackup = async (dir: string, name = "alice", slices = 2): Promise<ReadonlyArray<string>> => {
  await fs.mkdir(dir, { recursive: true })
  const paths: Array<string> = []
  for (let i = 1; i <= slices; i++) {
    const path = nodePath.join(dir, `${name}.${i}.dar`)
    await fs.writeFile(path, darSliceBytes(i === slices))
    paths.push(path)
  }
  return paths
}

/** The benchmark backup: `largeIspmanager6Spec` in 100 MB volumes (ispmanager's default). */
export const writeLargeIspmanager6Backup = (dir: string, options: { readonly volumeBytes?: number } = {}): Promise<IsptarBackup> =>
  writeIspmanagerIsptarBackup(largeIspmanager6Spec, dir, { version: "6", volumeBytes: options.volumeBytes ?? 100 * 1024 * 1024 })
