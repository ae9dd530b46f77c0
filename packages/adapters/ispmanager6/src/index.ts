export { ispmanager6Adapter, ispmanagerBusiness6Adapter } from "./Ispmanager6Adapter.ts"
