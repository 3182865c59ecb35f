"""kill -9 in the middle of `shenava collect` and `shenava analyze`; the next run finishes the job.

The real CLI runs in a subprocess and is SIGKILLed at a point the test picks
(SHENAVA_CRASH_AT, shenava/faults.py) or from outside while it waits on the
network. The rerun must leave exactly the mentions and analyses a run that
was never killed leaves: 0 lost, 0 duplicated, cursors where they belong.
"""
from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
import types

import pytest

from shenava.analyze import analyze
from shenava.cli import main
from shenava.config import load_config
from shenava.connectors.replay import ReplayServer, Reply
from shenava.pipeline import collect
from shenava.storage import Store
from test_reliability_kit import (FIXTURES, PYTHON, RUNNER, FakeClassifier, assert_fully_analyzed,
                                  assert_store_sound, cli, file_source, mention_keys, rows, telegram_source,
                                  write_config, write_reviews)

REVIEWS = 700  # pipeline.BATCH is 200: three full batches and a partial one
TG_POSTS = 26  # the recorded channel, three pages
KILLED = -signal.SIGKILL


@pytest.fixture(scope="module")
def server():
    with ReplayServer.from_folder(FIXTURES / "telegram") as s:
        yield s


def workspace(folder, server) -> "Path":  # noqa: F821
    write_reviews(folder / "reviews.csv", REVIEWS)
    return write_config(folder, file_source(), telegram_source(server.base_url))


def cursors(folder) -> dict[str, str]:
    """The saved cursors, with the workspace folder written as <dir> so two workspaces compare."""
    return {k: v.replace(str(folder), "<dir>") for k, v in rows(folder / "shenava.db", "SELECT source, state FROM cursors")}


@pytest.fixture(scope="module")
def collected(tmp_path_factory, server):
    """What one uninterrupted collect stores; copied as the start of each analyze crash."""
    folder = tmp_path_factory.mktemp("collected")
    config = load_config(workspace(folder, server))
    with Store.open(config.store_path) as store:
        reports = collect(config, store)
    assert [r.error for r in reports] == [None, None]
    return folder


@pytest.fixture(scope="module")
def reference(collected):
    keys = mention_keys(collected / "shenava.db")
    assert len(keys) == REVIEWS + TG_POSTS
    return {"keys": keys, "cursors": cursors(collected)}


def assert_collect_complete(folder, reference) -> None:
    db = folder / "shenava.db"
    assert_store_sound(db)
    assert mention_keys(db) == reference["keys"]
    assert cursors(folder) == reference["cursors"]


CRASHES = [
    ("collect.mention:150", 0, "killed holding a half batch in memory"),
    ("collect.batch_stored:2", 400, "two batches stored, cursor not moved yet"),
    ("collect.cursor_saved:1", REVIEWS, "file done and its cursor saved, run row and lease left behind"),
    (f"collect.mention:{REVIEWS + 10}", REVIEWS, "in the middle of the Telegram channel"),
]


@pytest.mark.slow
@pytest.mark.parametrize("point, stored_at_kill, why", CRASHES, ids=[c[0] for c in CRASHES])
def test_killed_collect_then_rerun_loses_and_duplicates_nothing(tmp_path, server, reference, point,
                                                                stored_at_kill, why):
    config = workspace(tmp_path, server)
    killed = cli(config, "collect", crash_at=point)
    assert killed.returncode == KILLED, killed.stderr
    db = tmp_path / "shenava.db"
    assert_store_sound(db)
    assert rows(db, "SELECT count(*) FROM mentions") == [(stored_at_kill,)], why
    # A killed run leaves its lease behind; the next run must not wait hours for it to expire.
    rerun = cli(config, "collect")
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert_collect_complete(tmp_path, reference)
    with Store.open(db) as store:  # the cursors are where they belong: a third run finds nothing new
        assert [(r.new, r.updated, r.error) for r in collect(load_config(config), store)] == [(0, 0, None)] * 2


@pytest.mark.slow
def test_collect_killed_from_outside_while_waiting_on_the_network(tmp_path, reference):
    with ReplayServer.from_folder(FIXTURES / "telegram") as slow:
        slow.add("/s/tehran_gadget?before=11", Reply.file(FIXTURES / "telegram" / "channel_before_11.html", delay=30))
        config = workspace(tmp_path, slow)
        command = [PYTHON, "-c", RUNNER, "-q", "--config", str(config), "collect"]
        proc = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 60
            while not any(r.target == "/s/tehran_gadget?before=11" for r in slow.requests):
                assert time.monotonic() < deadline and proc.poll() is None, "collect never reached page 3"
                time.sleep(0.05)
            proc.send_signal(signal.SIGKILL)
        finally:
            proc.wait(30)
        assert proc.returncode == KILLED
        db = tmp_path / "shenava.db"
        assert_store_sound(db)
        # The CSV was stored and its cursor saved; two channel pages were read but not stored.
        assert rows(db, "SELECT source, count(*) FROM mentions GROUP BY source") == [("reviews", REVIEWS)]
        assert [s for (s,) in rows(db, "SELECT source FROM cursors")] == ["reviews"]
        slow.add("/s/tehran_gadget?before=11", Reply.file(FIXTURES / "telegram" / "channel_before_11.html"))
        rerun = cli(config, "collect")
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert_collect_complete(tmp_path, reference)


