import { createReadStream } from "node:fs"
import * as fs from "node:fs/promises"
import * as nodePath from "node:path"
import { Readable } from "node:stream"
import { Effect } from "effect"
import { ArchiveError, NotReadable, UnsupportedFormat } from "./ArchiveError.ts"
import { decryptOpenSsl, isOpenSslEncrypted, type KeyDerivation } from "./Encrypted.ts"
import type { ScanContext } from "./TarScanner.ts"

/*
 * The bytes behind a backup file: one file, or the volumes of a split backup
 * (`x.tgz.part1` … `x.tgz.partN`, as ispmanager writes them) read one after the other as a single
 * stream — never joined on disk. Either may be OpenSSL-encrypted (`.aes`): the whole stream, or
 * each volume on its own (`x.tgz.part1.aes` …), decided by which volumes start with `Salted__`.
 */

/** `name.partN` or `name.partN.aes`. */
export const volumePattern = /^(.+)\.part(\d{1,6})(\.aes)?$/

export type Encryption = "none" | "whole" | "per-part"

export interface FileSource {
  /** The file, or every volume in order. */
  readonly parts: ReadonlyArray<string>
  /** Sum of the files' sizes. */
  readonly bytes: number
  /** First bytes of the first file (up to 512). */
  readonly head: Uint8Array
  readonly encryption: Encryption
}

/** The secret a `.aes` backup needs, as `ScanOptions.secrets` / `ReadOptions.secrets` carry it. */
export const backupPasswordKey = "backup-password"

const notReadable = (archive: string, detail: string) => new ArchiveError({ archive, entry: "", reason: new NotReadable({ detail }) })

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e))

const readHead = async (path: string, bytes: number): Promise<Uint8Array> => {
  const handle = await fs.open(path, "r")
  try {
    const buffer = Buffer.alloc(bytes)
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0)
    return buffer.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
}

/**
 * Every volume of the set `path` belongs to, in numeric order (any volume may be given). Numbers
 * must run without gaps from 0 or 1; a missing volume is reported by number.
 */
export const findVolumes = async (path: string): Promise<ReadonlyArray<string> | string> => {
  const dir = nodePath.dirname(path)
  const match = volumePattern.exec(nodePath.basename(path))
  if (match === null) return [path]
  const [, base, , aes = ""] = match
  const numbered = new Map<number, string>()
  for (const name of await fs.readdir(dir)) {
    const other = volumePattern.exec(name)
    if (other === null || other[1] !== base || (other[3] ?? "") !== aes) continue
    const number = Number(other[2])
    const earlier = numbered.get(number)
    if (earlier !== undefined) return `two files claim volume ${number} of ${base}: ${earlier} and ${name}`
    numbered.set(number, name)
  }
  const numbers = [...numbered.keys()].sort((a, b) => a - b)
  const first = numbers[0] ?? 1
  const last = numbers.at(-1) ?? 0
  if (first > 1) return `volume ${first === 2 ? 1 : `1 to ${first - 1}`} of ${base} is missing (found ${numbers.length} volumes)`
  const missing = numbers.length === 0 ? [] : Array.from({ length: last - first + 1 }, (_, i) => first + i).filter((n) => !numbered.has(n))
  if (missing.length > 0) return `volume ${missing.slice(0, 5).join(", ")} of ${base} is missing (found ${numbers.length} volumes)`
  return numbers.map((n) => nodePath.join(dir, numbered.get(n) as string))
}

/** Find the volumes (if any), their total size, the head and the encryption of a backup file. */
export const fileSource = Effect.fn("Archive.fileSource")(function* (path: string) {
  const parts = yield* Effect.tryPromise({ try: () => findVolumes(path), catch: (e) => notReadable(path, message(e)) })
  if (typeof parts === "string") return yield* Effect.fail(notReadable(path, parts))
  let bytes = 0
  const heads: Array<Uint8Array> = []
  for (const part of parts) {
    const stat = yield* Effect.tryPromise({ try: () => fs.stat(part), catch: (e) => notReadable(path, message(e)) })
    if (!stat.isFile()) return yield* Effect.fail(notReadable(path, `${part} is not a regular file`))
    bytes += stat.size
    heads.push(yield* Effect.tryPromise({ try: () => readHead(part, 512), catch: (e) => notReadable(path, message(e)) }))
  }
  const head = heads[0] ?? new Uint8Array()
  const encryption: Encryption = !isOpenSslEncrypted(head)
    ? "none"
    : parts.length > 1 && heads.every((h) => isOpenSslEncrypted(h))
      ? "per-part"
      : "whole"
  return { parts, bytes, head, encryption } satisfies FileSource
})

