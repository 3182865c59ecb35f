"""The library behind every CLI command and Prefect flow: collect, analyze, digest.

Plain functions over a Config and a Store; Prefect is not imported here, so the
whole path runs (and is tested) without a server.
"""
from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from typing import Callable, Iterable

from shenava.config import Config, Source
from shenava.errors import ConnectorError, ShenavaError
from shenava.faults import crash_point
from shenava.storage import Store, UpsertResult
from shenava.storage.leases import LeaseHeld, lease

log = logging.getLogger("shenava")

BATCH = 200


@dataclass
class CollectReport:
    source: str
    collected: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    error: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def collect_source(config: Config, store: Store, source: Source,
                   progress: Callable[[int], None] | None = None) -> CollectReport:
    """Collect one source; stored mentions survive a failure half-way, the cursor moves only at the end.

    A second collection of the same source while one runs is refused, not overlapped.
    """
    try:
        with lease(store, f"collect:{source.name}"):
            return _collect_source(config, store, source, progress)
    except LeaseHeld as exc:
        log.warning("skipping %s: %s", source.name, exc)
        return CollectReport(source.name, error=str(exc))


def _collect_source(config: Config, store: Store, source: Source,
                    progress: Callable[[int], None] | None) -> CollectReport:
    from shenava.connectors.base import build_connector

    report = CollectReport(source.name)
    store.register_source(source.name, source.kind, source.brand, source.options())
    run_id = store.start_run("collect", source.name)
    connector = build_connector(config, source)
    totals = UpsertResult()
    batch: list = []
    try:
        for mention in connector.collect(store.get_cursor(source.name)):
            if mention.brand is None:
                mention.brand = source.brand
            batch.append(mention)
            crash_point("collect.mention")
            if len(batch) >= BATCH:
                totals += store.store_collected(source.name, batch, cursor=None)
                crash_point("collect.batch_stored")
                _tick(progress, len(batch))
                batch = []
        totals += store.store_collected(source.name, batch, cursor=connector.cursor)
        crash_point("collect.cursor_saved")
        _tick(progress, len(batch))
    except ShenavaError as exc:
        report.error = str(exc)
    except Exception as exc:  # a connector bug must not hide what was stored before it
        report.error = f"{type(exc).__name__}: {exc}"
        log.exception("collecting %s failed", source.name)
    finally:
        connector.close()
        if report.error and batch:
            # Keep what arrived before the failure; the cursor stays put, so the
            # next run reads these again and the upsert recognises them.
            totals += store.store_collected(source.name, batch, cursor=None)
        report.new, report.updated, report.unchanged = totals.new, totals.updated, totals.unchanged
        report.collected = totals.new + totals.updated + totals.unchanged
        store.finish_run(run_id, "failed" if report.error else "completed", report.error,
                         collected=report.collected, new=report.new, updated=report.updated,
                         unchanged=report.unchanged)
    log.info("collected %s: %d new, %d edited, %d unchanged%s", source.name, report.new, report.updated,
             report.unchanged, f" — FAILED: {report.error}" if report.error else "")
    return report


def collect(config: Config, store: Store, sources: Iterable[str] | None = None,
            progress: Callable[[int], None] | None = None) -> list[CollectReport]:
    chosen = [config.source(n) for n in sources] if sources else [s for s in config.sources if s.enabled]
    if not chosen:
        raise ConnectorError("no sources to collect: add [[sources]] to the config")
    return [collect_source(config, store, s, progress) for s in chosen]


def _tick(progress: Callable[[int], None] | None, n: int) -> None:
    if progress and n:
        progress(n)
