#!/usr/bin/env bash
# `npm test`: every check and test hallq has. Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh
bash scripts/ensure-node-deps.sh
echo "== typecheck and lint" >&2
npm run --silent check
# The tests run the `hallq` command from the build, as the installed program does (bin/hallq.js).
# --noCheck: the check above has typechecked these same files.
echo "== build" >&2
npm run --silent build -- --noCheck
echo "== tests" >&2
report="$(mktemp -t hallq-vitest-XXXXXX.json)"
trap 'rm -f "$report"' EXIT
status=0
npx vitest run --reporter=default --reporter=json --outputFile="$report" "$@" || status=$?
# One plain closing line that any CI reads: "N passed, N failed".
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""));
' "$report" || true
exit "$status"
