/* unbzip2-stream ships no types. It returns a `through` stream (classic stream API). */
declare module "unbzip2-stream" {
  interface ThroughStream extends NodeJS.EventEmitter {
    write(data: Uint8Array): boolean
    end(): void
  }
  const unbzip2Stream: () => ThroughStream
  export default unbzip2Stream
}
