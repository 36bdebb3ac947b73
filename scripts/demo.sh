#!/usr/bin/env bash
# `npm run demo`: the product's first look: the whole hall on one box (embedded broker, server,
# agent, every device emulated over real ptys, a trickle of citizens). Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh
bash scripts/ensure-node-deps.sh
exec node bin/hallq.js demo "$@"
