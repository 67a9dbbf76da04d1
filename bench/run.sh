#!/usr/bin/env bash
# make bench: benchmarks that print figures (never pass/fail on time).
# Each bench/*.sh prints its own figures; none exist yet (issues #3-#6, #8).
set -euo pipefail
cd "$(dirname "$0")/.."
found=0
for b in bench/bench-*.sh; do
    [ -f "$b" ] || continue
    found=1
    echo "== $b"
    bash "$b"
done
[ "$found" -eq 1 ] || echo "bench: no benchmarks yet (they arrive with the programs, issues #3-#6 and #8)"
