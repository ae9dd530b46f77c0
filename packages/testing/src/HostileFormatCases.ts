import { pseudoRandomBytes } from "./Deterministic.ts"
import { benign, refused, tarCase, writeBytes } from "./HostileCaseBuilder.ts"
import type { HostileCase } from "./HostileCorpus.ts"
import * as RawTar from "./RawTar.ts"
import { zipArchive } from "./ZipWriter.ts"

/* Checklist items 18 and 21: archives that are not (whole) tars. Top-level ZIPs: `HostileZipCases.ts`. */

const bigTar = (): Buffer => RawTar.tar(benign(), RawTar.file("data.bin", pseudoRandomBytes(64 * 1024, 7)), RawTar.file("after.txt", "x\n"))

const bytesCase = (
  id: string,
  item: number,
  description: string,
  name: string,
  bytes: () => Uint8Array,
  expect: HostileCase["expect"],
  limits?: HostileCase["limits"],
): HostileCase => ({
  id,
  item,
  description,
  build: (dir) => writeBytes(dir, name, bytes()),
  expect,
  ...(limits !== undefined ? { limits } : {}),
})

/**
 * A tar holding `bomb.bin`, 8 MiB of zeros, compressed by the bzip2 CLI (generators do not shell
 * out): `head -c 8388608 /dev/zero > bomb.bin; tar --owner=0 --group=0 --mtime=@1700000000 -cf
 * bomb.tar bomb.bin; bzip2 -9 -c bomb.tar | base64 -w0`.
 */
const bzip2BombBase64 =
  "QlpoOTFBWSZTWTBaSiQBAWV7gMgAAEBAAXeAAEBwI54AAAggAHQSQRIwJ+qG1PUEUoyaNAADzmnyqggAFslQEQACuNC6Ik4QqSBAADpnw/yJRdgKsQ0NTnUNVXsRO8vfSHOO/dc4xpFEmJ7zJnNkkkCAAP4u5IpwoSBgtJRI"

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
    "18-bzip2-garbage",
    18,
    "a bzip2 header followed by random bytes",
    "18-bzip2.tar.gz",
    () => Buffer.concat([Buffer.from("BZh91AY&SY"), pseudoRandomBytes(100, 5)]),
    refused("CorruptArchive", undefined, undefined),
  ),
  bytesCase(
    "14-bzip2-bomb",
    14,
    "8 MiB of zeros in a 126-byte tar.bz2 (ratio limit lowered to 50)",
    "14-bomb.tar.bz2",
    () => Buffer.from(bzip2BombBase64, "base64"),
    refused("LimitExceeded", "compression-ratio", undefined),
    { ratioFloorBytes: 1024 * 1024, maxCompressionRatio: 50 },
  ),
  bytesCase(
    "18-xz",
    18,
    "an xz stream (not supported)",
    "18-xz.tar.gz",
    () => Buffer.concat([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), pseudoRandomBytes(100, 6)]),
    refused("UnsupportedFormat", "xz", ""),
  ),
  tarCase({
    id: "21-zip-nested",
    item: 21,
    description: "a tar carrying a ZIP named homedir.tar: nested archives follow the same format rules",
    parts: () => [RawTar.file("homedir.tar", zipArchive([{ name: "../x", body: Buffer.from("x"), mode: 0o100644 }]))],
    expect: refused("UnsupportedFormat", "zip", "homedir.tar"),
  }),
]
