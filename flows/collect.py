"""Prefect flow: collect new mentions, one retryable task per source.

Two collections of one source never overlap: Prefect runs hold the global
concurrency limit `collect-<source>` (limit 1, created on first use, visible in
the UI under Concurrency), and the library's store lease also stops a CLI run
from overlapping a scheduled one.
"""
from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.concurrency.sync import concurrency
from prefect.tasks import exponential_backoff

from shenava.errors import ConnectorError
from shenava.flows.common import config_file, opened
from shenava.pipeline import collect_source

# A run waiting for another collection of the same source gives up after this long.
SLOT_WAIT_SECONDS = 2 * 3600
# Retries of a failing source wait 20, 40, 80 s (± half): long enough for a
# flaky site or a dropped connection to recover, short enough for an hourly run.
RETRY_BACKOFF_SECONDS = 20


def source_limit(source: str) -> str:
    return f"collect-{source}"


@task(retries=3, retry_delay_seconds=exponential_backoff(backoff_factor=RETRY_BACKOFF_SECONDS),
      retry_jitter_factor=0.5, task_run_name="collect {source}")
def collect_source_task(config_path: str, source: str) -> dict:
    """Collect one source; a failed attempt keeps what it stored and the retry re-reads from the saved cursor.

    Re-read mentions are recognised by (source, external id), so a retry neither
    loses nor duplicates anything.
    """
    logger = get_run_logger()
    with concurrency(source_limit(source), occupy=1, timeout_seconds=SLOT_WAIT_SECONDS):
        with opened(config_path) as (config, store):
            report = collect_source(config, store, config.source(source))
    logger.info("%s: collected %d — %d new, %d edited, %d unchanged (already stored, skipped)%s",
                source, report.collected, report.new, report.updated, report.unchanged,
                f"; FAILED: {report.error}" if report.error else "")
    if report.error:
        raise ConnectorError(f"{source}: {report.error}")
    return report.as_dict()


@flow(name="collect")
def collect_flow(sources: list[str] | None = None, retries: int = 3, config_path: str | None = None) -> dict:
    """Collect new mentions from the configured sources.

    Args:
        sources: source names from the config; empty collects every enabled source.
        retries: how often a failing source is retried (exponential backoff from 20 s) before the run fails.
        config_path: the shenava TOML config; empty uses $SHENAVA_CONFIG of the worker, else ./shenava.toml.
    """
    logger = get_run_logger()
    path = str(config_file(config_path))
    with opened(path) as (config, _):
        names = list(dict.fromkeys(sources)) if sources else [s.name for s in config.sources if s.enabled]
        for name in names:
            config.source(name)  # an unknown name stops the run here, naming it
    if not names:
        raise ConnectorError(f"{path}: no sources to collect; add [[sources]] or enable one")
    _ensure_source_limits(names)
    task_ = collect_source_task.with_options(
        retries=retries, retry_delay_seconds=exponential_backoff(backoff_factor=RETRY_BACKOFF_SECONDS))
    futures = {name: task_.submit(path, name) for name in names}
    reports, failed = [], {}
    for name, future in futures.items():
        try:
            reports.append(future.result())
        except Exception as exc:  # one broken source must not hide the others' results
            failed[name] = str(exc)
    summary = {
        "new": sum(r["new"] for r in reports),
        "updated": sum(r["updated"] for r in reports),
        "unchanged": sum(r["unchanged"] for r in reports),
        "sources": reports,
        "failed": failed,
    }
    logger.info("collected %d of %d sources: %d new, %d edited, %d unchanged%s", len(reports), len(names),
                summary["new"], summary["updated"], summary["unchanged"],
                f"; failed: {', '.join(failed)}" if failed else "")
    if failed:
        # The run ends Failed so the UI shows it; what the failed sources stored
        # before breaking is kept, and "Retry" in the UI resumes them safely.
        raise ConnectorError(f"{len(failed)} of {len(names)} sources failed: "
                             + "; ".join(failed.values()))
    return summary


def _ensure_source_limits(names: list[str]) -> None:
    """Create the per-source limits a new source needs; a limit a person raised is put back to 1."""
    from prefect.client.orchestration import get_client
    from httpx import HTTPStatusError

    with get_client(sync_client=True) as client:
        for name in names:
            try:
                client.upsert_global_concurrency_limit_by_name(source_limit(name), limit=1)
            except HTTPStatusError as exc:
                if exc.response.status_code != 409:  # 409: a concurrent run created it first
                    raise
