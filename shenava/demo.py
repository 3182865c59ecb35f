"""`shenava demo`: the whole pipeline on the bundled sample sources, offline.

The sample Telegram channel and its comment threads are served by a local
replay server and collected through the real connectors; the group export and
the review CSV are copied next to the generated config and imported as files.
"""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import shenava.samples
from shenava.config import load_config
from shenava.storage import Store

SAMPLES = Path(shenava.samples.__file__).parent


def write_demo_config(workdir: Path, replay_url: str) -> Path:
    """Copy the sample files under workdir/data/ and write the demo config beside them."""
    data = workdir / "data"
    sources = data / "demo-sources"
    (sources / "group-export").mkdir(parents=True, exist_ok=True)
    shutil.copy(SAMPLES / "reviews.csv", sources / "reviews.csv")
    shutil.copy(SAMPLES / "group-export" / "result.json", sources / "group-export" / "result.json")
    text = (SAMPLES / "demo.toml").read_text(encoding="utf-8")
    text = text.replace("{replay_url}", replay_url).replace("{reports}", (workdir / "reports").as_posix())
    path = data / "demo.toml"
    path.write_text(text, encoding="utf-8")
    return path


def run_demo(workdir: Path, use_prefect: bool = True) -> list[Path]:
    from shenava.connectors.replay import ReplayServer

    workdir = workdir.resolve()
    with ReplayServer.from_folder(SAMPLES / "telegram") as server:
        config_path = write_demo_config(workdir, server.base_url)
        if use_prefect:
            written = _run_with_prefect(config_path)
        else:
            written = _run_plain(config_path)
    config = load_config(config_path)
    with Store.open(config.store_path) as store:
        mentions, analyses = store.count(), store.count("analyses")
    print(f"\nstore:   {config.store_path}  ({mentions} mentions, {analyses} analyses)", file=sys.stderr)
    print(f"config:  {config_path}", file=sys.stderr)
    for path in written:
        print(f"digest:  {path}")
    return written


def _run_with_prefect(config_path: Path) -> list[Path]:
    # Set before Prefect is imported: no analytics, and room for a slow temporary server.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    from shenava.flows.digest import digest_flow
    from shenava.flows.pipeline import pipeline_flow

    result = pipeline_flow(period="week", config_path=str(config_path))
    daily = digest_flow(period="day", config_path=str(config_path))
    return [Path(p) for p in result["digests"] + daily]


def _run_plain(config_path: Path) -> list[Path]:
    from shenava.analyze import analyze
    from shenava.digest import write_digest
    from shenava.pipeline import collect
    from shenava.stats import latest_day

    config = load_config(config_path)
    written = []
    with Store.open(config.store_path) as store:
        for report in collect(config, store):
            if report.error:
                print(f"{report.source}: {report.error}", file=sys.stderr)
        analyze(config, store)
        day = latest_day(store, config.digest.timezone)
        for brand in config.brands:
            for period in ("week", "day"):
                written.append(write_digest(store, config, brand.name, period, day).html)
    return written
