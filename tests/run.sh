#!/usr/bin/env bash
# tests/run.sh - run every test and print "N passed, N failed" as the last line.
#
# Unit tests: build/tests/test_* (cmocka); their "[  PASSED  ] N" and
# "[  FAILED  ] N" lines are counted, and a binary that dies without saying so
# (a crash, a sanitizer report) counts as one failure.
# CLI tests: tests/cli/t-*.sh, counted by their "ok - " / "not ok - " lines.
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

for t in tests/cli/t-*.sh; do
    [ -f "$t" ] || continue
    selected "$t" || continue
    rc=0
    SECONDS=0
    bash "$t" >"$log" 2>&1 || rc=$?
    took="${SECONDS}s"
    p=$(grep -c '^ok - ' "$log")
    f=$(grep -c '^not ok - ' "$log")
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    passed=$((passed + p))
    failed=$((failed + f))
    if [ "$f" -ne 0 ]; then
        echo "FAIL $t ($f failed, exit $rc, $took)"
        sed 's/^/    /' "$log" | tail -60
    else
        echo "pass $t ($p, $took)"
    fi
done

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
