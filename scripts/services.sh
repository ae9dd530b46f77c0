#!/usr/bin/env bash
# Test database servers for Ferry's import tests: an unprivileged MariaDB and PostgreSQL 15 that
# listen on loopback only, with their data under ${FERRY_SERVICES_DIR:-/tmp/ferry-services}.
#
#   scripts/services.sh start    install the packages if missing, start both servers, write <dir>/env
#   scripts/services.sh stop     stop both servers (data is kept)
#   scripts/services.sh status   say what runs; exit 1 if a server is down
#   scripts/services.sh env      print the env file (FERRY_TEST_MARIADB_* / FERRY_TEST_POSTGRES_*)
#
# `start` is idempotent: with both servers answering it only checks the admin accounts. Needs root
# (apt-get, runuser); never reads stdin. The admin accounts (`ferry_admin`) get random passwords,
# kept in <dir>/env (mode 0600) so a restart keeps them.
set -euo pipefail

dir=${FERRY_SERVICES_DIR:-/tmp/ferry-services}
maria_port=33306
pg_port=55432
pg_bin=/usr/lib/postgresql/15/bin
packages=(mariadb-server mariadb-client postgresql bind9-utils nginx dovecot-core)
log="$dir/services.log"
envfile="$dir/env"

say() { echo "services: $*" >&2; }
die() {
  say "$*"
  exit 1
}

