/**
 * Regenerates `examples/cpmove-example.tar.gz`, the synthetic cPanel backup the README's Quick
 * start inspects: `node_modules/.bin/node examples/make-example.ts`. Deterministic (fixed seed).
 */
import * as nodePath from "node:path"
import { smallCpanelSpec, writeCpanelBackup } from "@ferry/testing"

const out = nodePath.join(import.meta.dirname, "cpmove-example.tar.gz")
const { expected } = await writeCpanelBackup(smallCpanelSpec, out, "tar.gz")
process.stdout.write(`${out}: ${expected.files} files, ${expected.bytes} bytes, user ${expected.user}\n`)
