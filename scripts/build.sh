#!/usr/bin/env bash
# `npm run build`: compiles src/ and drivers/ to dist/ (tsc, tsconfig.build.json) and copies every file
# the program reads at run time next to the code that reads it (pages, static files, any JSON), so
# `new URL('./pages/', import.meta.url)` finds the same files from dist/src/web/ as from src/web/.
# Extra arguments go to tsc: scripts/test.sh passes --noCheck because `npm run check` typechecks anyway.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf dist
npx tsc -p tsconfig.build.json "$@"
# Assets: everything under src/ and drivers/ that tsc does not compile, minus the docs.
assets=0
while IFS= read -r -d '' f; do
  mkdir -p "dist/$(dirname "$f")"
  cp -p "$f" "dist/$f"
  assets=$((assets + 1))
done < <(find src drivers -type f ! -name '*.ts' ! -name '*.md' -print0)
# bin/hallq.js runs dist only when this stamp is newer than every source file (bin/hallq.js explains the rule).
version="$(node -p 'require("./package.json").version')"
printf '{ "version": "%s", "builtAt": "%s" }\n' "$version" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" > dist/BUILD.json
echo "hallq build: dist/ ($(find dist -name '*.js' | wc -l) modules, $assets assets)" >&2
