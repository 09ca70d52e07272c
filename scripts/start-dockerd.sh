#!/usr/bin/env bash
# Makes sure a Docker daemon answers on /var/run/docker.sock, starting one in the background if needed.
# Leaves an already running daemon alone (it may belong to someone else).
set -euo pipefail

socket=/var/run/docker.sock
log=/tmp/swift-r2d-dockerd.log
timeout=60

sudo=()
if ((EUID != 0)); then
  if command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    sudo=(false)
  fi
fi

ping_daemon() {
  local answer
  answer=$(curl -fsS --max-time 3 --unix-socket "$socket" http://d/_ping 2>/dev/null) && [[ "$answer" == OK ]] && return 0
  # A non-root user may lack access to the socket although the daemon is up.
  if ((EUID != 0)) && [[ -S "$socket" ]] && [[ "${sudo[0]}" == sudo ]]; then
    answer=$(sudo curl -fsS --max-time 3 --unix-socket "$socket" http://d/_ping 2>/dev/null) && [[ "$answer" == OK ]]
    return
  fi
  return 1
}

if ping_daemon; then
  echo "start-dockerd: daemon already answers on $socket"
  exit 0
fi

if ((EUID != 0)); then
  if [[ -S "$socket" && ! -w "$socket" && "${sudo[0]}" != sudo ]]; then
    echo "start-dockerd: ERROR: $socket exists but $(id -un) cannot use it; run as root or join the docker group" >&2
    exit 1
  elif [[ "${sudo[0]}" == sudo ]]; then
    echo "start-dockerd: not root, starting dockerd with sudo"
  else
    echo "start-dockerd: ERROR: dockerd must be started as root and sudo is not available" >&2
    exit 1
  fi
fi

command -v dockerd >/dev/null 2>&1 || { echo "start-dockerd: ERROR: dockerd not found; run scripts/install-deps.sh" >&2; exit 1; }

echo "start-dockerd: starting dockerd (log: $log)"
# No bridge/iptables: builds use host networking, and this machine may not allow iptables changes.
# setsid + nohup detach it so it outlives the make/CI process that started it.
pid=$("${sudo[@]}" sh -c "nohup setsid dockerd --iptables=false --ip6tables=false --bridge=none >'$log' 2>&1 </dev/null & echo \$!")

for ((i = 0; i < timeout; i++)); do
  if ping_daemon; then
    echo "start-dockerd: daemon (pid $pid) answers after ${i}s"
    exit 0
  fi
  # A daemon that already exited will never answer: say so now rather than after the timeout.
  [[ -d /proc/$pid ]] || break
  sleep 1
done

if [[ -d /proc/$pid ]]; then
  echo "start-dockerd: ERROR: dockerd (pid $pid) did not answer on $socket within ${timeout}s; last lines of $log:" >&2
else
  echo "start-dockerd: ERROR: dockerd exited during startup; last lines of $log:" >&2
fi
tail -n 30 "$log" >&2 || true
exit 1
