#!/usr/bin/env bash
# Installs the Go tools `make test` runs — today staticcheck, the linter —
# from the Go module proxy into .tools/bin (ignored by git), at the pinned
# version below. Idempotent: a second run with the same versions does
# nothing.
#
# Why staticcheck and not golangci-lint: staticcheck v0.8.2 requires eight
# modules and installed in 36 s on a fresh 2-core machine; golangci-lint
# v2.15.0 requires over 200 modules, most of them for linters we would not
# switch on. Why a script and not a `tool` line in go.mod: a tool's
# requirements join the product's module graph, and staticcheck's (through
# golang.org/x/tools and x/net) would raise golang.org/x/text, which the
# server is built with, from v0.14.0 to v0.42.0.
set -euo pipefail
cd "$(dirname "$0")/.."

STATICCHECK="honnef.co/go/tools/cmd/staticcheck@v0.8.2"
dir=.tools/bin
stamp="$dir/.installed-go"
want="$(go env GOVERSION) $STATICCHECK"

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$dir/staticcheck" ]; then
  exit 0
fi
mkdir -p "$dir"
echo "install-go-tools: installing $STATICCHECK into $dir" >&2
GOBIN="$PWD/$dir" go install "$STATICCHECK"
"$dir/staticcheck" -version >/dev/null
echo "$want" > "$stamp"
