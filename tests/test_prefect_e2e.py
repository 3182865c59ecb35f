"""End to end through a real Prefect server: `scripts/serve.sh` (what `make serve` runs)
starts a server on a free 127.0.0.1 port in a temporary PREFECT_HOME, creates
the process work pool, deploys prefect.yaml and starts a worker; the tests
start runs through the API, as the UI does, and check the store and the
artifacts. The sample sources are replayed from this process on 127.0.0.1.

Nothing is skipped: if a module the pipeline needs is missing, the pipeline
run fails and the test prints the run's error log.
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from shenava.config import load_config
from shenava.connectors.replay import ReplayServer
from shenava.demo import SAMPLES, write_demo_config
from shenava.storage import Store

pytestmark = [pytest.mark.prefect, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "pipeline"
BRAND = "تازه‌رس"
RUN_TIMEOUT = 240
FILE_SOURCE = """
[store]
path = "shenava.db"

[[brands]]
name = "تازه‌رس"
aliases = ["tazeres"]

[[sources]]
name = "reviews"
kind = "file"
brand = "تازه‌رس"
path = "reviews.csv"
columns = { id = "review_id", text = "body", published_at = "created", author = "user" }
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def processes_mentioning(marker: str) -> list[int]:
    """Pids whose environment contains `marker` (our temporary PREFECT_HOME): what serve.sh left running."""
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit() and int(proc.name) != os.getpid():
            try:
                if marker.encode() in (proc / "environ").read_bytes():
                    found.append(int(proc.name))
            except OSError:
                pass
    return found


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A served shenava: Prefect server + pool + deployments + worker, and the demo config it runs."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    tmp = tmp_path_factory.mktemp("served")
    replay = ReplayServer.from_folder(SAMPLES / "telegram").start()
    config = write_demo_config(tmp / "demo", replay.base_url)
    with config.open("a", encoding="utf-8") as f:  # the replay needs no politeness delay
        f.write("\n[http]\nrequests_per_second = 100.0\nbackoff = 0.01\n")
    port = free_port()
    home = str(tmp / "prefect-home")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=home, PREFECT_PORT=str(port), PREFECT_SERVER_ANALYTICS_ENABLED="false",
               PREFECT_WORKER_QUERY_SECONDS="1", SHENAVA_SERVE_DIR=str(tmp / "serve"),
               SHENAVA_CONFIG=str(config))
    try:
        started = subprocess.run([str(ROOT / "scripts" / "serve.sh")], env=env, capture_output=True, text=True,
                                 timeout=240)
        assert started.returncode == 0, f"serve.sh failed:\n{started.stderr}"
        assert f"UI:      http://127.0.0.1:{port}" in started.stderr
        with temporary_settings(updates={PREFECT_API_URL: f"http://127.0.0.1:{port}/api"}):
            yield {"config": config, "tmp": tmp, "serve_dir": tmp / "serve"}
            wait_until_idle()
    finally:
        subprocess.run([str(ROOT / "scripts" / "stop.sh")], env=env, capture_output=True, timeout=60)
        replay.stop()
        left = processes_mentioning(home)
        for pid in left:  # never leave one behind, even when the check below fails
            os.kill(pid, 9)
        assert not left, f"processes left running after stop.sh: {left}"


def client():
    from prefect.client.orchestration import get_client

    return get_client(sync_client=True)


def wait_until_idle(timeout: float = 120) -> None:
    """Let runs in flight or due (e.g. analyses an automation started) finish before the worker stops."""
    from datetime import datetime, timedelta, timezone

    time.sleep(3)  # an automation reacts to a run's last event a moment later
    deadline = time.monotonic() + timeout
    with client() as c:
        while time.monotonic() < deadline:
            soon = datetime.now(timezone.utc) + timedelta(seconds=5)
            if not [r for r in c.read_flow_runs(limit=200)
                    if r.state_type.value in ("RUNNING", "PENDING")
                    or (r.state_type.value == "SCHEDULED" and r.expected_start_time <= soon)]:
                return
            time.sleep(1)


def run(name: str, **parameters):
    from prefect.deployments import run_deployment

    flow_run = run_deployment(name, parameters=parameters, timeout=RUN_TIMEOUT, poll_interval=1)
    return flow_run


def error_log() -> str:
    """The error lines of every run so far, so a failing run says why in the test output."""
    from prefect.client.schemas.filters import LogFilter, LogFilterLevel

    with client() as c:
        logs = c.read_logs(log_filter=LogFilter(level=LogFilterLevel(ge_=40)), limit=20)
    return "\n".join(log.message[-1500:] for log in logs) or "(no error logs)"


def assert_completed(flow_run) -> None:
    if flow_run.state is None or not flow_run.state.is_completed():
        pytest.fail(f"{flow_run.name} ended {flow_run.state_name}:\n{error_log()}", pytrace=False)


def wait_for_final(flow_run_id, timeout: float = RUN_TIMEOUT):
    deadline = time.monotonic() + timeout
    with client() as c:
        while True:
            flow_run = c.read_flow_run(flow_run_id)
            if flow_run.state and flow_run.state.is_final():
                return flow_run
            assert time.monotonic() < deadline, f"{flow_run.name} still {flow_run.state_name} after {timeout} s"
            time.sleep(1)


def mentions(config: Path) -> tuple[int, int, int]:
    """(mentions, distinct (source, external id), mentions with an analysis)."""
    with Store.open(load_config(config).store_path) as store:
        q = store.db.execute
        return (q("SELECT count(*) FROM mentions").fetchone()[0],
                q("SELECT count(*) FROM (SELECT DISTINCT source, external_id FROM mentions)").fetchone()[0],
                q("SELECT count(DISTINCT mention_id) FROM analyses").fetchone()[0])


