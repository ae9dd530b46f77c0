/*
 * Synthetic ispmanager backups for every version Ferry reads, all written from one description
 * (`IspmanagerSpec` → `IspmanagerPlan`): ispmanager 4 `pbackup` archives and ispmanager 5 / 6 /
 * business 6 ISPtar backups (split, encrypted, storage layouts). See packages/testing/README.md.
 */

export { expectedIspmanagerView, ispmanagerSnapshotView } from "./IspmanagerExpectation.ts"
export { cpanelFixtureSources, ispmanager4FixtureSources, isptarFixtureSources } from "./IspmanagerFixtureSources.ts"
export {
  type Ispmanager4Container,
  ispmanager4Bzip2Fixture,
  ispmanager4Tree,
  pbkpContent,
  writeIspmanager4Backup,
} from "./IspmanagerGenerator4.ts"
export {
  darSliceBytes,
  type HostileXmlVariant,
  hostileXmlVariants,
  writeDarBackup,
  writeIspmanager4HostileBackup,
  writeIsptarHostileBackup,
  writeLargeIspmanager6Backup,
} from "./IspmanagerGeneratorHostile.ts"
export { type IsptarBackup, type IsptarOutput, isptarTree, writeIspmanagerIsptarBackup } from "./IspmanagerGeneratorIsptar.ts"
export type { Encryption } from "./IspmanagerGeneratorOutput.ts"
export * from "./IspmanagerGeneratorPlan.ts"
export { elem as systemElem, type IsptarVersion, infoFile, isptarPanels, phpModeField } from "./IspmanagerGeneratorSystem.ts"
export type { ContentExpectation } from "./IspmanagerGeneratorTree.ts"
export { type ZipMember, zipArchive } from "./ZipWriter.ts"
