"""Prefect flow: collect, analyze and digest in one run."""
from __future__ import annotations

from datetime import date
from typing import Literal

from prefect import flow, get_run_logger

from shenava.errors import ConnectorError
from shenava.flows.analyze import analyze_flow
from shenava.flows.collect import collect_flow
from shenava.flows.common import config_file
from shenava.flows.digest import digest_flow


@flow(name="pipeline")
def pipeline_flow(sources: list[str] | None = None, period: Literal["day", "week"] = "day",
                  day: date | None = None, config_path: str | None = None) -> dict:
    """Collect every source, tag what is new, and write each brand's digest.

    A source that fails does not stop the rest: what was collected is tagged and
    digested, then the run ends Failed naming the source; "Retry" in the UI
    re-runs it without losing or duplicating mentions.

    Args:
        sources: source names; empty means every enabled source.
        period: digest period, "day" or "week".
        day: last day of the digest period (Asia/Tehran); empty means the newest day in the store.
        config_path: the shenava TOML config; empty uses $SHENAVA_CONFIG of the worker, else ./shenava.toml.
    """
    path = str(config_file(config_path))
    collected = collect_flow(sources=sources, config_path=path, return_state=True)
    collect_error = None
    if collected.is_failed():
        collect_error = str(collected.result(raise_on_failure=False))
        get_run_logger().warning("collection was incomplete (%s); tagging and digesting what arrived",
                                 collect_error)
    analyzed = analyze_flow(config_path=path)
    digests = digest_flow(period=period, day=day, config_path=path)
    if collect_error:
        raise ConnectorError(f"digests written, but collection failed: {collect_error}")
    return {"collected": collected.result(), "analyzed": analyzed, "digests": digests}
