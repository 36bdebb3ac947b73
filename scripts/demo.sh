#!/usr/bin/env bash
# `npm run demo`: the product's first look. Until the wire and the devices are joined up, this is a
# simulated day of the demo hall on the real core. Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-node-deps.sh
exec node bin/hallq.js simulate config/demo.yaml "$@"
