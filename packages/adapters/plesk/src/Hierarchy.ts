import type { Account } from "@ferry/core"
import { readAccount } from "./Accounts.ts"
import { readCertificates } from "./Certificates.ts"
import { type Assembly, noteAt } from "./Context.ts"
import type { DatabaseUsers } from "./Databases.ts"
import { readDomain } from "./Domains.ts"
import type { XNode } from "./Xml.ts"

type ObjectKind = "reseller" | "client" | "domain"

const kindOfSegment: Readonly<Record<string, ObjectKind>> = { resellers: "reseller", clients: "client", domains: "domain" }

/** The object a per-object XML's directory names: the deepest `resellers|clients|domains/<name>`. */
export const objectOfDirectory = (dir: string): { readonly kind: ObjectKind; readonly name: string } | undefined => {
  const parts = dir.split("/")
  for (let i = parts.length - 2; i >= 0; i--) {
    const kind = kindOfSegment[parts[i] as string]
    if (kind !== undefined) return { kind, name: parts[i + 1] as string }
  }
  return undefined
}

/**
 * Per-object XMLs of a repository (Plesk 10+, plesk.md §2.2): each sub-tree's info XML describes
 * its object in full, while the level above may hold only a stub. The walk takes an object's own
 * description when there is one; those never reached are reported.
 */
export class OwnXmls {
  private readonly byKey = new Map<string, { dump: XNode; taken: boolean }>()

  add(kind: ObjectKind, name: string, dump: XNode): boolean {
    const key = `${kind}:${name.toLowerCase()}`
    if (this.byKey.has(key)) return false
    this.byKey.set(key, { dump, taken: false })
    return true
  }

  /** The element describing `kind name` in its own XML, if the repository has one. */
  take(kind: ObjectKind, name: string): XNode | undefined {
    const entry = this.byKey.get(`${kind}:${name.toLowerCase()}`)
    if (entry === undefined) return undefined
    const element = entry.dump.all(kind).find((el) => (el.get("name") ?? "").toLowerCase() === name.toLowerCase())
    entry.taken = element !== undefined
    return element
  }

  leftovers(): Array<XNode> {
    return [...this.byKey.values()].filter((e) => !e.taken).map((e) => e.dump)
  }
}

export interface Walk {
  readonly a: Assembly
  readonly own: OwnXmls
  readonly databaseUsers: DatabaseUsers
}

const account = (w: Walk, inline: XNode, kind: Account["kind"], owner: string | null): void => {
  const name = inline.getAny(["name", "login"]) ?? ""
  const own = kind === "admin" ? undefined : w.own.take(kind, name)
  if (own !== undefined) inline.consumeAll()
  const node = own ?? inline
  const built = readAccount(w.a, node, kind, owner)
  if (built === undefined) return
  w.a.builder.add(built)
  readCertificates(w.a, node.at("certificates/certificate"), built.login, built.id)
  children(w, node, built.id)
}

const domain = (w: Walk, inline: XNode, owner: string | null): void => {
  const own = w.own.take("domain", inline.get("name") ?? "")
  if (own !== undefined) inline.consumeAll()
  readDomain(w.a, own ?? inline, { owner, kind: "main", databaseUsers: w.databaseUsers })
}

/** Resellers, clients and domains owned by `node` (Plesk 9+ wrappers, Plesk 8 bare elements). */
const children = (w: Walk, node: XNode, owner: string | null): void => {
  for (const reseller of [...node.at("resellers/reseller"), ...node.all("reseller")]) account(w, reseller, "reseller", owner)
  for (const client of [...node.at("clients/client"), ...node.all("client")]) account(w, client, "client", owner)
  const domains = [...node.at("domains/domain"), ...node.all("domain"), ...node.at("sites/domain")]
  if (owner === null && domains.length > 0) {
    noteAt(
      w.a,
      node,
      "info",
      "owner-not-in-backup",
      "domains",
      "the backup holds domains without their owner; they are imported under the owner chosen for the import",
    )
  }
  for (const d of domains) domain(w, d, owner)
}

/** Walk a backup's top-level description: the administrator, or a reseller/client/domain backup. */
export const walkDump = (w: Walk, dump: XNode): void => {
  const admin = dump.one("admin")
  if (admin !== undefined) account(w, admin, "admin", null)
  children(w, dump, null)
  for (const left of w.own.leftovers()) {
    noteAt(
      w.a,
      left,
      "warning",
      "object-not-linked",
      `file ${left.file}`,
      "this per-object description is not linked from the backup's top-level description; not imported",
    )
    left.consumeAll()
  }
}
