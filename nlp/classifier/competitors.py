"""Who a mention compares its subject with, and which way the comparison goes.

Names come from two places: the configured competitors (name and aliases of
each Brand's competitors) and comparison phrasing — «بهتر از X»، «از X …‌تر»،
«نسبت به X»، «در مقایسه با X»، «مثل X نیست»، «مدل قبلی»، «برندهای دیگه» — so an
unconfigured competitor named in a comparison is still captured, quoted as
written. Direction is read from the comparative next to the name, else from the
mention's sentiment.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from shenava.config import Brand
from shenava.nlp.classifier.textprep import Folded, fold

_BETTER = ("بهتر", "قوی تر", "قویتر", "سریع تر", "سریعتر", "ارزان تر", "ارزونتر", "ارزون تر", "ارزانتر",
           "خوشمزه تر", "باکیفیت تر", "با کیفیت تر", "راحت تر", "راحتتر", "سبک تر", "سبکتر", "خوش طعم تر",
           "تمیزتر", "شیک تر", "زیباتر", "قشنگ تر", "قشنگتر", "بیشتر می ارزه", "به صرفه تر", "بصرفه تر",
           "داغ تر", "تازه تر", "بادوام تر", "محکم تر", "روان تر", "دقیق تر", "جذاب تر", "برتر", "سرتر", "جلوتر")
_WORSE = ("بدتر", "ضعیف تر", "ضعیفتر", "کندتر", "کند تر", "گرون تر", "گرونتر", "گرانتر", "گران تر", "سنگین تر",
          "بی کیفیت تر", "بی مزه تر", "کمتر", "پایین تر", "عقب تر", "داغون تر", "خراب تر", "شلوغ تر", "دیرتر",
          "سردتر", "کوچکتر", "کوچیکتر", "افتضاح تر", "زودتر خراب")
_EQUAL = ("فرقی نداره", "فرقی نمیکنه", "فرقی نمی کنه", "تفاوتی نداره", "همون", "همان", "در حد", "هم سطح",
          "مثل هم", "یکیه", "یکی است", "برابر", "مشابه")
_SELF_REFERENCES = {"این", "اون", "آن", "ش", "این یکی", "اینها", "اینا", "همین", "خودش", "اینو", "اون یکی", "قبلی"}
_STOP_WORDS = {
    "خیلی", "بسیار", "واقعا", "کلا", "اصلا", "خیلیی", "یه", "یک", "کمی", "کم", "بیشتر", "کاملا", "حتی", "هم",
    "که", "و", "ولی", "اما", "باز", "هنوز", "قطعا", "مراتب", "به", "در", "با", "بود", "است", "هست", "بوده",
    "کیفیت", "کیفیتش", "قیمتش", "قیمت", "طعمش", "طعم", "باتریش", "باتری", "دوربینش", "سرعتش", "سرعت",
    "جنسش", "جنس", "صداش", "صدا", "حجمش", "وزنش", "نظر", "لحاظ", "نظرم", "از", "را", "رو", "اینکه",
}
_MARKERS = [
    re.compile(r"(?<!\w)(?:نسبت به|در مقایسه با|مقایسه با|در قیاس با|قیاس با)\s+(?P<tail>[^.!؟?،,\n]+)"),
    re.compile(r"(?<!\w)\w+(?: ?تر) از\s+(?P<tail>[^.!؟?،,\n]+)"),
    re.compile(r"(?<!\w)از\s+(?P<tail>[^.!؟?،,\n]{1,60}?)\s+(?:\w+ )?\w*تر(?:ه|ن|ند|یم|ی| است| بود| هست)?(?!\w)"),
    re.compile(r"(?<!\w)مثل\s+(?P<tail>[^.!؟?،,\n]{1,40}?)\s+نیست"),
]
_NAMED_GROUPS = re.compile(
    r"(?<!\w)(?:(?:مدل|نسخه|ورژن|سری|نسل)(?: ?های| ?ها)? (?:قبلی|قبل|قدیمی|قدیمیش|پیشین)"
    r"|(?:برند|مارک|مدل|شرکت|کمپانی|فروشگاه|رستوران|کافه|محصولات|گوشی|فروشنده)(?: ?های| ?ها)? (?:دیگه|دیگر|مشابه)"
    r"|(?:بقیه|سایر)(?: \w+){1,2}|رقبا|رقبای \w+|هم ?رده ?ها(?:ش)?)")
_WORD = re.compile(r"\S+")


@dataclass
class CompetitorFinder:
    brands: list[Brand] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._own = {fold(a).text for b in self.brands for a in b.all_aliases()}
        self._aliases: list[tuple[re.Pattern, str]] = []
        for brand in self.brands:
            for comp in brand.competitors:
                for alias in [comp.name, *comp.aliases]:
                    text = fold(alias).text
                    if text:
                        self._aliases.append((re.compile(rf"(?<!\w){re.escape(text)}(?!\w)"), comp.name))

    def find(self, folded: Folded, sentiment: str, compared: bool) -> list[dict]:
        """[{name, direction}] for each competitor found; phrasing only counts when `compared`."""
        found: dict[str, tuple[str, int]] = {}
        for pattern, name in self._aliases:
            m = pattern.search(folded.text)
            if m and name not in found:
                found[name] = (name, m.end())
        if compared:
            for start, end in self._phrase_names(folded.text):
                name = folded.span(start, end)
                key = fold(name).text
                if key and key not in self._own and not any(key in fold(n).text or fold(n).text in key for n in found):
                    found[name] = (name, end)
        return [{"name": name, "direction": self._direction(folded.text, pos, sentiment)}
                for name, (_, pos) in found.items()]

    def _phrase_names(self, text: str) -> list[tuple[int, int]]:
        spans = []
        for m in _NAMED_GROUPS.finditer(text):
            spans.append((m.start(), m.end()))
        for pattern in _MARKERS:
            for m in pattern.finditer(text):
                span = _name_from_tail(text, m.start("tail"), m.end("tail"))
                if span and not any(s <= span[0] < e for s, e in spans):
                    spans.append(span)
        return sorted(spans)

    @staticmethod
    def _direction(text: str, pos: int, sentiment: str) -> str:
        window = text[max(0, pos - 60):pos + 60]
        after = text[pos:pos + 60]
        for words, direction in ((_EQUAL, "equal"), (_WORSE, "worse"), (_BETTER, "better")):
            for w in words:
                i = after.find(w)
                if i >= 0:
                    negated = re.match(r"\w* ?(?:نیست|نبود|نمیشه|نیستش)", after[i + len(w):i + len(w) + 12])
                    if direction == "equal":
                        return "equal"
                    if negated:
                        return "worse" if direction == "better" else "better"
                    return direction
        if re.search(r"مثل [^.!؟?]{1,40}? نیست", window):
            return "worse" if sentiment in ("negative",) else "better"
        return "worse" if sentiment == "negative" else ("better" if sentiment == "positive" else "equal")


def _name_from_tail(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Up to four words from `start`, stopping at an intensifier, aspect word or comparative."""
    words = list(_WORD.finditer(text, start, end))
    kept = []
    for w in words[:5]:
        token = w.group()
        if token in _STOP_WORDS or token.endswith("تر") or token.endswith("تره") or len(kept) >= 4:
            break
        kept.append(w)
    if not kept:
        return None
    name = text[kept[0].start():kept[-1].end()]
    if name in _SELF_REFERENCES or len(name) < 2:
        return None
    return kept[0].start(), kept[-1].end()
