"""Synthetic Persian mentions for the scale benchmarks, written by the shenava team.

Texts are composed from clause templates (complaints, praise, questions,
suggestions, comparisons, recommendations; colloquial Persian, Finglish, emoji,
missing half-spaces, Arabic ي/ك) with slots filled at random, so almost every
text is distinct; a few percent are exact forwards or near copies, as in a real
channel. Lengths follow a long tail: most are a sentence or two, some are long
reviews that the classifier has to truncate.
"""
from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

BRAND, RIVALS = "تازه‌رس", ("سبدچی", "زودبر")
BRANDS_TOML = """
[[brands]]
name = "تازه‌رس"
aliases = ["تازه رس", "tazeres", "TazehRes"]
competitors = [{ name = "سبدچی", aliases = ["sabadchi"] }, { name = "زودبر", aliases = ["zoodbar"] }]
"""
SOURCES = ("tazeres-channel", "tazeres-comments", "customers-group", "digikala-reviews", "snappfood-reviews",
           "website-comments", "feed", "old-reviews")

PRODUCTS = ["میوه", "لبنیات", "نون سنگک", "نون بربری", "برنج طارمی", "مرغ", "گوشت گوسفندی", "سبزی خوردن",
            "تخم‌مرغ", "ماست پرچرب", "پنیر لیقوان", "خشکبار", "پسته", "گوجه", "خیار", "سیب‌زمینی",
            "روغن", "چای", "قهوه", "شیر کم‌چرب", "کره", "عسل", "زعفرون", "خرما", "انار", "پرتقال"]
WHEN = ["امروز", "دیروز", "دیشب", "این هفته", "پریروز", "صبح", "ظهر", "آخر هفته", "ساعت ۱۰", "سر شب"]
DELAYS = ["۲ ساعت", "سه ساعت", "۴۵ دقیقه", "یک ساعت و نیم", "نیم ساعت", "۲ روز", "یه ساعت"]
FEELINGS = ["😡", "😤", "😐", "😍", "👌", "🙏", "😅", "👍", "🌸", "💔", "🤦‍♂️", "", "", "", "!!", "؟!", "..."]
NAMES = ["مریم", "علی", "سارا", "رضا", "نگار", "Reza.k", "Shirin", "حامد", "پریا", "Mehdi", "زهرا", "کیان"]

