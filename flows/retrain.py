"""Prefect flow: rebuild the classifier, then re-tag recent mentions with the new version."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from prefect import flow, get_run_logger

from shenava.config import load_config
from shenava.flows.analyze import analyze_flow
from shenava.flows.common import config_file


@flow(name="retrain")
def retrain_flow(data_dir: str = "../shared/data", retag_days: int = 30, config_path: str | None = None) -> dict:
    """Train every model part into the config's model.heads (or the shipped model), then re-tag recent mentions.

    Args:
        data_dir: folder of labelled data, relative to the checkout (see README, Retraining).
        retag_days: how many days back to re-tag with the new model (0: none).
        config_path: the shenava TOML config; empty uses $SHENAVA_CONFIG of the worker, else ./shenava.toml.
    """
    from shenava.nlp.classifier.bundle import SHIPPED_DIR
    from shenava.nlp.classifier.training import train_all

    logger = get_run_logger()
    path = str(config_file(config_path))
    settings = load_config(path).model
    out = settings.heads or SHIPPED_DIR
    train_all(Path(data_dir), out, settings=settings, log=logger.info)
    logger.info("trained the classifier into %s", out)
    if retag_days <= 0:
        logger.info("re-tagging skipped (retag_days = 0)")
        return {"model_dir": str(out)}
    # A subflow, so the re-tag shows in the UI as an analyze run of its own; analyze
    # loads the model from disk, so it tags with the version just trained.
    report = analyze_flow(since=date.today() - timedelta(days=retag_days), config_path=path)
    return {"model_dir": str(out), **report}
