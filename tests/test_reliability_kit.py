"""Shared by the reliability, security and fuzz tests (no tests here): sample rows,
store soundness checks, a stand-in classifier and a CLI runner for subprocesses.

`assert_store_sound` is the one definition of "nothing lost, nothing doubled,
nothing corrupt" every fault test ends with.
"""
from __future__ import annotations

import csv
import hashlib
import os
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
PYTHON = sys.executable
TEHRAN = timezone(timedelta(hours=3, minutes=30))
T0 = datetime(2026, 11, 1, 9, 0, tzinfo=TEHRAN)

# Colloquial reviews as customers write them: missing half-spaces, Arabic ي/ك, Finglish, emoji.
_TEMPLATES = [
    "سفارش {n} دیر رسید، {item} هم سرد بود 😡",
    "كيفيت {item} عالي بود، ممنون از پيك 🙏",
    "sefaresh {n} ro gereftam, {latin} kheili khoob bood",
    "چرا کد تخفیف {n} کار نمیکنه؟ پشتیبانی هم جواب نمیده",
    "از سبدچی خیلی بهتره، {item}ش تازه‌تره 👌",
    "کاش ساعت ارسال رو زودتر کنید، {item} ظهر رسید",
    "قیمت {item} نسبت به هفته پیش {n} تومن رفته بالا!!!",
    "پیک خیلی مودب بود ولی {item} له شده بود 😕",
    "بسته بندي {item} افتضاح بود، سفارش {n} رو پس ميدم",
    "ye soal: {latin} ham darid? mamnoon",
    "خیییییلی راضیم، {item} رو به همه پیشنهاد میکنم 😍",
    "اپلیکیشن موقع پرداخت سفارش {n} کرش کرد",
]
_ITEMS = ["نون", "تخم‌مرغ", "پنیر", "ماست", "گوجه", "سیب‌زمینی", "شیر", "مرغ", "برنج", "میوه"]
_LATIN = ["naan", "panir", "mast", "morgh", "berenj", "mive"]

CSV_COLUMNS = {"id": "review_id", "text": "body", "published_at": "created", "author": "user"}


