#!/usr/bin/env bash
# bench-harm.sh - kill -9 vmstorm-collect at KILLS (10) random points of an
# N-VM (200) boot storm on vmstorm-sim (NODES 8, SPEED 20), then check what
# it left: every byte written before the kill still there, and the analyzer
# reading every whole line of the file (run status "unfinished"). Prints one
# line per kill point and a total; tests/cli/t-collect-harm.sh is the short
# version that make check runs (3 points, and a full disk).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-200} NODES=${NODES:-8} SPEED=${SPEED:-20} KILLS=${KILLS:-10} BIN=${BIN:-bin}
for p in vmstorm-sim vmstorm-collect vmstorm-analyze; do [ -x "$BIN/$p" ] || exit 2; done
TMPD=$(mktemp -d)
trap 'kill $SIM_PID 2>/dev/null; rm -rf "$TMPD"' EXIT
. bench/simdrive.sh
sim_launch --nodes "$NODES" --speed "$SPEED"

# delete_run PREFIX: delete namespaces PREFIX-1..N (a killed run cleans nothing up,
# and its VMs would fill the nodes for the next one)
delete_run() {
    local cfg=$TMPD/delete.cfg i
    : >"$cfg"
    for i in $(seq 1 "$N"); do
        printf 'url = "%s/api/v1/namespaces/%s-%d"\nrequest = "DELETE"\nheader = "Authorization: Bearer %s"\ncacert = "%s"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\nnext\n' \
            "$SIM_URL" "$1" "$i" "$SIM_TOKEN" "$CA" >>"$cfg"
    done
    curl_many "$cfg" >/dev/null
}

# a full run first, to spread the kill points over its length
t0=$(date +%s%N)
"$BIN/vmstorm-collect" --kubeconfig "$TMPD/kubeconfig" --vm-template samples/templates/vm-containerdisk.yaml \
    --vm-name vm-cirros --probe tcp:2222 --start 1 --end "$N" --boot-storm --namespace-prefix full \
    -y -o "$TMPD/full.ndjson" --log-level warn >/dev/null
delete_run full
full_ms=$((($(date +%s%N) - t0) / 1000000))
echo "a whole run: $N VMs in $full_ms ms, $(wc -l <"$TMPD/full.ndjson") events; kill points spread over it:"
ok=0
for k in $(seq 1 "$KILLS"); do
    delay_ms=$((RANDOM % full_ms + 50))
    f=$TMPD/kill$k.ndjson
    "$BIN/vmstorm-collect" --kubeconfig "$TMPD/kubeconfig" --vm-template samples/templates/vm-containerdisk.yaml \
        --vm-name vm-cirros --probe tcp:2222 --start 1 --end "$N" --boot-storm --namespace-prefix "k$k" \
        -y -o "$f" --log-level warn >/dev/null 2>&1 &
    pid=$!
    sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
    cp "$f" "$TMPD/before" 2>/dev/null || : >"$TMPD/before"
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    delete_run "k$k"
    before=$(stat -c %s "$TMPD/before")
    lines=$(grep -c '' "$f" || true)
    [ -z "$(tail -c 1 "$f")" ] || lines=$((lines - 1))
    kept=no
    cmp -s -n "$before" "$TMPD/before" "$f" && kept=yes
    read -r status events < <("$BIN/vmstorm-analyze" "$f" -f json 2>/dev/null |
        jq -r '"\(.run.status) \(.input.events)"' || echo "unreadable -1")
    verdict=FAIL
    if [ "$kept" = yes ] && [ "$status" = unfinished ] && [ "$events" = "$lines" ]; then
        verdict=ok
        ok=$((ok + 1))
    fi
    printf '  kill %2d at %6d ms: %6d lines, bytes before the kill kept: %s, analyzer: %s, %s events  %s\n' \
        "$k" "$delay_ms" "$lines" "$kept" "$status" "$events" "$verdict"
done
echo "kill -9: $ok of $KILLS files whole and readable"
