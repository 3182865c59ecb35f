"""Prefect flow: normalize and tag every mention the current model has not tagged."""
from __future__ import annotations

from prefect import flow, get_run_logger

from shenava.analyze import analyze
from shenava.flows.common import DEFAULT_CONFIG, opened


@flow(name="analyze")
def analyze_flow(limit: int | None = None, config_path: str = DEFAULT_CONFIG) -> dict:
    """Tag new mentions; after a model change, re-tags everything with the new version.

    Args:
        limit: stop after this many mentions (empty: all pending).
        config_path: the shenava TOML config.
    """
    with opened(config_path) as (config, store):
        report = analyze(config, store, limit=limit)
    get_run_logger().info("prepared %d, tagged %d, reused %d by content hash (model %s)", report.prepared,
                          report.tagged, report.reused, report.model_version)
    return report.as_dict()
