#!/usr/bin/env bash
# The default timing model: 100 VMs on 4 nodes created 100 ms apart, then a
# storm of the same 100. Checks the model's simulated times (not this
# machine's speed): a storm is slower per VM than a staggered creation, and
# creation stays in the range KubeVirt's own CI measures (P50 22.6 s, P95
# 29.7 s for 100 VMIs 100 ms apart; see sim/MODEL.md). Then two properties
# of the model, each on small runs: boot_io_capacity stretches guest boots
# (as node_cores does per node), and the timing draws of a --seed do not
# depend on the uids and names the clients' other requests draw.
. "$(dirname "$0")/setup.sh"
. "$(dirname "$0")/simlib.sh"
trap 'sim_stop >/dev/null 2>&1; rm -rf "$TMP"' EXIT

BIN=$BIN bash "$TOP/bench/bench-sim-multiplier.sh" >"$TMP/out" 2>&1 || { cat "$TMP/out"; exit 1; }
sed 's/^/# /' "$TMP/out"
check "the storm is at least 1.2x slower than creation at P50 of Running" \
    bash -c "awk '\$1 == \"running\" {exit !(\$6 >= 1.2)}' $TMP/out"
check "the storm is slower than creation at P50 of guest ready" \
    bash -c "awk '\$1 == \"ready\" {exit !(\$6 > 1.05)}' $TMP/out"
check "creation P50 to Running is within 10-40 s (KubeVirt CI: 22.6 s)" \
    bash -c "awk '\$1 == \"running\" {exit !(\$2 >= 10 && \$2 <= 40)}' $TMP/out"

api() { curl -sS -H "Authorization: Bearer $SIM_TOKEN" "$@"; }
mkobj() { api -o /dev/null -H 'Content-Type: application/json' --data "$2" "$SIM_URL/$1"; }
vm_json() {
    printf '{"metadata":{"name":"%s"},"spec":{"runStrategy":"Always","template":{"spec":{"domain":{"cpu":{"cores":2},"memory":{"guest":"2Gi"},"devices":{}}}}}}' "$1"
}
# model seconds from VMI Running to guest_ready (the boot), one VM a line
boot_times() {
    jq -rs --argjson speed "$2" 'group_by(.name)[]
        | (map(select(.what == "vmi_phase:Running"))[0].t_ns) as $r
        | (map(select(.what == "guest_ready"))[0].t_ns) as $g
        | select($r != null and $g != null) | ($g - $r) / 1e9 * $speed' "$1"
}
# boot_run NAME NODES MODEL_LINES: 4 VMs of 2 vCPUs started at once, each booting 10 s of
# work at full speed (every step before the boot made short); prints their boot times.
boot_run() {
    local pids=() i
    printf 'ctl_op = 0.01\nnet_setup = 0.01\ncontainer_start = 0.2\ncontainer_start_gsd = 1\nhandler_op = 0.1\nhandler_qps = 1000\nhandler_burst = 1000\nboot_work = 10\nboot_work_gsd = 1\n%s\n' \
        "$3" >"$TMP/$1.model"
    sim_start "$TMP/$1" --no-tls --speed 20 --nodes "$2" --model "$TMP/$1.model" || return 1
    mkobj api/v1/namespaces '{"metadata":{"name":"io"}}'
    for i in 1 2 3 4; do
        mkobj apis/kubevirt.io/v1/namespaces/io/virtualmachines "$(vm_json "v$i")" &
        pids+=($!)
    done
    wait "${pids[@]}"
    wait_for 30 bash -c "test \$(grep -c guest_ready $TMP/$1/truth.ndjson) = 4"
    sim_stop
    boot_times "$TMP/$1/truth.ndjson" 20 | tee "$TMP/$1.boots" | sed "s/^/# $1 boot: /"
}
boot_run io-40 4 'boot_io_capacity = 40'
boot_run io-1 4 'boot_io_capacity = 1'
boot_run cores-4 1 'node_cores = 4'
check "4 boots within boot_io_capacity 40 run at full speed (10 s each)" \
    awk '$1 < 9.5 || $1 > 11.5 {bad = 1} END {exit bad || NR != 4}' "$TMP/io-40.boots"
check "4 boots sharing boot_io_capacity 1 take about 4 times as long (40 s)" \
    awk '$1 < 30 || $1 > 44 {bad = 1} END {exit bad || NR != 4}' "$TMP/io-1.boots"
check "4 boots of 2 vCPUs on a node of node_cores 4 take about twice as long (20 s)" \
    awk '$1 < 15 || $1 > 23 {bad = 1} END {exit bad || NR != 4}' "$TMP/cores-4.boots"

# model seconds of each step of VM v's start: VMI created, Scheduled, Running, guest ready
steps() {
    jq -rs --argjson speed "$2" 'def t(w): map(select(.what == w))[0].t_ns;
        [t("vm_created"), t("vmi_created"), t("vmi_phase:Scheduled"), t("vmi_phase:Running"),
         t("guest_ready")] | [range(1; length) as $i | (.[$i] - .[$i - 1]) / 1e9 * $speed]
        | map(. * 100 | round / 100) | join(" ")' "$1"
}
# the same --seed, one VM: once alone, once among requests that draw uids, generated
# names and a default watch timeout before and while it starts
for run in quiet busy; do
    sim_start "$TMP/$run" --no-tls --speed 5 --seed 3
    mkobj api/v1/namespaces '{"metadata":{"name":"s"}}'
    WATCH=
    if [ $run = busy ]; then
        for i in 1 2 3; do mkobj api/v1/namespaces "{\"metadata\":{\"name\":\"x$i\"}}"; done
        api -o /dev/null --max-time 30 "$SIM_URL/api/v1/namespaces?watch=1" 2>/dev/null &
        WATCH=$!
        sleep 0.2
    fi
    mkobj apis/kubevirt.io/v1/namespaces/s/virtualmachines "$(vm_json v)"
    if [ $run = busy ]; then
        for i in 1 2 3 4 5 6; do
            mkobj api/v1/namespaces/s/configmaps '{"metadata":{"generateName":"c-"}}'
            sleep 0.3
        done
    fi
    wait_for 30 grep -q guest_ready "$TMP/$run/truth.ndjson" || true
    sim_stop
    # the watch may have ended with the simulator: kill and wait must not stop the script
    [ -z "$WATCH" ] || { kill "$WATCH" 2>/dev/null || true; wait "$WATCH" 2>/dev/null || true; }
    steps "$TMP/$run/truth.ndjson" 5 >"$TMP/$run.steps"
    echo "# $run: $(cat "$TMP/$run.steps")"
done
check "the same --seed draws the same model times whatever else the clients request" \
    awk 'NR == FNR {for (i = 1; i <= NF; i++) a[i] = $i; n = NF; next}
         {for (i = 1; i <= NF; i++) if ($i - a[i] > 0.3 || a[i] - $i > 0.3) bad = 1}
         END {exit bad || n != 4 || NF != 4}' "$TMP/quiet.steps" "$TMP/busy.steps"
finish
