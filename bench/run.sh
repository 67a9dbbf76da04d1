#!/usr/bin/env bash
# make bench: benchmarks that print figures (never pass/fail on time).
# Each bench/bench-*.sh prints its own figures:
#   bench-analyze.sh         vmstorm-analyze on a ~1M-line synthetic run (bench/genrun.c)
#                            vs cat and jq; peak RSS (issue 5)
#   bench-collect-storm.sh   vmstorm-collect against vmstorm-sim, 1000-VM storm (issue 4)
#   bench-faults.sh          the 1,000-VM soak with every fault of the simulator on (issue 8)
#   bench-fuzz.sh            every libFuzzer target for 10 minutes (FUZZ_SECONDS) (issue 8)
#   bench-harm.sh            kill -9 the collector at 10 points of a 200-VM storm (issue 8)
#   bench-scale.sh           10,000-VM storm on 100 simulated nodes; analyzer and report on it (issue 8)
#   bench-report.sh          vmstorm-report: the full PDF + charts of a 10,000-VM run (issue 6)
#   bench-sim-multiplier.sh  the simulator's storm vs staggered-creation latencies
#   bench-sim-storm.sh       the simulator under a 1000-VM boot storm
#   bench-valgrind.sh        the test suite under valgrind memcheck: errors and leaks (issue 8)
# A bench that exits 2 lacks a program it needs (not built yet): the others still run.
set -euo pipefail
cd "$(dirname "$0")/.."
found=0
for b in bench/bench-*.sh; do
    [ -f "$b" ] || continue
    found=1
    echo "== $b"
    rc=0
    bash "$b" || rc=$?
    if [ "$rc" -eq 2 ]; then
        echo "== $b: skipped (a program it needs is not built)"
    elif [ "$rc" -ne 0 ]; then
        exit "$rc"
    fi
done
[ "$found" -eq 1 ] || echo "bench: no benchmarks yet"
