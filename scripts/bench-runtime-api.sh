#!/usr/bin/env bash
# Runs the shared start-up/stop harness (mode api) against the embedded
# runtime: builds sprites-mcp, starts `sprites-mcp supervisor` on a fresh
# state directory, runs the harness once per service count, stops the
# runtime by its pid and removes the directory. Prints the load average
# before and after each count: compare figures taken at the same load.
#
# Usage: scripts/bench-runtime-api.sh [harness.py] [counts...]
#   defaults: ../shared/bench/supervisor_startup.py, 50 200 1000
# Environment: RUNS (default 5), STOP_PARALLEL (default 1); FLOOR=1 runs
# internal/cmd/benchfloor instead, the least server the harness can drive
# (the floor under these figures, on the same machine in the same minutes).
set -euo pipefail
harness=${1:-../shared/bench/supervisor_startup.py}
shift || true
counts=("${@:-50 200 1000}")
[ -f "$harness" ] || { echo "no harness at $harness" >&2; exit 2; }
bin=$(mktemp -d)/sprites-mcp
if [ "${FLOOR:-0}" = 1 ]; then
	go build -o "$bin" ./internal/cmd/benchfloor
else
	go build -o "$bin" .
fi
for n in ${counts[@]}; do
	dir=$(mktemp -d /tmp/sbXXXX) # short: the socket path is limited to 107 bytes
	if [ "${FLOOR:-0}" = 1 ]; then
		"$bin" "$dir/api.sock" >"$dir.log" 2>&1 </dev/null &
	else
		"$bin" supervisor --state-dir "$dir" >"$dir.log" 2>&1 </dev/null &
	fi
	pid=$!
	trap 'kill -INT $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir" "$dir.log"' EXIT
	for _ in $(seq 100); do [ -S "$dir/api.sock" ] && break; sleep 0.05; done
	echo "# n=$n load before: $(cut -d' ' -f1-3 /proc/loadavg)"
	python3 "$harness" --mode api --api-sock "$dir/api.sock" --api-pid "$pid" -n "$n" \
		--runs "${RUNS:-5}" --stop-parallel "${STOP_PARALLEL:-1}" 2>/dev/null | grep '^figure'
	echo "# n=$n load after: $(cut -d' ' -f1-3 /proc/loadavg)"
	kill -INT "$pid"
	wait "$pid" || true
	rm -rf "$dir" "$dir.log"
	trap - EXIT
done
rm -rf "$(dirname "$bin")"
