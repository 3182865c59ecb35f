"""Prefect flow: collect, analyze and digest in one run."""
from __future__ import annotations

from datetime import date
from typing import Literal

from prefect import flow

from shenava.flows.analyze import analyze_flow
from shenava.flows.collect import collect_flow
from shenava.flows.common import DEFAULT_CONFIG
from shenava.flows.digest import digest_flow


@flow(name="pipeline")
def pipeline_flow(sources: list[str] | None = None, period: Literal["day", "week"] = "day",
                  day: date | None = None, config_path: str = DEFAULT_CONFIG) -> dict:
    """Collect every source, tag what is new, and write each brand's digest.

    Args:
        sources: source names; empty means every enabled source.
        period: digest period, "day" or "week".
        day: last day of the digest period; empty means the newest day in the store.
        config_path: the shenava TOML config.
    """
    collected = collect_flow(sources=sources, config_path=config_path)
    analyzed = analyze_flow(config_path=config_path)
    digests = digest_flow(period=period, day=day, config_path=config_path)
    return {"collected": collected, "analyzed": analyzed, "digests": digests}
