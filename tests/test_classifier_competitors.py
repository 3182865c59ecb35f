"""Competitor names from config aliases and from comparison phrasing, with direction."""
import pytest

from shenava.config import Brand
from shenava.nlp.classifier.competitors import CompetitorFinder
from shenava.nlp.classifier.textprep import fold

BRANDS = [Brand(name="تپسی‌فود", aliases=["tapsifood"],
                competitors=[{"name": "اسنپ‌فود", "aliases": ["snappfood", "اسنپ فود"]}])]


@pytest.mark.parametrize("text, sentiment, expected", [
    ("از سامسونگ خیلی بهتره", "positive", [("سامسونگ", "better")]),
    ("نسبت به مدل قبلی باتریش ضعیف‌تره", "negative", [("مدل قبلی", "worse")]),
    ("در مقایسه با شیائومی دوربینش پایین‌تره", "negative", [("شیائومی", "worse")]),
    ("از برندهای دیگه سبک‌تره", "positive", [("برندهای دیگه", "better")]),
    ("هیچ پیتزایی مثل پیتزا پاپا نیست", "positive", [("پیتزا پاپا", "better")]),
    ("قیمتش از باسلام گرون‌تره", "negative", [("باسلام", "worse")]),
    # a configured competitor, written with a plain space instead of the half-space
    ("اسنپ فود خیلی سریع‌تر می‌رسونه", "negative", [("اسنپ‌فود", "worse")]),
    ("snappfood hamishe zoodtar miare", "negative", [("اسنپ‌فود", "worse")]),
    ("سرعتش تو مرکز شهر با ایرانسل تقریبا یکیه", "positive", [("ایرانسل", "equal")]),
    ("کارمزداش از بانک سامان دو برابره", "negative", [("بانک سامان", "worse")]),
    ("با دوربین کنون اصلا قابل مقایسه نیست", "negative", [("دوربین کنون", "worse")]),
    # two names after one marker: the comparative describes our subject against both
    ("از اسنپ فود و باسلام هر دو بهتره", "positive", [("اسنپ‌فود", "better"), ("باسلام", "better")]),
    ("نسبت به دیجی‌کالا یا ترب ارزون‌تره", "positive", [("دیجی‌کالا", "better"), ("ترب", "better")]),
    # the subject against its own past, named by the time word as written
    ("بیکن روی برگر قبلا خیلی خوشمزه‌تر بود", "negative", [("قبلا", "worse")]),
    ("بار اول عالی بود ولی این بار نون کوچیکتر بود", "negative", [("بار اول", "worse")]),
    ("پارسال ۶۰ تومن بود الان ۱۴۰", "negative", [("پارسال", "worse")]),
    # the usual and a demonstrative are not competitors
    ("نون این بار از حد معمول کوچیکتر بود", "negative", []),
    ("یه دوربین قدیمی دارم که بهتر از اینه", "negative", []),
    # our own brand is never its own competitor
    ("تپسی‌فود از همه بهتره", "positive", []),
])
def test_find(text, sentiment, expected):
    found = CompetitorFinder(BRANDS).find(fold(text), sentiment, compared=True)
    assert [(c["name"], c["direction"]) for c in found] == expected


def test_phrasing_needs_a_comparison():
    # Without the comparison flag only configured names are reported.
    finder = CompetitorFinder(BRANDS)
    assert finder.find(fold("از سامسونگ خیلی بهتره"), "positive", compared=False) == []
    assert [c["name"] for c in finder.find(fold("اسنپ‌فود هم هست"), "neutral", compared=False)] == ["اسنپ‌فود"]


@pytest.mark.parametrize("text, sentiment, expected", [
    # a well-known name with no comparison phrase next to it
    ("ترجیح میدم Xperia بخرم، اینو پس میدم", "negative", [("Xperia", "worse")]),
    ("در کل عوض مارک الفون برید هواوی بخرین", "negative", [("هواوی", "worse")]),
    # a name the phrasing would cut short is quoted whole
    ("internet-e irancell az hamrah aval behtare", "positive", [("hamrah aval", "better")]),
    # quoted without the suffix the writer joined on
    ("با همین پول میشه یه گوشی سامسونگه خوب خرید", "negative", [("سامسونگ", "worse")]),
    # a sentence opening on the name, with a comparative describing it
    ("دیجی‌کالا همین هدفونو ۲۰۰ تومن گرون‌تر میده، اینجا خریدم", "positive", [("دیجی‌کالا", "better")]),
    # beside a rival found otherwise, a known name is left out (as often the subject itself) ...
    ("سامسونگ از شیائومی بهتره", "positive", [("شیائومی", "better")]),
    ("گوشی سامسونگم از مدل قبلی خیلی بهتره", "positive", [("مدل قبلی", "better")]),
    # ... but alone it is the rival, even opening the sentence when a comparative describes it
    ("سامسونگ از این خیلی بهتره", "negative", [("سامسونگ", "worse")]),
    # the shop bought from or thanked, and a sentence's topic are not rivals
    ("از دیجی کالا خریدم، نسبت به قبلی سبک‌تره", "positive", [("قبلی", "better")]),
    ("ممنون از دیجی‌کالا، ولی بسته‌بندی قبلا بهتر بود", "negative", [("قبلا", "worse")]),
    ("دیجیکالای عزیز، این مدل از قبلی بدتره", "negative", [("قبلی", "worse")]),
    ("اپل در نسل جدید هم همون درگاه رو گذاشته. کاش مثل هواوی بود", "negative", [("هواوی", "worse")]),
    # everyday words that are also brands are not listed; a name inside a longer word is no name
    ("بوش خیلی بده و اپلیکیشنش هم از قبلی کندتره", "negative", [("قبلی", "worse")]),
])
def test_known_names(text, sentiment, expected):
    found = CompetitorFinder(BRANDS).find(fold(text), sentiment, compared=True)
    assert [(c["name"], c["direction"]) for c in found] == expected


def test_known_names_need_a_comparison_and_skip_our_own():
    finder = CompetitorFinder([Brand(name="سامسونگ", aliases=["samsung"])])
    assert finder.find(fold("گوشی سامسونگ از آیفون بهتره"), "positive", compared=True) == \
        [{"name": "آیفون", "direction": "better"}]
    assert finder.find(fold("آیفون هم خریدم"), "neutral", compared=False) == []
