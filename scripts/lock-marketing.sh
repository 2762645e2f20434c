#!/usr/bin/env bash
# Re-pins the marketing service's Python packages after a change to services/marketing/requirements*.in:
# pip-compile (pip-tools, in a throwaway environment under .tools/) writes requirements.lock and
# requirements-dev.lock with exact versions and hashes; scripts/setup.sh then reinstalls .venv.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
tools=.tools/pip-tools
if [[ ! -x $tools/bin/pip-compile ]]; then
  python3 -m venv "$tools"
  "$tools/bin/pip" install --quiet --disable-pip-version-check pip-tools==7.6.2
fi
cd services/marketing
for lock in requirements requirements-dev; do
  ../../$tools/bin/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe \
    --no-emit-index-url --no-emit-find-links --output-file="$lock.lock" "$lock.in"
done
