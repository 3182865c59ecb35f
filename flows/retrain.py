"""Prefect flow: rebuild the classifier, then re-tag recent mentions with the new version."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from prefect import flow, get_run_logger

from shenava.flows.analyze import analyze_flow


@flow(name="retrain")
def retrain_flow(data_dir: str = "../shared/data", retag_days: int = 30, config_path: str | None = None) -> dict:
    """Train every model part, evaluate it, and re-tag the last `retag_days` days of mentions.

    Args:
        data_dir: folder of labelled data, relative to the checkout (see README, Retraining).
        retag_days: how many days back to re-tag with the new model (0: none).
        config_path: the shenava TOML config; empty uses $SHENAVA_CONFIG of the worker, else ./shenava.toml.
    """
    from shenava.nlp.classifier.training import train_all

    train_all(Path(data_dir), None)
    if retag_days <= 0:
        get_run_logger().info("trained; re-tagging skipped (retag_days = 0)")
        return {}
    # A subflow, so the re-tag shows in the UI as an analyze run of its own.
    return analyze_flow(since=date.today() - timedelta(days=retag_days), config_path=config_path)