def review_text(i: int) -> str:
    t = _TEMPLATES[i % len(_TEMPLATES)]
    return t.format(n=1000 + i, item=_ITEMS[(i // 3) % len(_ITEMS)], latin=_LATIN[(i // 5) % len(_LATIN)])


def write_reviews(path: Path, n: int, start: int = 0) -> list[str]:
    """A CSV of `n` reviews r{start}..; returns their ids."""
    ids = []
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["review_id", "created", "user", "body"])
        for i in range(start, start + n):
            ids.append(f"r{i}")
            w.writerow([f"r{i}", (T0 + timedelta(minutes=7 * i)).isoformat(), f"user{i % 37}", review_text(i)])
    return ids


def file_source(name: str = "reviews", path: str = "reviews.csv", **extra) -> str:
    cols = ", ".join(f'{k} = "{v}"' for k, v in CSV_COLUMNS.items())
    lines = [f'name = "{name}"', 'kind = "file"', 'brand = "تازه‌رس"', f'path = "{path}"', f"columns = {{ {cols} }}"]
    lines += [f"{k} = {_toml(v)}" for k, v in extra.items()]
    return "[[sources]]\n" + "\n".join(lines) + "\n"


def telegram_source(base_url: str, name: str = "tg", channel: str = "tehran_gadget") -> str:
    return (f'[[sources]]\nname = "{name}"\nkind = "telegram"\nchannel = "{channel}"\n'
            f'base_url = "{base_url}"\n')


FAST_HTTP = {"timeout": 2.0, "max_retries": 2, "backoff": 0.01, "max_backoff": 2.0, "requests_per_second": 1000}


def config_head(**http) -> str:
    """[store], [http] (fast retries for a local server, overridable) and the brand the sources name."""
    settings = {**FAST_HTTP, **http}
    lines = [f"{k} = {_toml(v)}" for k, v in settings.items()]
    return ('[store]\npath = "shenava.db"\n\n[http]\n' + "\n".join(lines) + "\n\n"
            '[[brands]]\nname = "تازه‌رس"\naliases = ["tazeres"]\n'
            'competitors = [{ name = "سبدچی", aliases = ["sabadchi"] }]\n')


def _toml(value) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return repr(value)


CONFIG_HEAD = config_head()


def write_config(folder: Path, *sources: str, head: str = CONFIG_HEAD) -> Path:
    path = folder / "shenava.toml"
    path.write_text(head + "\n" + "\n".join(sources), encoding="utf-8")
    return path


# -- the store after a fault ------------------------------------------------------------
def rows(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def assert_store_sound(db: Path) -> None:
    """Not corrupt, FTS in step, no mention twice, no analysis twice."""
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        conn.execute("INSERT INTO mentions_fts(mentions_fts) VALUES ('integrity-check')")
        assert conn.execute("SELECT source, external_id, count(*) FROM mentions GROUP BY source, external_id "
                            "HAVING count(*) > 1").fetchall() == []
        assert conn.execute("SELECT mention_id, model_version, content_hash, count(*) FROM analyses "
                            "GROUP BY 1, 2, 3 HAVING count(*) > 1").fetchall() == []
        assert conn.execute("SELECT count(*) FROM mentions_fts").fetchone()[0] == \
            conn.execute("SELECT count(*) FROM mentions").fetchone()[0]
    finally:
        conn.close()


def mention_keys(db: Path) -> set[tuple[str, str, str]]:
    return set(rows(db, "SELECT source, external_id, raw_hash FROM mentions"))


def assert_fully_analyzed(db: Path, model_version: str) -> None:
    """Every mention prepared from its current text and tagged once by `model_version` for that text."""
    assert rows(db, "SELECT count(*) FROM mentions WHERE content_hash IS NULL OR display_text IS NULL "
                    "OR cluster_id IS NULL") == [(0,)]
    assert rows(db, "SELECT count(*) FROM mentions m WHERE (SELECT count(*) FROM analyses a WHERE a.mention_id = m.id "
                    "AND a.model_version = ? AND a.content_hash = m.content_hash) != 1", (model_version,)) == [(0,)]


# -- a classifier stand-in: the model is not what these tests are about ----------------------
class FakeClassifier:
    """Deterministic tags from a hash of the text; counts its calls."""

    model_version = "fake-v1"

    def __init__(self) -> None:
        self.texts: list[str] = []

    def classify(self, texts: list[str], progress=None, analysis=None) -> list[dict]:
        self.texts += texts
        return [fake_tags(t) for t in texts]


def fake_tags(text: str) -> dict:
    h = int(hashlib.sha256(text.encode("utf-8", "replace")).hexdigest(), 16)
    sentiment = ("negative", "neutral", "positive")[h % 3]
    return {"sentiment": sentiment, "sentiment_scores": {sentiment: 0.9}, "complaint": h % 2 == 0,
            "complaint_categories": ["delivery"] if h % 4 == 0 else [], "suggestion": h % 5 == 0,
            "comparison": False, "competitors": [], "recommendation": "none", "question": "؟" in text,
            "scores": {"complaint": 0.5}, "evidence": {}}


# `python -c RUNNER --config x analyze`: the real CLI with the stand-in classifier in place of the
# model package (whose import alone costs seconds).
RUNNER = f"""
import sys, types
sys.path.insert(0, {str(Path(__file__).parent)!r})
from test_reliability_kit import FakeClassifier
stand_in = types.ModuleType("shenava.nlp.classifier")
stand_in.load_classifier = lambda *a, **k: FakeClassifier()
sys.modules["shenava.nlp.classifier"] = stand_in
from shenava.cli import main
sys.exit(main(sys.argv[1:]))
"""


def cli(config: Path, *args: str, crash_at: str | None = None, fake_model: bool = True,
        timeout: float = 180) -> subprocess.CompletedProcess:
    """Run `shenava --config config args` in a fresh process, optionally killed at a crash point."""
    env = {k: v for k, v in os.environ.items() if k != "SHENAVA_CRASH_AT"}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    if crash_at:
        env["SHENAVA_CRASH_AT"] = crash_at
    head = [PYTHON, "-c", RUNNER] if fake_model else [PYTHON, "-m", "shenava.cli"]
    return subprocess.run([*head, "-q", "--config", str(config), *args], env=env, cwd=config.parent,
                          capture_output=True, text=True, timeout=timeout)


def can_mount() -> bool:
    return os.geteuid() == 0 and subprocess.run(["mount", "--version"], capture_output=True).returncode == 0


skip_unless_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root to mount")


def run_fuzz(record_property, what: str, strategy, check, examples: int) -> None:
    """Run `check(example)` on `examples` hypothesis examples of `strategy` (a tuple strategy for several
    arguments), then check they all ran and record the number (junit XML, `-rP` output)."""
    from hypothesis import HealthCheck, given, settings

    ran = []

    @settings(deadline=None, suppress_health_check=list(HealthCheck), max_examples=examples)
    @given(strategy)
    def run(example):
        ran.append(1)
        check(example)

    run()
    assert len(ran) >= examples, f"{what}: hypothesis ran only {len(ran)} of {examples} examples"
    record_property(f"hypothesis examples: {what}", len(ran))
    print(f"fuzz {what}: {len(ran)} examples")
