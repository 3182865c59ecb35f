"""Prefect flow: write a brand's digest and publish it as UI artifacts."""
from __future__ import annotations

from datetime import date
from typing import Literal

from prefect import flow, get_run_logger

from shenava.flows.common import DEFAULT_CONFIG, opened
from shenava.stats import latest_day


@flow(name="digest")
def digest_flow(brand: str | None = None, period: Literal["day", "week"] = "day", day: date | None = None,
                config_path: str = DEFAULT_CONFIG) -> list[str]:
    """Write the HTML and Markdown digest and publish the Markdown and headline figures.

    Args:
        brand: brand name; empty writes a digest for every configured brand.
        period: "day" or "week".
        day: last day of the period (Asia/Tehran); empty means the newest day in the store.
        config_path: the shenava TOML config.
    """
    from shenava.digest import write_digest
    from shenava.digest.publish import publish_artifacts

    written = []
    with opened(config_path) as (config, store):
        brands = [brand] if brand else [b.name for b in config.brands]
        end = day or latest_day(store, config.digest.timezone)
        for name in brands:
            files = write_digest(store, config, name, period, end)
            publish_artifacts(files.digest)
            get_run_logger().info("digest for %s (%s ending %s): %s", name, period, end, files.html)
            written.append(str(files.html))
    return written
