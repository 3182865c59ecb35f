"""The Prefect flows called as Python functions against a temporary Prefect server.

What matters here is what a failed run leaves behind: a source whose replayed
page breaks after the first page's posts keeps those posts, and the task retry
or a rerun of the whole flow (what "Retry" in the UI does) ends with every post
stored exactly once.
"""
from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest

from shenava.config import load_config
from shenava.connectors.replay import Reply, ReplayServer
from shenava.demo import SAMPLES
from shenava.errors import ConfigError, ShenavaError
from shenava.storage import Store

pytestmark = [pytest.mark.prefect, pytest.mark.slow]

FIXTURES = Path(__file__).parent / "fixtures" / "pipeline"
OLDER_PAGE = "/s/tazeres_news?before=104"

CONFIG = """
[store]
path = "shenava.db"

[http]
timeout = 2.0
max_retries = 1
backoff = 0.01
requests_per_second = 1000.0

[[brands]]
name = "تازه‌رس"
aliases = ["tazeres"]

[[sources]]
name = "channel"
kind = "telegram"
brand = "تازه‌رس"
channel = "tazeres_news"
base_url = "{url}"

[[sources]]
name = "reviews"
kind = "file"
brand = "تازه‌رس"
path = "reviews.csv"
columns = {{ id = "review_id", text = "body", published_at = "created", author = "user" }}
"""


@pytest.fixture(scope="module", autouse=True)
def prefect_server():
    from prefect.testing.utilities import prefect_test_harness

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
        mp.delenv("PREFECT_API_URL", raising=False)
        with prefect_test_harness(server_startup_timeout=90):
            yield


@pytest.fixture
def replay():
    with ReplayServer.from_folder(SAMPLES / "telegram") as server:
        yield server


@pytest.fixture
def config_path(tmp_path, replay) -> str:
    shutil.copy(FIXTURES / "reviews.csv", tmp_path / "reviews.csv")
    path = tmp_path / "shenava.toml"
    path.write_text(CONFIG.format(url=replay.base_url), encoding="utf-8")
    return str(path)


@pytest.fixture
def fast_retries(monkeypatch):
    import shenava.flows.collect as collect_module

    monkeypatch.setattr(collect_module, "RETRY_BACKOFF_SECONDS", 0)


def stored(config_path: str) -> tuple[int, set[tuple[str, str]]]:
    """(row count, distinct (source, external id)) of the store: equal sizes mean no duplicates."""
    with Store.open(load_config(config_path).store_path) as store:
        rows = store.db.execute("SELECT source, external_id FROM mentions").fetchall()
    return len(rows), {tuple(r) for r in rows}


def clean_run(tmp_path: Path) -> set[tuple[str, str]]:
    """What a collection that never failed stores, in a store of its own."""
    from shenava.flows.collect import collect_flow

    clean = tmp_path / "clean"
    clean.mkdir()
    with ReplayServer.from_folder(SAMPLES / "telegram") as server:
        shutil.copy(FIXTURES / "reviews.csv", clean / "reviews.csv")
        (clean / "shenava.toml").write_text(CONFIG.format(url=server.base_url), encoding="utf-8")
        collect_flow(config_path=str(clean / "shenava.toml"))
    count, keys = stored(str(clean / "shenava.toml"))
    assert count == len(keys) > 6
    return keys


def test_collect_returns_counts_and_a_second_run_stores_nothing_new(config_path):
    from shenava.flows.collect import collect_flow

    first = collect_flow(config_path=config_path)
    count, keys = stored(config_path)
    assert first["failed"] == {} and first["new"] == count == len(keys) > 6
    assert {r["source"] for r in first["sources"]} == {"channel", "reviews"}
    # Results stay small: counts per source, never the mentions themselves.
    assert all(set(r) == {"source", "collected", "new", "updated", "unchanged", "error"} for r in first["sources"])
    second = collect_flow(config_path=config_path)
    assert (second["new"], second["updated"]) == (0, 0)
    assert stored(config_path) == (count, keys)


def test_collect_one_source_by_name(config_path):
    from shenava.flows.collect import collect_flow

    result = collect_flow(sources=["reviews"], config_path=config_path)
    assert [r["source"] for r in result["sources"]] == ["reviews"]
    assert stored(config_path)[0] == result["new"] == 6


def test_a_task_retry_after_a_broken_page_loses_and_duplicates_nothing(config_path, replay, tmp_path,
                                                                         fast_retries):
    from shenava.flows.collect import collect_flow

    expected = clean_run(tmp_path)
    # How many requests one attempt makes at the older page before it gives up.
    replay.add(OLDER_PAGE, Reply(503))
    with pytest.raises(ShenavaError, match="channel"):
        collect_flow(sources=["channel"], retries=0, config_path=config_path)
    per_attempt = replay.served(OLDER_PAGE)
    partial, _ = stored(config_path)
    assert 0 < partial < len([k for k in expected if k[0] == "channel"])

    good = Reply.file(SAMPLES / "telegram" / "channel-older.html")
    replay.add(OLDER_PAGE, [Reply(503)] * per_attempt + [good])
    result = collect_flow(retries=1, config_path=config_path)
    assert result["failed"] == {}
    count, keys = stored(config_path)
    assert keys == expected and count == len(expected)


