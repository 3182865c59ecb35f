#!/usr/bin/env bash
# `make serve`: a Prefect server on 127.0.0.1, the `shenava` process work pool,
# every deployment of prefect.yaml, and one worker — all in the background.
# `make stop` (scripts/stop.sh) stops exactly what this started.
#
# Environment (all optional):
#   SHENAVA_CONFIG      config the flows use when a run leaves config_path empty
#                       (default ./shenava.toml; without one, the bundled demo
#                       sources, replayed locally, in data/demo.toml)
#   PREFECT_PORT        server port (default 4200)
#   PREFECT_HOME        Prefect's database and settings (default .cache/prefect)
#   SHENAVA_SERVE_DIR   pid and log files (default .cache/serve)
#   SHENAVA_WORK_POOL   work pool name (default shenava; prefect.yaml names it too)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BIN="${SHENAVA_VENV:-$ROOT/.venv}/bin"
PORT="${PREFECT_PORT:-4200}"
POOL="${SHENAVA_WORK_POOL:-shenava}"
SERVE_DIR="${SHENAVA_SERVE_DIR:-$ROOT/.cache/serve}"
export PREFECT_HOME="${PREFECT_HOME:-$ROOT/.cache/prefect}"
export PREFECT_SERVER_ANALYTICS_ENABLED=false
export PREFECT_API_URL="http://127.0.0.1:$PORT/api"
export PREFECT_CLI_PROMPT=false
mkdir -p "$SERVE_DIR" "$PREFECT_HOME"

say() { printf 'serve: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

healthy() {
  "$BIN/python" - "$PREFECT_API_URL/health" <<'PY'
import sys, urllib.request
try:
    sys.exit(0 if urllib.request.urlopen(sys.argv[1], timeout=2).status == 200 else 1)
except Exception:
    sys.exit(1)
PY
}

# start NAME CMD...: run CMD in its own process group (so stop.sh can end it and
# its children together), output to NAME.log, pid to NAME.pid.
start() {
  local name="$1"; shift
  setsid "$@" >"$SERVE_DIR/$name.log" 2>&1 < /dev/null &
  echo $! >"$SERVE_DIR/$name.pid"
}

alive() { [[ -f "$SERVE_DIR/$1.pid" ]] && kill -0 "$(cat "$SERVE_DIR/$1.pid")" 2>/dev/null; }

fail_with_log() {
  say "$1; last lines of $SERVE_DIR/$2.log:"
  tail -n 30 "$SERVE_DIR/$2.log" >&2 || true
  "$ROOT/scripts/stop.sh" >&2 || true
  exit 1
}

for name in server worker replay; do
  if alive "$name"; then die "already running ($name pid $(cat "$SERVE_DIR/$name.pid")); run 'make stop' first"; fi
done
[[ -x "$BIN/prefect" ]] || die "$BIN/prefect not found; run 'make install' first"
if healthy; then die "something already answers on 127.0.0.1:$PORT; set PREFECT_PORT to a free port"; fi

# -- config the served flows use ------------------------------------------------
if [[ -n "${SHENAVA_CONFIG:-}" ]]; then
  SHENAVA_CONFIG="$(cd "$(dirname "$SHENAVA_CONFIG")" && pwd)/$(basename "$SHENAVA_CONFIG")"
  [[ -f "$SHENAVA_CONFIG" ]] || die "SHENAVA_CONFIG=$SHENAVA_CONFIG: no such file"
elif [[ -f "$ROOT/shenava.toml" ]]; then
  SHENAVA_CONFIG="$ROOT/shenava.toml"
else
  # No config of the team's own: serve the demo, with the sample Telegram pages
  # replayed on a local port for as long as the server runs.
  SHENAVA_CONFIG="$ROOT/data/demo.toml"
  rm -f "$SERVE_DIR/replay.ready"
  start replay "$BIN/python" "$ROOT/scripts/replay_samples.py" "$ROOT" "$SERVE_DIR/replay.ready"
  for _ in $(seq 100); do [[ -f "$SERVE_DIR/replay.ready" ]] && break; alive replay || break; sleep 0.1; done
  [[ -f "$SERVE_DIR/replay.ready" ]] || fail_with_log "the sample replay did not start" replay
  say "no shenava.toml: serving the demo sources ($(cat "$SERVE_DIR/replay.ready") replays the sample channel)"
fi
export SHENAVA_CONFIG

# -- server ---------------------------------------------------------------------
start server "$BIN/prefect" server start --host 127.0.0.1 --port "$PORT"
say "starting the Prefect server on 127.0.0.1:$PORT (PREFECT_HOME=$PREFECT_HOME)"
for _ in $(seq 240); do
  healthy && break
  alive server || fail_with_log "the Prefect server exited" server
  sleep 0.5
done
healthy || fail_with_log "the Prefect server did not answer $PREFECT_API_URL/health within 120 s" server

# -- work pool and deployments ----------------------------------------------------
# Idempotent: an existing pool (and any settings a person gave it) is kept.
if ! "$BIN/prefect" work-pool create "$POOL" --type process >"$SERVE_DIR/deploy.log" 2>&1; then
  grep -q "already exists" "$SERVE_DIR/deploy.log" || fail_with_log "could not create work pool $POOL" deploy
fi
# SHENAVA_HOME stays unset here so the pull step keeps "{{ $SHENAVA_HOME }}" and
# each worker fills in its own checkout at run time (see prefect.yaml).
env -u SHENAVA_HOME "$BIN/prefect" --no-prompt deploy --all >>"$SERVE_DIR/deploy.log" 2>&1 \
  || fail_with_log "prefect deploy --all failed" deploy
say "deployed: $(grep -o "Deployment '[^']*'" "$SERVE_DIR/deploy.log" | tr -d "'" | cut -d' ' -f2 | paste -sd' ')"

# -- worker ---------------------------------------------------------------------
SHENAVA_HOME="$ROOT" start worker "$BIN/prefect" worker start --pool "$POOL" --type process \
  --name "shenava-$(hostname)-$PORT"
sleep 1
alive worker || fail_with_log "the worker exited" worker

cat >&2 <<EOF
serve: ready.
  UI:      http://127.0.0.1:$PORT
  config:  $SHENAVA_CONFIG
  logs:    $SERVE_DIR/{server,worker,deploy}.log
  stop:    make stop
EOF
