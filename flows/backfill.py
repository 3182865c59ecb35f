"""Prefect flow: rebuild the digests of a past date range from the store."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from prefect import flow, get_run_logger

from shenava.errors import ShenavaError
from shenava.flows.analyze import analyze_flow
from shenava.flows.common import DEFAULT_CONFIG
from shenava.flows.digest import digest_flow


@flow(name="backfill")
def backfill_flow(start: date, end: date, brand: str | None = None,
                  period: Literal["day", "week"] = "day", config_path: str = DEFAULT_CONFIG) -> list[str]:
    """Tag anything still untagged, then write one digest per day (or per week) from start to end.

    Args:
        start: first day (Asia/Tehran) to write a digest for.
        end: last day, inclusive.
        brand: one brand, or empty for every configured brand.
        period: "day" writes a digest per day; "week" one per 7 days ending on `end`.
        config_path: the shenava TOML config.
    """
    if end < start:
        raise ShenavaError(f"backfill: end {end} is before start {start}")
    analyze_flow(config_path=config_path)
    step = timedelta(days=1 if period == "day" else 7)
    days, day = [], end
    while day >= start:
        days.append(day)
        day -= step
    written = []
    for day in reversed(days):
        written += digest_flow(brand=brand, period=period, day=day, config_path=config_path)
    get_run_logger().info("backfilled %d %s digests from %s to %s", len(written), period, start, end)
    return written
