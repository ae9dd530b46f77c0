/* Byte sizes as people write them in ferry.yaml ("50GiB", "500 MB", "2T") and as Ferry prints them. */

const units: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  pb: 1e15,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
  pib: 2 ** 50,
  // Bare letters follow df(1) and most panels: powers of 1024.
  k: 2 ** 10,
  m: 2 ** 20,
  g: 2 ** 30,
  t: 2 ** 40,
  p: 2 ** 50,
}

export const sizePattern = /^(\d{1,15}(?:\.\d{1,6})?)\s?([A-Za-z]{1,3})?$/

/** Bytes for "50GiB", "1.5 TB", "2048"; undefined when the text is not a size. */
export const parseSize = (text: string): number | undefined => {
  const match = sizePattern.exec(text.trim())
  if (match === null) return undefined
  const unit = units[(match[2] ?? "b").toLowerCase()]
  if (unit === undefined) return undefined
  const bytes = Math.floor(Number(match[1]) * unit)
  return Number.isSafeInteger(bytes) ? bytes : undefined
}

/** "12.3 GiB": binary units, one decimal, for comments and messages. */
export const formatSize = (bytes: number): string => {
  const names = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
  let value = bytes
  let index = 0
  while (value >= 1024 && index < names.length - 1) {
    value /= 1024
    index += 1
  }
  return index === 0 ? `${bytes} B` : `${value.toFixed(1)} ${names[index]}`
}
