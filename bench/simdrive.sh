# bench/simdrive.sh - drive vmstorm-sim with curl in parallel (sourced by benchmarks).
# Starting the simulator: sim_start from tests/cli/simlib.sh (sourced here), which
# sets SIM_PID, SIM_URL and SIM_TOKEN and writes DIR/ca.pem and DIR/truth.ndjson.
# Needs TMPD, a scratch directory; CA is set to the simulator's CA file.

. "$(dirname "${BASH_SOURCE[0]}")/../tests/cli/simlib.sh"

# sim_launch ARGS...: start vmstorm-sim in $TMPD (quietly) and set CA.
sim_launch() {
    sim_start "$TMPD" --log-level warn "$@"
    CA=$TMPD/ca.pem
}

# vm_json NAME RUNSTRATEGY: a small VM manifest (2 GiB, 2 vCPU, container disk).
vm_json() {
    printf '{"apiVersion":"kubevirt.io/v1","kind":"VirtualMachine","metadata":{"name":"%s","labels":{"vmstorm.io/run":"bench"}},"spec":{"runStrategy":"%s","template":{"metadata":{"labels":{"vmstorm.io/run":"bench"}},"spec":{"domain":{"cpu":{"cores":2},"memory":{"guest":"2Gi"},"devices":{}},"volumes":[{"name":"root","containerDisk":{"image":"example/rhel9:latest"}}]}}}}' "$1" "$2"
}

# curl_many CONFIG: run a curl config of many transfers, 50 at a time; print HTTP codes.
# (Options apply per transfer: every block of CONFIG carries its own.)
curl_many() {
    sed -i '$ d' "$1" # the last block's "next" would start a transfer without a URL
    curl -sS --parallel --parallel-max 50 -K "$1" 2>>"$TMPD/curl.err"
}

# create_vms NS N RUNSTRATEGY [DELAY_S]: create vm-1..vm-N; with DELAY_S, one every DELAY_S seconds.
create_vms() {
    local ns=$1 n=$2 rs=$3 delay=${4:-} i cfg=$TMPD/create.cfg pids=()
    : >"$cfg"
    for i in $(seq 1 "$n"); do
        vm_json "vm-$i" "$rs" >"$TMPD/vm-$i.json"
        if [ -n "$delay" ]; then
            curl -sS --cacert "$CA" -o /dev/null -H "Authorization: Bearer $SIM_TOKEN" \
                -H 'Content-Type: application/json' --data-binary "@$TMPD/vm-$i.json" \
                "$SIM_URL/apis/kubevirt.io/v1/namespaces/$ns/virtualmachines" &
            pids+=($!)
            sleep "$delay"
        else
            printf 'url = "%s/apis/kubevirt.io/v1/namespaces/%s/virtualmachines"\nheader = "Authorization: Bearer %s"\nheader = "Content-Type: application/json"\ndata-binary = "@%s"\ncacert = "%s"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\nnext\n' \
                "$SIM_URL" "$ns" "$SIM_TOKEN" "$TMPD/vm-$i.json" "$CA" >>"$cfg"
        fi
    done
    [ "${#pids[@]}" -eq 0 ] || wait "${pids[@]}"
    [ -n "$delay" ] || curl_many "$cfg" | sort | uniq -c
}

# vm_action NS N start|stop: PUT the subresource for vm-1..vm-N, all at once.
vm_action() {
    local ns=$1 n=$2 what=$3 i cfg=$TMPD/$3.cfg
    : >"$cfg"
    for i in $(seq 1 "$n"); do
        printf 'url = "%s/apis/subresources.kubevirt.io/v1/namespaces/%s/virtualmachines/vm-%s/%s"\nrequest = "PUT"\nheader = "Authorization: Bearer %s"\ncacert = "%s"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\nnext\n' \
            "$SIM_URL" "$ns" "$i" "$what" "$SIM_TOKEN" "$CA" >>"$cfg"
    done
    curl_many "$cfg" | sort | uniq -c
}

# wait_truth FILE WHAT COUNT SECONDS: wait until FILE has COUNT lines with "what":"WHAT".
wait_truth() {
    local i
    for i in $(seq 1 $(($4 * 10))); do
        [ "$(grep -c "\"what\":\"$2\"" "$1")" -ge "$3" ] && return 0
        sleep 0.1
    done
    echo "timeout: $(grep -c "\"what\":\"$2\"" "$1") of $3 '$2' after $4 s" >&2
    return 1
}

# proc_figures PID: CPU seconds and peak RSS of a running process.
proc_figures() {
    local tck utime stime
    tck=$(getconf CLK_TCK)
    read -r utime stime < <(awk '{print $14, $15}' "/proc/$1/stat")
    printf 'cpu_seconds=%.2f peak_rss_mb=%.1f' "$(echo "($utime + $stime) / $tck" | bc -l)" \
        "$(awk '/VmHWM/ {print $2 / 1024}' "/proc/$1/status")"
}

