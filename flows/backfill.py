"""Prefect flow: rebuild the digests of a past date range from the store."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from prefect import flow, get_run_logger

from shenava.errors import ConfigError
from shenava.flows.analyze import analyze_flow
from shenava.flows.common import config_file, opened
from shenava.flows.digest import digest_task


def period_ends(start: date, end: date, period: str) -> list[date]:
    """The last days of the periods covering start..end: every day, or every 7th day ending on `end`."""
    if end < start:
        raise ConfigError(f"backfill: end {end} is before start {start}")
    step = timedelta(days=1 if period == "day" else 7)
    days, day = [], end
    while day >= start:
        days.append(day)
        day -= step
    return days[::-1]


@flow(name="backfill")
def backfill_flow(start: date, end: date, brand: str | None = None,
                  period: Literal["day", "week"] = "day", config_path: str | None = None) -> dict:
    """Tag anything still untagged, then write one digest per day (or per week) from start to end.

    Args:
        start: first day (Asia/Tehran) to write a digest for.
        end: last day, inclusive.
        brand: one brand, or empty for every configured brand.
        period: "day" writes a digest per day; "week" one per 7 days ending on `end`.
        config_path: the shenava TOML config; empty uses $SHENAVA_CONFIG of the worker, else ./shenava.toml.
    """
    path = str(config_file(config_path))
    ends = period_ends(start, end, period)
    with opened(path) as (config, _):
        names = [b.name for b in config.brands]
    if brand is not None and brand not in names:
        raise ConfigError(f"{path}: unknown brand {brand!r}; configured: {', '.join(names) or 'none'}")
    analyze_flow(config_path=path)
    written = [digest_task(path, name, period, day, send=False) for day in ends for name in ([brand] if brand else names)]
    get_run_logger().info("backfilled %d %s digests from %s to %s", len(written), period, start, end)
    return {"digests": len(written), "first": written[0] if written else None,
            "last": written[-1] if written else None}
