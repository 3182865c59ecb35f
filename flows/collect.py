"""Prefect flow: collect new mentions, one retryable task per source."""
from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.tasks import exponential_backoff

from shenava.errors import ConnectorError
from shenava.flows.common import DEFAULT_CONFIG, opened
from shenava.pipeline import collect_source


@task(retries=3, retry_delay_seconds=exponential_backoff(backoff_factor=20), retry_jitter_factor=0.5,
      task_run_name="collect {source}")
def collect_source_task(config_path: str, source: str) -> dict:
    """Stored mentions survive a failed attempt; the retry resumes from the saved cursor."""
    with opened(config_path) as (config, store):
        report = collect_source(config, store, config.source(source))
    get_run_logger().info("%s: %d new, %d edited, %d unchanged", source, report.new, report.updated,
                          report.unchanged)
    if report.error:
        raise ConnectorError(f"{source}: {report.error}")
    return report.as_dict()


@flow(name="collect")
def collect_flow(sources: list[str] | None = None, config_path: str = DEFAULT_CONFIG) -> list[dict]:
    """Collect new mentions.

    Args:
        sources: source names from the config; empty collects every enabled source.
        config_path: the shenava TOML config.
    """
    with opened(config_path) as (config, _):
        names = sources or [s.name for s in config.sources if s.enabled]
    futures = [collect_source_task.submit(config_path, name) for name in names]
    results = []
    for name, future in zip(names, futures):
        try:
            results.append(future.result())
        except Exception as exc:  # one broken source must not hide the others' results
            get_run_logger().error("collecting %s failed: %s", name, exc)
            results.append({"source": name, "error": str(exc)})
    if all(r.get("error") for r in results) and results:
        raise ConnectorError("every source failed: " + "; ".join(r["error"] for r in results))
    return results
