#!/usr/bin/env bash
# Regenerates gen/ from proto/: TypeScript (buf.gen.yaml) and the descriptor set the services serve
# for reflection and REST transcoding.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
npx buf generate
npx buf build -o gen/descriptor.binpb
