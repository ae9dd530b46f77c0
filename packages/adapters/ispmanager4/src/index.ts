export { detectIspmanager4 } from "./Detect.ts"
export { ispmanager4Adapter } from "./Ispmanager4Adapter.ts"
export { parseListing } from "./Listing.ts"
export { parsePbkpContent } from "./PbkpContent.ts"
