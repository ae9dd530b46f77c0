import { execFile } from "node:child_process"
import * as fs from "node:fs/promises"
import * as nodePath from "node:path"
import { promisify } from "node:util"
import { benign, refused, tarCase } from "./HostileCaseBuilder.ts"
import type { HostileCase } from "./HostileCorpus.ts"
import * as RawTar from "./RawTar.ts"

/* Checklist items 11–15: modes, owners, special files, bombs and limits. */

const run = promisify(execFile)

const zeros = (bytes: number): Buffer => Buffer.alloc(bytes)
const bombLimits = { ratioFloorBytes: 1024 * 1024, maxCompressionRatio: 50 }
const tib = 1024 ** 4

export const limitCases: ReadonlyArray<HostileCase> = [
  tarCase({
    id: "11-setuid-and-wide-modes",
    item: 11,
    description: "setuid/setgid/sticky bits and world-writable modes in headers",
    parts: () => [
      RawTar.directory("bin", { mode: 0o777 }),
      RawTar.file("bin/suid", "#!/bin/sh\n", { mode: 0o4755 }),
      RawTar.file("bin/sgid", "#!/bin/sh\n", { mode: 0o2755 }),
      RawTar.file("bin/suid-noexec", "data\n", { mode: 0o4644 }),
      RawTar.directory("tmp", { mode: 0o1777 }),
      RawTar.file("world.txt", "data\n", { mode: 0o666 }),
      RawTar.file("all.sh", "#!/bin/sh\n", { mode: 0o777 }),
    ],
    expect: {
      kind: "neutralised",
      check: "special bits stripped; files capped at 0644 (0755 when executable), directories at 0755",
      modes: {
        bin: 0o755,
        "bin/suid": 0o755,
        "bin/sgid": 0o755,
        "bin/suid-noexec": 0o644,
        tmp: 0o755,
        "world.txt": 0o644,
        "all.sh": 0o755,
      },
    },
  }),
  tarCase({
    id: "11-private-modes-kept",
    item: 11,
    description: "private modes (~/.ssh 0700, id_rsa 0600, wp-config.php 0640) are capped, never widened",
    parts: () => [
      RawTar.directory(".ssh", { mode: 0o700 }),
      RawTar.file(".ssh/id_rsa", "-----BEGIN OPENSSH PRIVATE KEY-----\n", { mode: 0o600 }),
      RawTar.directory("mail", { mode: 0o751 }),
      RawTar.file("wp-config.php", "<?php\n", { mode: 0o640 }),
    ],
    expect: {
      kind: "neutralised",
      check: "modes are masked with 0644 / 0755, so private files and directories stay private",
      modes: { ".ssh": 0o700, ".ssh/id_rsa": 0o600, mail: 0o751, "wp-config.php": 0o640 },
    },
  }),
  tarCase({
    id: "12-uid-zero",
    item: 12,
    description: "entries owned by uid/gid 0 (root) in their headers",
    parts: () => [
      RawTar.directory("home", { uid: 0, gid: 0, uname: "root", gname: "root" }),
      RawTar.file("home/.bashrc", "echo hi\n", { uid: 0, gid: 0, uname: "root", gname: "root", mode: 0o4755 }),
    ],
    expect: {
      kind: "neutralised",
      check: "owner ids and names from headers are not exposed to visitors (the tenant owns everything)",
      visited: ["home", "home/.bashrc"],
      modes: { "home/.bashrc": 0o755 },
    },
  }),
  tarCase({
    id: "13-devices-and-fifo",
    item: 13,
    description: "character and block devices and a FIFO",
    parts: () => [
      RawTar.directory("dev"),
      RawTar.entry({ name: "dev/null", typeflag: RawTar.TypeFlag.charDevice, devmajor: 1, devminor: 3, mode: 0o666 }),
      RawTar.entry({ name: "dev/sda", typeflag: RawTar.TypeFlag.blockDevice, devmajor: 8, devminor: 0, mode: 0o660 }),
      RawTar.entry({ name: "pipe", typeflag: RawTar.TypeFlag.fifo, mode: 0o644 }),
      RawTar.file("kept.txt", "still read\n"),
    ],
    expect: {
      kind: "neutralised",
      check: "devices and FIFOs are skipped and listed in the scan statistics; later entries are still read",
      skipped: [
        { path: "dev/null", kind: "character-device" },
        { path: "dev/sda", kind: "block-device" },
        { path: "pipe", kind: "fifo" },
      ],
      visited: ["dev", "kept.txt"],
    },
  }),
  {
    id: "13-directory-fifo",
    item: 13,
    description: "an extracted backup directory holding a FIFO",
    build: async (dir) => {
      const root = nodePath.join(dir, "13-directory-fifo")
      await fs.mkdir(nodePath.join(root, "mail"), { recursive: true })
      await fs.writeFile(nodePath.join(root, "mail", "kept.txt"), "still read\n")
      await run("mkfifo", ["--", nodePath.join(root, "mail", "pipe")])
      return root
    },
    expect: {
      kind: "neutralised",
      check: "the FIFO is skipped and listed, never opened",
      skipped: [{ path: "mail/pipe", kind: "fifo" }],
      visited: ["mail", "mail/kept.txt"],
    },
  },
  tarCase({
    id: "13-unknown-typeflag",
    item: 13,
    description: "an entry with a type flag no tar format defines ('Z')",
    parts: () => [benign(), RawTar.entry({ name: "mystery", typeflag: "Z" }, "????")],
    expect: refused("UnsupportedEntry", "unknown-type", "mystery"),
  }),

  tarCase({
    id: "14-gzip-bomb",
    item: 14,
    description: "8 MiB of zeros in a tar.gz of a few KB (ratio limit lowered to 50 so the case is fast)",
    parts: () => [RawTar.file("bomb.bin", zeros(8 * 1024 * 1024))],
    wrapping: "tar.gz",
    limits: bombLimits,
    expect: refused("LimitExceeded", "compression-ratio", undefined),
  }),
  tarCase({
    id: "14-zstd-bomb",
    item: 14,
    description: "8 MiB of zeros in a tar.zst (ratio limit lowered to 50)",
    parts: () => [RawTar.file("bomb.bin", zeros(8 * 1024 * 1024))],
    wrapping: "tar.zst",
    limits: bombLimits,
    expect: refused("LimitExceeded", "compression-ratio", undefined),
  }),
  tarCase({
    id: "14-nested-gzip-bomb",
    item: 14,
    description: "a plain tar carrying a nested homedir.tar.gz that is a bomb",
    parts: () => [RawTar.file("homedir.tar.gz", RawTar.gzip(RawTar.tar(RawTar.file("bomb.bin", zeros(8 * 1024 * 1024)))))],
    limits: bombLimits,
    expect: refused("LimitExceeded", "compression-ratio", undefined),
  }),
  tarCase({
    id: "14-huge-declared-size",
    item: 14,
    description: "a header declaring a 2 TiB body (GNU base-256 size), beyond the default per-entry limit",
    parts: () => [RawTar.header({ name: "huge.bin", size: 2 * tib, sizeEncoding: "base256", format: "gnu" })],
    expect: refused("LimitExceeded", "entry-bytes", "huge.bin"),
  }),
  tarCase({
    id: "14-pax-huge-size",
    item: 14,
    description: "a PAX 'size' record declaring 2 TiB for a small ustar entry",
    parts: () => [RawTar.paxHeader({ size: String(2 * tib) }), RawTar.header({ name: "huge.bin", size: 0 })],
    expect: refused("LimitExceeded", "entry-bytes", "huge.bin"),
  }),
  tarCase({
    id: "14-total-bytes",
    item: 14,
    description: "entries whose sizes add up beyond the total limit (limit lowered to 1000 bytes)",
    parts: () => [RawTar.file("a", zeros(400)), RawTar.file("b", zeros(400)), RawTar.file("c", zeros(400))],
    limits: { maxTotalBytes: 1000 },
    expect: refused("LimitExceeded", "total-bytes", "c"),
  }),
  tarCase({
    id: "14-gnu-sparse",
    item: 14,
    description: "a GNU sparse entry (type 'S'): its stored size is not its real size",
    parts: () => [RawTar.entry({ name: "sparse.bin", typeflag: RawTar.TypeFlag.gnuSparse, format: "gnu" }, zeros(512))],
    // tar-stream reports type 'S' like every unknown type flag, so the refusal says exactly that.
    expect: refused("UnsupportedEntry", "unknown-type", "sparse.bin"),
  }),
  tarCase({
    id: "14-pax-sparse-1.0",
    item: 14,
    description: "a PAX 1.0 sparse file (GNU.sparse.* records, GNUSparseFile.<pid>/ name)",
    parts: () => [
      RawTar.paxHeader({
        "GNU.sparse.major": "1",
        "GNU.sparse.minor": "0",
        "GNU.sparse.name": "data.bin",
        "GNU.sparse.realsize": "1048576",
      }),
      RawTar.file("GNUSparseFile.1234/data.bin", Buffer.concat([RawTar.padded(Buffer.from("1\n0\n512\n")), zeros(512)])),
    ],
    expect: refused("UnsupportedEntry", "sparse", "GNUSparseFile.1234/data.bin"),
  }),
  tarCase({
    id: "14-pax-sparse-0.1",
    item: 14,
    description: "a PAX 0.1 sparse file (GNU.sparse.map)",
    parts: () => [
      RawTar.paxHeader({ "GNU.sparse.size": "1048576", "GNU.sparse.numblocks": "1", "GNU.sparse.map": "0,512" }),
      RawTar.file("data.bin", zeros(512)),
    ],
    expect: refused("UnsupportedEntry", "sparse", "data.bin"),
  }),
  tarCase({
    id: "14-many-entries",
    item: 14,
    description: "more entries than allowed (limit lowered to 100; stands for millions of tiny files)",
    parts: () => Array.from({ length: 150 }, (_, i) => RawTar.file(`f/${String(i).padStart(4, "0")}`, "")),
    limits: { maxEntries: 100 },
    expect: refused("LimitExceeded", "entries", "f/0100"),
  }),
]
