#!/bin/bash
# Checks repo2docker-entrypoint on the host: runs it with ${PYTHON:-/usr/bin/python3}
# directly (python3-login is for images only). Exits non-zero if any check fails.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
entrypoint="$here/repo2docker-entrypoint"
python="${PYTHON:-/usr/bin/python3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failures=0

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1" >&2; failures=$((failures + 1)); }
expect_eq() { # name expected actual
    if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: expected [$2], got [$3]"; fi
}
expect_contains() { # name file needle
    if grep -qF -- "$3" "$2"; then pass "$1"; else fail "$1: [$3] not in $2: $(head -c 400 "$2")"; fi
}
run() { # runs the entrypoint with a clean R2D_ENTRYPOINT unless the caller sets one
    "$python" -u "$entrypoint" "$@"
}

# 1. Output reaches stdout and the log in $REPO_DIR; stderr is merged; the exit code passes through.
mkdir -p "$work/repo"
(cd "$work" && REPO_DIR="$work/repo" run sh -c 'echo hello-out; echo hello-err >&2; exit 3') >"$work/out1" 2>"$work/err1"
expect_eq "exit code 3 passes through" 3 "$?"
expect_contains "stdout has the command's stdout" "$work/out1" hello-out
expect_contains "stdout has the command's stderr" "$work/out1" hello-err
expect_contains "log in REPO_DIR has the output" "$work/repo/.jupyter-server-log.txt" hello-err
expect_eq "our stderr stays empty" "" "$(cat "$work/err1")"

# 2. The log is appended to, not truncated.
(REPO_DIR="$work/repo" run echo second-run) >/dev/null
expect_eq "log is appended" "hello-out hello-err second-run" "$(tr '\n' ' ' <"$work/repo/.jupyter-server-log.txt" | sed 's/ $//')"

# 3. No usable REPO_DIR: the log goes to the working directory.
mkdir -p "$work/cwd"
(cd "$work/cwd" && REPO_DIR="$work/missing" run echo in-cwd) >/dev/null
expect_contains "log falls back to the working directory" "$work/cwd/.jupyter-server-log.txt" in-cwd

# 4. R2D_ENTRYPOINT is put in front of the command.
printf '#!/bin/sh\necho "start-script saw: $*"\nexec "$@"\n' >"$work/start"
chmod +x "$work/start"
(cd "$work" && REPO_DIR="$work/repo" R2D_ENTRYPOINT="$work/start" run echo from-command) >"$work/out4"
expect_eq "R2D_ENTRYPOINT prefix" "start-script saw: echo from-command|from-command" "$(paste -sd '|' "$work/out4")"

# 5. SIGTERM sent to the entrypoint reaches the command, which handles it.
cat >"$work/trap.sh" <<'EOF'
trap 'echo got-TERM; exit 7' TERM
touch "$1"
while :; do sleep 0.1; done
EOF
(cd "$work" && REPO_DIR="$work/repo" exec "$python" -u "$entrypoint" bash "$work/trap.sh" "$work/ready5") >"$work/out5" &
pid=$!
for _ in $(seq 100); do [ -e "$work/ready5" ] && break; sleep 0.05; done
kill -TERM "$pid"
wait "$pid"
expect_eq "SIGTERM forwarded; the command's exit code 7 comes back" 7 "$?"
expect_contains "the command saw SIGTERM" "$work/out5" got-TERM

# 6. A command killed by a forwarded signal gives 128+N.
(cd "$work" && REPO_DIR="$work/repo" exec "$python" -u "$entrypoint" sh -c 'touch "$0"; exec sleep 30' "$work/ready6") >/dev/null &
pid=$!
for _ in $(seq 100); do [ -e "$work/ready6" ] && break; sleep 0.05; done
kill -USR1 "$pid"
wait "$pid"
expect_eq "command killed by SIGUSR1 → 128+10" 138 "$?"

# 7. stdout full (ENOSPC): the log (in the working directory, REPO_DIR is missing) still
#    gets everything, plus a note.
(cd "$work" && REPO_DIR="$work/missing" run sh -c 'echo line-one; echo line-two; exit 5') >/dev/full 2>/dev/null
code=$?
expect_eq "ENOSPC on stdout does not change the exit code" 5 "$code"
expect_contains "log has output after stdout hit ENOSPC" "$work/.jupyter-server-log.txt" line-two
expect_contains "log notes that stdout stopped" "$work/.jupyter-server-log.txt" "stopped writing to stdout: no space left on device"

# 8. Log full (ENOSPC): stdout still gets everything, plus a note.
mkdir -p "$work/repo8"
ln -s /dev/full "$work/repo8/.jupyter-server-log.txt"
(REPO_DIR="$work/repo8" run sh -c 'echo alpha; echo beta') >"$work/out8"
expect_eq "ENOSPC on the log: exit 0" 0 "$?"
expect_contains "stdout has output after the log hit ENOSPC" "$work/out8" beta
expect_contains "stdout notes that the log stopped" "$work/out8" "stopped writing to log file"

# 9. A missing command gives 127 and a clear message.
(REPO_DIR="$work/repo" run /nonexistent/command) >/dev/null 2>"$work/err9"
expect_eq "missing command → 127" 127 "$?"
expect_contains "missing command is named" "$work/err9" "cannot run /nonexistent/command"

if [ "$failures" -gt 0 ]; then
    echo "$failures check(s) failed" >&2
    exit 1
fi
echo "all entrypoint checks passed"
