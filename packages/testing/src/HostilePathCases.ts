import { benign, refused, tarCase } from "./HostileCaseBuilder.ts"
import type { HostileCase } from "./HostileCorpus.ts"
import * as RawTar from "./RawTar.ts"

/* Checklist items 1–3, 7, 8, 15–17: names. */

const nameCase = (id: string, item: number, name: string, rule: string, description: string): HostileCase =>
  tarCase({
    id,
    item,
    description,
    parts: () => [benign(), RawTar.file(name, "payload\n")],
    expect: refused("UnsafePath", rule, name),
  })

const deepName = (levels: number): string => Array.from({ length: levels }, (_, i) => `d${i}`).join("/")

const cafeNfc = "caf\u00e9"
const cafeNfd = "cafe\u0301"

export const pathCases: ReadonlyArray<HostileCase> = [
  nameCase("01-dotdot", 1, "../../etc/cron.d/x", "traversal", "leading '..' components climb out of the extraction root"),
  nameCase("01-inner-dotdot", 1, "a/../../x", "traversal", "'..' after a normal component still climbs out"),
  nameCase("01-dotdot-only", 1, "..", "traversal", "an entry named just '..'"),
  nameCase("02-absolute", 2, "/etc/passwd", "absolute", "absolute name"),
  nameCase("02-double-slash", 2, "//etc/x", "absolute", "absolute name with a doubled slash (not re-rooted)"),
  nameCase("02-many-slashes", 2, "////home/u/.bashrc", "absolute", "absolute name with many leading slashes"),
  nameCase("03-drive-backslash", 3, "C:\\x", "windows", "Windows drive letter and backslash"),
  nameCase("03-drive-relative", 3, "c:../x", "windows", "drive-relative name with '..'"),
  nameCase("03-backslash-dotdot", 3, "..\\..\\x", "windows", "backslash-separated traversal"),
  nameCase("03-backslash-inner", 3, "public_html\\evil.php", "windows", "any backslash in a name"),
  nameCase("08-sibling-prefix", 8, "../u1-evil/x", "traversal", "resolves to /srv/imp/u1-evil when the root is /srv/imp/u1"),
  nameCase("15-dot-component", 15, "a/./b", "empty-component", "a '.' component inside a name"),
  nameCase("15-empty-component", 15, "a//b", "empty-component", "an empty component inside a name"),
  nameCase("16-newline-in-name", 16, "a\nb", "control-character", "a line break in a name (breaks line-based reports and configs)"),

  tarCase({
    id: "07-ligature-collision",
    item: 7,
    description: "'ﬀ' and 'FF' are the same name on case-insensitive, compatibility-normalising file systems",
    parts: () => [RawTar.file("\ufb00", "one\n"), RawTar.file("FF", "two\n")],
    expect: refused("EntryConflict", "normalisation-collision", "FF"),
  }),
  tarCase({
    id: "07-nfc-nfd-type-change",
    item: 7,
    description: "a file named in NFC, then a symlink with the same name in NFD",
    parts: () => [RawTar.file(cafeNfc, "one\n"), RawTar.symlink(cafeNfd, "readme.txt")],
    expect: refused("EntryConflict", "normalisation-collision", cafeNfd),
  }),
  tarCase({
    id: "07-nfc-nfd-files",
    item: 7,
    description: "two regular files whose names differ only by Unicode normalisation must not silently become one",
    parts: () => [RawTar.file(cafeNfc, "one\n"), RawTar.file(cafeNfd, "two\n")],
    expect: refused("EntryConflict", "normalisation-collision", cafeNfd),
  }),
  tarCase({
    id: "07-case-variant-through-symlink",
    item: 7,
    description: "symlink 'Site' → 'd', then 'site/passwd': on a case-insensitive file system the write goes through the link",
    parts: () => [RawTar.directory("d"), RawTar.symlink("Site", "d"), RawTar.file("site/passwd", "payload\n")],
    expect: refused("EntryConflict", undefined, "site/passwd"),
  }),
  tarCase({
    id: "07-nfd-variant-through-symlink",
    item: 7,
    description: "symlink named in NFC, then a file below the same name written in NFD",
    parts: () => [RawTar.directory("d"), RawTar.symlink(cafeNfc, "d"), RawTar.file(`${cafeNfd}/passwd`, "payload\n")],
    expect: refused("EntryConflict", "write-through-symlink", `${cafeNfd}/passwd`),
  }),
  tarCase({
    id: "07-dir-then-symlink",
    item: 7,
    description: "a directory, then a symlink of the same name (a later file would land through it)",
    parts: () => [RawTar.directory("site"), RawTar.symlink("site", "elsewhere"), RawTar.file("site/index.php", "<?php\n")],
    expect: refused("EntryConflict", "duplicate-type-change", "site"),
  }),
  tarCase({
    id: "07-symlink-then-dir",
    item: 7,
    description: "a symlink, then a directory of the same name",
    parts: () => [RawTar.directory("elsewhere"), RawTar.symlink("site", "elsewhere"), RawTar.directory("site")],
    expect: refused("EntryConflict", "duplicate-type-change", "site/"),
  }),

  tarCase({
    id: "15-too-deep",
    item: 15,
    description: "a name with 200 levels (PAX path), beyond the default depth limit",
    parts: () => [RawTar.paxHeader({ path: `${deepName(200)}/f` }), RawTar.file("deep", "x\n")],
    expect: refused("UnsafePath", "too-deep", `${deepName(200)}/f`),
  }),
  tarCase({
    id: "15-too-long",
    item: 15,
    description: "a 5000-byte name (PAX path), beyond the default length limit",
    parts: () => [RawTar.paxHeader({ path: `${"n".repeat(5000)}` }), RawTar.file("long", "x\n")],
    expect: refused("UnsafePath", "too-long", "n".repeat(5000)),
  }),
  tarCase({
    id: "15-depth-small-limit",
    item: 15,
    description: "depth limit applies to ordinary ustar names too",
    parts: () => [RawTar.file("a/b/c/d/e/f", "x\n")],
    limits: { maxDepth: 4 },
    expect: refused("UnsafePath", "too-deep", "a/b/c/d/e/f"),
  }),

  tarCase({
    id: "16-pax-path-override",
    item: 16,
    description: "a benign ustar name overridden by a PAX 'path' record with '..'",
    parts: () => [benign(), RawTar.paxHeader({ path: "../x" }), RawTar.file("benign.txt", "payload\n")],
    expect: refused("UnsafePath", "traversal", "../x"),
  }),
  tarCase({
    id: "16-pax-global-then-local",
    item: 16,
    description: "a global PAX header sets 'path'; a later entry with its own PAX header inherits it",
    parts: () => [
      RawTar.paxHeader({ path: "../global" }, { global: true }),
      RawTar.paxHeader({ mtime: "1700000000.5" }),
      RawTar.file("benign.txt", "payload\n"),
    ],
    expect: refused("UnsafePath", "traversal", "../global"),
  }),
  tarCase({
    id: "16-pax-global-path",
    item: 16,
    description: "a global PAX header sets 'path' for every following entry (POSIX; GNU tar applies it)",
    parts: () => [RawTar.paxHeader({ path: "../global" }, { global: true }), RawTar.file("benign.txt", "payload\n")],
    // tar-stream hides the global header's name from the entry, so the refusal names the entry it
    // would have renamed; the message carries the overriding path.
    expect: refused("UnsafePath", "traversal", "benign.txt"),
  }),
  tarCase({
    id: "16-gnu-long-name-dotdot",
    item: 16,
    description: "a GNU 'L' long name of '../../x' replacing a benign header name",
    parts: () => [RawTar.gnuLongName("../../x"), RawTar.file("benign.txt", "payload\n", { format: "gnu" })],
    expect: refused("UnsafePath", "traversal", "../../x"),
  }),
  tarCase({
    id: "16-nul-in-pax-path",
    item: 16,
    description: "a NUL byte inside a PAX path ('ok' for C readers, more for others)",
    parts: () => [RawTar.paxHeader({ path: "ok\0../../x" }), RawTar.file("ok", "payload\n")],
    expect: refused("UnsafePath", "nul", "ok\0../../x"),
  }),
]
