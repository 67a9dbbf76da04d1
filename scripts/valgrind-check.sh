#!/usr/bin/env bash
# scripts/valgrind-check.sh [PATTERN] - the test suite (tests/run.sh) with
# every program, unit test and fuzz replay run under valgrind memcheck, then
# a verdict on memory: every valgrind log is read for errors (invalid reads
# and writes, uses of uninitialised values, bad frees) and for leaks
# (definitely or indirectly lost; "still reachable" and "possibly lost" are
# not counted: libcurl, GnuTLS and libyaml keep process-wide caches).
#
# Programs run 10 to 50 times slower under valgrind, so tests that wait on a
# simulated cluster can time out: those show as test failures, apart from
# the memory verdict. `make valgrind` runs it; the figures go to
# bench/RESULTS.md. Needs a normal build (make all) and valgrind.
# Last line: "memory: N logs, N with errors, N with leaks".
set -u
export LC_ALL=C
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
command -v valgrind >/dev/null || { echo "valgrind-check: valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
VG=$(mktemp -d "${TMPDIR:-/tmp}/vmstorm-valgrind.XXXXXX")
mkdir -p "$VG/bin" "$VG/logs"
VG_OPTS="--tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect
 --errors-for-leak-kinds=definite,indirect --num-callers=30 --log-file=$VG/logs/%p.log"
for p in vmstorm-collect vmstorm-analyze vmstorm-report vmstorm-sim; do
    [ -x "bin/$p" ] || { echo "valgrind-check: bin/$p missing: run make first" >&2; exit 2; }
    # shellcheck disable=SC2086 # VG_OPTS is a list of options
    printf '#!/bin/sh\nexec valgrind %s %s "$@"\n' "$(echo $VG_OPTS)" "$TOP/bin/$p" >"$VG/bin/$p"
    chmod +x "$VG/bin/$p"
done
# shellcheck disable=SC2086
WRAP="valgrind $(echo $VG_OPTS)" BIN=$VG/bin bash tests/run.sh "${1:-}"

# The verdict: a log names its program in "Command:" and ends with the summaries.
n=0 bad=0 leaky=0
for f in "$VG"/logs/*.log; do
    [ -s "$f" ] || continue
    n=$((n + 1))
    cmd=$(sed -n 's/^==[0-9]*== Command: \([^ ]*\).*/\1/p' "$f" | head -1)
    if grep -qE 'ERROR SUMMARY: [1-9]' "$f"; then
        if grep -qE '(definitely|indirectly) lost: [1-9]' "$f"; then leaky=$((leaky + 1)); fi
        if grep -qE '^==[0-9]+== (Invalid|Conditional|Use of uninit|Mismatched|Syscall param|Source and destination)' "$f"; then
            bad=$((bad + 1))
        fi
        echo "valgrind: $(basename "$cmd"): $(grep -E 'ERROR SUMMARY' "$f" | sed 's/^==[0-9]*== //')"
        grep -E '^==[0-9]+== (Invalid|Conditional|Use of uninit|Mismatched|Syscall param|[0-9,]+ bytes in [0-9,]+ blocks are (definitely|indirectly))' "$f" |
            head -3 | sed 's/^==[0-9]*== /    /'
        echo "    (whole log: $f)"
    fi
done
# the logs stay when they hold findings (or with KEEP=1)
if [ "$bad" -eq 0 ] && [ "$leaky" -eq 0 ] && [ -z "${KEEP:-}" ]; then rm -rf "$VG"; fi
echo "memory: $n logs, $bad with errors, $leaky with leaks"
[ "$bad" -eq 0 ] && [ "$leaky" -eq 0 ]