COMPLAINTS = [
    "{product} که {when} سفارش دادم {delay} دیر رسید",
    "{product}ها له شده بودن، بسته‌بندی افتضاح بود",
    "پیک {delay} تاخیر داشت و {product} گرم شده بود",
    "پول از حسابم کم شد ولی سفارش ثبت نشد",
    "اپ موقع پرداخت هنگ میکنه و میپره بیرون",
    "پشتیبانی جواب نمیده، {when} سه بار زنگ زدم",
    "تاریخ {product} نزدیک بود، انتظار نداشتم",
    "{product} کم فرستادن، فاکتور یه چیز دیگه میگه",
    "قیمت {product} این هفته {percent} رفته بالا",
    "کد تخفیف قبول نمیشه و خطا میده",
    "آدرس ذخیره نمیشه، هر بار باید از اول وارد کنم",
    "{product} بو میداد، معلوم بود کهنه‌ست",
    "پیک بی‌ادب بود و کیسه‌ها رو دم در ول کرد",
    "کیف پول شارژ نمیشه، پولم کم شد ولی شارژ نشد",
    "سفارشم لغو شد و هیچکس هم توضیح نداد",
]
PRAISE = [
    "{product}هاشون همیشه تازه‌ست، واقعا راضیم",
    "پیک خیلی مودب بود و سر وقت رسید",
    "کیفیت {product} عالی بود، دستتون درد نکنه",
    "پشتیبانی {when} سریع جواب داد و مشکلم حل شد",
    "بسته‌بندی تمیز و مرتب بود",
    "ارسال رایگانش خیلی خوبه",
    "قیمتاش منطقیه و تخفیفای خوبی میذارن",
    "{product} رو با {delay} تحویل گرفتم، عالی",
]
QUESTIONS = [
    "کسی میدونه برای {city} هم ارسال دارن؟",
    "{product} رو الان موجود دارن؟",
    "کد تخفیف اولین خرید چطوری فعال میشه؟",
    "ساعت کاری پشتیبانی تا کیه؟",
    "میشه سفارش رو برای هفته‌ی بعد ثبت کرد؟",
    "کسی از {brand} {product} گرفته؟ خوبه؟",
]
SUGGESTIONS = [
    "لطفا {product} ارگانیک هم اضافه کنید",
    "کاش حداقل خرید برای ارسال رایگان رو کمتر کنید",
    "بهتر بود بسته‌بندی {product} رو محکم‌تر کنید",
    "پیشنهاد میکنم پشتیبانی تو تلگرام هم جواب بده",
    "یه گزینه برای انتخاب ساعت تحویل بذارید",
    "اگه پرداخت اقساطی بذارید خیلی خوب میشه",
]
COMPARISONS = [
    "از {rival} خیلی بهتره",
    "نسبت به {rival} گرونتره ولی کیفیتش بالاتره",
    "{rival} سریع‌تر میرسونه",
    "تخفیف‌هاش از {rival} بیشتره",
    "کیفیت {product}ش از {rival} بدتره الان",
    "مثل {rival} شده، فرقی نمیکنن",
]
RECOMMEND = [
    "به همه توصیه میکنم",
    "حتما امتحان کنید",
    "اصلا ازشون خرید نکنید",
    "پولتونو دور نریزید",
    "دیگه سفارش نمیدم",
    "ارزش خرید داره",
]
FINGLISH = [
    "sefaresham {n} saat dir resid, ghaza sard bood",
    "kheili khoob bood mamnoon az {brand_latin}",
    "app dobare error mide, dige az {rival_latin} kharid mikonam",
    "ghimata nesbat be {rival_latin} arzoontare",
    "kasi midoone {brand_latin} be {city_latin} ham ersal dare?",
    "poshtibani javab nemide, {n} bar zang zadam",
    "mive ha leh shode boodan, bastebandi kheili bad",
    "vaghean {brand_latin} behtarin appe kharide online e",
]
DETAILS = [
    "سفارش شماره {order}", "مبلغ {price} هزار تومن", "{n} تا {product} گرفته بودم", "از {city} سفارش دادم",
    "{when} ساعت {hour} ثبت کردم", "بار {n}مه که ازشون خرید میکنم", "کد پیگیری {order}",
]
CITIES = ["اصفهان", "شیراز", "کرج", "مشهد", "تبریز", "رشت", "قم", "اهواز"]
CITIES_LATIN = ["esfahan", "shiraz", "karaj", "mashhad", "tabriz", "rasht"]
FORWARD_HEADERS = ["فوروارد از کانال شکایات:", "👇👇", "اینو ببینید:", "Forwarded:", "دوستان دقت کنید"]
LINKS = ["https://t.me/tazeres_news/{n}", "@tazeres_support", "#تازه_رس", "#شکایت", "۰۹۱۲۳۴۵۶۷۸۹"]


def _fill(rng: random.Random, template: str) -> str:
    return template.format(
        product=rng.choice(PRODUCTS), when=rng.choice(WHEN), delay=rng.choice(DELAYS),
        percent=f"{rng.randint(5, 40)}٪", city=rng.choice(CITIES), brand=rng.choice([BRAND, "تازه رس", "تازه‌رسی"]),
        rival=rng.choice(RIVALS), n=rng.randint(2, 9), brand_latin=rng.choice(["tazeres", "TazehRes"]),
        rival_latin=rng.choice(["sabadchi", "zoodbar"]), city_latin=rng.choice(CITIES_LATIN),
        order=rng.randint(10_000, 999_999), price=rng.randint(30, 2500), hour=rng.randint(8, 23))


