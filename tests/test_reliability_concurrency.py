"""Flows writing and reading the store at once: collect while analyze runs and digests are written.

tests/test_store.py proves two plain writers queue instead of failing; here
the real flows overlap in separate processes (spawn), including edits that
land while analyze is preparing the same mentions, and the end state must be
what running them one after another gives.
"""
from __future__ import annotations

import multiprocessing
import threading
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path

import pytest

from shenava.analyze import analyze, prepare_pending
from shenava.config import load_config
from shenava.mention import Mention
from shenava.nlp.text import prepare
from shenava.pipeline import collect
from shenava.storage import Store
from test_reliability_kit import (FakeClassifier, assert_fully_analyzed, assert_store_sound, file_source, review_text,
                                  rows, write_config, write_reviews)

try:
    from shenava.digest import write_digest
except ImportError:  # the digest module may not be installed yet: searches and stats still read
    write_digest = None

FIRST, ADDED, EDITED = 800, 300, 100


def _edit(path: Path) -> None:
    """The second export: EDITED earlier reviews reworded, ADDED new ones."""
    write_reviews(path, FIRST + ADDED)
    text = path.read_text(encoding="utf-8").splitlines()
    for i in range(1, EDITED + 1):  # line i is review r{i-1}
        text[i] = text[i].replace(review_text(i - 1), review_text(i - 1) + " — ویرایش: هنوز جواب ندادن")
    path.write_text("\n".join(text) + "\n", encoding="utf-8")


def _flow(name: str, config_path: str, events: dict, errors) -> None:
    """One process: collect twice, or analyze / read until told to stop. Errors go to `errors`.

    Collect starts once the others are warm (hazm loaded) and edits only after a
    digest was written, so the three really overlap.
    """
    stop = events["stop"]
    try:
        config = load_config(config_path)
        with Store.open(config.store_path) as store:
            if name == "collect":
                for step in range(2):
                    for event in (events["analyze"], events["read"]) if step == 0 else (events["digested"],):
                        assert event.wait(180), "the other flows never got going"
                    if step:
                        _edit(Path(config_path).parent / "reviews.csv")
                    reports = collect(config, store)
                    if reports[0].error:
                        raise RuntimeError(reports[0].error)
            elif name == "analyze":
                prepare("گرم شو")
                events["analyze"].set()
                while not stop.is_set():
                    report = analyze(config, store, classifier=FakeClassifier(), limit=200)
                    if not report.prepared + report.tagged + report.reused:
                        time.sleep(0.1)  # as a scheduler would: no busy loop of empty runs
            else:
                _read_until(events, store, config)
    except BaseException:
        errors.put(f"{name}: {traceback.format_exc()}")
    finally:
        if name == "collect":
            stop.set()


def _read_until(events: dict, store: Store, config) -> None:
    from shenava.stats import store_stats
    from shenava.storage.search import search

    prepare("گرم شو")
    events["read"].set()
    while not events["stop"].is_set():
        search(store, "سفارش دیر")
        store_stats(store)
        if write_digest is not None and store.count("mentions", "content_hash IS NOT NULL"):
            write_digest(store, config, "تازه‌رس", "week", "2026-11-08")
            events["digested"].set()
        elif write_digest is None:
            events["digested"].set()
        time.sleep(0.05)


@pytest.mark.slow
def test_collect_analyze_and_digest_at_once_end_consistent(tmp_path):
    write_reviews(tmp_path / "reviews.csv", FIRST)
    config_path = write_config(tmp_path, file_source())
    Store.open(tmp_path / "shenava.db").close()
    ctx = multiprocessing.get_context("spawn")
    events = {name: ctx.Event() for name in ("analyze", "read", "digested", "stop")}
    errors = ctx.Queue()
    procs = [ctx.Process(target=_flow, args=(name, str(config_path), events, errors))
             for name in ("analyze", "read", "collect")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(240)
    found = []
    while not errors.empty():
        found.append(errors.get())
    assert not found, "\n".join(found)
    assert [p.exitcode for p in procs] == [0, 0, 0]
    db = tmp_path / "shenava.db"
    # What overlapped is finished by one more run; it must find nothing half done.
    config = load_config(config_path)
    with Store.open(db) as store:
        analyze(config, store, classifier=FakeClassifier())
    assert_store_sound(db)
    assert rows(db, "SELECT count(*), sum(revision) FROM mentions") == [(FIRST + ADDED, FIRST + ADDED + EDITED)]
    assert rows(db, "SELECT count(*) FROM mention_revisions") == [(EDITED,)]
    assert_fully_analyzed(db, FakeClassifier.model_version)
    stale = [mid for mid, raw, display in rows(db, "SELECT id, raw_text, display_text FROM mentions")
             if prepare(raw).display != display]
    assert stale == [], f"{len(stale)} mentions prepared from a text they no longer have"
    assert [r for (r,) in rows(db, "SELECT status FROM runs")].count("completed") == len(rows(db, "SELECT 1 FROM runs"))
    if write_digest is not None:
        assert sorted(p.suffix for p in (tmp_path / "reports").iterdir()) == [".html", ".json", ".md"]


def test_an_edit_landing_while_its_mention_is_prepared_is_not_lost(tmp_path, monkeypatch):
    """Deterministic version of the race above: the edit is written between prepare's read and its write."""
    import shenava.nlp.text as text_module

    config = load_config(write_config(tmp_path, file_source()))
    t0 = Mention("r1", "غذا سرد بود", published_at=datetime(2026, 11, 20, tzinfo=timezone.utc))
    with Store.open(config.store_path) as store:
        store.upsert_mentions("reviews", [t0])
    edited = Mention("r1", "غذا سرد بود ولی پشتیبانی پول رو برگردوند", published_at=t0.published_at, edited=True)
    real_prepare, writers = text_module.prepare, []

    def prepare_then_someone_edits(raw):
        if not writers:  # a collect in another connection stores the edit right now
            def write():
                with Store.open(config.store_path) as other:
                    other.upsert_mentions("reviews", [edited])
            writers.append(threading.Thread(target=write))
            writers[0].start()
            writers[0].join(2)  # returns at once, or after 2 s if prepare holds the write lock
        return real_prepare(raw)

    monkeypatch.setattr(text_module, "prepare", prepare_then_someone_edits)
    with Store.open(config.store_path) as store:
        prepare_pending(config, store)
        writers[0].join(30)
        prepare_pending(config, store)
        row = store.mention_by_external("reviews", "r1")
    assert row["raw_text"] == edited.text and row["revision"] == 2
    assert row["display_text"] == real_prepare(edited.text).display
