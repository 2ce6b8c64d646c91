# The one command that runs the whole test suite is `make test`.
# Everything it needs is installed by the project's own scripts into
# ignored folders (.tools/, bin/).

GO      ?= go
BIN     := bin/sprites-mcp
PKGS    := ./...

.PHONY: all build run test fmt-check vet tidy-check lint cross unit browser inspector conformance bundle bundle-check bench bench-http bench-runtime bench-runtime-ab fuzz soak soak-short clean

all: build

build:
	$(GO) build -o $(BIN) .

## run: the MCP server over stdio on the embedded runtime.
run:
	$(GO) run .

## test: formatting, vet, a tidy go.mod, the linter and the cross-builds,
## then unit and integration tests with the race detector, then the MCP
## Inspector CLI against the built binary (stdio), then the official MCP
## conformance suite against it (streamable HTTP).
test: fmt-check vet tidy-check lint cross unit browser inspector conformance bundle-check soak-short

fmt-check:
	@out=$$(gofmt -l $$(find . -name '*.go' -not -path './.tools/*')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

## tidy-check: go.mod and go.sum are exactly what `go mod tidy` writes.
tidy-check:
	$(GO) mod tidy -diff

## lint: staticcheck (pinned in scripts/install-go-tools.sh, configured in
## staticcheck.conf) once per operating system we ship, so files behind
## build tags are checked too; code unused on one system but used on
## another is not reported.
lint:
	scripts/install-go-tools.sh
	printf 'linux: GOOS=linux\ndarwin: GOOS=darwin\nwindows: GOOS=windows\n' | .tools/bin/staticcheck -matrix $(PKGS)

## cross: build and vet for every platform we ship, so a Linux-only call
## cannot land. Goes through all of them, then fails if any failed.
CROSS_TARGETS := darwin/arm64 darwin/amd64 windows/amd64 linux/amd64 linux/arm64
cross:
	@failed=""; \
	for t in $(CROSS_TARGETS); do \
		echo "cross: $$t"; \
		ok=1; \
		GOOS=$${t%/*} GOARCH=$${t#*/} $(GO) build -o /dev/null $(PKGS) || ok=; \
		GOOS=$${t%/*} GOARCH=$${t#*/} $(GO) vet $(PKGS) || ok=; \
		[ -n "$$ok" ] || failed="$$failed $$t"; \
	done; \
	if [ -n "$$failed" ]; then echo "cross: failed for$$failed"; exit 1; fi

unit:
	$(GO) test -race -count=1 -timeout 20m $(PKGS)

## browser: the dashboard and the services MCP App in headless Chromium
## (scripts/install-browser.sh installs it when missing), driven by chromedp;
## each test saves a screenshot under .artifacts/screenshots/. With
## UPDATE_DOCS_SCREENSHOT=1 it also rewrites docs/dashboard.png.
browser:
	scripts/install-browser.sh
	rm -rf .artifacts/screenshots
	$(GO) test -tags browser -race -count=1 -timeout 10m -run '^TestBrowser' ./internal/dashboard/

inspector: build
	scripts/install-node-tools.sh
	scripts/inspector-test.sh $(BIN)

conformance: build
	scripts/install-node-tools.sh
	scripts/conformance-test.sh $(BIN)

## bundle: MCP Bundles (.mcpb) for Claude Desktop in bin/bundle/: macOS
## (universal binary), Windows, Linux amd64 and arm64. BUNDLE_TARGETS picks.
BUNDLE_TARGETS ?= darwin windows linux-amd64 linux-arm64
bundle:
	scripts/bundle.sh $(BUNDLE_TARGETS)

## bundle-check: mcpb validates the manifest, and the Linux bundle,
## unpacked, starts as Claude Desktop starts it and answers initialize.
bundle-check:
	scripts/bundle-check.sh

## bench: the figures of BENCHMARKS.md (run on a quiet machine).
bench:
	$(GO) test -run '^$$' -bench 'StreamDecode|LogsFromFile' -benchmem -cpu 1 ./client
	$(GO) test -run '^$$' -bench 'Add$$|GigabyteStream' -benchmem -cpu 1 ./internal/summary
	$(GO) test -run '^$$' -bench ServiceListText -benchtime 200x ./tools
	$(GO) test -run '^$$' -bench . -benchmem ./resources
	$(GO) test -run '^$$' -bench . -benchtime 5x ./supervisor
	$(GO) test -run '^$$' -bench StdioServiceGet -benchtime 5000x .
	$(MAKE) bench-http

## bench-http: sprites-mcp (service_get on the embedded runtime, with a
## bearer token) against a bare mcp-go server with one fixed-string tool,
## both over streamable HTTP on 127.0.0.1, in the same run: calls/s, p50,
## p99, server CPU per call, errors and the ratios at 1, 8 and 32 clients
## under both protocol revisions, then sprites-mcp's resident memory before
## and after HTTP_CALLS calls. HTTP_POINT is the time per server and point;
## HTTP_PROFILE=DIR writes both servers' CPU, allocation, block and mutex
## profiles there.
HTTP_POINT   ?= 5s
HTTP_CALLS   ?= 100000
HTTP_PROFILE ?=
bench-http:
	HTTPBENCH_POINT=$(HTTP_POINT) HTTPBENCH_CALLS=$(HTTP_CALLS) HTTPBENCH_PROFILE=$(HTTP_PROFILE) \
		$(GO) test -run '^$$' -bench HTTPPath -benchtime 1x -timeout 30m ./internal/httpbench

## bench-runtime: the embedded runtime at 50, 200 and 1000 services (run on
## a quiet machine): time, server CPU, RSS and threads until all run,
## stop-all, idle CPU with 200 running, the bare fork floor; then the
## shared harness in mode api (HARNESS=path to supervisor_startup.py).
HARNESS ?= ../shared/bench/supervisor_startup.py
bench-runtime:
	$(GO) test -run '^$$' -bench 'Scale|BaselineFork200' -benchtime 5x ./supervisor
	$(GO) test -run '^$$' -bench 'Idle200' -benchtime 3x ./supervisor
	scripts/bench-runtime-api.sh $(HARNESS) 50 200 1000

## bench-runtime-ab: the shared harness over several builds interleaved
## block by block, the VM's steal printed per block: AB names commits, "."
## (the working tree), "floor" or "killwait" (no server: the kernel's part
## of a stop-all); AB_N services, AB_ROUNDS rounds.
AB        ?= . floor killwait
AB_N      ?= 1000
AB_ROUNDS ?= 3
bench-runtime-ab:
	HARNESS=$(HARNESS) scripts/bench-runtime-ab.sh -n $(AB_N) -r $(AB_ROUNDS) $(AB)

## fuzz: every fuzz target of the module, one after the other, each for
## FUZZTIME (default 30s; FUZZPKGS narrows the packages). The seed corpora
## in testdata/fuzz/ run with every plain `go test`, so `make test` runs
## them; a crash found here is saved there: keep it and fix the code.
FUZZTIME ?= 30s
fuzz:
	FUZZTIME=$(FUZZTIME) scripts/fuzz.sh

## soak: the built server over HTTP for SOAK_DURATION (default 10m): 16
## clients making mixed calls against services that crash at random; it
## fails on growth of the server's threads, open files or memory, on any
## error, and on a process left after shutdown (internal/soak). Loopback
## only; it stops by itself.
SOAK_DURATION ?= 10m
soak: build
	SOAK_DURATION=$(SOAK_DURATION) SOAK_BIN=$(abspath $(BIN)) $(GO) test -run '^TestSoak$$' -count=1 -v -timeout 0 ./internal/soak

## soak-short: the soak for 60 seconds (for `make test`).
soak-short:
	$(MAKE) soak SOAK_DURATION=60s

clean:
	rm -rf bin .tools
