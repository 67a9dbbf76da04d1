#!/usr/bin/env bash
# bench-scale.sh - the scale run of issue 8: a 10,000-VM create + boot storm
# on 100 simulated nodes at --speed 50, through bench-collect-storm.sh
# (collector peak RSS and CPU seconds, events per second, lost transitions,
# timestamp error P99 against the truth), then vmstorm-analyze and
# vmstorm-report on that run. N, NODES and SPEED override the defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-10000} NODES=${NODES:-100} SPEED=${SPEED:-50} ANALYZE=1 exec bash bench/bench-collect-storm.sh
