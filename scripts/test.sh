#!/usr/bin/env bash
# Runs every check of the workspace: starts the test database servers (scripts/services.sh),
# lint + format (Biome), typecheck (tsc per package, via turbo) and all tests (vitest, one run
# over the workspace). Prints, as its last line,
# "N passed, N failed[, N skipped]" where N counts test cases plus the two static checks.
# Exit status: 0 only when everything passed.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
./scripts/bootstrap.sh || { echo "0 passed, 1 failed"; exit 1; }
export PATH="$root/node_modules/.bin:$root/.tools/node_modules/.bin:$PATH" TURBO_TELEMETRY_DISABLED=1
out="$root/.turbo/ferry-test"
mkdir -p "$out"

checks_passed=0 checks_failed=0
# Real database servers and validators for the import tests (Debian packages, loopback-only,
# unprivileged instances); the tests read their addresses from $FERRY_SERVICES_DIR/env.
echo "== services (scripts/services.sh start)"
export FERRY_SERVICES_DIR="${FERRY_SERVICES_DIR:-/tmp/ferry-services}"
if ! ./scripts/services.sh start; then
  echo "services did not start: the import tests that need MariaDB, PostgreSQL, nginx or named-checkzone will fail" >&2
fi
echo "== lint and format (biome ci)"
if biome ci --reporter=summary . ; then checks_passed=$((checks_passed + 1)); else checks_failed=$((checks_failed + 1)); fi
echo "== typecheck (turbo run typecheck)"
if turbo run typecheck --output-logs=errors-only; then checks_passed=$((checks_passed + 1)); else checks_failed=$((checks_failed + 1)); fi

echo "== tests (vitest run)"
rm -f "$out/vitest.json"
vitest run --reporter=default --reporter=json --outputFile.json="$out/vitest.json" "$@"
vitest_status=$?

summary=$(node -e '
  const fs = require("node:fs")
  let r = { numPassedTests: 0, numFailedTests: 0, numPendingTests: 0, numTodoTests: 0, numFailedTestSuites: 0 }
  try { r = JSON.parse(fs.readFileSync(process.argv[1], "utf8")) } catch { r.numFailedTestSuites = 1 }
  const failed = r.numFailedTests + (r.numFailedTests === 0 ? r.numFailedTestSuites : 0)
  console.log([r.numPassedTests, failed, r.numPendingTests + r.numTodoTests].join(" "))
' "$out/vitest.json")
read -r passed failed skipped <<<"$summary"
passed=$((passed + checks_passed)) failed=$((failed + checks_failed))
if [ "$vitest_status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
line="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
echo "$line"
[ "$failed" -eq 0 ]
