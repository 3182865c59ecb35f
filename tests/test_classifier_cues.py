"""Cue patterns and the folded view: tables of our own Persian sentences -> expected cues."""
import pytest

from shenava.nlp.classifier.cues import cue_features, evidence, find_cues, FEATURE_NAMES
from shenava.nlp.classifier.textprep import fold


def tags(text: str) -> set[str]:
    return {c.tag for c in find_cues(fold(text))}


@pytest.mark.parametrize("text, present, absent", [
    # suggestion vs recommendation: the same «پیشنهاد می‌کنم», different intent
    ("پیشنهاد می‌کنم بخرید", {"recommends"}, {"suggestion"}),
    ("پیشنهاد میکنم حتما بخرین پشیمون نمیشید", {"recommends"}, {"suggestion"}),
    ("پیشنهاد می‌کنم بسته‌بندی رو عوض کنید", {"suggestion"}, {"recommends"}),
    ("کاش باتریش قوی‌تر بود", {"suggestion"}, {"recommends"}),
    ("لطفاً پرداخت اقساطی اضافه کنید", {"suggestion"}, set()),
    ("اصلاً نخرید، پولتونو دور نریزید", {"discourages"}, {"recommends"}),
    ("به همه توصیه می‌کنم", {"recommends"}, {"discourages"}),
    ("توصیه نمیکنم اصلا", {"discourages"}, set()),
    ("کسی میدونه گارانتی داره؟", {"question"}, set()),
    ("از سامسونگ خیلی بهتره", {"comparison"}, set()),
    ("نسبت به مدل قبلی باتریش ضعیف‌تره", {"comparison"}, set()),
    ("بهترین گوشی دنیاست", set(), {"comparison"}),
    ("غذا سرد رسيد و پیک دير اومد", {"complaint:delivery"}, set()),
    ("جعبه‌اش له شده بود و نوشابه ریخته بود", {"complaint:packaging"}, set()),
    ("گوشیش تقلبی بود", {"complaint:authenticity"}, set()),
    ("اپلیکیشن موقع پرداخت خطا میده", {"complaint:app"}, set()),
    ("خیلی گرونه نسبت به کیفیتش", {"complaint:price"}, set()),
])
def test_cues(text, present, absent):
    found = tags(text)
    assert present <= found, found
    assert not (absent & found), found


@pytest.mark.parametrize("text, folded", [
    ("كيفيتش خوبه", "کیفیتش خوبه"),            # Arabic kaf/yeh
    ("می‌خوام  اینو", "می خوام اینو"),            # half-space and double space
    ("قیمت ۱۲۰ تومن", "قیمت 120 تومن"),          # Persian digits
    ("OK  Bood ", "ok bood"),                    # Latin lower-cased, trailing space dropped
])
def test_fold(text, folded):
    assert fold(text).text == folded


def test_spans_are_quoted_as_written():
    text = "غذا سرد رسيد، ولي پیک مودب بود"
    f = fold(text)
    spans = evidence(f, find_cues(f), "complaint")
    assert spans and all(s in text for s in spans)
    assert "رسيد" in spans[0]  # the Arabic yeh of the original, not the folded one


def test_feature_vector_matches_names():
    v = cue_features(fold("کاش ارزون‌تر بود"))
    assert v.shape == (len(FEATURE_NAMES),)
    assert v[FEATURE_NAMES.index("suggestion#any")] == 1.0
    assert v[FEATURE_NAMES.index("question#any")] == 0.0


def test_cues_of_some_tags_are_those_tags_of_all_cues():
    f = fold("غذا سرد رسید و بسته‌بندی هم پاره بود، کاش بهتر بسته‌بندی کنید. کسی میدونه چرا؟ اصلا نخرید")
    every = find_cues(f)
    assert {c.tag.split(":")[0] for c in every} >= {"complaint", "suggestion", "question", "discourages"}
    for tags in ({"complaint"}, {"suggestion", "question"}, {"discourages"}, set()):
        assert find_cues(f, tags) == [c for c in every if c.tag.split(":")[0] in tags], tags
