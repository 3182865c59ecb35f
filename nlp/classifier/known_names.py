"""Brands, shops and services Persian-speaking customers most often compare with.

Comparison phrasing finds a name only next to its marker («از X بهتره»); in
«ترجیح میدم Xperia بخرم» or «عوض الفون برید هواوی بخرین» the name stands alone.
When a comparison names no rival otherwise, these names in it are the things
compared (beside a rival found otherwise, they are as often the subject
itself). Only names that are not also everyday words are listed («دل»،
«دیوار»، «شهروند»، «آنر»، «بوش» are not; banks only with «بانک»). Written in
the fold of textprep (half-space → space, Latin lower-cased); the longest
spelling is tried first, so «اسنپ فود» wins over «اسنپ».
"""
from __future__ import annotations

import re

_PERSIAN = (
    # phones, tablets, computers
    "سامسونگ", "گلکسی", "گالکسی", "اپل", "آیفون", "ایفون", "آیپد", "ایپد", "مک بوک", "شیائومی", "شیاومی",
    "ردمی", "پوکو", "هواوی", "نوکیا", "سونی", "اکسپریا", "موتورولا", "وان پلاس", "ریلمی", "اوپو",
    "ال جی", "اچ تی سی", "لنوو", "ایسوس", "ایسر", "اچ پی", "مایکروسافت", "بلک بری", "جی ال ایکس",
    "انکر", "تی پی لینک", "کانن", "نیکون", "فوجی", "پاناسونیک", "فیلیپس", "تفال",
    "مولینکس", "پارس خزر", "اسنوا", "دوو", "بلانتون", "نایک", "نایکی", "آدیداس", "ادیداس", "پوما",
    "لورال", "اوریفلیم", "سینره", "نیوآ", "نیوا", "کالاسیما",
    # shops, apps, delivery, taxis
    "دیجی کالا", "دیجیکالا", "اسنپ فود", "اسنپفود", "اسنپ مارکت", "اسنپ", "تپسی", "باسلام", "ترب",
    "شیپور", "بامیلو", "ایمالز", "تیمچه", "آمازون", "علی بابا", "علی اکسپرس", "چیلیوری", "ریحون", "زودفود",
    "اکالا", "افق کوروش", "هایپر استار", "هایپراستار", "ماکسیم", "بیمه بازار", "کافه بازار",
    # telecom, internet, streaming
    "ایرانسل", "همراه اول", "رایتل", "شاتل", "مبین نت", "آسیاتک", "های وب", "پارس آنلاین",
    "فیلیمو", "نماوا", "تلوبیون", "آپارات",
    # banks and payment
    "بانک ملت", "بانک ملی", "بانک سامان", "بانک پاسارگاد", "بانک تجارت", "بانک صادرات", "بانک رسالت",
    "بانک آینده", "بانک مسکن", "بانک سپه", "بلوبانک", "بلو بانک",
)
_LATIN = (
    "samsung", "galaxy", "apple", "iphone", "ipad", "macbook", "xiaomi", "redmi", "poco", "huawei", "honor",
    "nokia", "sony", "xperia", "motorola", "oneplus", "one plus", "realme", "oppo", "htc", "lg", "lenovo",
    "asus", "acer", "dell", "hp", "microsoft", "blackberry", "anker", "tp-link", "tplink", "canon", "nikon",
    "philips", "bosch", "tefal", "moulinex", "nike", "adidas", "puma",
    "digikala", "digi kala", "snappfood", "snapp food", "snapp", "tapsi", "basalam", "torob", "divar",
    "amazon", "aliexpress", "irancell", "hamrah aval", "hamrahe aval", "hamrah-e aval", "rightel", "shatel",
    "filimo", "namava",
)
NAMES = tuple(dict.fromkeys(_PERSIAN + _LATIN))

# A Persian suffix may follow the name («سامسونگه»، «آیفونا»، «ایرانسلی»); the name alone is quoted.
_PATTERN = re.compile(
    r"(?<![\w-])(?P<name>" + "|".join(re.escape(n) for n in sorted(NAMES, key=len, reverse=True)) + r")"
    r"(?:ه|ی|ا|ها|های|هاش|م|ش|و)?(?![\w-])")


# Where a name is the shop the writer bought from or thanks, not a rival: «از دیجی کالا خریدم»،
# «ممنون از اسنپ فود»، «دیجیکالای عزیز».
_THANKED = re.compile(r"(?:ممنون|ممنونم|مرسی|تشکر|باتشکر|با تشکر|سپاس|سپاسگزارم|متشکرم)(?: \S+)? از $")
_BOUGHT_THERE = re.compile(r"\S*(?: \S+){0,3}? (?:خریدم|خریده|خریداری|گرفتم|بگیرین|بگیرید|سفارش (?:دادم|میدم|دادیم)"
                           r"|تهیه کردم)")
_DEAR = re.compile(r"\S* عزیز")
# A name opening a sentence is mostly what the sentence is about («اپل در نسل جدید …»); it is a
# rival when a comparative describes it («دیجی کالا همین هدفونو گرونتر میده»).
_SENTENCE_START = re.compile(r"(?:^|[.!؟?;:]\s*)$")
_COMPARED_AFTER = re.compile(r"\S*(?: \S+){0,5}? \S*(?:تر|tar)(?:ه|ن|e)?(?!\w)")


def known_name_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each known name in folded `text` that may be a rival, suffixes left out."""
    spans = []
    for m in _PATTERN.finditer(text):
        start, end = m.start("name"), m.end("name")
        before = text[max(0, start - 30):start]
        the_shop = _THANKED.search(before) or _DEAR.match(text, end) \
            or (before.endswith("از ") and _BOUGHT_THERE.match(text, end))
        the_topic = _SENTENCE_START.search(before) and not _COMPARED_AFTER.match(text, end)
        if not (the_shop or the_topic):
            spans.append((start, end))
    return spans
