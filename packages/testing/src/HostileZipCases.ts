import { refused, writeBytes } from "./HostileCaseBuilder.ts"
import type { HostileCase } from "./HostileCorpus.ts"
import { type ZipMember, zipArchive } from "./ZipWriter.ts"

/*
 * Checklist item 21: the ZIP versions of items 1–14 (ispmanager 4 writes `.zip` backups, so ZIPs
 * are read, with the same rules as tars). Nested ZIPs stay unsupported (`HostileFormatCases.ts`).
 */

const benignMember: ZipMember = { name: "readme.txt", body: "a harmless first member\n" }

const zipCase = (
  id: string,
  description: string,
  members: () => ReadonlyArray<ZipMember>,
  expect: HostileCase["expect"],
  options: { readonly fileName?: string; readonly limits?: HostileCase["limits"] } = {},
): HostileCase => ({
  id,
  item: 21,
  description,
  build: (dir) => writeBytes(dir, options.fileName ?? `${id}.zip`, zipArchive(members())),
  expect,
  ...(options.limits !== undefined ? { limits: options.limits } : {}),
})

const nameCase = (id: string, name: string | Uint8Array, rule: string, description: string, entry: string): HostileCase =>
  zipCase(id, description, () => [benignMember, { name, body: "payload\n" }], refused("UnsafePath", rule, entry))

