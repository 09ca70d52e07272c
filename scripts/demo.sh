#!/usr/bin/env bash
# End-to-end demo of the main job on a real daemon, so a newcomer sees the environment swift-r2d GENERATES:
# Fixtures/demo/notebook (a requirements.txt and a notebook) becomes a git repository, swift-r2d builds it from a
# file:// URL through the requirements.txt buildpack and runs Jupyter from the image; the demo then runs the
# fixture's verify and executes the notebook inside that server's container (the Engine API's exec, over the
# daemon's unix socket), prints the notebook's outputs, stops swift-r2d with Ctrl-C (SIGINT) and checks that
# nothing is left: exit status 130, no container, no swift-r2d temporary directory. `make demo` installs and
# starts what this needs and builds the debug binary; SWIFT_R2D names another one (e.g. a `make install` build).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bin=${SWIFT_R2D:-.build/debug/swift-r2d}
socket=${DOCKER_SOCKET:-/var/run/docker.sock}
fixture=Fixtures/demo/notebook
[[ -x $bin ]] || { echo "demo: no swift-r2d at $bin; run 'make demo' or set SWIFT_R2D to a built binary" >&2; exit 1; }
[[ -S $socket ]] || { echo "demo: no Docker daemon socket at $socket; run 'make deps' (or scripts/start-dockerd.sh)" >&2; exit 1; }
# Where swift-r2d makes its temporary directories (TemporaryDirectory.systemParent and NSTemporaryDirectory).
tmp_parent=${TMPDIR:-/tmp}
tmp_parent=${tmp_parent%/}
port=${DEMO_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}

