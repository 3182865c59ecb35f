"""Replay the bundled sample Telegram pages on 127.0.0.1 and write the demo config pointing at them.

Started by scripts/serve.sh when there is no shenava.toml, so the served flows
collect the demo sources; runs until stopped. Usage: replay_samples.py ROOT READY_FILE
"""
from __future__ import annotations

import signal
import sys
from pathlib import Path

from shenava.connectors.replay import ReplayServer
from shenava.demo import SAMPLES, write_demo_config


def main(root: Path, ready: Path) -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with ReplayServer.from_folder(SAMPLES / "telegram") as server:
        write_demo_config(root, server.base_url)
        ready.write_text(server.base_url, encoding="utf-8")
        signal.pause()


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