export const zipCases: ReadonlyArray<HostileCase> = [
  nameCase("21-zip-slip", "../../etc/cron.d/evil", "traversal", "zip-slip: a member climbing out with '../'", "../../etc/cron.d/evil"),
  nameCase("21-zip-inner-dotdot", "a/../../x", "traversal", "'..' after a normal component", "a/../../x"),
  nameCase("21-zip-absolute", "/etc/passwd", "absolute", "an absolute member name", "/etc/passwd"),
  nameCase(
    "21-zip-backslash",
    "..\\..\\x",
    "windows",
    "backslash-separated traversal (kept as stored, never turned into '/')",
    "..\\..\\x",
  ),
  nameCase("21-zip-drive-letter", "C:/Windows/x", "windows", "a drive letter", "C:/Windows/x"),
  nameCase("21-zip-nul", "ok\0../../x", "nul", "a NUL byte in a member name", "ok\0../../x"),
  nameCase("21-zip-cp437-dotdot", Buffer.from("../x", "latin1"), "traversal", "a '..' name without the UTF-8 flag (CP437)", "../x"),
  zipCase(
    "21-zip-slip-named-tar-gz",
    "a ZIP with a '../../' member, named .tar.gz: the container is sniffed, the name is refused",
    () => [
      { name: "cpmove-u/cp/u", body: "USER=u\n" },
      { name: "../../etc/cron.d/evil", body: "* * * * * root id\n" },
    ],
    refused("UnsafePath", "traversal", "../../etc/cron.d/evil"),
    { fileName: "cpmove-u.tar.gz" },
  ),
  zipCase(
    "21-zip-symlink-absolute",
    "a symlink member pointing at /etc",
    () => [{ name: "x", body: "/etc", mode: 0o120777 }],
    refused("UnsafeLink", "absolute-target", "x"),
  ),
  zipCase(
    "21-zip-symlink-escapes",
    "a symlink member climbing out of the archive",
    () => [benignMember, { name: "a/l", body: "../../x", mode: 0o120777 }],
    refused("UnsafeLink", "escapes-root", "a/l"),
  ),
  zipCase(
    "21-zip-write-through-symlink",
    "an in-archive symlink 'd' → 'sub', then 'd/passwd' written through it",
    () => [
      { name: "sub/", mode: 0o040755 },
      { name: "d", body: "sub", mode: 0o120777 },
      { name: "d/passwd", body: "payload\n" },
    ],
    refused("EntryConflict", "write-through-symlink", "d/passwd"),
  ),
  zipCase(
    "21-zip-duplicate-type-change",
    "a file, then a symlink of the same name",
    () => [
      { name: "y", body: "target\n" },
      { name: "x", body: "first\n" },
      { name: "x", body: "y", mode: 0o120777 },
    ],
    refused("EntryConflict", "duplicate-type-change", "x"),
  ),
  zipCase(
    "21-zip-setuid-and-wide-modes",
    "setuid/setgid/sticky bits and world-writable modes in the external attributes",
    () => [
      { name: "bin/", mode: 0o040777 },
      { name: "bin/suid", body: "#!/bin/sh\n", mode: 0o104755 },
      { name: "bin/sgid", body: "#!/bin/sh\n", mode: 0o102755 },
      { name: "tmp/", mode: 0o041777 },
      { name: "world.txt", body: "data\n", mode: 0o100666 },
      { name: "private.txt", body: "data\n", mode: 0o100600 },
    ],
    {
      kind: "neutralised",
      check: "special bits stripped; files capped at 0644 (0755 when executable), directories at 0755; private modes kept",
      modes: { bin: 0o755, "bin/suid": 0o755, "bin/sgid": 0o755, tmp: 0o755, "world.txt": 0o644, "private.txt": 0o600 },
    },
  ),
  zipCase(
    "21-zip-fifo-and-device",
    "members whose Unix file type is a FIFO or a character device",
    () => [
      { name: "pipe", mode: 0o010644 },
      { name: "null", mode: 0o020666 },
      { name: "kept.txt", body: "still read\n" },
    ],
    {
      kind: "neutralised",
      check: "FIFOs and devices are skipped and listed in the scan statistics; later members are still read",
      skipped: [
        { path: "pipe", kind: "fifo" },
        { path: "null", kind: "character-device" },
      ],
      visited: ["kept.txt"],
    },
  ),
  zipCase(
    "21-zip-deflate-bomb",
    "8 MiB of zeros deflated to a few KB (ratio limit lowered to 50 so the case is fast)",
    () => [{ name: "bomb.bin", body: new Uint8Array(8 * 1024 * 1024), deflate: true }],
    refused("LimitExceeded", "compression-ratio", undefined),
    { limits: { ratioFloorBytes: 1024 * 1024, maxCompressionRatio: 50 } },
  ),
  zipCase(
    "21-zip-huge-declared-size",
    "a member declaring 2 TiB (zip64), beyond the per-entry limit",
    () => [{ name: "huge.bin", body: "x", deflate: true, declaredSize: 2 * 1024 ** 4 }],
    refused("LimitExceeded", "entry-bytes", "huge.bin"),
  ),
  zipCase(
    "21-zip-encrypted-member",
    "a member flagged as encrypted (ZipCrypto: a 12-byte header before the data)",
    () => [benignMember, { name: "secret.txt", body: "x".repeat(24), declaredSize: 12, encryptedFlag: true }],
    refused("UnsupportedEntry", "unknown-type", "secret.txt"),
  ),
  zipCase(
    "21-zip-crc-mismatch",
    "a member whose CRC-32 does not match its body",
    () => [benignMember, { name: "tampered.txt", body: "payload\n", crc: 0x12345678 }],
    refused("CorruptArchive", undefined, "tampered.txt"),
  ),
  zipCase(
    "21-zip-size-lie",
    "a deflated member that inflates to more than it declares",
    () => [benignMember, { name: "liar.bin", body: new Uint8Array(64 * 1024), deflate: true, declaredSize: 100 }],
    refused("CorruptArchive", undefined, "liar.bin"),
  ),
  zipCase("21-zip-empty", "an empty ZIP (only the end-of-directory record)", () => [], refused("CorruptArchive", undefined, ""), {
    fileName: "21-empty.tar.gz",
  }),
  {
    id: "21-zip-truncated",
    item: 21,
    description: "a ZIP cut before its central directory",
    build: (dir) => writeBytes(dir, "21-zip-truncated.zip", zipArchive([benignMember, { name: "b.txt", body: "more\n" }]).subarray(0, 60)),
    expect: refused("CorruptArchive", undefined, ""),
  },
]
