#!/usr/bin/env bash
# `npm run logs [-- SERVICE...]`: follows the logs of a running `npm start` (.data/logs/, or
# DATA_DIR/logs), pretty-printed by pino-pretty; with names, only those (e.g. order payment).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
case "${1:-}" in
  -h | --help)
    echo "usage: npm run logs [-- SERVICE...]   e.g. npm run logs -- order payment (default: every log)"
    exit 0
    ;;
esac
dir="${DATA_DIR:-.data}/logs"
files=()
if (($# == 0)); then
  files=("$dir"/*.log)
else
  for name in "$@"; do files+=("$dir/$name.log"); done
fi
for file in "${files[@]}"; do
  [[ -f $file ]] || { echo "logs: $file does not exist: is npm start running (DATA_DIR)?" >&2; exit 1; }
done
tail -n 20 -F "${files[@]}" | npx pino-pretty --colorize --translateTime SYS:HH:MM:ss.l --ignore pid,hostname --messageKey msg
