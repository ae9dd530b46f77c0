export * from "./FixtureBuilder.ts"
