import * as posix from "node:path/posix"
import { UnsafeLink, UnsafePath } from "./ArchiveError.ts"
import type { ArchiveLimits } from "./ArchiveLimits.ts"

/**
 * Turns a stored entry name into the name Ferry uses, or says why it is unsafe (security rules 6
 * and checklist items 1–3, 15, 16). The result is relative, "/"-separated, NFC-normalised, has no
 * "." / ".." / empty components and no trailing slash. Only a leading "./" (as `tar -C dir .`
 * writes) is accepted and removed.
 */
export const normaliseEntryName = (
  raw: string,
  limits: Pick<ArchiveLimits, "maxDepth" | "maxPathLength">,
): string | UnsafePath => {
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

/**
 * Checks a symlink target (checklist items 4, 6): relative, non-empty, and resolving inside the
 * archive root from the link's own directory. Returns the resolved archive path.
 */
export const resolveSymlinkTarget = (linkName: string, target: string): string | UnsafeLink => {
  if (target === "") return new UnsafeLink({ rule: "empty-target", target, detail: "the link target is empty" })
  if (target.includes("\0") || target.includes("\\")) {
    return new UnsafeLink({ rule: "escapes-root", target, detail: "the link target contains NUL or a backslash" })
  }
  if (target.startsWith("/")) return new UnsafeLink({ rule: "absolute-target", target, detail: "the link target is absolute" })
  const resolved = posix.normalize(posix.join(posix.dirname(linkName), target))
  if (resolved === ".." || resolved.startsWith("../") || posix.isAbsolute(resolved)) {
    return new UnsafeLink({ rule: "escapes-root", target, detail: "the link points outside the archive" })
  }
  return resolved === "." ? "" : resolved
}

/**
 * Containment check for a path relative to a root (security rule 6): `path.relative` based, never
 * a string-prefix test, so "/srv/imp/u1-evil" is not inside "/srv/imp/u1".
 */
export const isInside = (root: string, candidate: string): boolean => {
  const rel = posix.relative(posix.resolve("/", root), posix.resolve("/", root, candidate))
  return rel !== "" && rel !== ".." && !rel.startsWith("../") && !posix.isAbsolute(rel)
}

/** Mode bits Ferry keeps: no setuid/setgid/sticky; files 0644 (0755 if executable), dirs 0755. */
export const sanitiseMode = (mode: number, type: "file" | "directory"): number => {
  if (type === "directory") return 0o755
  return mode & 0o111 ? 0o755 : 0o644
}
