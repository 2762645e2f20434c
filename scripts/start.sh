#!/usr/bin/env bash
# `npm start`: NATS, FerretDB and the five services on their default ports (see stack/src/cli.ts;
# `npm start -- --help`). `exec` all the way, package.json's script included, so that the SIGINT
# or SIGTERM npm forwards reaches the stack, which stops everything it started.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# Node.js 24 first on PATH: the system's, or one installed into .tools/node (scripts/node-env.sh).
source scripts/node-env.sh
bash scripts/setup.sh
exec node --import tsx stack/src/cli.ts "$@"
