"""Spike rule and what drove a spike; the word and grouping helpers behind it and the wish list."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest

from shenava.config import parse_config
from shenava.digest import SpikeRule, build_digest
from shenava.digest.spikes import detect
from shenava.digest.terms import as_written, group_similar, tokens, top_terms
from shenava.mention import Mention
from shenava.storage import Store, text_hash

# rows are (clusters, analysed, positive, negative) per day; the last day is judged
ALTERNATING = [(2, 2, 2, 0) if i % 2 == 0 else (4, 4, 3, 1) for i in range(14)]  # volume mean 3, std 1


@pytest.mark.parametrize("today, rule, expected", [
    ((10, 10, 2, 8), SpikeRule(), [("volume", 10.0, 3.0, 1.0, 10), ("negative_share", 80.0, 12.5, 12.5, 8)]),
    ((10, 10, 8, 2), SpikeRule(), [("volume", 10.0, 3.0, 1.0, 10)]),
    ((9, 9, 9, 0), SpikeRule(), []),                      # 9 > 5 but fewer than min_volume 10
    ((9, 9, 9, 0), SpikeRule(min_volume=5), [("volume", 9.0, 3.0, 1.0, 9)]),
    ((5, 5, 5, 0), SpikeRule(min_volume=1), []),          # 5 is not above mean + 2 std = 5
    ((6, 6, 2, 4), SpikeRule(min_volume=99), []),         # share 66% but only 4 negatives (< 5)
    ((6, 6, 1, 5), SpikeRule(min_volume=99), [("negative_share", 83.33, 12.5, 12.5, 5)]),
    ((10, 10, 2, 8), SpikeRule(sigma=6), [("volume", 10.0, 3.0, 1.0, 10)]),  # 80% < 12.5 + 6*12.5
    ((10, 10, 2, 8), SpikeRule(min_rise=3.0), [("negative_share", 80.0, 12.5, 12.5, 8)]),  # 10 < 4 x 3
    ((10, 10, 2, 8), SpikeRule(min_share_rise=70), [("volume", 10.0, 3.0, 1.0, 10)]),  # 80 < 12.5 + 70
])

def test_spike_rule(today, rule, expected):
    found = [(kind, round(value, 2), mean, std, count)
             for _, kind, value, mean, std, count in detect([*ALTERNATING, today], 14, rule)]
    assert found == expected


def test_a_busy_brands_small_wobble_is_not_a_spike():
    steady = [(19400 + (60 if i % 2 else -60), 19400, 9000, 5000) for i in range(14)]  # std 60
    assert detect([*steady, (19652, 19652, 9000, 5100)], 14, SpikeRule()) == []  # > mean + 2 std, only +1.3%


def test_negative_share_needs_enough_analysed_baseline_days():
    sparse = [(1, 0, 0, 0)] * 8 + [(1, 1, 1, 0)] * 6  # only 6 days with analysed mentions
    assert detect([*sparse, (20, 20, 0, 20)], 14, SpikeRule(min_volume=99)) == []


CONFIG = """
[[brands]]
name = "تازه‌رس"
competitors = [{ name = "سبدچی" }]
"""
BASELINE = ["میوه‌ها تازه بود، ممنون", "ارسال سریع بود", "سیب‌ها خوشمزه بودن", "بسته بندی خوب بود"]
OUTAGE = "اپلیکیشن تازه‌رس از صبح قطعه، پرداخت نمیشه"
SPIKE_DAY = [  # (text, sentiment, reactions, copies)
    (OUTAGE, "negative", 5, 3),
    ("اپلیکیشن باز نمیشه، قطعه؟", "negative", 2, 1),
    ("از صبح اپلیکیشن قطع شده", "negative", 1, 1),
    ("اپلیکیشن قطعه و پشتیبانی جواب نمیده", "negative", 4, 1),
    ("پرداخت انجام نمیشه، اپلیکیشن خطا میده", "negative", 0, 1),
    ("apliceyshen ghate? pardakht nemishe", "negative", 0, 1),
    ("سایت هم قطعه", "negative", 0, 1),
    ("اپلیکیشن کلا قطعه 😡", "negative", 3, 1),
    ("سفارش دیروز رسید، ممنون", "positive", 0, 1),
    ("میوه‌ها تازه بود", "positive", 0, 1),
]


@pytest.fixture(scope="module")
def spike_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("spike")
    config = parse_config(CONFIG, folder / "shenava.toml")
    store = Store.open(folder / "s.db")
    rows = []  # (mention, sentiment, cluster key)
    for i in range(14):  # Nov 6..19: 2 or 4 mentions a day, one negative on the 4-days
        day = date(2026, 11, 6) + timedelta(days=i)
        for j in range(2 if i % 2 == 0 else 4):
            when = datetime.fromisoformat(f"{day}T1{j}:00:00+03:30")
            rows.append((Mention(f"b{i}-{j}", BASELINE[j], when, brand="تازه‌رس", reactions=1),
                         "negative" if j == 3 else "positive", None))
    for k, (text, sentiment, reactions, copies) in enumerate(SPIKE_DAY):
        for c in range(copies):
            when = datetime.fromisoformat(f"2026-11-20T{8 + k:02d}:{10 * c:02d}:00+03:30")
            rows.append((Mention(f"s{k}-{c}", text, when, brand="تازه‌رس", reactions=reactions), sentiment, f"s{k}"))
    ids = store.upsert_mentions("telegram", [m for m, _, _ in rows]).ids
    first: dict[str, int] = {}
    with store.transaction() as db:
        for mid, (m, sentiment, cluster) in zip(ids, rows):
            cid = first.setdefault(cluster, mid) if cluster else mid
            db["mentions"].update(mid, {"display_text": m.text, "analysis_text": m.text,
                                        "content_hash": text_hash(m.text), "cluster_id": cid})
            db["analyses"].insert({"mention_id": mid, "model_version": "t", "content_hash": text_hash(m.text),
                                   "created_at": "2026-11-21T00:00:00+00:00", "sentiment": sentiment,
                                   "complaint": 0, "complaint_categories": "[]", "suggestion": 0, "comparison": 0,
                                   "competitors": "[]", "recommendation": "none", "question": 0})
    yield config, store
    store.close()


def test_the_outage_day_is_a_volume_and_a_negative_spike_with_its_drivers(spike_store):
    config, store = spike_store
    digest = build_digest(store, config, "تازه‌رس", "day", date(2026, 11, 20))
    got = {s.kind: (s.date, s.value, s.mean, s.std, s.threshold, s.count) for s in digest.spikes}
    assert got == {"volume": ("2026-11-20", 10.0, 3.0, 1.0, 5.0, 10),
                   "negative_share": ("2026-11-20", 80.0, 12.5, 12.5, 37.5, 8)}
    volume, negative = digest.spikes
    assert volume.top_terms[:2] == ["اپلیکیشن", "قطعه"]
    assert "تازه‌رس" not in volume.top_terms  # the brand's own name explains nothing
    assert [(c.size, c.quote.text) for c in volume.clusters] == [(3, OUTAGE)]
    assert [q.engagement for q in volume.posts] == [15, 4, 3]
    assert all(q.sentiment == "negative" for q in negative.posts)


def test_a_stricter_rule_flags_nothing(spike_store):
    config, store = spike_store
    digest = build_digest(store, config, "تازه‌رس", "day", date(2026, 11, 20),
                          spike_rule=SpikeRule(min_volume=11, min_negative=9))
    assert digest.spikes == []
    assert "۱۱" in " ".join(digest.rules)  # the rule in force is the one stated


def test_week_digest_looks_at_each_day_of_the_week(spike_store):
    config, store = spike_store
    digest = build_digest(store, config, "تازه‌رس", "week", date(2026, 11, 21))
    assert {s.date for s in digest.spikes} == {"2026-11-20"}
    json.dumps(digest.to_dict())


@pytest.mark.parametrize("text, expected", [
    ("کاش پرداخت اقساطی هم اضافه کنید", ["پرداخت", "اقساطی"]),
    ("Lotfan   ARSAL ro sari kon 2 rooze", ["arsal", "sari", "kon", "rooze"]),
    ("سفارشم ۳ روزه نرسیده!!", ["سفارشم", "روزه", "نرسیده"]),
])
def test_tokens_drop_function_words_and_numbers(text, expected):
    assert tokens(text) == expected


def test_terms_are_shown_as_written_with_their_half_spaces():
    written = ["بسته‌بندی تخم‌مرغ‌ها افتضاح بود", "بسته‌بندی خیلی بد", "بسته بندی", "بسته‌بندي با ي عربی"]
    assert as_written(["بستهبندی", "تخممرغها", "افتضاح", "گمشده"], written) == \
        ["بسته‌بندی", "تخم‌مرغ‌ها", "افتضاح", "گمشده"]
    assert as_written([], written) == [] and as_written(["بستهبندی"], []) == ["بستهبندی"]


def test_top_terms_are_what_is_more_common_than_usual():
    today = ["اپ قطعه", "اپ باز نمیشه", "ارسال دیر بود", "اپ قطعه بازم"]
    usual = ["ارسال دیر بود", "ارسال خوب بود", "میوه تازه"]
    assert top_terms(today, usual)[:2] == ["اپ", "قطعه"]


@pytest.mark.parametrize("texts, expected", [
    (["کاش پرداخت اقساطی داشت", "لطفا پرداخت اقساطی بذارید", "بسته‌های کوچیک‌تر هم بیارید",
      "کاش بسته‌های کوچیک‌تر داشتید"], [[0, 1], [2, 3]]),
    (["ارسال رایگان بذارید"], [[0]]),
    (["کاش", "لطفا ارسال شبانه", "ارسال شبانه داشته باشید"], [[1, 2], [0]]),
    ([], []),
])
def test_group_similar(texts, expected):
    assert group_similar(texts) == expected
