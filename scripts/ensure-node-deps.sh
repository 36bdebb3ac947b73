#!/usr/bin/env bash
# Installs node_modules from the lock file when they are missing or older than it.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "hallq: installing npm packages (npm ci)" >&2
  npm ci --no-audit --no-fund >&2
fi