# swift-r2d names its temporary directories swift-r2d-XXXXXX (clones) and r2d-index-XXXXXX (git index copies);
# the demo's own must match neither.
swift_r2d_tmp() { compgen -G "$tmp_parent/swift-r2d-*" || true; compgen -G "$tmp_parent/r2d-index-*" || true; }
# One request to the daemon; prints the body and fails on an HTTP error.
api() { curl -fsS --unix-socket "$socket" -X "$1" -H 'Content-Type: application/json' ${3:+--data "$3"} "http://docker$2"; }
urlencode() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
json_field() { python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
# The ids of the containers (running or not) made from the image $1.
containers_of() {
  api GET "/containers/json?all=1&filters=$(urlencode "{\"ancestor\":[\"$1\"]}")" |
    python3 -c 'import json, sys; print(" ".join(c["Id"][:12] for c in json.load(sys.stdin)))'
}
# Runs a command in container $1 as the image's user, in its working directory, with the image's environment;
# prints its output and returns its exit code.
exec_in() {
  local container=$1 cmd exec_id code
  shift
  cmd=$(python3 -c 'import json, sys; print(json.dumps(sys.argv[1:]))' "$@")
  exec_id=$(api POST "/containers/$container/exec" "{\"Cmd\":$cmd,\"AttachStdout\":true,\"AttachStderr\":true,\"Tty\":true}" |
    json_field Id) || return 1
  # With a TTY the output is one raw stream (no multiplexing headers) with \r\n line ends.
  api POST "/exec/$exec_id/start" '{"Detach":false,"Tty":true}' | tr -d '\r' || return 1
  code=$(api GET "/exec/$exec_id/json" | json_field ExitCode) || return 1
  return "$code"
}

work=$(mktemp -d "$tmp_parent/make-demo.XXXXXX")
image=""
tool=""
shown=""
log=""
cleanup() {
  local status=$?
  [[ -z $shown ]] || kill "$shown" 2>/dev/null || true
  if ((status != 0)) && [[ -n $log && -s $log ]]; then
    echo "== demo failed (status $status); the last lines of swift-r2d's log ($log):" >&2
    tail -n 20 "$log" >&2
  fi
  # On an early exit swift-r2d may still run: Ctrl-C makes it remove its container.
  if [[ -n $tool ]] && kill -0 "$tool" 2>/dev/null; then
    kill -INT "$tool" 2>/dev/null || true
    wait "$tool" 2>/dev/null || true
  fi
  # The tag goes, the layer cache stays (as the tests remove their images): the next demo builds from cache.
  [[ -z $image ]] || curl -sS -o /dev/null --unix-socket "$socket" -X DELETE \
    "http://docker/images/$(urlencode "$image")?force=1&noprune=1" || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "== making a git repository from $fixture"
mkdir "$work/repo"
cp -a "$fixture/." "$work/repo/"
git -C "$work/repo" init -q -b main
git -C "$work/repo" add -A
git -C "$work/repo" -c user.name=demo -c user.email=demo@example.org commit -q -m "demo repository"
ls "$work/repo"
image="r2d-demo-notebook:$(git -C "$work/repo" rev-parse --short=12 HEAD)"
tmp_before=$(swift_r2d_tmp)

echo "== swift-r2d build file://$work/repo (image $image, Jupyter on port $port)"
# The tests' flags: the offline base image and its Python 3.11, the jovyan user, host networking.
# Its log goes to a file, shown live until Jupyter answers, so the server's log does not run into the steps below.
log=$work/swift-r2d.log
"$bin" build --base-image swift-r2d/test-base:bookworm --default-python-version 3.11 \
  --user-id 1000 --user-name jovyan --network host --image-name "$image" -p "$port" "file://$work/repo" >"$log" 2>&1 &
tool=$!
tail -n +1 -f "$log" &
shown=$!
started=$(date +%s)
until curl -fsS -m 2 "http://127.0.0.1:$port/api" >"$work/api.json" 2>/dev/null && grep -q '"version"' "$work/api.json"; do
  kill -0 "$tool" 2>/dev/null || { echo "demo: swift-r2d exited before Jupyter answered; its log is above" >&2; exit 1; }
  (($(date +%s) - started < 1200)) || { echo "demo: Jupyter did not answer within 20 minutes; see the log above" >&2; exit 1; }
  sleep 1
done
sleep 0.5
kill "$shown"
wait "$shown" 2>/dev/null || true
shown=""
echo "== Jupyter answered on http://127.0.0.1:$port/api after $(($(date +%s) - started)) s: $(cat "$work/api.json")"

container=$(containers_of "$image")
[[ -n $container && $container != *" "* ]] || { echo "demo: expected one container from $image, found '$container'" >&2; exit 1; }
echo "== the server's container: $container"

echo "== ./verify in the container"
exec_in "$container" ./verify || { echo "demo: ./verify failed in the container (exit $?); its output is above" >&2; exit 1; }

echo "== jupyter execute demo.ipynb in the container"
exec_in "$container" jupyter execute --output=/tmp/demo-executed.ipynb demo.ipynb ||
  { echo "demo: jupyter execute failed in the container (exit $?); its output is above" >&2; exit 1; }

echo "== the notebook's outputs"
exec_in "$container" python -c '
import nbformat
notebook = nbformat.read("/tmp/demo-executed.ipynb", as_version=4)
for number, cell in enumerate((c for c in notebook.cells if c.cell_type == "code"), 1):
    print(f"--- cell {number}")
    for output in cell.outputs:
        if output.output_type == "stream":
            print(output.text, end="")
        elif "data" in output and "text/plain" in output.data:
            print(output.data["text/plain"])
        elif output.output_type == "error":
            print(output.ename, output.evalue)
' | tee "$work/outputs.txt" || { echo "demo: reading the executed notebook failed (exit $?); see above" >&2; exit 1; }
grep -q '^demo notebook: ok$' "$work/outputs.txt" || { echo "demo: the notebook's last cell did not print 'demo notebook: ok'" >&2; exit 1; }

echo "== stopping swift-r2d with SIGINT (Ctrl-C)"
kill -INT "$tool"
status=0
wait "$tool" || status=$?
tool=""
echo "== swift-r2d exited with $status (130: interrupted, container removed); the end of its log:"
tail -n 1 "$log"
[[ $status -eq 130 ]] || { echo "demo: swift-r2d exited with $status, not 130; see its log above" >&2; exit 1; }

left=$(containers_of "$image")
[[ -z $left ]] || { echo "demo: container(s) $left from $image left behind; remove them with docker rm -f" >&2; exit 1; }
echo "== no container from $image left"
new_tmp=$(comm -13 <(echo "$tmp_before" | sort) <(swift_r2d_tmp | sort))
[[ -z $new_tmp ]] || { echo "demo: swift-r2d left temporary directories: $new_tmp" >&2; exit 1; }
echo "== no swift-r2d temporary directory left in $tmp_parent"
echo "== demo: ok ($(($(date +%s) - started)) s from build to clean exit)"
