FROM swift-r2d/test-base:bookworm
RUN echo "buildkit-status recording: about to fail"; echo "going down" >&2; exit 3
