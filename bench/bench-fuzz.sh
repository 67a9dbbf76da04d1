#!/usr/bin/env bash
# bench-fuzz.sh - the long fuzzing runs of issue 8: every libFuzzer target
# (make fuzz: ASan + UBSan) for FUZZ_SECONDS each (default 600), JOBS at a
# time (default: CPUs, at most 4), each from its corpus in tests/fuzz/corpus
# (read, never written: new inputs go to a scratch directory). Prints per
# target its runs, executions a second, final coverage and what it found;
# exits 1 when a target crashed, hung or leaked, naming the input it saved
# (kept, with the log; turn it into tests/fuzz/corpus/X/regress-NAME once
# fixed). KEEP=1 keeps the scratch directory anyway. Exit 2 when
# clang cannot build the targets.
set -uo pipefail
cd "$(dirname "$0")/.."
SECS=${FUZZ_SECONDS:-600}
JOBS=${JOBS:-$(n=$(nproc 2>/dev/null || echo 1); echo $((n > 4 ? 4 : n)))}
if ! make -s -j2 fuzz >/dev/null 2>&1; then
    echo "bench-fuzz: make fuzz failed (clang with libFuzzer needed)" >&2
    exit 2
fi
TMPD=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$TMPD"' EXIT

# fuzz_one NAME: run bin/fuzz/fuzz-NAME; its log and saved inputs in TMPD/NAME.
fuzz_one() {
    local name=$1 d=$TMPD/$1
    mkdir -p "$d/work" "$d/found"
    "bin/fuzz/fuzz-$name" -max_total_time="$SECS" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$d/found/" "$d/work" "tests/fuzz/corpus/$name" \
        >"$d/log" 2>&1
    echo $? >"$d/rc"
}

echo "libFuzzer, ASan+UBSan: each target ${SECS} s, $JOBS at a time, max_len 8192"
names=()
for f in bin/fuzz/fuzz-*; do
    names+=("$(basename "$f" | sed 's/^fuzz-//')")
done
running=0
for name in "${names[@]}"; do
    fuzz_one "$name" &
    running=$((running + 1))
    if [ "$running" -ge "$JOBS" ]; then
        wait -n
        running=$((running - 1))
    fi
done
wait

printf '%-26s %10s %8s %6s  %s\n' target runs exec/s cov found
bad=0
for name in "${names[@]}"; do
    d=$TMPD/$name
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$d/log" | tail -1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$d/log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$d/log" | tail -1 | cut -d' ' -f2)
    found=nothing
    if [ "$(cat "$d/rc")" -ne 0 ] || [ -n "$(ls -A "$d/found")" ]; then
        found="exit $(cat "$d/rc"): $(grep -m1 -E 'ERROR|runtime error|timeout|out-of-memory' "$d/log" | cut -c1-80)"
        found="$found; input: $d/found/$(ls "$d/found" | head -1)"
        bad=1
        KEEP=1 # the inputs and logs of a failure are kept
    fi
    printf '%-26s %10s %8s %6s  %s\n' "fuzz-$name" "${runs:-?}" "${speed:-?}" "${cov:-?}" "$found"
done
[ "$bad" -eq 0 ] || echo "bench-fuzz: a target failed: fix it, add the input as tests/fuzz/corpus/NAME/regress-WHAT"
exit "$bad"
