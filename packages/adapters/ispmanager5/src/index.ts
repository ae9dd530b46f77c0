export { ispmanager5Adapter } from "./Ispmanager5Adapter.ts"
