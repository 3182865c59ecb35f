"""Every digest figure against the hand-made store in fixtures/digest/handmade.py,
whose docstring works each answer out by hand."""
from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "digest"))
import handmade  # noqa: E402

from shenava.digest import DigestError, build_digest  # noqa: E402
from shenava.errors import ConfigError  # noqa: E402
from shenava.mention import Mention  # noqa: E402
from shenava.storage import Store, text_hash  # noqa: E402

BRAND, D = handmade.BRAND, date(2026, 11, 20)
NOW = datetime.fromisoformat("2026-11-21T08:00:00+03:30")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    config, store, ids = handmade.build(tmp_path_factory.mktemp("digest"))
    yield config, store, ids
    store.close()


@pytest.fixture(scope="module")
def day(built):
    config, store, _ = built
    return build_digest(store, config, BRAND, "day", D, now=NOW)


@pytest.mark.parametrize("key", list(handmade.EXPECTED_DAY))
def test_headline_figure_matches_the_hand_worked_value(day, key):
    f = day.figure(key)
    expected = handmade.EXPECTED_DAY[key]
    assert (f.value, f.previous, f.change) == expected[:3]
    if key == "volume":
        assert f.change_pct == expected[3]


def test_headline_fractions_and_totals(day):
    assert day.totals == {"mentions": 15, "clusters": 14, "analysed": 13, "previous_mentions": 7,
                          "previous_clusters": 6, "previous_analysed": 6, "engagement": 41,
                          "suggestions": 3, "questions": 3}
    got = {f.key: (f.numerator, f.denominator) for f in day.headline}
    assert got == {"volume": (14, 15), "net_sentiment": (1, 13), "complaint_rate": (5, 13),
                   "word_of_mouth": (1, 3), "unanswered_questions": (1, 3)}


def test_daily_points_for_brand_and_each_competitor(day):
    last_two = {s.name: [(p.date, p.volume, p.analysed, p.positive, p.negative, p.net) for p in s.points[-2:]]
                for s in day.series}
    assert last_two == {
        BRAND: [("2026-11-19", 6, 6, 3, 2, 16.67), ("2026-11-20", 14, 13, 5, 4, 7.69)],
        handmade.SABADCHI: [("2026-11-19", 0, 0, 0, 0, None), ("2026-11-20", 2, 2, 1, 1, 0.0)],
        handmade.MIVEBAN: [("2026-11-19", 1, 1, 1, 0, 100.0), ("2026-11-20", 1, 1, 0, 0, 0.0)],
    }
    # 14 days of history before the day: the chart and the spike baseline.
    assert [len(s.points) for s in day.series] == [15, 15, 15]
    assert day.series[0].points[0].date == "2026-11-06"


def test_share_of_voice_counts_comparisons_for_the_competitor_too(day):
    got = [(v.name, v.own, v.via_comparisons, v.volume, v.share) for v in day.share_of_voice]
    assert got == [(BRAND, 14, 0, 14, 73.68), (handmade.SABADCHI, 2, 2, 4, 21.05),
                   (handmade.MIVEBAN, 1, 0, 1, 5.26)]


def test_comparison_matrix_matches_aliases_and_keeps_unlisted_names_apart(built, day):
    ids = built[2]
    rows = [(c.competitor, c.better, c.worse, c.equal, c.names) for c in day.comparisons]
    assert rows[0] == (handmade.SABADCHI, 1, 1, 0, ["Sabadchi", "سبدچی"])
    assert rows[1][1:] == (1, 0, 0, ["برندهای دیگه"])
    sab, other = day.comparisons
    assert [q.mention_id for q in sab.better_quotes] == [ids["m3"]]
    assert [q.mention_id for q in sab.worse_quotes] == [ids["m4"]]
    assert [q.mention_id for q in other.better_quotes] == [ids["m14"]] and other.worse_quotes == []


def test_complaint_categories_with_change_and_most_engaged_quotes(built, day):
    ids = built[2]
    got = [(c.category, c.count, c.previous, c.change, c.share) for c in day.complaints]
    assert got == [("delivery", 2, 2, 0, 40.0), ("price", 1, 1, 0, 20.0), ("packaging", 1, 0, 1, 20.0),
                   ("quality", 1, 0, 1, 20.0), ("support", 1, 0, 1, 20.0)]
    delivery = day.complaints[0]
    # The forwarded complaint leads: one quote for its cluster, engagement summed over both copies.
    assert [(q.mention_id, q.engagement, q.copies) for q in delivery.quotes] == [(ids["m1"], 15, 2),
                                                                                (ids["m17"], 2, 1)]
    q = delivery.quotes[0]
    assert q.permalink == "https://t.me/tazeres_news/101" and q.published_at == "2026-11-20T10:00+03:30"
    assert q.text == handmade.NEG_DELIVERY


def test_a_javascript_permalink_is_dropped(built, day):
    m4 = built[2]["m4"]
    quote = next(q for c in day.complaints for q in c.quotes if q.mention_id == m4)
    assert quote.permalink is None and handmade.XSS in quote.text


