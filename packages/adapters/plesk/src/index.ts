export { detectPlesk } from "./Detect.ts"
export { pleskAdapter } from "./PleskAdapter.ts"
export { decryptSym, parseSecretKey, secretKeyName } from "./SymPassword.ts"
