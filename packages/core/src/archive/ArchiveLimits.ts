/**
 * Limits enforced while streaming (security rule 8). Defaults are generous for real hosting
 * accounts (hundreds of GB, millions of files) and still stop bombs long before exhaustion.
 */
export interface ArchiveLimits {
  /** Entries in one archive, nested archives included. */
  readonly maxEntries: number
  /** Memory for remembering entry names (duplicate and collision checks), roughly in bytes. */
  readonly maxNameBytes: number
  /** Sum of declared file sizes after decompression. */
  readonly maxTotalBytes: number
  /** One entry's declared size. */
  readonly maxEntryBytes: number
  /** Decompressed / compressed bytes, checked once `ratioFloorBytes` have been produced. */
  readonly maxCompressionRatio: number
  readonly ratioFloorBytes: number
  /** Path components of one name. */
  readonly maxDepth: number
  /** Bytes of one name. */
  readonly maxPathLength: number
  /** Archives inside archives (cPanel `homedir.tar` is one level). */
  readonly maxNesting: number
}

export const defaultLimits: ArchiveLimits = {
  maxEntries: 10_000_000,
  maxNameBytes: 1024 ** 3,
  maxTotalBytes: 4 * 1024 ** 4,
  maxEntryBytes: 1024 ** 4,
  maxCompressionRatio: 1000,
  ratioFloorBytes: 256 * 1024 ** 2,
  maxDepth: 128,
  maxPathLength: 4096,
  maxNesting: 2,
}

export const withLimits = (overrides: Partial<ArchiveLimits> | undefined): ArchiveLimits => ({
  ...defaultLimits,
  ...overrides,
})
