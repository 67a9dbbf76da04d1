#!/usr/bin/env bash
# bench-analyze.sh [VMS] - vmstorm-analyze on a big synthetic run file: VMS
# VMs (default 10000, about 100 lines each: ~1,000,000 lines, ~470 MB),
# written by bench/genrun.c (--seed SEED, default 1). With the file in the
# page cache, the best of RUNS (3) wall times of `cat`, `jq -c .` and
# `$BIN/vmstorm-analyze FILE -o DIR --format json`, and the analyzer's peak
# RSS. Prints the figures, then PASS/FAIL against the targets (issue 5):
# >= 5x faster than jq, peak RSS < 100 MB. Exits 0 whatever the verdicts
# (figures depend on the machine); 1 if the analyzer fails; 2, after the
# cat/jq figures, if $BIN/vmstorm-analyze is not built.
# RUN_FILE=PATH keeps the generated file there, and reuses it when it exists
# (delete it after changing VMS/SEED or genrun.c). KEEP=1 keeps the temp dir.
set -euo pipefail
cd "$(dirname "$0")/.."
VMS=${1:-${VMS:-10000}} SEED=${SEED:-1} BIN=${BIN:-bin} RUNS=${RUNS:-3}
A=$BIN/vmstorm-analyze
TMPD=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$TMPD"' EXIT
command -v jq >/dev/null || { echo "bench-analyze: needs jq" >&2; exit 1; }

# The file: reused, or generated (and the generator timed).
FILE=${RUN_FILE:-$TMPD/run.ndjson}
if [ -n "${RUN_FILE:-}" ] && [ -s "$RUN_FILE" ]; then
    gen="reused"
    # what it was generated with (genrun records it in run_begin's config)
    VMS=$(head -1 "$RUN_FILE" | jq -r '.config.genrun.vms // "?"')
    SEED=$(head -1 "$RUN_FILE" | jq -r '.config.genrun.seed // "?"')
else
    cc -O2 -o "$TMPD/genrun" bench/genrun.c -lm
    t0=$(date +%s%N)
    "$TMPD/genrun" --vms "$VMS" --seed "$SEED" >"$TMPD/gen.ndjson"
    t1=$(date +%s%N)
    gen=$(awk -v ns=$((t1 - t0)) 'BEGIN { printf "generated in %.2f s", ns / 1e9 }')
    mv "$TMPD/gen.ndjson" "$FILE" # whole or not at all, for a RUN_FILE reused later
fi
BYTES=$(stat -c %s "$FILE")
LINES=$(wc -l <"$FILE")
cat "$FILE" >/dev/null # into the page cache

# Peak RSS of one command, in KB, into $TMPD/rss: GNU time if it works, else
# python's getrusage(RUSAGE_CHILDREN) (ru_maxrss is in KB on Linux; it counts
# the forked python before the exec too, so it can read ~10 MB high).
if [ -x /usr/bin/time ] && /usr/bin/time -f %M -o "$TMPD/rss" true 2>/dev/null &&
    grep -qE '^[0-9]+$' "$TMPD/rss"; then
    with_rss() { /usr/bin/time -f %M -o "$TMPD/rss" "$@"; }
    rss_how="GNU time %M"
else
    PY=python3
    [ -x /usr/bin/python3 ] && PY=/usr/bin/python3
    with_rss() {
        "$PY" -c 'import resource, subprocess, sys
rc = subprocess.call(sys.argv[2:])
open(sys.argv[1], "w").write("%d\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(rc)' "$TMPD/rss" "$@"
    }
    rss_how="python getrusage: an upper bound"
fi

# best_of NAME CMD...: run CMD (stdout to /dev/null, stderr to $TMPD/stderr)
# RUNS times; the best wall time in ns goes to T_NAME. Returns the exit
# status of the first failing run.
best_of() {
    local name=$1 best="" i t0 t1 rc
    shift
    for i in $(seq "$RUNS"); do
        t0=$(date +%s%N)
        rc=0
        "$@" >/dev/null 2>"$TMPD/stderr" || rc=$?
        t1=$(date +%s%N)
        [ "$rc" -eq 0 ] || return "$rc"
        if [ -z "$best" ] || [ $((t1 - t0)) -lt "$best" ]; then best=$((t1 - t0)); fi
    done
    printf -v "T_$name" '%s' "$best"
}
# failed WHAT STATUS: say so, with the end of its stderr.
failed() {
    echo "$1 failed (exit $2):"
    tail -5 "$TMPD/stderr"
}
secs() { awk -v ns="$1" 'BEGIN { printf "%.3f s", ns / 1e9 }'; }

echo "vmstorm-analyze on a synthetic run: $VMS VMs (seed $SEED), best of $RUNS runs, page cache warm"
awk -v b="$BYTES" -v l="$LINES" -v f="$FILE" -v g="$gen" \
    'BEGIN { printf "file: %.1f MB, %d lines (%s: %s)\n", b / 1e6, l, g, f }'
rc=0
best_of cat cat "$FILE" || { rc=$?; failed cat $rc; exit 1; }
best_of jq jq -c . "$FILE" || { rc=$?; failed "jq -c ." $rc; exit 1; }
printf '  %-16s %s\n' "cat:" "$(secs "$T_cat")" "jq -c .:" "$(secs "$T_jq")"
if [ ! -x "$A" ]; then
    echo "analyzer not built ($A)"
    exit 2
fi

PEAK=0
run_analyzer() {
    local kb
    with_rss "$A" "$FILE" -o "$TMPD/out" --format json || return $?
    kb=$(tail -1 "$TMPD/rss")
    [ "$kb" -le "$PEAK" ] || PEAK=$kb
}
best_of an run_analyzer || {
    rc=$?
    failed vmstorm-analyze $rc
    echo "FAIL: the analyzer did not complete"
    exit 1
}
awk -v b="$BYTES" -v cat="$T_cat" -v jq="$T_jq" -v an="$T_an" -v kb="$PEAK" -v how="$rss_how" 'BEGIN {
    x = jq / an; mb = kb / 1024
    printf "  %-16s %.3f s (%.1f MB/s; %.1fx the time of cat)\n", "vmstorm-analyze:", an / 1e9, b / 1e6 / (an / 1e9), an / cat
    printf "  analyzer: %.1fx faster than jq\n", x
    printf "  analyzer peak RSS: %.1f MB (%s, worst of the runs)\n", mb, how
    printf "%s: %.1fx faster than jq (target >= 5x)\n", (x >= 5 ? "PASS" : "FAIL"), x
    printf "%s: peak RSS %.1f MB (target < 100 MB)\n", (mb < 100 ? "PASS" : "FAIL"), mb
}'
