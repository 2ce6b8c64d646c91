#!/usr/bin/env bash
# Runs every fuzz target of the module, one after the other, each for
# FUZZTIME (default 30s), and prints each target's executions. The targets
# are found with `go test -list`, so a new Fuzz* function is run without
# editing this script. Seed corpora live in each package's
# testdata/fuzz/<Target>/ and are run by plain `go test` (so by
# `make test`); a crash found here is written there by the fuzzer: keep
# it as a regression seed and fix the code.
#
# FUZZTIME   how long each target runs (a Go duration, or Nx for N inputs)
# FUZZPAR    fuzzing workers per target (default 1: the machine is shared)
# FUZZPKGS   the packages to search (default ./...)
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZTIME="${FUZZTIME:-30s}"
FUZZPAR="${FUZZPAR:-1}"
FUZZPKGS="${FUZZPKGS:-./...}"

failed=()
total=0
for pkg in $(go list $FUZZPKGS); do
	dir=$(go list -f '{{.Dir}}' "$pkg")
	# Only packages with test files can hold targets.
	ls "$dir"/*_test.go >/dev/null 2>&1 || continue
	for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
		total=$((total + 1))
		echo "== $target ($pkg) for $FUZZTIME, load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
		log=$(mktemp)
		if go test -run '^$' -fuzz "^${target}\$" -fuzztime "$FUZZTIME" -parallel "$FUZZPAR" "$pkg" >"$log" 2>&1; then
			# The fuzzer's last progress line holds the executions.
			grep -o 'execs: [0-9]*' "$log" | tail -1 | sed "s/^/$target: /"
		else
			cat "$log"
			failed+=("$target ($pkg)")
		fi
		rm -f "$log"
	done
done
echo "fuzz: $total targets run for $FUZZTIME each"
if [ ${#failed[@]} -gt 0 ]; then
	printf 'fuzz: failed: %s\n' "${failed[@]}"
	exit 1
fi