def test_prefect_yaml_deploys_schedules_parameters_and_limits(served):
    with client() as c:
        deployments = {(c.read_flow(d.flow_id).name, d.name): d for d in c.read_deployments()}
        automations = c.read_automations()
    assert set(deployments) == {("collect", "hourly"), ("analyze", "after-collect"), ("digest", "daily"),
                                ("digest", "weekly"), ("pipeline", "on-demand"), ("backfill", "on-demand"),
                                ("retrain", "on-demand")}
    schedules = {key: [(s.schedule.cron, s.schedule.timezone) for s in d.schedules]
                 for key, d in deployments.items()}
    assert schedules[("collect", "hourly")] == [("0 * * * *", "Asia/Tehran")]
    assert schedules[("digest", "daily")] == [("0 8 * * *", "Asia/Tehran")]
    assert schedules[("digest", "weekly")] == [("0 8 * * 6", "Asia/Tehran")]
    assert schedules[("backfill", "on-demand")] == schedules[("retrain", "on-demand")] == []
    assert deployments[("digest", "weekly")].parameters == {"period": "week", "day_if_empty": "yesterday"}
    for key in [("collect", "hourly"), ("analyze", "after-collect"), ("pipeline", "on-demand")]:
        d = deployments[key]
        assert d.global_concurrency_limit.limit == 1, key
        assert d.concurrency_options.collision_strategy.value == "ENQUEUE", key
    for d in deployments.values():
        # The checkout is resolved by each worker at run time, not frozen at deploy time.
        assert d.pull_steps == [{"prefect.deployments.steps.set_working_directory":
                                 {"directory": "{{ $SHENAVA_HOME }}"}}]
        props = d.parameter_openapi_schema["properties"]
        assert props["config_path"]["default"] is None and "SHENAVA_CONFIG" in props["config_path"]["description"]
        assert all(p.get("description") for p in props.values()), d.name
    backfill = deployments[("backfill", "on-demand")].parameter_openapi_schema
    assert set(backfill["required"]) == {"start", "end"}
    [after_collect] = [a for a in automations if a.name.startswith("after-collect")]
    assert after_collect.actions[0].deployment_id == deployments[("analyze", "after-collect")].id


def test_pipeline_run_through_the_api_fills_the_store_and_publishes_the_digest(served):
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    flow_run = run("pipeline/on-demand", config_path=str(served["config"]), period="week")
    assert_completed(flow_run)
    count, distinct, analysed = mentions(served["config"])
    assert count == distinct > 50
    assert analysed == count
    with client() as c:
        artifacts = c.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(like_="digest-")))
        logs = "\n".join(log.message for log in c.read_logs(limit=200))
    digests = [a for a in artifacts if a.type == "markdown" and re.fullmatch(r"digest-[a-z0-9-]+-week", a.key)]
    assert digests, f"no digest-<brand>-week markdown artifact among {[a.key for a in artifacts]}"
    assert BRAND in digests[0].data
    assert re.search(r"tazeres-channel: collected \d+ — \d+ new", logs)
    assert "reused" in logs and "content hash" in logs


def test_a_failed_collect_retried_from_the_ui_loses_and_duplicates_nothing(served):
    from prefect.states import Scheduled

    work = served["tmp"] / "retry"
    work.mkdir()
    csv = work / "reviews.csv"
    shutil.copy(FIXTURES / "reviews.csv", csv)
    good = csv.read_text(encoding="utf-8")
    csv.write_text(good + "a7,not-a-date,Ali,ghimata geroon shode\n", encoding="utf-8")
    (work / "shenava.toml").write_text(FILE_SOURCE, encoding="utf-8")

    config = str(work / "shenava.toml")
    failed = run("collect/hourly", config_path=config, retries=0)
    assert failed.state.is_failed()
    assert mentions(work / "shenava.toml")[:2] == (6, 6)  # the rows before the bad one are kept

    csv.write_text(good + "a7,2026-11-21T10:00:00+03:30,Ali,ghimata geroon shode\n", encoding="utf-8")
    with client() as c:  # exactly what the UI's "Retry" button sends
        c.set_flow_run_state(failed.id, Scheduled(name="AwaitingRetry", message="Retry from the UI"), force=True)
    retried = wait_for_final(failed.id)
    assert_completed(retried)
    assert retried.run_count == 2
    assert mentions(work / "shenava.toml")[:2] == (7, 7)

    # Each end of the collect run (failed, then completed) started an analysis with its config;
    # the second one tags what the retry brought in.
    analyses = triggered_analyses(config, count=2)
    assert_completed(wait_for_final(analyses[-1].id))
    assert mentions(work / "shenava.toml") == (7, 7, 7)
    # A pipeline's collect subflow starts no extra analysis: the pipeline tags by itself.
    assert triggered_analyses(str(served["config"]), count=0) == []


def triggered_analyses(config: str, count: int, timeout: float = 60) -> list:
    """The analyze/after-collect runs the automation started with `config`, oldest first."""
    deadline = time.monotonic() + timeout
    with client() as c:
        analyze = c.read_deployment_by_name("analyze/after-collect")
        while True:
            runs = sorted((r for r in c.read_flow_runs(limit=200)
                           if r.deployment_id == analyze.id and r.parameters.get("config_path") == config),
                          key=lambda r: r.created)
            if len(runs) >= count:
                return runs
            assert time.monotonic() < deadline, f"{len(runs)} analyze runs started for {config}, expected {count}"
            time.sleep(1)
