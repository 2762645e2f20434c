#!/usr/bin/env bash
# Regenerates gen/ from proto/: TypeScript (buf.gen.yaml), Python for the marketing service
# (buf.gen.python.yaml, with the protoc of services/marketing/.venv), the descriptor set the
# services serve for reflection and REST transcoding, and the REST API as OpenAPI 3 with its
# TypeScript types for the web app (gen/openapi/).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
npx buf generate
if [[ ! -x services/marketing/.venv/bin/python ]]; then
  echo "generate: services/marketing/.venv is missing: run \`bash scripts/setup.sh\` first" >&2
  exit 1
fi
npx buf generate --template buf.gen.python.yaml
npx buf build -o gen/descriptor.binpb
node --import tsx scripts/generate-nats-authorization.ts
node --import tsx scripts/openapi.ts
npx openapi-typescript gen/openapi/openapi.json --output gen/openapi/api.d.ts --root-types --root-types-no-schema-prefix --alphabetize >/dev/null
