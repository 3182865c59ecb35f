#!/usr/bin/env bash
# `make stop`: stop what scripts/serve.sh started — the processes named by its
# pid files (each with its own process group, so flow runs a worker started go
# too), worker first so no run is picked up while the server goes away.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SERVE_DIR="${SHENAVA_SERVE_DIR:-$ROOT/.cache/serve}"

# ours PID: the pid still runs one of the commands serve.sh starts (not a reused pid).
ours() {
  local cmd
  cmd="$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null)" || return 1
  [[ "$cmd" == *prefect* || "$cmd" == *replay_samples.py* ]]
}

# The signal goes to the whole process group when serve.sh made the pid its leader.
is_leader() { [[ "$(ps -o pgid= -p "$1" 2>/dev/null | tr -d ' ')" == "$1" ]]; }

stopped=0
for name in worker replay server; do
  file="$SERVE_DIR/$name.pid"
  [[ -f "$file" ]] || continue
  pid="$(cat "$file")"
  if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && ours "$pid"; then
    target="$pid"
    is_leader "$pid" && target="-$pid"
    kill -TERM -- "$target" 2>/dev/null
    # An idle Prefect 3.8 worker does not exit on SIGTERM/SIGINT, so it gets
    # 5 s to finish a flow run's last writes; the server and replay exit at once.
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    # Whatever is left of it (e.g. the server's uvicorn child) goes too.
    kill -KILL -- "$target" 2>/dev/null
    echo "stop: stopped $name (pid $pid)" >&2
    stopped=$((stopped + 1))
  fi
  rm -f "$file"
done
rm -f "$SERVE_DIR/replay.ready"
[[ $stopped -gt 0 ]] || echo "stop: nothing was running" >&2
exit 0
