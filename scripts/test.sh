#!/usr/bin/env bash
# `npm test`: every check and test hallq has. Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh
bash scripts/ensure-node-deps.sh
echo "== typecheck and lint" >&2
npm run --silent check
echo "== tests" >&2
npx vitest run "$@"
