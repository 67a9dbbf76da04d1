#!/usr/bin/env bash
# bench-valgrind.sh - the long memory check of issue 8: the whole test suite
# under valgrind memcheck (scripts/valgrind-check.sh, also `make valgrind`),
# ending with "memory: N logs, N with errors, N with leaks". Skipped (exit 2)
# without valgrind or a build.
set -uo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "bench-valgrind: valgrind is not installed"; exit 2; }
[ -x bin/vmstorm-collect ] || exit 2
SECONDS=0
bash scripts/valgrind-check.sh | grep -E '^(FAIL|valgrind:|    |[0-9]+ passed|memory:)'
rc=${PIPESTATUS[0]}
echo "valgrind-check: ${SECONDS} s"
exit "$rc"
