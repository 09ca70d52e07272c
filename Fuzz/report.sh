#!/bin/sh
# Prints a Markdown table of the last fuzz run of each target: libFuzzer's final "#<executions>: cov: …" line
# (fork mode counts executions over all its jobs) and how many inputs each left in crashes/.
cd "$(dirname "$0")/.."
B=${FUZZ_BUILD:-.build-fuzz}
echo "| Target | Executions | Seconds | Coverage (edges) | Corpus | Findings |"
echo "|---|---|---|---|---|---|"
for log in "$B"/runs/*/log.txt; do
    dir=$(dirname "$log"); target=$(basename "$dir")
    line=$(grep -E '^#[0-9]+: cov' "$log" | tail -n 1)
    execs=$(echo "$line" | sed -E 's/^#([0-9]+):.*/\1/')
    cov=$(echo "$line" | sed -E 's/.* cov: ([0-9]+) .*/\1/')
    corp=$(echo "$line" | sed -E 's/.* corp: ([0-9]+) .*/\1/')
    secs=$(echo "$line" | sed -E 's/.* time: ([0-9]+)s.*/\1/')
    found=$(ls "$dir/crashes" 2>/dev/null | wc -l)
    echo "| $target | $execs | $secs | $cov | $corp | $found |"
done
