"""Prefect flow: write each brand's digest and publish it as UI artifacts."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from prefect import flow, get_run_logger, task

from shenava.errors import ConfigError
from shenava.flows.common import config_file, opened
from shenava.stats import latest_day


@task(task_run_name="digest {brand} {period} ending {day}")
def digest_task(config_path: str, brand: str, period: str, day: date, send: bool = True) -> str:
    """Write one brand's HTML + Markdown digest, publish the Markdown and headline figures, and send it."""
    from shenava.digest import write_digest
    from shenava.digest.deliver import deliver
    from shenava.digest.publish import publish_artifacts

    with opened(config_path) as (config, store):
        files = write_digest(store, config, brand, period, day)
    keys = publish_artifacts(files.digest)
    logger = get_run_logger()
    logger.info("digest for %s (%s ending %s): %s; artifacts %s", brand, period, day, files.html, ", ".join(keys))
    if send:
        sent = deliver(files, config.digest)
        logger.info("digest for %s sent by %s", brand, ", ".join(sent) or "nothing (no delivery configured)")
    return str(files.html)


@flow(name="digest")
def digest_flow(brand: str | None = None, period: Literal["day", "week"] = "day", day: date | None = None,
                day_if_empty: Literal["newest", "yesterday"] = "newest",
                config_path: str | None = None, send: bool = True) -> list[str]:
    """Write the HTML and Markdown digest of every (or one) brand and publish it in the UI.

    Args:
        brand: brand name; empty writes a digest for every configured brand.
        period: "day" or "week" (the 7 days ending on `day`).
        day: last day of the period (Asia/Tehran).
        day_if_empty: what an empty `day` means: "newest", the newest day with mentions in the store,
            or "yesterday" in Asia/Tehran (the scheduled digests, so 08:00 covers a finished day).
        config_path: the shenava TOML config; empty uses $SHENAVA_CONFIG of the worker, else ./shenava.toml.
        send: also e-mail / Telegram the digest where [digest.email] / [digest.telegram] are configured.
    """
    path = str(config_file(config_path))
    with opened(path) as (config, store):
        names = [b.name for b in config.brands]
        if brand is not None and brand not in names:
            raise ConfigError(f"{path}: unknown brand {brand!r}; configured: {', '.join(names) or 'none'}")
        tz = config.digest.timezone
        end = day or (latest_day(store, tz) if day_if_empty == "newest"
                      else datetime.now(ZoneInfo(tz)).date() - timedelta(days=1))
    if not names:
        raise ConfigError(f"{path}: no brand to digest; add [[brands]]")
    return [digest_task(path, name, period, end, send) for name in ([brand] if brand else names)]
