#!/usr/bin/env bash
# Runs the shared start-up/stop harness (mode api) against several builds,
# interleaved block by block: on a shared VM the machine's speed moves by
# tens of percent within minutes, so builds compared in separate runs
# compare the minutes, not the builds. Each block prints the VM's steal
# ticks (/proc/stat) spent while it ran: a block with many is suspect.
#
# Usage: scripts/bench-runtime-ab.sh [-n N] [-r ROUNDS] TARGET...
#   TARGET: a commit (built from a temporary worktree), "." (the working
#   tree), "floor" (internal/cmd/benchfloor, the least server the harness
#   can drive) or "killwait" (no server: N process groups of `sleep` ended
#   one at a time by SIGTERM and waitpid, scripts/stop-parts.py). After the
#   floor's block, roundtrip_s is N of the harness's stop calls that it
#   refuses at once (no such service): with killwait_s, the least a stop-all
#   of one call per service can take. (Not after ours: its refusal names
#   the closest existing service, a search over all N.) Defaults: -n 1000,
#   -r 3.
# Environment: HARNESS (default ../shared/bench/supervisor_startup.py),
# RUNS (harness runs per block, default 2), STOP_PARALLEL (default 1).
#
# Example: scripts/bench-runtime-ab.sh -n 1000 -r 3 1902266 . floor
set -euo pipefail
n=1000
rounds=3
while getopts "n:r:" opt; do
	case $opt in
	n) n=$OPTARG ;;
	r) rounds=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || { echo "usage: $0 [-n N] [-r ROUNDS] TARGET..." >&2; exit 2; }
harness=$(realpath "${HARNESS:-../shared/bench/supervisor_startup.py}")
[ -f "$harness" ] || { echo "no harness at $harness" >&2; exit 2; }
parts=$(realpath "$(dirname "$0")/stop-parts.py")

work=$(mktemp -d)
pid=
cleanup() {
	if [ -n "$pid" ]; then kill -INT "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

# Build each target once: bins[i] is its binary, kinds[i] how it is started.
bins=()
kinds=()
for t in "$@"; do
	bin=$work/bin-${#bins[@]}
	case $t in
	floor)
		go build -o "$bin" ./internal/cmd/benchfloor
		kinds+=(floor)
		;;
	killwait)
		kinds+=(killwait)
		;;
	.)
		go build -o "$bin" .
		kinds+=(runtime)
		;;
	*)
		git worktree add --quiet --detach "$work/wt" "$t"
		(cd "$work/wt" && go build -o "$bin" .)
		git worktree remove --force "$work/wt"
		kinds+=(runtime)
		;;
	esac
	bins+=("$bin")
done

steal() { awk '/^cpu /{print $9}' /proc/stat; }

echo "# n=$n rounds=$rounds runs per block=${RUNS:-2} load: $(cut -d' ' -f1-3 /proc/loadavg)"
for _ in $(seq "$rounds"); do
	for i in "${!bins[@]}"; do
		label=$(printf '%-10s' "${@:$((i + 1)):1}")
		if [ "${kinds[$i]}" = killwait ]; then
			s0=$(steal)
			figures=$(python3 "$parts" killwait "$n")
			echo "$label steal=$(($(steal) - s0)) $figures"
			continue
		fi
		dir=$(mktemp -d /tmp/sbXXXX) # short: the socket path is limited to 107 bytes
		if [ "${kinds[$i]}" = floor ]; then
			"${bins[$i]}" "$dir/api.sock" >/dev/null 2>&1 </dev/null &
		else
			"${bins[$i]}" supervisor --state-dir "$dir" >/dev/null 2>&1 </dev/null &
		fi
		pid=$!
		for _ in $(seq 100); do [ -S "$dir/api.sock" ] && break; sleep 0.05; done
		s0=$(steal)
		figures=$(python3 "$harness" --mode api --api-sock "$dir/api.sock" --api-pid "$pid" -n "$n" \
			--runs "${RUNS:-2}" --stop-parallel "${STOP_PARALLEL:-1}" 2>/dev/null |
			sed -nE 's/^figure api\.(create_s|up_s|cpu_s|stop_s|order_violations)=([0-9.]+) .*samples=(.*)/\1=\2 [\3]/p' | tr '\n' ' ')
		if [ "${kinds[$i]}" = floor ]; then
			figures+=$(python3 "$parts" roundtrip "$harness" "$dir/api.sock" "$n")
		fi
		echo "$label steal=$(($(steal) - s0)) $figures"
		kill -INT "$pid"
		wait "$pid" || true
		pid=
		rm -rf "$dir"
	done
done
