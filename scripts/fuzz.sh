#!/usr/bin/env bash
# `npm run fuzz`: every fuzz script (scripts/fuzz-*.ts), each with HALLQ_FUZZ_RUNS inputs per
# surface (default 1,000,000). Stops at the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
export HALLQ_FUZZ_RUNS="${HALLQ_FUZZ_RUNS:-1000000}"
for script in scripts/fuzz-*.ts; do
  echo "== $script (HALLQ_FUZZ_RUNS=$HALLQ_FUZZ_RUNS)"
  npx tsx "$script"
done