def _messy(rng: random.Random, text: str) -> str:
    """How people actually type: Arabic letters, no half-space, stretched letters."""
    roll = rng.random()
    if roll < 0.15:
        text = text.replace("ی", "ي").replace("ک", "ك")
    elif roll < 0.35:
        text = text.replace("\u200c", rng.choice([" ", ""]))
    if rng.random() < 0.1:
        text = text.replace("خیلی", "خیییلی").replace("عالی", "عاااالی")
    return text


def one_text(rng: random.Random) -> str:
    if rng.random() < 0.08:
        parts = [_fill(rng, rng.choice(FINGLISH)) for _ in range(rng.choice((1, 1, 2)))]
        return ", ".join(parts) + rng.choice(["", " 😡", " 🙏", " :)"])
    kinds = [COMPLAINTS] * 4 + [PRAISE] * 3 + [QUESTIONS, SUGGESTIONS, COMPARISONS, RECOMMEND]
    # Long tail: one clause mostly, sometimes a long review of a dozen.
    count = rng.choices([1, 2, 3, 4, 8, 16], weights=[30, 30, 20, 10, 7, 3])[0]
    clauses = []
    if rng.random() < 0.4:
        clauses.append(rng.choice([f"{BRAND}", "سلام", "والا", "بچه‌ها", "ببخشید", "راستش"]))
    for _ in range(count):
        clauses.append(_fill(rng, rng.choice(rng.choice(kinds))))
    if rng.random() < 0.5:
        clauses.insert(rng.randrange(1, len(clauses) + 1), _fill(rng, rng.choice(DETAILS)))
    glue = rng.choice(["، ", ". ", " ", "، ولی "])
    text = "".join(c + (" " if c.endswith("؟") else glue) for c in clauses[:-1]) + clauses[-1]
    text += " " + rng.choice(FEELINGS)
    if rng.random() < 0.1:
        text += " " + rng.choice(LINKS).format(n=rng.randint(1, 9999))
    return _messy(rng, text.strip())


def texts(n: int, seed: int = 1) -> list[str]:
    """`n` texts: ~94% distinct, ~3% exact forwards, ~3% near copies (a header or emoji added)."""
    rng = random.Random(seed)
    out: list[str] = []
    for _ in range(n):
        roll = rng.random()
        if out and roll < 0.03:
            out.append(rng.choice(out[-500:]))
        elif out and roll < 0.06:
            out.append(f"{rng.choice(FORWARD_HEADERS)} {rng.choice(out[-500:])} {rng.choice(FEELINGS)}".strip())
        else:
            out.append(one_text(rng))
    return out


def mentions(n: int, seed: int = 1, days: int = 30, end: datetime | None = None,
             id_prefix: str = "m") -> list[dict]:
    """JSON-ready rows (the file connector's default columns plus author/channel/views) over `days` days."""
    rng = random.Random(seed + 1)
    end = end or datetime(2026, 11, 22, 20, 30, tzinfo=timezone.utc)
    span = days * 86400
    stamps = sorted(rng.randrange(span) for _ in range(n))
    return [{"id": f"{id_prefix}{i}", "text": text,
             "published_at": (end - timedelta(seconds=span - s)).isoformat(),
             "author": rng.choice(NAMES), "channel": "tazeres_news", "views": rng.randint(10, 30000)}
            for i, (text, s) in enumerate(zip(texts(n, seed), stamps))]


def file_source_toml(name: str, path: str) -> str:
    """A [[sources]] entry reading the JSON Lines written by `write_jsonl`."""
    return f"""
[[sources]]
name = "{name}"
kind = "file"
brand = "{BRAND}"
path = "{path}"
columns = {{ id = "id", text = "text", published_at = "published_at", author = "author", channel = "channel", views = "views" }}
"""


def write_jsonl(path: Path, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