ensure_packages() {
  local missing=()
  [ -x /usr/sbin/mariadbd ] && [ -x /usr/bin/mariadb ] && [ -x /usr/bin/mariadb-install-db ] || missing+=(mariadb-server mariadb-client)
  [ -x "$pg_bin/initdb" ] && [ -x "$pg_bin/pg_ctl" ] || missing+=(postgresql)
  command -v named-checkzone >/dev/null || missing+=(bind9-utils)
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
  [ -x /usr/sbin/dovecot ] || missing+=(dovecot-core)
  [ "${#missing[@]}" -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "packages missing (${missing[*]}) and not root: install ${packages[*]}"
  say "installing ${packages[*]} (log: $dir/apt.log)"
  # Package scripts must not try to start the system services: we run our own instances.
  local policy=/usr/sbin/policy-rc.d created_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 0755 "$policy"
    created_policy=1
  fi
  local status=0
  {
    DEBIAN_FRONTEND=noninteractive apt-get update -q &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${packages[@]}"
  } </dev/null >"$dir/apt.log" 2>&1 || status=$?
  [ "$created_policy" -eq 1 ] && rm -f "$policy"
  if [ "$status" -ne 0 ]; then
    tail -n 20 "$dir/apt.log" >&2 || true
    die "apt-get install failed (exit $status); see $dir/apt.log"
  fi
  [ -x "$pg_bin/initdb" ] || die "PostgreSQL 15 not found at $pg_bin after installing postgresql"
}

random_password() { head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24; }

# Passwords survive restarts: reuse the ones in the env file.
load_passwords() {
  maria_password="" pg_password=""
  if [ -f "$envfile" ]; then
    maria_password=$(sed -n 's/^FERRY_TEST_MARIADB_PASSWORD=//p' "$envfile")
    pg_password=$(sed -n 's/^FERRY_TEST_POSTGRES_PASSWORD=//p' "$envfile")
  fi
  [ -n "$maria_password" ] || maria_password=$(random_password)
  [ -n "$pg_password" ] || pg_password=$(random_password)
}

maria_sock="$dir/mariadb-run/mariadb.sock"
maria_root() { mariadb --no-defaults --protocol=socket --socket="$maria_sock" -u root --batch --skip-column-names "$@" </dev/null; }
maria_up() { [ -S "$maria_sock" ] && maria_root -e 'SELECT 1' >/dev/null 2>&1; }

start_mariadb() {
  install -d -o mysql -g mysql -m 0700 "$dir/mariadb"
  install -d -o mysql -g mysql -m 0755 "$dir/mariadb-run"
  install -d -o root -g root -m 0700 "$dir/mariadb-run/no-files"
  if [ ! -d "$dir/mariadb/mysql" ]; then
    say "initialising MariaDB in $dir/mariadb"
    mariadb-install-db --no-defaults --datadir="$dir/mariadb" --user=mysql --auth-root-authentication-method=socket \
      --skip-test-db </dev/null >>"$log" 2>&1 || die "mariadb-install-db failed; see $log"
  fi
  if ! maria_up; then
    say "starting MariaDB on 127.0.0.1:$maria_port"
    # local-infile stays on and secure-file-priv names a directory, as on many real servers: the
    # import tests must show that Ferry's client flags and the missing FILE privilege stop them.
    setsid mariadbd --no-defaults --datadir="$dir/mariadb" --socket="$maria_sock" --port="$maria_port" \
      --bind-address=127.0.0.1 --user=mysql --skip-name-resolve --pid-file="$dir/mariadb-run/mariadb.pid" \
      --log-error="$dir/mariadb-run/error.log" --innodb-buffer-pool-size=64M --max-connections=200 \
      --local-infile=1 --secure-file-priv="$dir/mariadb-run/no-files" \
      </dev/null >>"$log" 2>&1 &
    local i
    for i in $(seq 1 120); do
      maria_up && break
      sleep 0.5
    done
    maria_up || {
      tail -n 20 "$dir/mariadb-run/error.log" >&2 || true
      die "MariaDB did not answer within 60 s; see $dir/mariadb-run/error.log"
    }
  fi
  mariadb --no-defaults --protocol=socket --socket="$maria_sock" -u root --batch >>"$log" 2>&1 <<SQL || die "could not create the MariaDB admin account; see $log"
CREATE USER IF NOT EXISTS 'ferry_admin'@'127.0.0.1' IDENTIFIED BY '$maria_password';
CREATE USER IF NOT EXISTS 'ferry_admin'@'localhost' IDENTIFIED BY '$maria_password';
ALTER USER 'ferry_admin'@'127.0.0.1' IDENTIFIED BY '$maria_password';
ALTER USER 'ferry_admin'@'localhost' IDENTIFIED BY '$maria_password';
GRANT ALL PRIVILEGES ON *.* TO 'ferry_admin'@'127.0.0.1' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO 'ferry_admin'@'localhost' WITH GRANT OPTION;
SQL
}

pg_run="$dir/postgres-run"
as_postgres() { runuser -u postgres -- "$@"; }
pg_up() { as_postgres "$pg_bin/pg_isready" -q -h "$pg_run" -p "$pg_port" </dev/null >/dev/null 2>&1; }

# Loopback only; passwords for everyone but the local postgres superuser. `md5` accepts both md5
# and SCRAM verifiers, so imported users keep either kind of hash.
ensure_pg_hba() {
  local hba
  hba=$(printf '%s\n' \
    'local   all   postgres                  peer' \
    'local   all   all                       md5' \
    'host    all   all        127.0.0.1/32   md5')
  [ "$(cat "$dir/postgres/pg_hba.conf" 2>/dev/null)" = "$hba" ] && return 0
  printf '%s\n' "$hba" >"$dir/postgres/pg_hba.conf"
  chown postgres:postgres "$dir/postgres/pg_hba.conf"
  chmod 0600 "$dir/postgres/pg_hba.conf"
  if pg_up; then as_postgres "$pg_bin/pg_ctl" reload -D "$dir/postgres" </dev/null >>"$log" 2>&1; fi
}

start_postgres() {
  install -d -o postgres -g postgres -m 0700 "$dir/postgres"
  install -d -o postgres -g postgres -m 0755 "$pg_run"
  if [ ! -f "$dir/postgres/PG_VERSION" ]; then
    say "initialising PostgreSQL in $dir/postgres"
    as_postgres "$pg_bin/initdb" -D "$dir/postgres" -U postgres --auth-local=peer --auth-host=scram-sha-256 \
      -E UTF8 --locale=C.UTF-8 </dev/null >>"$log" 2>&1 ||
      as_postgres "$pg_bin/initdb" -D "$dir/postgres" -U postgres --auth-local=peer --auth-host=scram-sha-256 \
        -E UTF8 --locale=C </dev/null >>"$log" 2>&1 || die "initdb failed; see $log"
  fi
  ensure_pg_hba
  if ! pg_up; then
    say "starting PostgreSQL on 127.0.0.1:$pg_port"
    as_postgres "$pg_bin/pg_ctl" start -D "$dir/postgres" -l "$pg_run/postgres.log" -w -t 60 \
      -o "-p $pg_port -c listen_addresses=127.0.0.1 -k $pg_run -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" </dev/null >>"$log" 2>&1 || {
      tail -n 20 "$pg_run/postgres.log" >&2 || true
      die "PostgreSQL did not start; see $pg_run/postgres.log"
    }
  fi
  as_postgres psql -X -q -h "$pg_run" -p "$pg_port" -d postgres -v ON_ERROR_STOP=1 -v pw="$pg_password" \
    >>"$log" 2>&1 <<'SQL' || die "could not create the PostgreSQL admin role; see $log"
SET password_encryption = 'scram-sha-256';
SELECT format('CREATE ROLE ferry_admin SUPERUSER LOGIN PASSWORD %L', :'pw')
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ferry_admin') \gexec
SELECT format('ALTER ROLE ferry_admin SUPERUSER LOGIN PASSWORD %L', :'pw') \gexec
SQL
}

write_env() {
  local tmp="$envfile.tmp"
  (
    umask 077
    cat >"$tmp" <<ENV
FERRY_TEST_MARIADB_HOST=127.0.0.1
FERRY_TEST_MARIADB_PORT=$maria_port
FERRY_TEST_MARIADB_USER=ferry_admin
FERRY_TEST_MARIADB_PASSWORD=$maria_password
FERRY_TEST_MARIADB_SOCKET=$maria_sock
FERRY_TEST_POSTGRES_HOST=127.0.0.1
FERRY_TEST_POSTGRES_PORT=$pg_port
FERRY_TEST_POSTGRES_USER=ferry_admin
FERRY_TEST_POSTGRES_PASSWORD=$pg_password
FERRY_TEST_POSTGRES_SOCKET=$pg_run
ENV
  )
  chmod 0600 "$tmp"
  mv -f "$tmp" "$envfile"
}

cmd_start() {
  [ "$(id -u)" -eq 0 ] || die "start needs root (it runs the servers as mysql and postgres)"
  install -d -m 0755 "$dir"
  # Fast path: both servers answer and the env file is there.
  if [ -f "$envfile" ] && maria_up && pg_up; then
    ensure_pg_hba
    say "already running (env: $envfile)"
    return 0
  fi
  ensure_packages
  load_passwords
  start_mariadb
  start_postgres
  write_env
  say "MariaDB on 127.0.0.1:$maria_port, PostgreSQL on 127.0.0.1:$pg_port (env: $envfile)"
}

cmd_stop() {
  if [ -f "$dir/mariadb-run/mariadb.pid" ]; then
    local pid
    pid=$(cat "$dir/mariadb-run/mariadb.pid")
    if kill -0 "$pid" 2>/dev/null; then
      say "stopping MariaDB (pid $pid)"
      kill -TERM "$pid"
      local i
      for i in $(seq 1 60); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
      done
    fi
  fi
  if [ -f "$dir/postgres/postmaster.pid" ]; then
    say "stopping PostgreSQL"
    as_postgres "$pg_bin/pg_ctl" stop -D "$dir/postgres" -m fast -w </dev/null >>"$log" 2>&1 || true
  fi
}

cmd_status() {
  local ok=0
  if maria_up; then say "MariaDB: running on 127.0.0.1:$maria_port"; else
    say "MariaDB: down"
    ok=1
  fi
  if pg_up; then say "PostgreSQL: running on 127.0.0.1:$pg_port"; else
    say "PostgreSQL: down"
    ok=1
  fi
  return "$ok"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env)
    [ -f "$envfile" ] || die "no $envfile: run scripts/services.sh start"
    cat "$envfile"
    ;;
  *)
    echo "usage: $0 start|stop|status|env" >&2
    exit 2
    ;;
esac
