#!/usr/bin/env bash
# `npm run build`: the program that the launcher (bin/hallq.js), the units and the packages run, in dist/:
#   - the code: src/ and drivers/ bundled by esbuild (scripts/bundle.mjs): the entry points at their usual
#     paths (dist/src/cli/main.js, dist/drivers/voice/generate-clips.js), shared and lazily imported parts in
#     dist/chunks/, native and heavy packages left in node_modules; dist/meta.json is esbuild's metafile;
#   - every file the program reads at run time (pages, static files, SQL, any JSON), copied to where it sits
#     under src/ (dist/src/web/pages/ …): the bundle resolves `new URL('./pages/', import.meta.url)` as if
#     each file had compiled in place, so it finds them there.
# Typechecks first (tsc --noEmit); `--noCheck` skips that (scripts/test.sh passes it: `npm run check` has
# typechecked the same files). Any other argument is refused.
# The new tree is built aside and swapped in at the end: a hallq running from dist/ (which imports its
# subcommands' chunks lazily) or a second build at the same time never sees a half-written dist/.
set -euo pipefail
cd "$(dirname "$0")/.."
check=1
for arg in "$@"; do
  case "$arg" in
    --noCheck) check=0 ;;
    *) echo "build.sh: unknown argument $arg (only --noCheck)" >&2; exit 2 ;;
  esac
done
[ "$check" = 1 ] && npx tsc -p tsconfig.build.json --noEmit
next="$(mktemp -d dist.next.XXXXXX)"
trap 'rm -rf "$next"' EXIT
node scripts/bundle.mjs "$next"
# Assets: everything under src/ and drivers/ that is not code, minus the docs.
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
echo "hallq build: dist/ ($modules files of code, $assets assets)" >&2
