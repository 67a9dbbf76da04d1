#!/usr/bin/env bash
# tests/run.sh - run every test and print "N passed, N failed" as the last line.
#
# Unit tests: build/tests/test_* (cmocka); their "[  PASSED  ] N" and
# "[  FAILED  ] N" lines are counted, and a binary that dies without saying so
# (a crash, a sanitizer report) counts as one failure.
# CLI tests: tests/cli/t-*.sh, counted by their "ok - " / "not ok - " lines,
# JOBS (default: CPUs, at most 4) at a time.
# Fuzz corpora: each build/fuzz/fuzz-X replays tests/fuzz/corpus/X (one test).
# Usage: tests/run.sh [PATTERN]   (only tests whose name contains PATTERN)
# WRAP, when set, is a command the unit tests and fuzz replays run under
# (scripts/valgrind-check.sh sets it to valgrind).
set -u
export LC_ALL=C
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
B=${B:-build}
export B
pattern=${1:-}
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

selected() { [ -z "$pattern" ] || [[ "$1" == *"$pattern"* ]]; }

for t in "$B"/tests/test_*; do
    [ -x "$t" ] || continue
    selected "$t" || continue
    rc=0
    ${WRAP:-} "$t" >"$log" 2>&1 || rc=$?
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
    p=${p:-0}
    f=${f:-0}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    passed=$((passed + p))
    failed=$((failed + f))
    if [ "$f" -ne 0 ]; then
        echo "FAIL $t ($f failed, exit $rc)"
        sed 's/^/    /' "$log" | tail -60
    else
        echo "pass $t ($p)"
    fi
done

# CLI tests run JOBS at a time (default: the number of CPUs, at most 4; they
# mostly wait on simulated clusters), each into its own log; results print in
# name order as they come in.
JOBS=${JOBS:-$(n=$(nproc 2>/dev/null || echo 1); echo $((n > 4 ? 4 : n)))}
cli=()
for t in tests/cli/t-*.sh; do
    [ -f "$t" ] && selected "$t" && cli+=("$t")
done
cli_dir=$(mktemp -d)
trap 'rm -f "$log"; rm -rf "$cli_dir"' EXIT

# cli_run I: run test I into cli_dir/I.log; cli_dir/I.rc is "RC SECONDS" when done.
cli_run() {
    local rc=0 t0=$SECONDS
    bash "${cli[$1]}" >"$cli_dir/$1.log" 2>&1 </dev/null || rc=$?
    echo "$rc $((SECONDS - t0))" >"$cli_dir/$1.rc.tmp" && mv "$cli_dir/$1.rc.tmp" "$cli_dir/$1.rc"
}

# cli_report I: count and print test I's result (it is done).
cli_report() {
    local t=${cli[$1]} l=$cli_dir/$1.log rc took p f
    read -r rc took <"$cli_dir/$1.rc"
    p=$(grep -c '^ok - ' "$l")
    f=$(grep -c '^not ok - ' "$l")
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    passed=$((passed + p))
    failed=$((failed + f))
    if [ "$f" -ne 0 ]; then
        echo "FAIL $t ($f failed, exit $rc, ${took}s)"
        sed 's/^/    /' "$l" | tail -60
    else
        echo "pass $t ($p, ${took}s)"
    fi
}

next=0 shown=0 running=0
while [ "$shown" -lt "${#cli[@]}" ]; do
    while [ "$running" -lt "$JOBS" ] && [ "$next" -lt "${#cli[@]}" ]; do
        cli_run "$next" &
        next=$((next + 1))
        running=$((running + 1))
    done
    while [ "$shown" -lt "$next" ] && [ -e "$cli_dir/$shown.rc" ]; do
        cli_report "$shown"
        shown=$((shown + 1))
    done
    if [ "$shown" -lt "$next" ]; then
        wait -n 2>/dev/null || true
        running=$(jobs -rp | wc -l)
    fi
done
wait

for t in "$B"/fuzz/fuzz-*; do
    [ -x "$t" ] || continue
    selected "$t" || continue
    name=$(basename "$t")
    corpus=tests/fuzz/corpus/${name#fuzz-}
    rc=0
    ${WRAP:-} "$t" "$corpus" >"$log" 2>&1 || rc=$?
    if [ "$rc" -eq 0 ]; then
        passed=$((passed + 1))
        echo "pass $t (corpus replay)"
    else
        failed=$((failed + 1))
        echo "FAIL $t (corpus replay, exit $rc)"
        sed 's/^/    /' "$log" | tail -30
    fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