def test_wishlist_groups_the_two_instalment_requests(built, day):
    ids = built[2]
    got = [([q.mention_id for q in g.quotes], g.count, g.engagement) for g in day.wishlist]
    assert got == [([ids["m9"], ids["m10"]], 2, 8), ([ids["m11"]], 1, 3)]
    assert "اقساطی" in day.wishlist[0].terms
    # Counted on the analysis form, which joins «بسته‌های»; shown as it was written.
    assert "بسته‌های" in day.wishlist[1].terms and "بستههای" not in day.wishlist[1].terms


def test_sources_and_channels_by_mentions_then_engagement(day):
    got = [(s.source, s.channel, s.mentions, s.clusters, s.engagement) for s in day.sources]
    assert got == [("telegram", "tazeres_news", 5, 5, 19), ("snappfood", "r-1", 4, 4, 1),
                   ("digikala", "dkp-1", 2, 2, 11), ("telegram", "foodies_group", 2, 2, 7),
                   ("digikala", "dkp-2", 2, 2, 3)]


def test_a_reply_after_the_period_does_not_answer_the_question_in_it(built):
    config, store, _ = built
    before = build_digest(store, config, BRAND, "day", date(2026, 11, 19))
    assert before.figure("unanswered_questions").value == 1  # p4: its reply r1 came on the 20th


def test_model_version_picks_that_models_analysis_of_the_current_text(built):
    config, store, _ = built
    v1 = build_digest(store, config, BRAND, "day", D, model_version="v1")
    # Only m13 has a v1 analysis of its current text (positive); the v1 row of its old text does not count.
    assert v1.totals["analysed"] == 1
    assert (v1.figure("net_sentiment").value, v1.figure("complaint_rate").value) == (100.0, 0.0)


def test_days_are_tehran_calendar_days(built):
    config, store, ids = built
    next_day = build_digest(store, config, BRAND, "day", date(2026, 11, 21))
    assert next_day.totals["mentions"] == 1  # m15 at 00:10 Tehran, still the 20th in UTC
    assert next_day.figure("volume").previous == 14


def test_week_counts_a_cluster_once_and_compares_with_the_week_before(built):
    config, store, _ = built
    week = build_digest(store, config, BRAND, "week", D)
    vol = week.figure("volume")
    assert (vol.value, vol.previous, vol.change_pct, vol.denominator) == (20, 0, None, 22)
    assert week.start == "2026-11-14T00:00:00+03:30" and week.end == "2026-11-21T00:00:00+03:30"
    assert len(week.series[0].points) == 21
    assert week.figure("net_sentiment").value == round(100 * (8 - 6) / 19, 2)


def test_a_forward_on_the_next_day_is_one_mention_a_week_and_one_each_day(tmp_path):
    config, store, ids = handmade.build(tmp_path)
    with store:
        text = "kheili khoobe, hatman emtehan konid"
        new = store.upsert_mentions("telegram", [Mention("tg/999", text, datetime.fromisoformat(
            "2026-11-20T09:00:00+03:30"), brand=BRAND)]).ids[0]
        with store.transaction() as db:
            db["mentions"].update(new, {"analysis_text": text, "display_text": text, "content_hash": text_hash(text),
                                        "cluster_id": ids["p6"]})
        week = build_digest(store, config, BRAND, "week", D)
        day = build_digest(store, config, BRAND, "day", D)
    assert week.figure("volume").value == 20 and week.totals["mentions"] == 23
    assert day.figure("volume").value == 15 and day.figure("volume").previous == 6


def test_the_digest_is_plain_json_and_leaves_no_temp_tables(built, day):
    store = built[1]
    data = json.loads(json.dumps(day.to_dict(), ensure_ascii=False))
    assert data["headline"][0]["key"] == "volume" and data["date"] == "2026-11-20"
    left = store.db.execute("SELECT name FROM sqlite_temp_master WHERE name LIKE 'dg_%'").fetchall()
    assert left == [] and not store.db.conn.in_transaction


def test_a_read_only_store_is_enough(built):
    config, store, _ = built
    with Store.open(store.path, readonly=True) as ro:
        assert build_digest(ro, config, BRAND, "day", D).figure("volume").value == 14


def test_rules_and_changes_are_stated_in_the_digest(day):
    text = " ".join(day.rules)
    for needle in ("parent_external_id", "seller_reply", "انحراف معیار", "NPS", "Asia/Tehran"):
        assert needle in text
    assert any("بیشتر از دوره‌ی قبل" in s for s in day.changes)


@pytest.mark.parametrize("brand, period, when, error, message", [
    ("ناشناس", "day", D, ConfigError, "no brand named"),
    (BRAND, "month", D, DigestError, "period 'month'"),
    (BRAND, "day", "2026-13-01", DigestError, "not YYYY-MM-DD"),
])
def test_bad_input_is_named(built, brand, period, when, error, message):
    config, store, _ = built
    with pytest.raises(error, match=message):
        build_digest(store, config, brand, period, when)


def test_a_store_without_the_tables_is_a_digest_error(tmp_path, built):
    import sqlite3

    path = tmp_path / "empty.db"
    sqlite3.connect(path).close()

    class Bare:  # a store object over a database that never had the migrations
        def __init__(self):
            import sqlite_utils
            self.db = sqlite_utils.Database(sqlite3.connect(path, isolation_level=None))
    with pytest.raises(DigestError, match="cannot read the store"):
        build_digest(Bare(), built[0], BRAND, "day", D)
