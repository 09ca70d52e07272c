# One-command entry points. `make test` on a fresh Debian bookworm machine (root, Swift on PATH)
# installs what is missing, starts a Docker daemon, builds the test base image, then runs every test.
SWIFT ?= swift
BASE_IMAGE ?= swift-r2d/test-base:bookworm

.PHONY: deps build test demo clean-images install docs image

deps:
	scripts/install-deps.sh
	scripts/start-dockerd.sh
	scripts/make-base-image.sh $(BASE_IMAGE)

build:
	$(SWIFT) build

# Plain `swift test`, not --parallel: keeps memory use and load on the daemon predictable.
test: deps
	$(SWIFT) test

demo: deps
	$(SWIFT) build -c release
	scripts/demo.sh

clean-images:
	scripts/clean-images.sh

PREFIX ?= /usr/local
# Installs the release binary and the jupyter-repo2docker name BinderHub calls it by.
install:
	$(SWIFT) build -c release
	install -m 0755 .build/release/swift-r2d $(PREFIX)/bin/swift-r2d
	ln -sf swift-r2d $(PREFIX)/bin/jupyter-repo2docker

# Regenerates Docs/cli.md from the command definitions (a test checks it is current).
docs:
	$(SWIFT) build --product swift-r2d
	.build/debug/swift-r2d __cli-reference > Docs/cli.md

# swift-r2d's own image (needs a Swift 6.3 image; see the Dockerfile's build arguments).
image:
	docker build -t swift-r2d:$(shell git rev-parse --short HEAD) .

# libFuzzer targets for the parsers of repository files and flags (Docs/fuzzing.md): built with swiftc
# -sanitize=fuzzer,address into .build-fuzz (never by swift build), each run FUZZ_SECONDS at nice 19.
FUZZ_SECONDS ?= 600
FUZZ_JOBS ?= 2
.PHONY: fuzz fuzz-build
fuzz-build:
	Fuzz/build.sh

# Prints the executions per target (Fuzz/report.sh) and fails when any target left an input in crashes/.
fuzz: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_JOBS=$(FUZZ_JOBS) Fuzz/run.sh; status=$$?; Fuzz/report.sh; exit $$status
