"""Text preparation: each messy case as a table row, then properties over arbitrary Unicode."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shenava.config import Brand, Competitor
from shenava.nlp.text import prepare
from shenava.nlp.text.brands import BrandMatcher
from shenava.nlp.text.normalize import CARD_MASK, PHONE_MASK

ANALYSIS = [
    # (what people write, canonical analysis text)
    ("اين گوشي خيلي خوبه", "این گوشی خیلی خوبه"),                 # Arabic ي
    ("كيفيتش عالي بود", "کیفیتش عالی بود"),                      # Arabic ك
    ("نمی‌خرم", "نمیخرم"), ("نمیخرم", "نمیخرم"), ("نمي خرم", "نمیخرم"),  # half-space / none / space
    ("می‌خوام برم", "میخوام برم"), ("مي خوام", "میخوام"),
    ("کتاب ها رسید", "کتابها رسید"), ("کتاب‌ها رسید", "کتابها رسید"),
    ("خیییییلی خوبه", "خیلی خوبه"),                              # stretched letters
    ("عالــــــی بود", "عالی بود"),                              # kashida
    ("سلاااام!!!", "سلام!"),
    ("قیمت ۱۲۰ هزار و ١٥ تومن", "قیمت 120 هزار و 15 تومن"),       # Persian and Arabic digits
    ("مُحَمَّد", "محمد"),                                          # diacritics
    ("عالیه 😍👌", "عالیه 😍👌"),                                 # emoji kept
    ("kheili bad bood", "خیلی بد بود"),                          # Finglish
    ("mersi az poshtibani 🙏", "مرسی از پشتیبانی 🙏"),
    ("GREAT App", "great app"),                                  # English: lower-cased, not transliterated
]


@pytest.mark.parametrize("raw, expected", ANALYSIS)
def test_analysis_form(raw, expected):
    assert prepare(raw).analysis == expected


DISPLAY = [
    ("  سلام   دنیا \u200e ", "سلام دنیا"),                        # bidi mark, extra spaces
    ("كيفيت عالي", "کیفیت عالی"),                                # display fixes letters too
    ("عالــــی", "عالی"),
    ("خط اول\n\n\n\nخط دوم", "خط اول\n\nخط دوم"),
    ("a\x00b\x1fc", "a b c"),                                    # control characters
    ("می‌خوام", "می‌خوام"),                                        # display keeps the half-space
    ("خیییلی", "خیییلی"),                                        # and the author's stretch
]


@pytest.mark.parametrize("raw, expected", DISPLAY)
def test_display_form(raw, expected):
    assert prepare(raw).display == expected


MASKING = [
    ("موبایلم ۰۹۱۲۱۲۳۴۵۶۷ هست", 1, 0),
    ("زنگ بزنید 0912 123 4567", 1, 0),
    ("+98 912 123 4567 شماره منه", 1, 0),
    ("تلفن ثابت ۰۲۱-۸۸۷۷۶۶۵۵", 1, 0),
    ("کارتم ۶۰۳۷-۹۹۷۵-۱۲۳۴-۵۶۷۸ هست", 0, 1),
    ("6037997512345678 کارت", 0, 1),
    ("قیمت ۱۲۰۰۰۰ تومن بود", 0, 0),                               # a price is not a phone
    ("سفارش شماره 12345 رسید", 0, 0),
]


@pytest.mark.parametrize("raw, phones, cards", MASKING)
def test_phone_and_card_numbers_are_counted_and_masked(raw, phones, cards):
    p = prepare(raw)
    assert (p.phones, p.cards) == (phones, cards)
    for form in (p.display, p.analysis):
        assert (PHONE_MASK in form) == bool(phones) and (CARD_MASK in form) == bool(cards)
        digits = sum(ch.isdigit() for ch in form)
        if phones or cards:
            assert digits < 7, form


def test_entities_are_pulled_out_and_kept_intact():
    p = prepare("سلام @tazeres_support این لینک https://t.me/tazeres_news/101?single رو ببینید. #تخفیف_ویژه")
    assert p.urls == ["https://t.me/tazeres_news/101?single"]
    assert p.mentions == ["@tazeres_support"]
    assert p.hashtags == ["#تخفیف_ویژه"]
    assert "https://t.me/tazeres_news/101?single" in p.display and "https://t.me/tazeres_news/101?single" in p.analysis
    assert "تخفیف ویژه" in p.analysis
    assert p.language == "fa"  # the Latin link and handle do not make it mixed


LANGUAGES = [
    ("این محصول واقعا عالیه، راضیم", "fa"),
    ("kheili khoob bood, mamnoon", "finglish"),
    ("sefaresham dir resid va ghaza sard bood", "finglish"),
    ("هذا المنتج جيد جدا وشكرا لكم", "ar"),
    ("The delivery was late and the food was cold", "en"),
    ("گوشی Samsung خوبه", "fa"),
    ("the app is not working at all امروز کلا قطع بود واقعا", "mixed"),
    ("😍😍😍", "other"),
    ("", "other"),
]


@pytest.mark.parametrize("raw, expected", LANGUAGES)
def test_language(raw, expected):
    assert prepare(raw).language == expected


def test_same_text_in_three_spellings_has_one_content_hash():
    hashes = {prepare(t).content_hash for t in ("نمی‌خرم دیگه", "نمیخرم ديگه", "نمي خرم دیگه")}
    assert len(hashes) == 1


BRAND = Brand(name="تازه‌رس", aliases=["tazeres", "taze res"],
              competitors=[Competitor(name="سبدچی", aliases=["sabadchi"])])

TEXT = st.text(alphabet=st.characters(codec="utf-8", categories=["L", "M", "N", "P", "S", "Z", "Cc", "Cf"]),
               max_size=200)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT)
def test_prepare_never_raises_and_is_idempotent(text):
    p = prepare(text)
    again = prepare(p.display)
    assert again.display == p.display
    assert prepare(p.analysis).analysis == prepare(prepare(p.analysis).analysis).analysis
    assert p.content_hash == prepare(text).content_hash


@settings(max_examples=300, deadline=None)
@given(TEXT, TEXT, st.sampled_from(["https://t.me/tazeres_news/5", "http://example.com/a?b=c",
                                    "www.digikala.com/product/dkp-123"]))
def test_a_url_is_never_lost(before, after, url):
    p = prepare(f"{before} {url} {after}")
    assert url in p.urls and url in p.display


@settings(max_examples=300, deadline=None)
@given(TEXT, TEXT, st.sampled_from(["تازه‌رس", "تازه رس", "تازهرس", "TAZERES", "سبدچي", "sabadchi"]))
def test_a_brand_mention_survives_preparation(before, after, alias):
    matcher = BrandMatcher([BRAND])
    text = f"{before} {alias} {after}"
    if not matcher.find(f" {alias} "):
        return
    found = {m.brand for m in matcher.find(prepare(text).display)}
    assert found & {"تازه‌رس", "سبدچی"}


@pytest.mark.parametrize("text, urls", [
    ("WWW.#A", []),                                   # «www.» before a hashtag is not a link (found by hypothesis)
    ("سایتشون www.digikala.com/x هست", ["www.digikala.com/x"]),
    ("WWW.Example.ir", ["WWW.Example.ir"]),
])
def test_www_needs_a_host_after_it(text, urls):
    p = prepare(text)
    assert p.urls == urls
    assert prepare(p.analysis).analysis == p.analysis
