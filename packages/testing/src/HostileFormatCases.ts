import * as zlib from "node:zlib"
import { pseudoRandomBytes } from "./Deterministic.ts"
import { benign, refused, tarCase, writeBytes } from "./HostileCaseBuilder.ts"
import type { HostileCase } from "./HostileCorpus.ts"
import * as RawTar from "./RawTar.ts"

/* Checklist items 18 and 21: archives that are not (whole) tars. */

interface ZipMember {
  readonly name: string
  readonly body: Uint8Array
  /** Unix mode stored in the external attributes (0o120777 makes a symlink). */
  readonly mode: number
}

/** A stored (uncompressed) ZIP, enough for every reader to list its members. */
const zip = (members: ReadonlyArray<ZipMember>): Buffer => {
  const locals: Array<Buffer> = []
  const centrals: Array<Buffer> = []
  let offset = 0
  for (const member of members) {
    const name = Buffer.from(member.name, "utf8")
    const crc = zlib.crc32(member.body)
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(member.body.length, 18)
    local.writeUInt32LE(member.body.length, 22)
    local.writeUInt16LE(name.length, 26)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE((3 << 8) | 20, 4)
    central.writeUInt16LE(20, 6)
    central.writeUInt32LE(crc, 16)
    central.writeUInt32LE(member.body.length, 20)
    central.writeUInt32LE(member.body.length, 24)
    central.writeUInt16LE(name.length, 28)
    central.writeUInt32LE((member.mode << 16) >>> 0, 38)
    central.writeUInt32LE(offset, 42)
    locals.push(local, name, Buffer.from(member.body))
    centrals.push(central, name)
    offset += local.length + name.length + member.body.length
  }
  const directory = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(members.length, 8)
  end.writeUInt16LE(members.length, 10)
  end.writeUInt32LE(directory.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, directory, end])
}

const bigTar = (): Buffer => RawTar.tar(benign(), RawTar.file("data.bin", pseudoRandomBytes(64 * 1024, 7)), RawTar.file("after.txt", "x\n"))

const bytesCase = (
  id: string,
  item: number,
  description: string,
  name: string,
  bytes: () => Uint8Array,
  expect: HostileCase["expect"],
): HostileCase => ({
  id,
  item,
  description,
  build: (dir) => writeBytes(dir, name, bytes()),
  expect,
})

export const formatCases: ReadonlyArray<HostileCase> = [
  bytesCase(
    "18-truncated-tar-gz",
    18,
    "a tar.gz cut in the middle",
    "18-truncated.tar.gz",
    () => {
      const gz = RawTar.gzip(bigTar())
      return gz.subarray(0, Math.floor(gz.length / 2))
    },
    refused("CorruptArchive", undefined, undefined),
  ),
  bytesCase(
    "18-truncated-tar",
    18,
    "a tar cut in the middle of a body",
    "18-truncated.tar",
    () => bigTar().subarray(0, 512 * 3 + 100),
    refused("CorruptArchive", undefined, undefined),
  ),
  tarCase({
    id: "18-bad-checksum-first",
    item: 18,
    description: "the first header's checksum does not add up",
    parts: () => [RawTar.entry({ name: "readme.txt", checksumDelta: 1 }, "x\n")],
    expect: refused("CorruptArchive", undefined, undefined),
  }),
  tarCase({
    id: "18-bad-checksum-later",
    item: 18,
    description: "a later header's checksum does not add up",
    parts: () => [benign(), RawTar.entry({ name: "second.txt", checksumDelta: -3 }, "x\n")],
    expect: refused("CorruptArchive", undefined, undefined),
  }),
  bytesCase(
    "18-random-bytes",
    18,
    "4 KiB of random bytes named like a backup",
    "backup-1.2.2024_00-00-00_u.tar.gz",
    () => {
      const bytes = pseudoRandomBytes(4096, 42)
      bytes[0] = 0x00 // never a compression magic by accident
      return bytes
    },
    refused("UnsupportedFormat", "unknown", ""),
  ),
  bytesCase("18-empty-file", 18, "a zero-byte file", "cpmove-u.tar.gz", () => Buffer.alloc(0), refused("CorruptArchive", undefined, "")),
  bytesCase(
    "18-gzip-of-garbage",
    18,
    "a valid gzip stream whose content is not a tar",
    "18-garbage.tar.gz",
    () => RawTar.gzip(pseudoRandomBytes(4096, 3)),
    refused("CorruptArchive", undefined, undefined),
  ),
  bytesCase(
    "18-bzip2",
    18,
    "a bzip2 stream (not supported)",
    "18-bzip2.tar.gz",
    () => Buffer.concat([Buffer.from("BZh91AY&SY"), pseudoRandomBytes(100, 5)]),
    refused("UnsupportedFormat", "bzip2", ""),
  ),
  bytesCase(
    "18-xz",
    18,
    "an xz stream (not supported)",
    "18-xz.tar.gz",
    () => Buffer.concat([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), pseudoRandomBytes(100, 6)]),
    refused("UnsupportedFormat", "xz", ""),
  ),
  bytesCase(
    "21-zip-slip-named-tar-gz",
    21,
    "a ZIP with a '../../' member, named .tar.gz",
    "cpmove-u.tar.gz",
    () =>
      zip([
        { name: "cpmove-u/cp/u", body: Buffer.from("USER=u\n"), mode: 0o100644 },
        { name: "../../etc/cron.d/evil", body: Buffer.from("* * * * * root id\n"), mode: 0o100644 },
      ]),
    refused("UnsupportedFormat", "zip", ""),
  ),
  bytesCase(
    "21-zip-symlink",
    21,
    "a ZIP whose member is a symlink to /etc",
    "21-zip-symlink.tar",
    () => zip([{ name: "x", body: Buffer.from("/etc"), mode: 0o120777 }]),
    refused("UnsupportedFormat", "zip", ""),
  ),
  bytesCase(
    "21-zip-empty",
    21,
    "an empty ZIP (only the end-of-directory record)",
    "21-empty.tar.gz",
    () => zip([]),
    refused("UnsupportedFormat", "zip", ""),
  ),
  tarCase({
    id: "21-zip-nested",
    item: 21,
    description: "a tar carrying a ZIP named homedir.tar: nested archives follow the same format rules",
    parts: () => [RawTar.file("homedir.tar", zip([{ name: "../x", body: Buffer.from("x"), mode: 0o100644 }]))],
    expect: refused("UnsupportedFormat", "zip", "homedir.tar"),
  }),
]