const rawStream = (part: string, onBytes: (bytes: number) => void): Readable => {
  const input = createReadStream(part, { highWaterMark: 1 << 20 })
  input.on("data", (chunk) => onBytes(chunk.length))
  return input
}

/** One readable over several, in turn; a failing part fails the whole stream. */
const concatenate = (first: Readable, rest: ReadonlyArray<() => Promise<Readable>>): Readable =>
  Readable.from(
    (async function* () {
      for await (const chunk of first) yield chunk as Buffer
      for (const open of rest) {
        const next = await open()
        for await (const chunk of next) yield chunk as Buffer
      }
    })(),
    { objectMode: false, highWaterMark: 1 << 20 },
  )

/**
 * The plaintext byte stream of a backup file: volumes in order, decrypted with
 * `secrets["backup-password"]` if encrypted. Source bytes (as stored) are reported to `onBytes`.
 */
export const openFileStream = (
  ctx: ScanContext,
  source: FileSource,
  secrets: Readonly<Record<string, string>> | undefined,
  onBytes: (bytes: number) => void,
): Effect.Effect<Readable, ArchiveError> =>
  Effect.gen(function* () {
    const [firstPart, ...otherParts] = source.parts
    if (firstPart === undefined) return yield* Effect.fail(notReadable(ctx.archive, "no file to read"))
    if (source.encryption === "none") {
      const first = rawStream(firstPart, onBytes)
      if (otherParts.length === 0) return first
      return concatenate(
        first,
        otherParts.map((part) => async () => rawStream(part, onBytes)),
      )
    }
    const password = secrets?.[backupPasswordKey]
    if (password === undefined || password === "") {
      return yield* Effect.fail(
        new ArchiveError({
          archive: ctx.archive,
          entry: "",
          reason: new UnsupportedFormat({
            format: "aes",
            detail: `the backup is encrypted (OpenSSL "Salted__" header); give its backup password (secret "${backupPasswordKey}") to read it`,
          }),
        }),
      )
    }
    const wrongPassword = (part: string) =>
      notReadable(
        ctx.archive,
        `the backup password does not decrypt ${nodePath.basename(part)} (tried AES-256-CBC with PBKDF2-SHA256 and EVP_BytesToKey MD5/SHA-256 keys); check the password`,
      )
    const decrypt = async (input: Readable, part: string, derivation?: KeyDerivation) => {
      const outcome = await decryptOpenSsl(input, password, derivation)
      if (outcome._tag === "Decrypted") return outcome
      throw outcome._tag === "WrongPassword"
        ? wrongPassword(part)
        : notReadable(ctx.archive, `${nodePath.basename(part)} has no "Salted__" header although the first volume has one`)
    }
    const catchArchive = (e: unknown) => (e instanceof ArchiveError ? e : notReadable(ctx.archive, message(e)))
    if (source.encryption === "whole") {
      const stored = rawStream(firstPart, onBytes)
      const plain =
        otherParts.length === 0
          ? stored
          : concatenate(
              stored,
              otherParts.map((part) => async () => rawStream(part, onBytes)),
            )
      const outcome = yield* Effect.tryPromise({ try: () => decrypt(plain, firstPart), catch: catchArchive })
      return outcome.stream
    }
    const first = yield* Effect.tryPromise({ try: () => decrypt(rawStream(firstPart, onBytes), firstPart), catch: catchArchive })
    return concatenate(
      first.stream,
      otherParts.map((part) => async () => (await decrypt(rawStream(part, onBytes), part, first.derivation)).stream),
    )
  })
