#!/usr/bin/env bash
# `npm start`: NATS, FerretDB and the five services on their default ports (see stack/src/cli.ts).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
exec node --import tsx stack/src/cli.ts
