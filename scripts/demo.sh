#!/usr/bin/env bash
# The Quick start demo: imports the bundled example backup (examples/cpmove-example.tar.gz) into
# ./demo/root with real MariaDB and PostgreSQL test instances (scripts/services.sh installs and
# starts them on loopback), then prints the job. Run it again to start over: it removes ./demo
# and the example's databases and users from the test instances first.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export FERRY_SERVICES_DIR="${FERRY_SERVICES_DIR:-/tmp/ferry-services}"
./scripts/services.sh start
set -a
# shellcheck disable=SC1091
. "$FERRY_SERVICES_DIR/env"
set +a
export FERRY_DEMO_MARIADB_PASSWORD="$FERRY_TEST_MARIADB_PASSWORD" FERRY_DEMO_POSTGRES_PASSWORD="$FERRY_TEST_POSTGRES_PASSWORD"

# A fresh start: the example's databases and users (names fixed by the example, "synth…").
MYSQL_PWD="$FERRY_TEST_MARIADB_PASSWORD" mariadb --protocol=tcp -h 127.0.0.1 -P "$FERRY_TEST_MARIADB_PORT" -u "$FERRY_TEST_MARIADB_USER" -N -B \
  -e "SELECT CONCAT('DROP USER IF EXISTS \`', User, '\`@\`', Host, '\`;') FROM mysql.user WHERE User LIKE 'synth%';
      SELECT CONCAT('DROP DATABASE IF EXISTS \`', SCHEMA_NAME, '\`;') FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'synth%';" |
  MYSQL_PWD="$FERRY_TEST_MARIADB_PASSWORD" mariadb --protocol=tcp -h 127.0.0.1 -P "$FERRY_TEST_MARIADB_PORT" -u "$FERRY_TEST_MARIADB_USER"
rm -rf demo
mkdir -p demo/root

set +e
./bin/ferry import examples/cpmove-example.tar.gz --config examples/ferry-demo.yaml --root demo/root --state-dir demo/state --yes "$@"
status=$?
set -e
echo
echo "The imported files are under demo/root; the job: ./bin/ferry jobs list --state-dir demo/state"
exit "$status"
