#!/usr/bin/env bash
# `npm run build`: compiles src/ and drivers/ to dist/ (tsc, tsconfig.build.json) and copies every file
# the program reads at run time next to the code that reads it (pages, static files, any JSON), so
# `new URL('./pages/', import.meta.url)` finds the same files from dist/src/web/ as from src/web/.
# Extra arguments go to tsc: scripts/test.sh passes --noCheck because `npm run check` typechecks anyway.
# The new tree is built aside and swapped in at the end: a hallq running from dist/ (which imports its
# subcommands' modules lazily) or a second build at the same time never sees a half-written dist/.
set -euo pipefail
cd "$(dirname "$0")/.."
next="$(mktemp -d dist.next.XXXXXX)"
trap 'rm -rf "$next"' EXIT
npx tsc -p tsconfig.build.json --outDir "$next" "$@"
# Assets: everything under src/ and drivers/ that tsc does not compile, minus the docs.
assets=0
while IFS= read -r -d '' f; do
  mkdir -p "$next/$(dirname "$f")"
  cp -p "$f" "$next/$f"
  assets=$((assets + 1))
done < <(find src drivers -type f ! -name '*.ts' ! -name '*.md' -print0)
# bin/hallq.js runs dist only when this stamp is newer than every source file (bin/hallq.js explains the rule).
version="$(node -p 'require("./package.json").version')"
printf '{ "version": "%s", "builtAt": "%s" }\n' "$version" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" > "$next/BUILD.json"
modules="$(find "$next" -name '*.js' | wc -l)"
chmod 755 "$next"
old="dist.old.$$"
[ -e dist ] && mv dist "$old"
mv "$next" dist
rm -rf "$old"
echo "hallq build: dist/ ($modules modules, $assets assets)" >&2
