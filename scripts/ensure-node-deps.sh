#!/usr/bin/env bash
# Installs node_modules from the lock file when they are missing or not what it says: the packages
# of package-lock.json against those npm recorded in node_modules/.package-lock.json, by content
# (scripts/node-deps-current.mjs), never by file dates (a checkout makes the lock look newer).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || ! node scripts/node-deps-current.mjs .; then
  echo "hallq: installing npm packages (npm ci)" >&2
  npm ci --no-audit --no-fund >&2
fi
