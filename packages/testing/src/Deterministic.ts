/** A small seeded PRNG (mulberry32): fixtures are reproducible byte for byte. */
export const prng = (seed: number): (() => number) => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (t ^ (t >>> 14)) >>> 0
  }
}

/** `length` deterministic, incompressible bytes. */
export const pseudoRandomBytes = (length: number, seed: number): Buffer => {
  const next = prng(seed)
  const out = Buffer.alloc(length)
  for (let i = 0; i < length; i++) out[i] = next() & 0xff
  return out
}
