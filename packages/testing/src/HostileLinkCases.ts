import { benign, refused, tarCase } from "./HostileCaseBuilder.ts"
import type { HostileCase } from "./HostileCorpus.ts"
import * as RawTar from "./RawTar.ts"

/* Checklist items 4–6, 9, 10, 16, 17: symbolic and hard links, nested archives. */

const nestedTar = (...parts: ReadonlyArray<Uint8Array>): Buffer => RawTar.tar(...parts)

export const linkCases: ReadonlyArray<HostileCase> = [
  tarCase({
    id: "04-symlink-etc-then-write",
    item: 4,
    description: "symlink 'x' → /etc, then 'x/passwd' would be written through it",
    parts: () => [RawTar.symlink("x", "/etc"), RawTar.file("x/passwd", "root::0:0::/:/bin/sh\n")],
    expect: refused("UnsafeLink", "absolute-target", "x"),
  }),
  tarCase({
    id: "04-write-through-inner-symlink",
    item: 4,
    description: "an in-tree symlink 'x' → 'd', then 'x/passwd': no entry may be written through any symlink",
    parts: () => [RawTar.directory("d"), RawTar.symlink("x", "d"), RawTar.file("x/passwd", "payload\n")],
    expect: refused("EntryConflict", "write-through-symlink", "x/passwd"),
  }),
  tarCase({
    id: "05-nested-through-outer-link",
    item: 5,
    description: "the outer archive plants homedir/x → ../sub; the nested homedir.tar writes x/evil through it",
    parts: () => [
      RawTar.directory("top"),
      RawTar.directory("top/sub"),
      RawTar.directory("top/homedir"),
      RawTar.symlink("top/homedir/x", "../sub"),
      RawTar.file("top/homedir.tar", nestedTar(RawTar.file("x/evil", "payload\n"))),
    ],
    expect: refused("EntryConflict", "write-through-symlink", "x/evil"),
  }),
  tarCase({
    id: "05-outer-escaping-link",
    item: 5,
    description: "the outer archive plants homedir/x → ../../.. for a nested archive to write through",
    parts: () => [
      RawTar.directory("top/homedir"),
      RawTar.symlink("top/homedir/x", "../../.."),
      RawTar.file("top/homedir.tar", nestedTar(RawTar.file("x/etc/cron.d/evil", "payload\n"))),
    ],
    expect: refused("UnsafeLink", "escapes-root", "top/homedir/x"),
  }),
  tarCase({
    id: "05-nested-dotdot",
    item: 5,
    description: "a nested homedir.tar whose entry climbs out of its mount point",
    parts: () => [RawTar.directory("top"), RawTar.file("top/homedir.tar", nestedTar(RawTar.file("../../../etc/x", "payload\n")))],
    expect: refused("UnsafePath", "traversal", "../../../etc/x"),
  }),
  tarCase({
    id: "05-nested-link-escapes-mount",
    item: 5,
    description:
      "a nested homedir.tar gets its own root (rule 4): its symlink l → ../cp/u leaves the mount, even though homedir/../cp/u is inside the outer archive",
    parts: () => [RawTar.file("cp/u", "USER=u\n"), RawTar.file("homedir.tar", nestedTar(RawTar.symlink("l", "../cp/u")))],
    expect: refused("UnsafeLink", "escapes-root", "l"),
  }),
  tarCase({
    id: "05-nested-too-deep",
    item: 5,
    description: "archives nested deeper than the nesting limit",
    parts: () => [RawTar.file("a.tar", nestedTar(RawTar.file("b.tar", nestedTar(RawTar.file("c.txt", "payload\n")))))],
    limits: { maxNesting: 1 },
    expect: refused("LimitExceeded", "nesting", "b.tar"),
  }),

  tarCase({
    id: "06-symlink-absolute",
    item: 6,
    description: "symlink to an absolute path",
    parts: () => [benign(), RawTar.symlink("shadow", "/etc/shadow")],
    expect: refused("UnsafeLink", "absolute-target", "shadow"),
  }),
  tarCase({
    id: "06-symlink-escapes",
    item: 6,
    description: "relative symlink climbing out with ../../..",
    parts: () => [RawTar.symlink("a/b/l", "../../..")],
    expect: refused("UnsafeLink", "escapes-root", "a/b/l"),
  }),
  tarCase({
    id: "06-symlink-chain",
    item: 6,
    description: "l1 → l2 (inside), then l2 → ../x (outside): each link is checked",
    parts: () => [RawTar.symlink("l1", "l2"), RawTar.symlink("l2", "../x")],
    expect: refused("UnsafeLink", "escapes-root", "l2"),
  }),
  tarCase({
    id: "06-symlink-chain-through-link",
    item: 6,
    description:
      "d/up → .. resolves to the root; l → d/up/../x looks like 'd/x' lexically but the kernel follows d/up first and lands outside the root",
    parts: () => [RawTar.directory("d"), RawTar.symlink("d/up", ".."), RawTar.symlink("l", "d/up/../x")],
    expect: refused("UnsafeLink", "through-symlink", "l"),
  }),
  tarCase({
    id: "06-symlink-empty-target",
    item: 6,
    description: "symlink with an empty target",
    parts: () => [RawTar.symlink("l", "")],
    expect: refused("UnsafeLink", "empty-target", "l"),
  }),
  tarCase({
    id: "06-symlink-empty-name",
    item: 6,
    description: "symlink with an empty name",
    parts: () => [RawTar.symlink("", "readme.txt")],
    expect: refused("UnsafePath", "empty-component", ""),
  }),
  tarCase({
    id: "06-symlink-backslash-target",
    item: 6,
    description: "symlink target with backslashes",
    parts: () => [RawTar.symlink("l", "..\\..\\x")],
    expect: refused("UnsafeLink", "escapes-root", "l"),
  }),

  tarCase({
    id: "09-hardlink-absolute",
    item: 9,
    description: "hard link to /etc/shadow",
    parts: () => [benign(), RawTar.hardlink("h", "/etc/shadow")],
    expect: refused("UnsafeLink", "hardlink-escapes", "h"),
  }),
  tarCase({
    id: "09-hardlink-other-tenant",
    item: 9,
    description: "hard link to another tenant's file",
    parts: () => [RawTar.hardlink("h", "../u2/.my.cnf")],
    expect: refused("UnsafeLink", "hardlink-escapes", "h"),
  }),
  tarCase({
    id: "10-hardlink-before-target",
    item: 10,
    description: "hard link whose target only appears later",
    parts: () => [RawTar.hardlink("h", "later.txt"), RawTar.file("later.txt", "payload\n")],
    expect: refused("UnsafeLink", "hardlink-missing-target", "h"),
  }),
  tarCase({
    id: "10-hardlink-to-symlink",
    item: 10,
    description: "hard link to a symlink",
    parts: () => [benign(), RawTar.symlink("s", "readme.txt"), RawTar.hardlink("h", "s")],
    expect: refused("UnsafeLink", "hardlink-to-link", "h"),
  }),
  tarCase({
    id: "10-hardlink-to-directory",
    item: 10,
    description: "hard link to a directory",
    parts: () => [RawTar.directory("d"), RawTar.hardlink("h", "d")],
    expect: refused("UnsafeLink", "hardlink-to-link", "h"),
  }),

  tarCase({
    id: "16-pax-linkpath-override",
    item: 16,
    description: "a benign ustar link target overridden by a PAX 'linkpath' of /etc/passwd",
    parts: () => [benign(), RawTar.paxHeader({ linkpath: "/etc/passwd" }), RawTar.symlink("l", "readme.txt")],
    expect: refused("UnsafeLink", "absolute-target", "l"),
  }),
  tarCase({
    id: "16-gnu-long-link-absolute",
    item: 16,
    description: "a GNU 'K' long link target of /etc/shadow replacing a benign one",
    parts: () => [RawTar.gnuLongName("/etc/shadow", "link"), RawTar.symlink("l", "readme.txt", { format: "gnu" })],
    expect: refused("UnsafeLink", "absolute-target", "l"),
  }),

  tarCase({
    id: "17-duplicate-file-then-symlink",
    item: 17,
    description: "a file, then a symlink of the same name (swapping a checked file for a link)",
    parts: () => [RawTar.file("y", "target\n"), RawTar.file("x", "first\n"), RawTar.symlink("x", "y")],
    expect: refused("EntryConflict", "duplicate-type-change", "x"),
  }),
  tarCase({
    id: "17-duplicate-symlink-then-file",
    item: 17,
    description: "a symlink, then a file of the same name",
    parts: () => [RawTar.file("y", "target\n"), RawTar.symlink("x", "y"), RawTar.file("x", "second\n")],
    expect: refused("EntryConflict", "duplicate-type-change", "x"),
  }),
]
