/**
 * Preloaded with `node --import` when /usr/bin/time is missing: writes the process's peak
 * resident set size (KiB, as `ru_maxrss`) to the file named by FERRY_BENCH_RSS_FILE on exit.
 */
import { writeFileSync } from "node:fs"

const target = process.env["FERRY_BENCH_RSS_FILE"]
if (target !== undefined) {
  process.on("exit", () => {
    writeFileSync(target, `${process.resourceUsage().maxRSS}\n`)
  })
}
