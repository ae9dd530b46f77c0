export { cpanelAdapter } from "./CpanelAdapter.ts"
export { detectCpanel } from "./Detect.ts"
