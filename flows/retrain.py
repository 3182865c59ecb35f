"""Prefect flow: rebuild the classifier, then re-tag recent mentions with the new version."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from prefect import flow, get_run_logger

from shenava.analyze import analyze
from shenava.flows.common import DEFAULT_CONFIG, opened


@flow(name="retrain")
def retrain_flow(data_dir: str = "../shared/data", retag_days: int = 30,
                 config_path: str = DEFAULT_CONFIG) -> dict:
    """Train every model part, evaluate it, and re-tag the last `retag_days` days of mentions.

    Args:
        data_dir: folder of labelled sentiment data (see README, Retraining).
        retag_days: how many days back to re-tag with the new model (0: none).
        config_path: the shenava TOML config.
    """
    from pathlib import Path

    from shenava.nlp.classifier.training import train_all

    logger = get_run_logger()
    train_all(Path(data_dir), None)
    report = {}
    if retag_days > 0:
        since = datetime.now(timezone.utc) - timedelta(days=retag_days)
        with opened(config_path) as (config, store):
            report = analyze(config, store, since=since).as_dict()
        logger.info("re-tagged %d mentions since %s with %s", report["tagged"], since.date(),
                    report["model_version"])
    return report