def test_a_failed_run_retried_later_finishes_without_losing_or_duplicating(config_path, replay, tmp_path):
    from shenava.flows.collect import collect_flow

    expected = clean_run(tmp_path)
    replay.add(OLDER_PAGE, Reply(200, body=b"<html><body><div class=\"tgme_widget_message_wr", truncate_at=20))
    with pytest.raises(ShenavaError) as failed:
        collect_flow(retries=0, config_path=config_path)
    assert "1 of 2 sources failed" in str(failed.value) and "channel" in str(failed.value)
    count, keys = stored(config_path)
    assert count == len(keys) and {"channel", "reviews"} == {s for s, _ in keys}
    assert keys < expected

    replay.add(OLDER_PAGE, Reply.file(SAMPLES / "telegram" / "channel-older.html"))
    rerun = collect_flow(retries=0, config_path=config_path)  # the UI's "Retry": same parameters, run again
    assert rerun["failed"] == {}
    assert rerun["new"] == len(expected) - len(keys)
    count, keys = stored(config_path)
    assert keys == expected and count == len(expected)


def test_unknown_names_stop_the_run_naming_them(config_path):
    from shenava.flows.collect import collect_flow
    from shenava.flows.digest import digest_flow

    with pytest.raises(ConfigError, match="nope"):
        collect_flow(sources=["nope"], config_path=config_path)
    with pytest.raises(ConfigError, match="unknown brand 'سبدچی'"):
        digest_flow(brand="سبدچی", config_path=config_path)
    assert stored(config_path)[0] == 0


def test_backfill_writes_one_digest_per_day_and_publishes_each(config_path):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from shenava.flows.backfill import backfill_flow
    from shenava.flows.collect import collect_flow

    collect_flow(sources=["reviews"], config_path=config_path)  # reviews of 2026-11-18 .. 20
    result = backfill_flow(start=date(2026, 11, 18), end=date(2026, 11, 20), config_path=config_path)
    assert result["digests"] == 3
    assert result["first"].endswith("-day-2026-11-18.html") and result["last"].endswith("-day-2026-11-20.html")
    reports = sorted(p.name for p in Path(result["first"]).parent.glob("*-day-*.html"))
    assert [name[-15:-5] for name in reports] == ["2026-11-18", "2026-11-19", "2026-11-20"]
    with Store.open(load_config(config_path).store_path) as store:
        assert store.count("analyses") == store.count() == 6  # backfill tags what was untagged first
    with get_client(sync_client=True) as client:
        versions = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(like_="digest-")))
    day_digests = [a for a in versions if a.type == "markdown" and a.key.endswith("-day")]
    assert len(day_digests) >= 3 and "تازه‌رس" in day_digests[0].data


@pytest.mark.parametrize("start, end, period, expected", [
    (date(2026, 11, 20), date(2026, 11, 22), "day", [date(2026, 11, 20), date(2026, 11, 21), date(2026, 11, 22)]),
    (date(2026, 11, 22), date(2026, 11, 22), "day", [date(2026, 11, 22)]),
    (date(2026, 11, 1), date(2026, 11, 20), "week", [date(2026, 11, 6), date(2026, 11, 13), date(2026, 11, 20)]),
    (date(2026, 11, 15), date(2026, 11, 20), "week", [date(2026, 11, 20)]),
])
def test_backfill_period_ends(start, end, period, expected):
    from shenava.flows.backfill import period_ends

    assert period_ends(start, end, period) == expected


def test_backfill_rejects_a_reversed_range():
    from shenava.flows.backfill import period_ends

    with pytest.raises(ConfigError, match="2026-11-20 is before start 2026-11-22"):
        period_ends(date(2026, 11, 22), date(2026, 11, 20), "day")


@pytest.mark.parametrize("param, env, expected", [
    ("given.toml", "from-env.toml", "given.toml"),
    (None, "from-env.toml", "from-env.toml"),
    ("", "from-env.toml", "from-env.toml"),
    (None, None, "shenava.toml"),
])
def test_config_file_is_the_parameter_then_the_environment_then_the_default(param, env, expected, monkeypatch,
                                                                           tmp_path):
    from shenava.flows.common import config_file

    monkeypatch.chdir(tmp_path)
    if env is None:
        monkeypatch.delenv("SHENAVA_CONFIG", raising=False)
    else:
        monkeypatch.setenv("SHENAVA_CONFIG", env)
    assert config_file(param) == tmp_path / expected
    assert os.path.isabs(config_file(param))
