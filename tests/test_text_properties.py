"""Properties of text preparation over arbitrary and over Persian-heavy Unicode:
never raises, both forms idempotent, URLs and brand names never lost."""
from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from shenava.config import Brand
from shenava.nlp.text import prepare
from shenava.nlp.text.brands import BrandMatcher
from shenava.nlp.text.normalize import normalize_analysis, normalize_display

# Any code point, lone surrogates included (they reach us from broken JSON).
ANY_TEXT = st.text(alphabet=st.characters(codec=None, categories=None), max_size=120)
# The characters real comments are made of, so the Persian-specific steps run:
# Arabic and Persian letters, ZWNJ, kashida, diacritics, all three digit sets,
# Latin letters (Finglish), punctuation, emoji, and the characters of URLs.
PERSIANISH = st.lists(st.sampled_from(list(
    "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیيكىةأإؤئءآ" "\u200c\u200d\u200e\u0640\u064b\u064e\u0650\u0654"
    "۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩0123456789" "abcdeghikmnorstuwyzAKSHZ" " \n\t\xa0.،,!?؟؛:«»\"'()-_#@/…"
    "😍😡👌🙏") + ["می ", "نمی ", " ها", "www.", "http://", ".com", ".ir", "kheili ", "bad ", "khoob "]),
    max_size=60).map("".join)
FAST = settings(max_examples=int(__import__("os").environ.get("SHENAVA_HYPOTHESIS_EXAMPLES", 300)), deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.one_of(ANY_TEXT, PERSIANISH))
def test_prepare_never_raises(text):
    p = prepare(text)
    assert isinstance(p.analysis, str) and len(p.content_hash) == 32


@FAST
@given(st.one_of(ANY_TEXT, PERSIANISH))
@example("0 \u200c 0")          # found by hypothesis: a half-space dropped between two spaces
def test_display_form_is_idempotent(text):
    once = normalize_display(text)
    assert normalize_display(once) == once


@FAST
@given(st.one_of(ANY_TEXT, PERSIANISH))
@example("… …")            # found by hypothesis: the space went after the marks were collapsed
@example("خوب… …بد ! !")
@example("\u0600 ؟A0AA")       # found by hypothesis: the language was read before a space went
@example("مؠ ؠA0AA")            # ... and before «می» was joined to the next word
@example("#A#A")               # a hashtag glued to the one before
def test_analysis_form_is_idempotent(text):
    once = normalize_analysis(text)
    assert normalize_analysis(once) == once


HOSTS = st.from_regex(r"[a-z][a-z0-9]{1,10}(\.[a-z]{2,8}){0,2}\.(com|ir|org|me)", fullmatch=True)
PATHS = st.from_regex(r"(/[A-Za-z0-9_\-]{1,12}){0,3}(\?[a-z]{1,5}=[A-Za-z0-9]{1,6})?", fullmatch=True)
URLS = st.builds(lambda scheme, host, path: scheme + host + path,
                 st.sampled_from(["https://", "http://", "https://www.", "www."]), HOSTS, PATHS)
SEPARATOR = st.sampled_from([" ", "\n", " (", "، ", " «"])


@FAST
@given(PERSIANISH, URLS, SEPARATOR, PERSIANISH)
def test_a_url_is_never_lost_or_changed(before, url, separator, after):
    p = prepare(f"{before}{separator}{url} {after}")
    assert url in p.urls
    assert url in p.display


BRANDS = [Brand(name="دیجی‌کالا", aliases=["digikala", "دیجی کالا"]), Brand(name="اسنپ‌فود", aliases=["snappfood"])]
ALIASES = st.sampled_from(["دیجی‌کالا", "دیجیکالا", "ديجي كالا", "DigiKala", "digikala", "اسنپ فود", "اسنپ‌فود",
                           "اسنپفود", "SnappFood"])


@FAST
@given(PERSIANISH, ALIASES, PERSIANISH)
@example("", "دیجی‌کالا", "ترa")  # found by hypothesis: the analysis form joins «تر» onto the name
def test_a_brand_mention_is_never_lost(before, alias, after):
    matcher = BrandMatcher(BRANDS)
    p = prepare(f"{before} {alias} {after}")
    for form in (p.display, p.analysis):
        assert {m.brand for m in matcher.find(form)} & {"دیجی‌کالا", "اسنپ‌فود"}, form
