#!/usr/bin/env bash
# End-to-end demo on a real daemon: make a git repository from Fixtures/demo/jupyter, build it with
# swift-r2d from a file:// URL, run Jupyter from the image, call its API, then stop it with Ctrl-C
# (SIGINT) and check that the container was removed. `make demo` installs and starts what this needs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin=.build/release/swift-r2d
[[ -x $bin ]] || swift build -c release
port=${DEMO_PORT:-8890}

work=$(mktemp -d /tmp/swift-r2d-demo-XXXXXX)
trap 'rm -rf "$work"' EXIT
cp -a Fixtures/demo/jupyter/. "$work/repo/" 2>/dev/null || { mkdir -p "$work/repo"; cp -a Fixtures/demo/jupyter/. "$work/repo/"; }
git -C "$work/repo" init -q -b main
git -C "$work/repo" -c user.name=demo -c user.email=demo@example.org add -A
git -C "$work/repo" -c user.name=demo -c user.email=demo@example.org commit -q -m "demo repository"

containers() { curl -fsS --unix-socket /var/run/docker.sock "http://d/containers/json?all=1" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
before=$(containers)
echo "== swift-r2d build file://$work/repo (Jupyter on port $port)"
"$bin" build --user-id=1000 --user-name=jovyan --network=host -p "$port" "file://$work/repo" &
tool=$!
for _ in $(seq 1 600); do
  if curl -fsS "http://127.0.0.1:$port/api" >"$work/api.json" 2>/dev/null; then break; fi
  kill -0 "$tool" 2>/dev/null || { echo "demo: swift-r2d exited before Jupyter answered"; wait "$tool"; exit 1; }
  sleep 1
done
echo "== Jupyter answered on http://127.0.0.1:$port/api: $(cat "$work/api.json")"

echo "== stopping with SIGINT"
kill -INT "$tool"
status=0
wait "$tool" || status=$?
echo "== swift-r2d exited with $status (130 means interrupted and cleaned up)"
[[ $status -eq 130 ]] || { echo "demo: unexpected exit status"; exit 1; }
after=$(containers)
[[ $after -eq $before ]] || { echo "demo: $((after - before)) container(s) left behind"; exit 1; }
echo "== no container left behind ($after before and after)"
echo "== demo: ok"
