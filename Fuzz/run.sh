#!/usr/bin/env bash
# Runs every fuzz target built by build.sh for FUZZ_SECONDS each (FUZZ_JOBS at a time, at nice 19).
# Per target, under $FUZZ_BUILD/runs/<target>/: corpus/ (grows between runs; seeded from Fuzz/Seeds/<target>),
# crashes/ (crash-*, timeout-*, oom-* inputs) and log.txt, whose last "#N: cov: …" line counts the executions. FUZZ_TARGETS limits the run to some targets (space-separated names).
set -eu
cd "$(dirname "$0")/.."
B=${FUZZ_BUILD:-.build-fuzz}
SECONDS_EACH=${FUZZ_SECONDS:-600}
JOBS=${FUZZ_JOBS:-2}
TARGETS=${FUZZ_TARGETS:-$(for f in Fuzz/Targets/*.swift; do basename "$f" .swift; done)}

run_one() {
    target=$1
    dir="$B/runs/$target"
    mkdir -p "$dir/corpus" "$dir/crashes"
    if [ -d "Fuzz/Seeds/$target" ]; then cp -n Fuzz/Seeds/"$target"/* "$dir/corpus/" 2>/dev/null || true; fi
    echo "fuzz: $target for ${SECONDS_EACH}s"
    # -timeout: one input taking over 10 s is a hang (e.g. exponential pattern matching) and is kept as a crash.
    # -fork=1 with -ignore_*: keep fuzzing for the whole time after a finding, so every run lasts FUZZ_SECONDS
    # and collects all its findings. Leak detection is off: Foundation caches compiled regular expressions.
    # ASAN_OPTIONS as well as the flag: fork mode's child processes take leak detection from the environment.
    ASAN_OPTIONS=detect_leaks=0 SWIFT_BACKTRACE=enable=no nice -n 19 "$B/bin/fuzz-$target" -max_total_time="$SECONDS_EACH" -timeout=10 \
        -rss_limit_mb=2048 -max_len=4096 -detect_leaks=0 -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
        -artifact_prefix="$dir/crashes/" "$dir/corpus" >"$dir/log.txt" 2>&1 && status=0 || status=$?

    # The last "#<executions>: cov: … time: …" line of fork mode is the run's total.
    echo "fuzz: $target exit $status: $(grep -E '^#[0-9]+: cov' "$dir/log.txt" | tail -n 1)"
    return $status
}

failed=0
running=0
for target in $TARGETS; do
    run_one "$target" &
    running=$((running + 1))
    if [ "$running" -ge "$JOBS" ]; then
        wait -n || true
        running=$((running - 1))
    fi
done
wait
for target in $TARGETS; do
    if ls "$B/runs/$target/crashes/" 2>/dev/null | grep -q .; then
        echo "fuzz: $target found inputs in $B/runs/$target/crashes/"; failed=1
    fi
done
exit $failed
