import * as nodePath from "node:path"

/**
 * The real cPanel backups in `../shared/fixtures/cpanel-real/` (the workplace's shared folder,
 * beside the checkout, in development and in CI). `FERRY_SHARED_DIR` points elsewhere.
 */
export const sharedDir = (): string => process.env["FERRY_SHARED_DIR"] ?? nodePath.resolve(import.meta.dirname, "../../../../shared")

export const realCpanelFixtures = (): string => nodePath.join(sharedDir(), "fixtures/cpanel-real")

/** The one file of the real fixtures that was a symlink (stored as a text file holding the target). */
export const realFixtureSymlinks: ReadonlyArray<string> = ["homedir/mail/.contactus@illiniwildcards_tk"]
