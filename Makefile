# ucmpush: `make demo` runs the main job on the local stack, `make test` runs every test.
SHELL := bash
export PATH := $(PATH):/usr/local/go/bin

.PHONY: demo down test unit lint build

## demo: set up the local stack and run LdapSyncThenPush on it (the stack stays up)
demo:
	deploy/demo.sh

## down: stop the local stack and the worker
down:
	deploy/stack/worker.sh stop
	deploy/stack/down.sh

## test: unit tests, then integration tests on PostgreSQL, slapd, Temporal and the simulator
test:
	deploy/test.sh

## unit: the tests that need no running service
unit:
	go test ./domain/... ./workflows/... ./internal/axl/... ./internal/axlsim/... ./internal/secrets/...

## lint: formatting and vet
lint:
	@test -z "$$(gofmt -l .)" || { gofmt -l .; echo "run gofmt -w on the files above"; exit 1; }
	go vet ./...

## build: the CLI, the worker and the simulator into bin/
build:
	go build -o bin/ ./starter/cmd/ucmpush ./worker/cmd/ucmpush-worker ./deploy/axlsim

.PHONY: bench chaos

## bench: measure pushes, syncs and the engine on a stack of its own (deploy/bench.sh, ~10 min)
bench:
	deploy/bench.sh

## chaos: kill and restart the worker and each service mid-push and mid-sync (internal/chaos)
chaos:
	UCMPUSH_CHAOS=required go test -count=1 -timeout 15m -parallel 8 -v ./internal/chaos/
