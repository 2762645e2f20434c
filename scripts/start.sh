#!/usr/bin/env bash
# `npm start`: NATS, FerretDB and the five services on their default ports (see stack/src/cli.ts;
# `npm start -- --help`). `exec` all the way, package.json's script included, so that the SIGINT
# or SIGTERM npm forwards reaches the stack, which stops everything it started.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
exec node --import tsx stack/src/cli.ts "$@"
