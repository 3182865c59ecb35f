"""Who a mention compares its subject with, and which way the comparison goes.

Names come from three places: the configured competitors (name and aliases of
each Brand's competitors), comparison phrasing, and, in a comparison where
neither names a rival, well-known brands, shops and services named anywhere
(known_names.py). Phrasing: «بهتر از X»، «از X …‌تر»،
«نسبت به X»، «در مقایسه با X»، «مثل X نیست»، «X خیلی بهتره»، «مدل قبلی»،
«مثل همیشه نبود»، «برندهای دیگه»، «قبلا»، «بار اول»، «پارسال», and their Finglish forms («az X behtare») —
so an unconfigured competitor named in a comparison is still captured, quoted
as written. Direction is read from the comparative next to the name (flipped
when the competitor, not our subject, is what the comparative describes),
else from the mention's sentiment.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from shenava.config import Brand
from shenava.nlp.classifier.known_names import known_name_spans
from shenava.nlp.classifier.textprep import Folded, fold

_BETTER = ("بهتر", "قوی تر", "قویتر", "سریع تر", "سریعتر", "ارزان تر", "ارزونتر", "ارزون تر", "ارزانتر",
           "خوشمزه تر", "باکیفیت تر", "با کیفیت تر", "راحت تر", "راحتتر", "سبک تر", "سبکتر", "خوش طعم تر",
           "تمیزتر", "شیک تر", "زیباتر", "قشنگ تر", "قشنگتر", "به صرفه تر", "بصرفه تر", "زودتر",
           "داغ تر", "تازه تر", "بادوام تر", "محکم تر", "روان تر", "دقیق تر", "جذاب تر", "برتر", "سرتر", "جلوتر",
           "ساده تر", "کاملتر", "کامل تر", "بیشتر می ارزه", "هیچی کم نداره", "چیزی کم نداره", "کم نداره",
           "behtar", "sari tar", "saritar", "arzoon tar", "arzoontar", "ravan tar", "ravantar", "zoodtar")
_WORSE = ("بدتر", "ضعیف تر", "ضعیفتر", "کندتر", "کند تر", "گرون تر", "گرونتر", "گرانتر", "گران تر", "سنگین تر",
          "بی کیفیت تر", "بی مزه تر", "پایین تر", "عقب تر", "داغون تر", "خراب تر", "شلوغ تر", "دیرتر",
          "سردتر", "سخت تر", "افتضاح تر", "badtar", "bad tar", "gerun tar", "gerountar")
_EQUAL = ("فرقی نداره", "فرقی نمیکنه", "فرقی نمی کنه", "فرقی ندارن", "تفاوتی نداره", "عملا یکیه", "یکیه",
          "یکی است", "برابر", "نه بهتر", "نه بدتر", "هیچ فرقی", "فرقی نکرده", "هم سطح", "همونقدر", "همون کیفیت", "مثل هم", "farghi nadare", "farghi nadaran", "yekie")
_SELF = {"این", "اون", "آن", "ش", "این یکی", "اینها", "اینا", "همین", "خودش", "اینو", "اون یکی", "شما", "اینجا",
         "اینه", "اونه", "اینم", "اونم", "اینجوری", "حد معمول", "حد معموله", "حد انتظار", "انتظار", "انتظارم",
         "توقع", "توقعم", "تصور", "تصورم", "حد", "حدی", "قبلش", "اونی", "چیزی",
         "همه", "همه جا", "همشون", "همه اونا", "خیلی ها", "خیلیا", "in", "inja", "oon", "shoma", "hame"}
_STOP = {
    "خیلی", "بسیار", "واقعا", "کلا", "اصلا", "یه", "یک", "کمی", "کم", "بیشتر", "کاملا", "حتی", "هم", "که", "و",
    "ولی", "اما", "یا", "هر", "باز", "هنوز", "قطعا", "مراتب", "به", "در", "با", "بود", "است", "هست", "بوده", "نیست", "نبود",
    "کیفیت", "کیفیتش", "قیمتش", "قیمت", "طعمش", "طعم", "باتریش", "باتری", "دوربینش", "سرعتش", "سرعت", "جنسش",
    "جنس", "صداش", "صدا", "حجمش", "وزنش", "نظر", "لحاظ", "نظرم", "از", "را", "رو", "اینکه", "هیچ", "هیچی",
    "خیلیی", "دقیقا", "تقریبا", "عملا", "kheili", "kheyli", "kheily", "besyar", "kolan", "ham", "va", "vali", "ro",
    "az", "ba", "kamel", "kamelan", "kam", "too", "tu", "dar", "hich", "yekam", "vaghean", "vaghan",
    # verbs end a name: «فرقی با X نداره»
    "نداره", "داره", "دارن", "ندارن", "نداشت", "داشت", "میشه", "نمیشه", "شده", "کرده", "نکرده", "میکنه",
    "نمیکنه", "هستن", "نیستن", "بودن", "nadare", "dare", "bood", "hast", "nist", "shode", "mikone",
}
_END = r"(?=[\s.!؟?،,;:)(]|$)"
_SEP = r"[.!؟?،,;\n]"
# Marker + name: our subject is what the comparative describes.
_LEADING = [
    r"(?:نسبت به|نسبت با|در مقایسه با|مقایسه با|در قیاس با|قیاس با|برخلاف|بر خلاف|به پای|در حد|هم ?سطح|همسطح)",
    r"(?:nesbat be|dar moghayese ba|moghayese ba|bar khalaf|dar had)",
    r"(?:فرقی با|تفاوتی با|فرق با)",
]
_MARKERS = [re.compile(rf"(?<!\w){m}\s+(?P<tail>[^.!؟?،,;\n]+)") for m in _LEADING] + [
    re.compile(r"(?<!\w)\w+(?: ?تر) از\s+(?P<tail>[^.!؟?،,;\n]+)"),
    re.compile(r"(?<!\w)\w*tar(?:e)? az\s+(?P<tail>[^.!؟?،,;\n]+)"),
    re.compile(r"(?<!\w)از\s+(?P<tail>[^.!؟?،,;\n]{1,60}?)\s+(?:\w+ )?(?:\w*تر|کم نداره)(?:ه|ن|ند|یم|ی| است| بود| هست)?(?!\w)"),
    re.compile(r"(?<!\w)از\s+(?P<tail>[^.!؟?،,;\n]{1,40}?)\s+(?:دو|سه|چند) ?برابر(?:ه| است| بود)?(?!\w)"),
    re.compile(r"(?<!\w)az\s+(?P<tail>[^.!؟?،,;\n]{1,60}?)\s+(?:\w+ )?(?:\w*tar|kam nadare)(?:e|an|and)?(?!\w)"),
    re.compile(r"(?<!\w)(?:مثل|مثله|عین|شبیه)\s+(?P<tail>[^.!؟?،,;\n]{1,40}?)\s+(?:نیست|نبود|نمیشه|هست|است|بود)"),
    re.compile(r"(?<!\w)(?:همون|همان) کیفیت\s+(?P<tail>[^.!؟?،,;\n]{1,40}?)\s+(?:رو|را)"),
    re.compile(r"(?<!\w)با\s+(?P<tail>[^.!؟?،,;\n]{1,40}?)\s+(?:هیچ |اصلا )?(?:فرقی|تفاوتی)"),
    re.compile(r"(?<!\w)با\s+(?P<tail>[^.!؟?،,;\n]{1,40}?)\s+(?:تقریبا |عملا |دقیقا )?(?:یکیه|یکی است|برابره|یکسانه|یکسان است)"),
    re.compile(r"(?<!\w)با\s+(?P<tail>[^.!؟?،,;\n]{1,40}?)\s+(?:اصلا |هیچ جوره |به هیچ عنوان )?قابل (?:مقایسه|قیاس) نیست"),
    re.compile(r"(?<!\w)ba\s+(?P<tail>[^.!؟?،,;\n]{1,40}?)\s+(?:moghayese|farghi)"),
]
# Name + comparative at the head of a clause: «رونیکس خیلی از این بهتره», «سفارش قبلی خیلی بهتر بود».
_SUBJECT = re.compile(
    rf"(?:^|{_SEP}|\s(?:ولی|اما|ولى|vali|ama)\s)\s*(?P<tail>[^.!؟?،,;\n]{{2,40}}?)\s+(?:(?:خیلی|بسیار|کلا|واقعا|kheili|kheyli)\s+)?"
    rf"(?:(?:از (?:این|اون|شما|اینجا|ما)\w*|az (?:in|inja|shoma)\w*)\s+)?(?:بهتر|behtar)(?:ه|e| بود| است| هست| bood)?{_END}")
# Our subject against its own past or peers: the phrase itself is the name.
_NAMED_GROUPS = re.compile(
    r"(?<!\w)(?:(?:مدل|نسخه|ورژن|سری|نسل|اپ|سفارش|سفارشات)(?: ?های| ?ها| ?ی)? (?:قبلی|قبل|قدیمی|قدیمیش|پیشین)"
    r"|(?:دفعه|دفعات|بار|سری|دفعه ی|سریای|دفعه های) (?:قبل|قبلی|پیش)"
    r"|(?<=مثل )(?:همیشه|قبل|قبلا|سابق)|(?<=برخلاف )همیشه|(?<=بر خلاف )همیشه|(?<=کیفیت )(?:قبل|همیشه)(?=و| رو| را)"
    r"|(?:برند|مارک|مدل|شرکت|کمپانی|فروشگاه|رستوران|کافه|محصولات|گوشی|فروشنده|برندای|مدلای)(?: ?های| ?ها)? (?:دیگه|دیگر|مشابه)"
    r"|(?:بقیه|سایر)(?: \w+){1,2}|رقبا|رقبای \w+|هم ?رده ?ها(?:ش)?"
    r"|(?<!مثل )(?:قبلا|قدیما|قدیم ها|سابقا|پارسال|(?:بار|دفعه) اول|(?:هفته|ماه|سال) (?:پیش|قبل))(?!\w)"
    r"|model(?:-e| e) (?:ghabli|ghadimi)|noskhe(?:-ye| ye) ghabli)")
_WORD = re.compile(r"\S+")
_AND_OR = r"(?:و|یا|va|ya)"
_JOINED = re.compile(rf"\s+{_AND_OR}\s+")
_MARKER_WORDS = (r"(?:از|نسبت به|نسبت با|مقایسه با|قیاس با|مثل|مثله|عین|شبیه|با|تا|برخلاف|خلاف|"
                 r"به پای|در حد|az|nesbat be|moghayese ba|ba)")
_MARKER_BEFORE = re.compile(rf"(?:^|\s){_MARKER_WORDS}\s*$")
# The second of two names after one marker: «از سبدچی و زودبر هر دو بهتره».
_COORDINATED_BEFORE = re.compile(rf"(?:^|\s){_MARKER_WORDS}\s+\S+(?:\s\S+)?\s+{_AND_OR}\s*$")
# ... and only when the comparative follows that second name at once («هر دو بهتره»), since «و» also
# joins clauses: «پر از غلطه و فیلیمو خیلی بهتره» compares فیلیمو with us, the other way round.
_COMPARATIVE_NEXT = re.compile(r"\s*(?:(?:هر ?دو|هم|har do|ham)\s+)?(?:\w*تر|\w+ تر|\w*tar)(?:ه|ن|ند| است| بود|e)?(?!\w)")

# How many names the phrasing yields is a cue column of the model: trained heads record this.
PHRASING_SIGNATURE = "\n".join([p.pattern for p in (*_MARKERS, _SUBJECT, _NAMED_GROUPS, _JOINED)]
                                + sorted(_STOP) + sorted(_SELF))


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
        found: dict[str, tuple[int, int]] = {}
        for pattern, name in self._aliases:
            m = pattern.search(folded.text)
            if m and name not in found:
                found[name] = (m.start(), m.end())
        if compared:
            keys = [fold(n).text for n in found]
            known = known_name_spans(folded.text)
            for start, end in self._phrase_names(folded.text):
                # A name the phrasing cut short inside a known one: «az hamrah aval behtare» gave «hamrah».
                start, end = next(((s, e) for s, e in known if s <= start and end <= e), (start, end))
                name = folded.span(start, end)
                key = fold(name).text
                if not key or self._is_own(key):
                    continue
                if any(key in k or k in key for k in keys):
                    continue
                found[name] = (start, end)
                keys.append(key)
            if not found:  # beside a named rival, a known name is as often the subject itself
                for start, end in known:
                    key = folded.text[start:end]
                    if key in keys or self._is_own(key):
                        continue
                    found[folded.span(start, end)] = (start, end)
                    keys.append(key)
        return [{"name": name, "direction": self._direction(folded.text, start, end, sentiment)}
                for name, (start, end) in found.items()]

    def _is_own(self, key: str) -> bool:
        """Whether a folded name is (part of) one of our brands' names or aliases."""
        return any(key in own or own in key for own in self._own)

    def phrase_count(self, folded: Folded) -> int:
        """How many names comparison phrasing yields (a feature of the comparison head)."""
        return len(self._phrase_names(folded.text))

    def _phrase_names(self, text: str) -> list[tuple[int, int]]:
        spans = [(m.start(), m.end()) for m in _NAMED_GROUPS.finditer(text)]
        for pattern in (*_MARKERS, _SUBJECT):
            for m in pattern.finditer(text):
                span = _name_from_tail(text, m.start("tail"), m.end("tail"), from_end=pattern is _SUBJECT)
                while span and not any(s <= span[0] < e or span[0] <= s < span[1] for s, e in spans):
                    spans.append(span)
                    # «از X و Y بهتره»: a second name joined to the first
                    joined = _JOINED.match(text, span[1], m.end("tail")) if pattern is not _SUBJECT else None
                    span = _name_from_tail(text, joined.end(), m.end("tail")) if joined else None
                    if span and not _COMPARATIVE_NEXT.match(text, span[1]):
                        span = None
        return sorted(spans)

    @staticmethod
    def _direction(text: str, start: int, end: int, sentiment: str) -> str:
        after = text[end:end + 60]
        if re.match(r"\s*(?:دو|سه|چند) ?برابر", after):  # twice the fee is worse, twice the speed better
            return "worse" if sentiment in ("negative", "mixed") else "better"
        # «از X بهتره»: the comparative describes our subject; «X بهتره»: it describes X.
        subject_first = bool(_MARKER_BEFORE.search(text[max(0, start - 20):start])
                             or (_COORDINATED_BEFORE.search(text[max(0, start - 50):start])
                                 and _COMPARATIVE_NEXT.match(text, end)))
        # The comparative nearest after the name decides («از X بهتره، ولی گرون‌تر شده» is better).
        hits = [(i, -len(w), w, d) for words, d in ((_EQUAL, "equal"), (_WORSE, "worse"), (_BETTER, "better"))
                for w in words if (i := after.find(w)) >= 0]
        if hits:
            i, _, w, direction = min(hits)
            if direction == "equal":
                return "equal"
            negated = re.match(r"\w* ?(?:نیست|نبود|نمیشه|نیستش|nist|nabood)", after[i + len(w):i + len(w) + 12])
            if bool(negated) != (not subject_first):
                return "worse" if direction == "better" else "better"
            return direction
        window = text[max(0, start - 12):end + 40]
        if re.search(r"(?:به پای|در حد) [^.!؟?]{1,40}? (?:نمیرسه|نمی رسه|نیست|نبود)", window):
            return "worse"
        if re.search(r"(?:مثل|مثله) [^.!؟?]{1,40}? (?:نیست|نبود)|برخلاف|بر خلاف|(?:کیفیت|طعم) [^.!؟?]{1,20}? نداشت", window):
            return "better" if sentiment == "positive" else "worse"
        return "worse" if sentiment == "negative" else ("better" if sentiment == "positive" else "equal")


def _name_from_tail(text: str, start: int, end: int, from_end: bool = False) -> tuple[int, int] | None:
    """Up to four words from the start of the tail (or back from its end), stopping at
    an intensifier, aspect word or comparative."""
    words = list(_WORD.finditer(text, start, end))
    if from_end:
        words = words[::-1]
    kept = []
    for w in words[:5]:
        token = w.group()
        if token in ("تر", "تره", "ترن", "تری") and kept:  # «ارزون‌تره» folds to «ارزون تره»
            kept.pop()
            break
        if token in _STOP or token.endswith(("تر", "تره")) or re.fullmatch(r"\w*tar(e)?", token) or len(kept) >= 4:
            break
        kept.append(w)
    if not kept:
        return None
    if from_end:
        kept = kept[::-1]
        if len(words) > len(kept) + 1:   # a long clause head is a sentence, not a name
            return None
    first, last = kept[0].start(), kept[-1].end()
    name = text[first:last]
    if name in _SELF or len(name) < 2 or any(name.startswith(s + " ") for s in ("این", "اون", "in", "oon")):
        return None
    return first, last
