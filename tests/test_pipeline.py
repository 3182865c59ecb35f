"""The library path end to end: file source -> store -> prepare + tag -> store, without Prefect."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from shenava.analyze import analyze
from shenava.cli import main
from shenava.config import load_config
from shenava.pipeline import collect
from shenava.storage import Store

FIXTURES = Path(__file__).parent / "fixtures" / "pipeline"

CONFIG = """
[store]
path = "shenava.db"

[[brands]]
name = "تازه‌رس"
aliases = ["tazeres"]
competitors = [{ name = "سبدچی", aliases = ["sabadchi"] }]

[[sources]]
name = "reviews"
kind = "file"
brand = "تازه‌رس"
path = "reviews.csv"
columns = { id = "review_id", text = "body", published_at = "created", author = "user" }
"""


@pytest.fixture
def workdir(tmp_path):
    shutil.copy(FIXTURES / "reviews.csv", tmp_path / "reviews.csv")
    (tmp_path / "shenava.toml").write_text(CONFIG, encoding="utf-8")
    return tmp_path


def test_second_collect_of_an_unchanged_file_stores_nothing_new(workdir):
    config = load_config(workdir / "shenava.toml")
    with Store.open(config.store_path) as store:
        [first] = collect(config, store)
        [second] = collect(config, store)
        assert (first.new, first.error) == (6, None)
        assert (second.new, second.updated, second.error) == (0, 0, None)
        assert store.count() == 6
        assert store.mention_by_external("reviews", "a3")["brand"] == "تازه‌رس"


def test_edited_and_added_rows_are_an_update_and_a_new_mention(workdir):
    config = load_config(workdir / "shenava.toml")
    csv = workdir / "reviews.csv"
    with Store.open(config.store_path) as store:
        collect(config, store)
        text = csv.read_text(encoding="utf-8").replace("کسی میدونه تخفیف دانشجویی دارن؟",
                                                       "کسی میدونه تخفیف دانشجویی دارن؟ جواب ندادن هنوز")
        csv.write_text(text + "a7,2026-11-21T10:00:00+03:30,Ali,ghimata geroon shode\n", encoding="utf-8")
        [report] = collect(config, store)
        assert (report.new, report.updated, report.unchanged) == (1, 1, 5)
        assert store.mention_by_external("reviews", "a4")["revision"] == 2


def test_a_bad_row_keeps_earlier_rows_and_leaves_the_cursor(workdir):
    config = load_config(workdir / "shenava.toml")
    csv = workdir / "reviews.csv"
    csv.write_text(csv.read_text(encoding="utf-8") + "a8,not-a-date,Ali,متن\n", encoding="utf-8")
    with Store.open(config.store_path) as store:
        [report] = collect(config, store)
        assert "not-a-date" in report.error and "reviews.csv:8" in report.error
        assert store.count() == 6
        assert store.get_cursor("reviews") == {}
        run = list(store.db.query("SELECT status, new FROM runs WHERE kind = 'collect'"))[-1]
        assert run == {"status": "failed", "new": 6}


def test_analyze_tags_everything_once_and_reuses_duplicates(workdir):
    config = load_config(workdir / "shenava.toml")
    with Store.open(config.store_path) as store:
        collect(config, store)
        report = analyze(config, store)
        assert report.prepared == 6
        # a1 and a6 are the same text: one model call, one reuse by content hash.
        assert (report.tagged, report.reused) == (5, 1)
        assert store.count("analyses") == 6
        again = analyze(config, store)
        assert (again.prepared, again.tagged, again.reused) == (0, 0, 0)
        a1, a6 = (store.mention_by_external("reviews", x) for x in ("a1", "a6"))
        assert a1["content_hash"] == a6["content_hash"] and a1["cluster_id"] == a6["cluster_id"]
        finglish = store.mention_by_external("reviews", "a2")
        assert finglish["language"] == "finglish"
        tags = {r["external_id"]: r for r in store.db.query(
            "SELECT m.external_id, a.* FROM analyses a JOIN mentions m ON m.id = a.mention_id")}
        assert tags["a4"]["question"] == 1
        assert tags["a3"]["comparison"] == 1 and tags["a3"]["recommendation"] == "recommends"
        assert tags["a2"]["sentiment"] == "negative" and tags["a2"]["complaint"] == 1


def test_cli_collect_analyze_stats(workdir, capsys):
    cfg = str(workdir / "shenava.toml")
    assert main(["-q", "--config", cfg, "collect"]) == 0
    assert "reviews: 6 new" in capsys.readouterr().out
    assert main(["-q", "--config", cfg, "analyze"]) == 0
    assert "tagged 5, reused 1" in capsys.readouterr().out
    assert main(["--config", cfg, "stats"]) == 0
    out = capsys.readouterr().out
    assert "mentions 6" in out and "reviews 6" in out


def test_cli_reports_a_bad_config_on_one_line(tmp_path, capsys):
    bad = tmp_path / "shenava.toml"
    bad.write_text('[store]\npath = 3\n', encoding="utf-8")
    assert main(["--config", str(bad), "collect"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("shenava: error: ") and "shenava.toml:2: store.path" in err and "\n" not in err


def test_cli_reports_a_corrupt_store_on_one_line_and_leaves_it(tmp_path, capsys):
    store = tmp_path / "shenava.db"
    junk = b"\x00garbage, not a database\n" * 100
    store.write_bytes(junk)
    (tmp_path / "shenava.toml").write_text(CONFIG.replace("reviews.csv", "nothing.csv"), encoding="utf-8")
    assert main(["--config", str(tmp_path / "shenava.toml"), "collect"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("shenava: error: ") and "shenava.db: not a valid SQLite store" in err
    assert "\n" not in err
    assert store.read_bytes() == junk