def test_a_lease_left_by_a_killed_process_on_this_machine_is_taken_over(tmp_path):
    import socket

    from shenava.storage.leases import LeaseHeld, lease

    dead = subprocess.Popen([PYTHON, "-c", "pass"])
    dead.wait()
    alive = subprocess.Popen([PYTHON, "-c", "import time; time.sleep(60)"])
    try:
        with Store.open(tmp_path / "s.db") as store:
            host = socket.gethostname()
            for name, owner in (("collect:dead", f"{host}:{dead.pid}"), ("collect:alive", f"{host}:{alive.pid}"),
                                ("collect:elsewhere", f"another-{host}:{dead.pid}")):
                store.db.execute("INSERT INTO leases VALUES (?, ?, '2026-11-23T08:00:00+00:00', "
                                 "'2999-01-01T00:00:00+00:00')", [name, owner])
            with lease(store, "collect:dead") as me:
                assert rows(store.path, "SELECT owner FROM leases WHERE name = 'collect:dead'") == [(me,)]
            for name in ("collect:alive", "collect:elsewhere"):  # alive here, or unknowable: wait for the TTL
                with pytest.raises(LeaseHeld, match=f"{name} is already running"):
                    with lease(store, name):
                        pass
    finally:
        alive.kill()
        alive.wait()


# -- analyze --------------------------------------------------------------------------------
ANALYZE_CRASHES = [
    ("analyze.prepared_batch:2", "two prepare batches committed, nothing tagged"),
    ("analyze.tagging:2", "inside the second tagging transaction, before COMMIT"),
    ("analyze.tagged_batch:1", "one tagging batch committed"),
]


def prepared(db) -> list[tuple]:
    return rows(db, "SELECT source, external_id, display_text, content_hash, cluster_id FROM mentions "
                    "ORDER BY source, external_id")


@pytest.fixture(scope="module")
def analyzed(tmp_path_factory, collected):
    """What one uninterrupted analyze leaves."""
    folder = tmp_path_factory.mktemp("analyzed")
    shutil.copytree(collected, folder, dirs_exist_ok=True)
    config = load_config(folder / "shenava.toml")
    with Store.open(config.store_path) as store:
        analyze(config, store, classifier=FakeClassifier())
    return prepared(config.store_path)


@pytest.mark.slow
@pytest.mark.parametrize("point, why", ANALYZE_CRASHES, ids=[c[0] for c in ANALYZE_CRASHES])
def test_killed_analyze_then_rerun_tags_every_mention_exactly_once(tmp_path, collected, analyzed, point, why,
                                                                   monkeypatch, capsys):
    shutil.copytree(collected, tmp_path, dirs_exist_ok=True)
    config = tmp_path / "shenava.toml"
    db = tmp_path / "shenava.db"
    killed = cli(config, "analyze", crash_at=point)
    assert killed.returncode == KILLED, killed.stderr
    assert_store_sound(db)
    partly = rows(db, "SELECT count(*) FROM analyses")[0][0]
    assert partly < REVIEWS + TG_POSTS, why
    # The next run, in this process (hazm is loaded already), through the same CLI and stand-in model.
    stand_in = types.ModuleType("shenava.nlp.classifier")
    stand_in.load_classifier = lambda *a, **k: FakeClassifier()
    monkeypatch.setitem(sys.modules, "shenava.nlp.classifier", stand_in)
    assert main(["-q", "--config", str(config), "analyze"]) == 0, capsys.readouterr().err
    assert_store_sound(db)
    assert_fully_analyzed(db, FakeClassifier.model_version)
    assert rows(db, "SELECT count(*) FROM analyses") == [(REVIEWS + TG_POSTS,)]
    # Prepared exactly as an uninterrupted run prepares, duplicate clusters included.
    assert prepared(db) == analyzed
    with Store.open(db) as store:
        again = analyze(load_config(config), store, classifier=FakeClassifier())
    assert (again.prepared, again.tagged, again.reused) == (0, 0, 0)


@pytest.mark.slow
def test_killed_analyze_with_the_real_model(tmp_path, collected):
    """Same, with the bundled classifier, killed inside its first tagging transaction."""
    shutil.copytree(collected, tmp_path, dirs_exist_ok=True)
    config, db = tmp_path / "shenava.toml", tmp_path / "shenava.db"
    with Store.open(db) as store:  # keep it quick: the model's speed is bench/'s business
        store.db.execute("DELETE FROM mentions WHERE source = 'reviews' AND CAST(substr(external_id, 2) AS INT) >= 40")
    killed = cli(config, "analyze", crash_at="analyze.tagging:1", fake_model=False)
    assert killed.returncode == KILLED, killed.stderr
    assert rows(db, "SELECT count(*) FROM analyses") == [(0,)]
    rerun = cli(config, "analyze", fake_model=False)
    assert rerun.returncode == 0, rerun.stderr
    [(version,)] = rows(db, "SELECT DISTINCT model_version FROM analyses")
    assert_store_sound(db)
    assert_fully_analyzed(db, version)
