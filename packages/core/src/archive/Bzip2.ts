import { createRequire } from "node:module"
import { Transform } from "node:stream"
import type Unbzip2Stream from "unbzip2-stream"

// Loaded on first use: only ispmanager 4 `.tar.bz2` backups need it.
const require = createRequire(import.meta.url)
let unbzip2: typeof Unbzip2Stream | undefined
const load = () => (unbzip2 ??= require("unbzip2-stream") as typeof Unbzip2Stream)

/**
 * A bzip2 decompressor as a Node `Transform`. unbzip2-stream is a classic `through` stream that
 * decodes synchronously inside `write`, so everything a chunk yields is pushed before the
 * chunk's callback runs and `Transform` keeps its usual backpressure.
 *
 * Memory: the library decodes one bzip2 block at a time (at most ~46 MB of output for a
 * hostile block of repeated bytes); the ratio limit applies between blocks.
 */
export const createBunzip2 = (highWaterMark: number): Transform => {
  const inner = load()()
  let failure: Error | undefined
  const out = new Transform({
    readableHighWaterMark: highWaterMark,
    transform(chunk: Buffer, _encoding, done) {
      if (failure === undefined) inner.write(chunk)
      done(failure)
    },
    flush(done) {
      if (failure === undefined) inner.end()
      done(failure)
    },
  })
  inner.on("data", (data: Buffer | null) => {
    if (data !== null && data.length > 0) out.push(data)
  })
  inner.on("error", (e: unknown) => {
    failure ??= new Error(`bzip2: ${e instanceof Error ? e.message : String(e)}`)
  })
  return out
}
