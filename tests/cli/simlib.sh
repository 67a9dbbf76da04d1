# tests/cli/simlib.sh - start and stop vmstorm-sim for a test (sourced after setup.sh).

SIM_PID=
# sim_start DIR [vmstorm-sim options...]: start a simulator writing DIR/kubeconfig
# (and DIR/truth.ndjson, DIR/sim.log); waits until it accepts connections.
sim_start() {
    local dir=$1 i
    shift
    mkdir -p "$dir"
    "$BIN/vmstorm-sim" --listen 127.0.0.1:0 --kubeconfig-out "$dir/kubeconfig" \
        --truth "$dir/truth.ndjson" --guest-port 2222 "$@" >"$dir/sim.log" 2>&1 &
    SIM_PID=$!
    for i in $(seq 1 100); do
        [ -s "$dir/kubeconfig" ] && break
        if ! kill -0 "$SIM_PID" 2>/dev/null; then
            echo "vmstorm-sim exited early:" >&2
            cat "$dir/sim.log" >&2
            return 1
        fi
        sleep 0.1
    done
    [ -s "$dir/kubeconfig" ] || { echo "no kubeconfig after 10 s" >&2; return 1; }
    SIM_URL=$(sed -n 's/^ *server: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$dir/kubeconfig" | head -1)
    SIM_TOKEN=$(sed -n 's/^ *token: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$dir/kubeconfig" | head -1)
    sed -n 's/^ *certificate-authority-data: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$dir/kubeconfig" |
        head -1 | base64 -d >"$dir/ca.pem" 2>/dev/null || true
    export SIM_URL SIM_TOKEN
}

# sim_stop: SIGTERM, and the simulator must exit 0 within 10 s.
sim_stop() {
    local i rc=0
    [ -n "$SIM_PID" ] || return 0
    kill -TERM "$SIM_PID" 2>/dev/null || true
    for i in $(seq 1 100); do
        kill -0 "$SIM_PID" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$SIM_PID" 2>/dev/null; then
        kill -9 "$SIM_PID"
        rc=1
    fi
    wait "$SIM_PID" 2>/dev/null || rc=$?
    SIM_PID=
    return $rc
}

# wait_for SECONDS CMD...: retry CMD until it succeeds.
wait_for() {
    local secs=$1 i
    shift
    for i in $(seq 1 $((secs * 10))); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    "$@"
}
