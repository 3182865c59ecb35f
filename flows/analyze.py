"""Prefect flow: prepare and tag every mention the current model has not tagged yet."""
from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from prefect import flow, get_run_logger

from shenava.analyze import analyze
from shenava.flows.common import opened


@flow(name="analyze")
def analyze_flow(since: date | None = None, limit: int | None = None, config_path: str | None = None) -> dict:
    """Tag new mentions; with a newer model, re-tag what that model has not seen.

    A mention is tagged once per model version. Classification is cached in the
    store by content hash and model version: a text already tagged by this
    version (a forward, a re-post, a retried run) reuses that analysis without a
    model call, across runs and machines.

    Args:
        since: only mentions published on or after this day (Asia/Tehran); bounds a re-tag after a
            model change. Empty: every mention this model version has not tagged.
        limit: stop after this many mentions; empty: all pending.
        config_path: the shenava TOML config; empty uses $SHENAVA_CONFIG of the worker, else ./shenava.toml.
    """
    with opened(config_path) as (config, store):
        floor = datetime.combine(since, time(), ZoneInfo(config.digest.timezone)) if since else None
        report = analyze(config, store, limit=limit, since=floor)
    log_report(report.as_dict())
    return report.as_dict()


def log_report(report: dict) -> None:
    get_run_logger().info(
        "prepared %d new mentions; tagged %d with model %s; reused %d analyses from the store "
        "(same content hash and model version, no model call)",
        report["prepared"], report["tagged"], report["model_version"], report["reused"])
