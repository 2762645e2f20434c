#!/usr/bin/env bash
# `npm test` and CI: static checks, then unit, integration and end-to-end tests, failing fast.
# The last line printed is the test totals over all mocha runs: "N passed, N failed".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# Node.js 24 first on PATH: the system's, or one installed into .tools/node (scripts/node-env.sh).
source scripts/node-env.sh
SETUP_POSTGRES=1 SETUP_CHROMIUM=1 SETUP_CHECKERS=1 SETUP_PROMTOOL=1 bash scripts/setup.sh

work=$(mktemp -d)
# Each mocha run appends {"passes","failures","pending"} here (test/support/totals-reporter.ts).
export MOCHA_TOTALS_FILE=$work/totals.jsonl
: >"$MOCHA_TOTALS_FILE"

step() { printf '\n==> %s\n' "$*"; }

totals() {
  local status=$?
  local passed failed pending
  read -r passed failed pending < <(awk -F'[:,}]' '{ p += $2; f += $4; s += $6 } END { print p + 0, f + 0, s + 0 }' "$MOCHA_TOTALS_FILE")
  rm -rf "$work"
  if (( status == 0 && passed == 0 )); then
    echo "no test ran: check the mocha globs in package.json" >&2
    status=1
  fi
  echo
  (( pending == 0 )) || echo "$pending pending"
  echo "$passed passed, $failed failed"
  exit "$status"
}
trap totals EXIT

# Runs an npm script that runs mocha (or pytest); a run that dies before reporting counts as one failure.
mocha_run() {
  local reported status=0
  reported=$(wc -l <"$MOCHA_TOTALS_FILE")
  step "npm run $1"
  npm run -s "$1" || status=$?
  if (( status != 0 && $(wc -l <"$MOCHA_TOTALS_FILE") == reported )); then
    echo '{"passes":0,"failures":1,"pending":0}' >>"$MOCHA_TOTALS_FILE"
  fi
  return "$status"
}

step "typecheck"
npm run -s typecheck

step "ESLint with type information (eslint.config.js), no warnings allowed"
npm run -s lint:eslint

step "unused files, exports and dependencies (knip)"
npm run -s lint:knip

step "buf lint"
npx buf lint

step "generated code is up to date (scripts/generate.sh)"
cp -a gen "$work/gen"
bash scripts/generate.sh
if ! diff -r --exclude=node_modules --exclude=__pycache__ "$work/gen" gen; then
  echo "gen/ differs from what proto/ generates: run \`npm run generate\` and commit gen/" >&2
  exit 1
fi

if [[ -f .dependency-cruiser.cjs ]]; then
  step "dependency rules (dependency-cruiser)"
  npm run -s lint:deps
fi

step "formatting (prettier --check)"
npm run -s lint:format

step "marketing (Python): ruff, and its layer rules (import-linter)"
npm run -s lint:marketing

step "Envoy configuration against Envoy's API (envoycheck envoy/envoy.yaml)"
npm run -s envoy:check

mocha_run test:unit
mocha_run test:simulation
# pytest appends its totals to the same file (services/marketing/tests/conftest.py).
mocha_run test:marketing
mocha_run test:integration
mocha_run test:e2e
mocha_run test:web
