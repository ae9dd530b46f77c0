import * as posix from "node:path/posix"
import { UnsafeLink, UnsafePath } from "./ArchiveError.ts"
import type { ArchiveLimits } from "./ArchiveLimits.ts"

/**
 * Turns a stored entry name into the name Ferry uses, or says why it is unsafe (security rules 6
 * and checklist items 1–3, 15, 16). The result is relative, "/"-separated, NFC-normalised, has no
 * "." / ".." / empty components and no trailing slash. Only a leading "./" (as `tar -C dir .`
 * writes) is accepted and removed.
 */
export const normaliseEntryName = (raw: string, limits: Pick<ArchiveLimits, "maxDepth" | "maxPathLength">): string | UnsafePath => {
  if (raw.includes("\0")) return new UnsafePath({ rule: "nul", detail: "the name contains a NUL byte" })
  if (/[\r\n]/.test(raw)) return new UnsafePath({ rule: "control-character", detail: "the name contains a line break" })
  if (raw.includes("\\")) return new UnsafePath({ rule: "windows", detail: "the name contains a backslash" })
  if (/^[A-Za-z]:/.test(raw)) return new UnsafePath({ rule: "windows", detail: "the name starts with a drive letter" })
  if (raw.startsWith("/")) return new UnsafePath({ rule: "absolute", detail: "the name is absolute" })
  if (Buffer.byteLength(raw) > limits.maxPathLength) {
    return new UnsafePath({ rule: "too-long", detail: `the name is longer than ${limits.maxPathLength} bytes` })
  }
  let name = raw
  while (name.startsWith("./")) name = name.slice(2)
  if (name.endsWith("/")) name = name.replace(/\/+$/, "")
  if (name === "" || name === ".") return new UnsafePath({ rule: "empty-component", detail: "the name is empty" })
  const parts = name.split("/")
  if (parts.length > limits.maxDepth) {
    return new UnsafePath({ rule: "too-deep", detail: `the name has more than ${limits.maxDepth} levels` })
  }
  for (const part of parts) {
    if (part === "..") return new UnsafePath({ rule: "traversal", detail: "the name contains a '..' component" })
    if (part === "" || part === ".") {
      return new UnsafePath({ rule: "empty-component", detail: "the name contains an empty or '.' component" })
    }
  }
  return name.normalize("NFC")
}

/** Key under which two names collide on a case- or normalisation-insensitive file system. */
export const collisionKey = (name: string): string => name.normalize("NFKC").toLowerCase()

export interface ResolvedLink {
  /** The archive path the link points at ("" for the root). */
  readonly resolved: string
  /** Paths the kernel walks through on the way (each must not be a link itself). */
  readonly traversed: ReadonlyArray<string>
}

/**
 * Checks a symlink target (checklist items 4–6): relative, non-empty, and resolving inside `root`
 * (the archive root "", or a nested archive's mount) from the link's own directory, walking the
 * target one component at a time as the kernel would. A component that is itself a symlink of
 * the archive (`isSymlink`) may not be walked through: `d/up -> ..` then `l -> d/up/../x` is
 * refused instead of being checked lexically as `d/x`.
 */
export const resolveSymlinkTarget = (
  linkName: string,
  target: string,
  root = "",
  isSymlink: (path: string) => boolean = () => false,
): ResolvedLink | UnsafeLink => {
  if (target === "") return new UnsafeLink({ rule: "empty-target", target, detail: "the link target is empty" })
  if (target.includes("\0") || target.includes("\\")) {
    return new UnsafeLink({ rule: "escapes-root", target, detail: "the link target contains NUL or a backslash" })
  }
  if (target.startsWith("/")) return new UnsafeLink({ rule: "absolute-target", target, detail: "the link target is absolute" })
  const rootDepth = root === "" ? 0 : root.split("/").length
  const dir = posix.dirname(linkName)
  const parts = dir === "." ? [] : dir.split("/")
  const components = target.split("/").filter((c) => c !== "" && c !== ".")
  const traversed: Array<string> = []
  for (const [index, component] of components.entries()) {
    if (component === "..") {
      if (parts.length <= rootDepth) {
        return new UnsafeLink({
          rule: "escapes-root",
          target,
          detail: rootDepth === 0 ? "the link points outside the archive" : `the link points outside its nested archive (${root})`,
        })
      }
      parts.pop()
      continue
    }
    parts.push(component)
    if (index < components.length - 1) {
      const through = parts.join("/")
      if (isSymlink(through)) {
        return new UnsafeLink({ rule: "through-symlink", target, detail: `the target goes through another link (${through})` })
      }
      traversed.push(through)
    }
  }
  return { resolved: parts.join("/"), traversed }
}

/**
 * Containment check for a path relative to a root (security rule 6): `path.relative` based, never
 * a string-prefix test, so "/srv/imp/u1-evil" is not inside "/srv/imp/u1".
 */
export const isInside = (root: string, candidate: string): boolean => {
  const rel = posix.relative(posix.resolve("/", root), posix.resolve("/", root, candidate))
  return rel !== "" && rel !== ".." && !rel.startsWith("../") && !posix.isAbsolute(rel)
}

/**
 * Mode bits Ferry keeps (security rule 7): setuid/setgid/sticky dropped, then capped — never
 * widened — at 0644 for files (0755 if executable) and 0755 for directories. A private 0600 file
 * stays 0600. The owner always keeps read (and, on directories, write and search) access.
 */
export const sanitiseMode = (mode: number, type: "file" | "directory"): number => {
  if (type === "directory") return (mode & 0o755) | 0o700
  return (mode & (mode & 0o111 ? 0o755 : 0o644)) | 0o400
}
