"""The shipped classifier (nlp/model) on sentences we wrote: contract, intents, evidence."""
import pytest

from shenava.config import Brand, ModelSettings
from shenava.nlp.classifier import load_classifier

CONTRACT_KEYS = {"sentiment", "sentiment_scores", "complaint", "complaint_categories", "suggestion",
                 "comparison", "competitors", "recommendation", "question", "evidence", "model_version"}
BRANDS = [Brand(name="دیجی‌کالا", competitors=[{"name": "باسلام", "aliases": ["basalam"]}])]


@pytest.fixture(scope="module")
def clf():
    return load_classifier(ModelSettings(), BRANDS)


@pytest.fixture(scope="module")
def results(clf):
    return dict(zip(TEXTS, clf.classify(TEXTS)))


TEXTS = [
    "پیشنهاد می‌کنم بخرید",
    "پیشنهاد می‌کنم بسته‌بندی رو عوض کنید",
    "کیفیتش عالیه، واقعا راضیم. حتما بخرید",
    "غذا سرد رسید و پیک هم یک ساعت دیر اومد، خیلی بد بود",
    "کسی می‌دونه این مدل گارانتی داره؟",
    "اصلا نخرید، بعد از دو روز خراب شد و پشتیبانی هم جواب نمیده",
    "نسبت به مدل قبلی باتریش خیلی ضعیف‌تره",
    "قیمتش از باسلام گرون‌تره",
    "",
]


@pytest.mark.slow
@pytest.mark.parametrize("text, expected", [
    ("پیشنهاد می‌کنم بخرید", {"recommendation": "recommends", "suggestion": False}),
    ("پیشنهاد می‌کنم بسته‌بندی رو عوض کنید", {"recommendation": "none", "suggestion": True}),
    ("کیفیتش عالیه، واقعا راضیم. حتما بخرید", {"sentiment": "positive", "complaint": False,
                                             "recommendation": "recommends"}),
    ("غذا سرد رسید و پیک هم یک ساعت دیر اومد، خیلی بد بود", {"sentiment": "negative", "complaint": True}),
    ("کسی می‌دونه این مدل گارانتی داره؟", {"question": True, "complaint": False}),
    ("اصلا نخرید، بعد از دو روز خراب شد و پشتیبانی هم جواب نمیده",
     {"sentiment": "negative", "complaint": True, "recommendation": "discourages"}),
    ("نسبت به مدل قبلی باتریش خیلی ضعیف‌تره", {"comparison": True}),
])
def test_tags(results, text, expected):
    got = results[text]
    assert {k: got[k] for k in expected} == expected


@pytest.mark.slow
def test_contract_shape(results):
    for text, r in results.items():
        assert CONTRACT_KEYS <= set(r)
        assert set(r["sentiment_scores"]) == {"positive", "negative", "neutral", "mixed"}
        assert abs(sum(r["sentiment_scores"].values()) - 1) < 1e-3
        assert r["sentiment"] == max(r["sentiment_scores"], key=r["sentiment_scores"].get)
        assert r["recommendation"] in {"recommends", "discourages", "none"}
        for span_list in r["evidence"].values():
            for span in span_list:
                assert span and span in text  # quoted exactly as written
        if not r["complaint"]:
            assert r["complaint_categories"] == []
        if not r["comparison"]:
            assert r["competitors"] == []


@pytest.mark.slow
def test_evidence_and_competitors(results):
    delivery = results["غذا سرد رسید و پیک هم یک ساعت دیر اومد، خیلی بد بود"]
    assert "delivery" in delivery["complaint_categories"]
    assert any("دیر" in s or "سرد" in s for s in delivery["evidence"]["complaint"])
    rec = results["پیشنهاد می‌کنم بخرید"]
    assert rec["evidence"]["recommendation"] == ["پیشنهاد می‌کنم بخرید"]
    older = results["نسبت به مدل قبلی باتریش خیلی ضعیف‌تره"]
    assert {"name": "مدل قبلی", "direction": "worse"} in older["competitors"]


@pytest.mark.slow
def test_same_model_same_version_and_output(clf, results):
    again = clf.classify(TEXTS[:3])
    assert [r["model_version"] for r in again] == [clf.model_version] * 3
    assert again[0]["sentiment_scores"] == results[TEXTS[0]]["sentiment_scores"]
    assert clf.classify([]) == []


@pytest.mark.slow
def test_progress_counts_every_text(clf):
    seen = []
    clf.classify(TEXTS, progress=seen.append)
    assert sum(seen) == len(TEXTS)


def test_given_analysis_text_gives_the_same_tags(clf):
    """The pipeline passes the stored analysis form; the result must be what classifying the raw text gives."""
    from shenava.nlp.text import prepare

    texts = ["غذا سرد رسيد و پيك هم يك ساعت دير اومد 😡 ديگه سفارش نميدم", "kheili khoob bood mersi 🙏",
             "نسبت به مدل قبلی باتریش ضعیف‌تره، کاش شارژر هم داشت", "کسی میدونه گارانتی داره؟ ۰۹۱۲۱۲۳۴۵۶۷"]
    assert clf.classify(texts, analysis=[prepare(t).analysis for t in texts]) == clf.classify(texts)
    with pytest.raises(ValueError, match="2 analysis texts for 4 texts"):
        clf.classify(texts, analysis=["a", "b"])


def test_mixed_only_when_neither_side_dominates(clf):
    """The guide's own examples: balanced praise and criticism is mixed; one small flaw in a glowing review is not."""
    mixed, glowing = clf.classify(["طعمش خوبه ولی بسته‌بندی افتضاح بود", "کیفیتش عالیه، واقعا راضیم 👌"])
    assert mixed["sentiment"] == "mixed"
    assert glowing["sentiment"] == "positive"


def test_sentiment_is_always_the_highest_score(clf, results):
    for text, r in results.items():
        scores = r["sentiment_scores"]
        assert r["sentiment"] == max(scores, key=scores.get), text
        assert abs(sum(scores.values()) - 1) < 0.02, text


def test_chunked_and_reordered_batch_tags_like_one_text_at_a_time(clf, monkeypatch):
    """classify sorts a call by length into chunks and embeds one chunk ahead on a worker
    thread; every result must still land on its own text."""
    import shenava.nlp.classifier.model as model

    monkeypatch.setattr(model, "CHUNK", 3)
    texts = TEXTS + ["خوب بود", "kheili bad bood 😡", "قیمتش نسبت به باسلام گرون‌تره ولی ارسالش سریع‌تره",
                     "بسته‌بندی داغون بود، همش له شده بود، دیگه سفارش نمیدم"]
    together = clf.classify(texts)
    for text, got in zip(texts, together):
        alone = clf.classify([text])[0]
        assert {k: v for k, v in got.items() if k != "sentiment_scores" and k != "scores"} == \
            {k: v for k, v in alone.items() if k != "sentiment_scores" and k != "scores"}, text
        for c, v in alone["sentiment_scores"].items():
            assert abs(got["sentiment_scores"][c] - v) < 1e-3, text
