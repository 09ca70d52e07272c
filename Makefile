# One-command entry points. `make test` on a fresh Debian bookworm machine (root, Swift on PATH)
# installs what is missing, starts a Docker daemon, builds the test base image, starts Podman and two Docker 26
# daemons in containers (overlay2 and containerd image stores), then runs every test.
SWIFT ?= swift
BASE_IMAGE ?= swift-r2d/test-base:bookworm
# Docker 26 from Debian trixie, run under the host dockerd as the tests' second engine (scripts/start-dind.sh).
DIND_IMAGE ?= swift-r2d/dind:trixie

.PHONY: deps build test demo clean-images install docs image format check-shape

deps:
	scripts/install-deps.sh
	scripts/start-dockerd.sh
	scripts/make-base-image.sh $(BASE_IMAGE)
	scripts/start-podman.sh $(BASE_IMAGE)
	scripts/make-dind-image.sh $(DIND_IMAGE)
	scripts/start-dind.sh $(BASE_IMAGE) $(DIND_IMAGE)

build:
	$(SWIFT) build

# Two runs of the same test build: the unit and stub-engine tests first, then the integration tests against the
# real daemons. The integration tests block threads while builds run, which would starve async tests beside them
# on two cores. Both runs always happen; either failing fails the target.
test: deps check-shape
	$(SWIFT) build --build-tests
	status=0; \
	$(SWIFT) test --skip-build --skip R2DIntegrationTests || status=1; \
	$(SWIFT) test --skip-build --filter R2DIntegrationTests || status=1; \
	exit $$status

# The code's shape, checked before the tests: swift-format's layout (.swift-format; `make format` applies it)
# and no function in Sources longer than 60 lines (the longest five are printed).
FORMATTED = Sources Tests Package.swift
format:
	$(SWIFT) format format --in-place --parallel --recursive $(FORMATTED)

check-shape:
	$(SWIFT) format lint --strict --parallel --recursive $(FORMATTED)
	scripts/function-lengths.py --max 60 Sources

# Builds Fixtures/demo/notebook through the generated requirements.txt environment, runs Jupyter from it,
# executes the notebook in the server's container, then stops it with Ctrl-C and checks nothing is left.
# The debug binary (as the tests use), so CI builds no release; SWIFT_R2D=<path> runs another binary,
# e.g. the release build `make install` makes.
SWIFT_R2D ?= .build/debug/swift-r2d
demo: deps
	$(SWIFT) build --product swift-r2d
	SWIFT_R2D=$(SWIFT_R2D) scripts/demo.sh

clean-images:
	scripts/clean-images.sh

PREFIX ?= /usr/local
# Installs the release binary and the jupyter-repo2docker name BinderHub calls it by.
install:
	SWIFT=$(SWIFT) scripts/release-build.sh --product swift-r2d
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
