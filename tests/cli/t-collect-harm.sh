#!/usr/bin/env bash
# What happens to vmstorm-collect's results file when the collector is killed
# (kill -9 at several points of a run) or the disk fills (RLIMIT_FSIZE): the
# file stays readable by the analyzer, which says the run is unfinished, and
# every byte written before the harm is still there. The long version (10 kill
# points, a larger run) is bench/bench-harm.sh.
. "$(dirname "$0")/setup.sh"
. "$(dirname "$0")/simlib.sh"
trap 'sim_stop >/dev/null 2>&1; rm -rf "$TMP"' EXIT

A=$BIN/vmstorm-analyze
TEMPLATE=$TOP/samples/templates/vm-containerdisk.yaml
export A

check "simulator starts (TLS, 4 nodes, speed 20)" sim_start "$TMP/a" --nodes 4 --speed 20
KC=$TMP/a/kubeconfig

# collector ARGS...: a 10-VM boot storm; the rest of the arguments added. Run
# in the background, the function is a subshell: exec makes $! the collector.
collector() {
    exec "$BIN/vmstorm-collect" --kubeconfig "$KC" --vm-template "$TEMPLATE" --vm-name vm-cirros \
        --probe tcp:2222 --start 1 --end 10 --boot-storm -y "$@"
}
# readable FILE: the analyzer reads it whole: exit 0, status unfinished, and
# every whole line of the file counted as an event.
readable() {
    local lines
    lines=$(grep -c '' "$1")
    [ -z "$(tail -c 1 "$1")" ] || lines=$((lines - 1)) # a cut last line is no event
    "$A" "$1" -f json >"$1.json" 2>"$1.err" || { cat "$1.err"; return 1; }
    jq -ne --argjson n "$lines" 'input | .run.status == "unfinished" and .input.events == $n' \
        "$1.json" >/dev/null || {
        echo "$lines whole lines; the analyzer: $(jq -c '{status: .run.status, input}' "$1.json")"
        cp "$1" "${KEEP_FAILED:-/dev/null}" 2>/dev/null
        return 1
    }
}
export -f readable

# kill -9 at three points: namespaces, VMs starting, the storm or later
# (timed from the file's first bytes, so a slow start, under valgrind say,
# moves them all alike)
i=0
for delay in 0.1 1.2 3.7; do
    i=$((i + 1))
    f=$TMP/kill$i.ndjson
    collector --namespace-prefix kill$i -o "$f" >/dev/null 2>&1 &
    pid=$!
    wait_for 60 test -s "$f" || true
    sleep "$delay"
    cp "$f" "$TMP/before$i" 2>/dev/null || : >"$TMP/before$i"
    kill -9 "$pid" 2>/dev/null || true # (a collector already gone shows in the checks)
    wait "$pid" 2>/dev/null || true
    what="kill -9 ${delay} s after its first write"
    check "$what: it had written something" test -s "$TMP/before$i"
    check "$what: every byte written before the kill is still there" \
        cmp -n "$(stat -c %s "$TMP/before$i")" "$TMP/before$i" "$f"
    check "$what: the analyzer reads every line, and says the run is unfinished" readable "$f"
done

# disk full: a file size limit of 40 KiB (SIGXFSZ is ignored, so write fails with EFBIG)
rc=0
(
    ulimit -f 40
    exec "$BIN/vmstorm-collect" --kubeconfig "$KC" --vm-template "$TEMPLATE" --vm-name vm-cirros \
        --probe tcp:2222 --start 1 --end 10 --boot-storm -y --namespace-prefix full --cleanup \
        -o "$TMP/full.ndjson"
) >"$TMP/full.out" 2>"$TMP/full.err" || rc=$?
cat "$TMP/full.err"
check "disk full: the collector exits 1" test "$rc" -eq 1
check "disk full: the message names the file and the error" \
    grep -q "full.ndjson: cannot write event [0-9]*: File too large" "$TMP/full.err"
check "disk full: the file ends with a whole line" test -z "$(tail -c 1 "$TMP/full.ndjson")"
check "disk full: the analyzer reads every line, and says the run is unfinished" readable "$TMP/full.ndjson"

check "the simulator exits 0" sim_stop
finish
