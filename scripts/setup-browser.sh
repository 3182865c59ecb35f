#!/usr/bin/env bash
# Installs headless Chromium from Debian for the browser tests (pytest -m browser),
# only if no Chromium is there yet. Needs root (or sudo) and the Debian archive.
set -euo pipefail

for bin in /usr/bin/chromium /usr/bin/chromium-browser; do
  if [ -x "$bin" ]; then
    echo "chromium present: $bin"
    exit 0
  fi
done

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup-browser: need root or sudo to apt-get install chromium" >&2; exit 1; }
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q chromium >/dev/null
echo "chromium installed: $(/usr/bin/chromium --version)"
