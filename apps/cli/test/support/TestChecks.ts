import { Check } from "@ferry/core"

/*
 * Small checks that stand in for built-in ones the CLI tests must not depend on: each acts only
 * on profile values the tests choose, so their outcome is known whatever the built-in list holds.
 */

/** Critical: every PostgreSQL database and user is skipped when the profile names no PostgreSQL server. */
export const testPostgresCheck = Check.make({
  id: "test-postgresql",
  title: "Test: PostgreSQL",
  run: (ctx) => {
    if (ctx.capabilities.postgresql.length > 0) return []
    const ids = [
      ...ctx.active("Database").filter((d) => d.engine === "postgresql"),
      ...ctx.active("DatabaseUser").filter((u) => u.engine === "postgresql"),
    ].map((e) => e.id)
    if (ids.length === 0) return []
    return [
      {
        code: "test-postgresql-missing",
        severity: "critical",
        title: "Test: PostgreSQL server not found",
        message: "the profile lists no PostgreSQL server",
        resolution: "PostgreSQL databases will not be imported",
        effects: ids.map((entity) => ({ entity, action: "skip" as const })),
      },
    ]
  },
})

/** Warning: every site is imported with PHP 8.3 when 8.3 is the profile's only PHP. */
export const testPhpCheck = Check.make({
  id: "test-php",
  title: "Test: PHP",
  run: (ctx) => {
    if (ctx.capabilities.php.versions.join(",") !== "8.3") return []
    const sites = ctx.active("Site")
    if (sites.length === 0) return []
    return [
      {
        code: "test-php-version",
        severity: "warning",
        title: "Test: PHP version not found",
        message: "only PHP 8.3 is installed",
        resolution: "the sites will be imported with PHP 8.3",
        effects: sites.map((site) => ({
          entity: site.id,
          action: "change" as const,
          changes: [{ field: "php.version", from: site.php.version ?? "", to: "8.3" }],
        })),
      },
    ]
  },
})

/** Blocking: the import cannot start with less than 1 MiB free. */
export const testDiskCheck = Check.make({
  id: "test-disk",
  title: "Test: disk",
  run: (ctx) =>
    ctx.capabilities.diskFreeBytes >= 1024 * 1024
      ? []
      : [
          {
            code: "test-disk-space",
            severity: "critical",
            title: "Test: not enough disk space",
            message: "less than 1 MiB free",
            resolution: "free some disk space",
            effects: [],
            blocking: true,
          },
        ],
})

export const testChecks = [testPostgresCheck, testPhpCheck, testDiskCheck]
