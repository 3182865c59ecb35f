"""Finglish (Persian written in Latin letters) to Persian script.

A lexicon of the words customers actually write ("kheili", "mersi",
"poshtibani"), with their common spellings folded together, answers most
words; the rest go through letter rules that drop short vowels inside a word
the way Persian spelling does. Good enough for the classifier and for brand
matching, not for publishing.
"""
from __future__ import annotations

import re
from functools import lru_cache

# Spelling variants are folded before lookup (see _fold), so one entry covers
# "kheili", "kheyli", "khaili" and "kheily".
_LEXICON_TEXT = """
kheili خیلی|khob خوب|khoob خوب|khub خوب|bad بد|bood بود|bud بود|boodan بودن|hast هست|hastan هستن|nist نیست|
nistan نیستن|ast است|ham هم|va و|o و|ba با|bi بی|az از|be به|dar در|ta تا|ke که|ki کی|chi چی|chera چرا|
chetor چطور|chetori چطوری|chejoori چجوری|kojast کجاست|koja کجا|key کی|kei کی|kasi کسی|hame همه|hamash همش|
hich هیچ|hichi هیچی|hichkas هیچکس|dige دیگه|digeh دیگه|aslan اصلا|vaghean واقعا|vaghan واقعا|vaghei واقعی|
akhe آخه|are آره|aareh آره|na نه|nah نه|bale بله|mersi مرسی|merci مرسی|mamnoon ممنون|mamnun ممنون|
mamnoonam ممنونم|sepas سپاس|tashakor تشکر|lotfan لطفا|lotfa لطفا|khahesh خواهش|khaheshan خواهشا|
khahesh mikonam خواهش میکنم|salam سلام|slm سلام|aali عالی|ali عالی|awli عالی|olaghe علاقه|
khoshmaze خوشمزه|bimaze بیمزه|sard سرد|garm گرم|dir دیر|zood زود|zud زود|sari سریع|sarie سریع|
kond کند|kheili_kond خیلی کند|ghaza غذا|ghazash غذاش|ghazaha غذاها|sefaresh سفارش|sefareshe سفارش|
sefaresham سفارشم|sefareshet سفارشت|ersal ارسال|peyk پیک|paik پیک|poshtibani پشتیبانی|poshtibanitoon پشتیبانیتون|
javab جواب|javabgoo جوابگو|nemidan نمیدن|nemide نمیده|midan میدن|mide میده|dadan دادن|dad داد|
gheymat قیمت|ghimat قیمت|ghimata قیمتا|gheymatesh قیمتش|geroon گرون|geroun گرون|gerun گرون|gran گران|
arzoon ارزون|arzun ارزون|arzoontare ارزونتره|arzesh ارزش|kharid خرید|kharidam خریدم|bekharid بخرید|
nakharid نخرید|mikharam میخرم|nemikharam نمیخرم|kefiyat کیفیت|keyfiat کیفیت|kefiat کیفیت|keyfiyat کیفیت|
jens جنس|bastebandi بسته بندی|baste بسته|mahsool محصول|mahsul محصول|mahsoolat محصولات|app اپ|appe اپ|
barname برنامه|barnameh برنامه|site سایت|saite سایت|pardakht پرداخت|dargah درگاه|pool پول|pul پول|
poolam پولم|hesab حساب|hesabam حسابم|bargasht برگشت|bargardoonid برگردونید|kam کم|ziad زیاد|ziyad زیاد|
ziade زیاده|behtar بهتر|behtare بهتره|badtar بدتر|badtare بدتره|behtarin بهترین|badtarin بدترین|
nesbat نسبت|moghayese مقایسه|mesle مثل|mese مث|ghabl قبل|ghablan قبلا|ghablan قبلا|alan الان|emrooz امروز|
emruz امروز|diruz دیروز|dirooz دیروز|farda فردا|hafte هفته|saat ساعت|daghighe دقیقه|ruz روز|rooz روز|
man من|to تو|ma ما|shoma شما|oona اونا|una اونا|in این|oon اون|un اون|inja اینجا|oonja اونجا|
mikonam میکنم|mikonid میکنید|mikonin میکنین|konid کنید|konin کنین|kardam کردم|kardid کردید|kardin کردین|
kard کرد|shod شد|shode شده|shodam شدم|mishe میشه|nemishe نمیشه|shodeh شده|mikhore میخوره|
mikham میخوام|mikhay میخوای|nemikham نمیخوام|daram دارم|dare داره|darid دارید|darin دارین|nadare نداره|
nadarid ندارید|bayad باید|nabayad نباید|mitoonid میتونید|mitunid میتونید|nemitoonid نمیتونید|
tavsie توصیه|pishnahad پیشنهاد|pishnehad پیشنهاد|kash کاش|ey_kash ای کاش|ezafe اضافه|dorost درست|
dorostesh درستش|dorostesh_konid درستش کنید|avaz عوض|error ارور|khata خطا|moshkel مشکل|moshkeli مشکلی|
kharab خراب|kharabe خرابه|shekaste شکسته|taghalobi تقلبی|fake فیک|asl اصل|asli اصلی|garanti گارانتی|
tamas تماس|zang زنگ|telefon تلفن|shomare شماره|kart کارت|takhfif تخفیف|code کد|kod کد|rayegan رایگان|
tazeh تازه|taze تازه|mive میوه|miveh میوه|nan نان|noon نون|shir شیر|mast ماست|goosht گوشت|morgh مرغ|
berenj برنج|sabzi سبزی|pizza پیتزا|pitza پیتزا|burger برگر|ghahve قهوه|chai چای|kafe کافه|
resturan رستوران|restoran رستوران|gooshi گوشی|goshi گوشی|batri باتری|sharj شارژ|sharzhe شارژ|
internet اینترنت|net نت|bank بانک|ashghal آشغال|afzaah افتضاح|eftezah افتضاح|eftezahe افتضاحه|
zeshte زشته|ghashang قشنگ|ghashange قشنگه|khoshgel خوشگل|razi راضی|raziam راضیم|narazi ناراضی|
naraziam ناراضیم|dooset دوست|doost دوست|dust دوست|dashtam داشتم|dasht داشت|nadasht نداشت|resid رسید|
nareside نرسیده|residam رسیدم|miresoone میرسونه|miresune میرسونه|tool طول|keshid کشید|mikeshe میکشه|
intori اینطوری|hamishe همیشه|hamishegi همیشگی|yek یک|ye یه|do دو|se سه|char چهار|panj پنج|
bar بار|dafe دفعه|dafeye دفعه|akhar آخر|aval اول|avalin اولین|akharin آخرین|vali ولی|amma اما|
chon چون|age اگه|agar اگر|pas پس|hanooz هنوز|hanuz هنوز|faghat فقط|kollan کلا|kolan کلا|
mamooli معمولی|meamooli معمولی|kheyli_khoob خیلی خوب|mersi_az مرسی از|dastetoon دستتون|dard درد|
nakone نکنه|khaste خسته|nabashid نباشید|movafagh موفق|bashid باشید|omidvaram امیدوارم|
"""


def _fold(word: str) -> str:
    """One key for the usual spelling variants of a Finglish word."""
    w = word.lower()
    w = re.sub(r"(.)\1+", r"\1", w)  # mamnoon/mamnon, ziad/ziyad handled below
    for a, b in (("ey", "ei"), ("ai", "ei"), ("ou", "u"), ("oo", "u"), ("ee", "i"), ("iy", "i"),
                 ("w", "v"), ("q", "gh"), ("x", "kh")):
        w = w.replace(a, b)
    return w.rstrip("h") if len(w) > 3 and w.endswith(("eh", "ah")) else w


@lru_cache(maxsize=1)
def lexicon() -> dict[str, str]:
    table: dict[str, str] = {}
    for entry in _LEXICON_TEXT.replace("\n", "").split("|"):
        entry = entry.strip()
        if not entry:
            continue
        latin, persian = entry.split(" ", 1)
        table.setdefault(_fold(latin.replace("_", " ")), persian)
    return table


# Letter rules, longest first. A short vowel inside a word is not written.
_DIGRAPHS = [("kh", "خ"), ("sh", "ش"), ("ch", "چ"), ("gh", "ق"), ("zh", "ژ"), ("aa", "ا"), ("oo", "و"),
             ("ou", "و"), ("ee", "ی"), ("ei", "ی"), ("ey", "ی"), ("ai", "ای")]
_SINGLE = {"b": "ب", "p": "پ", "t": "ت", "s": "س", "j": "ج", "h": "ه", "d": "د", "r": "ر", "z": "ز",
           "f": "ف", "k": "ک", "g": "گ", "l": "ل", "m": "م", "n": "ن", "v": "و", "w": "و", "y": "ی",
           "q": "ق", "c": "ک", "x": "کس", "u": "و", "i": "ی"}
_INITIAL = {"a": "ا", "e": "ا", "o": "او", "i": "ای", "u": "او"}
_FINAL = {"a": "ا", "e": "ه", "o": "و", "i": "ی", "u": "و"}


def _by_rules(word: str) -> str:
    w = word.lower()
    out = []
    i = 0
    while i < len(w):
        if i == 0 and w[0] in _INITIAL:
            pair = w[:2]
            if pair in ("aa", "ee", "oo", "ou", "ei", "ey", "ai"):
                out.append({"aa": "آ", "ee": "ای", "oo": "او", "ou": "او", "ei": "ای", "ey": "ای", "ai": "ای"}[pair])
                i = 2
                continue
            out.append("آ" if w[0] == "a" and len(w) > 1 and w[1] not in "aeiou" and False else _INITIAL[w[0]])
            i = 1
            continue
        pair = w[i:i + 2]
        digraph = next((p for a, p in _DIGRAPHS if a == pair), None)
        if digraph:
            out.append(digraph)
            i += 2
            continue
        ch = w[i]
        if i == len(w) - 1 and ch in _FINAL:
            out.append(_FINAL[ch])
        elif ch in "ae":
            pass  # short vowel inside a word: not written in Persian
        elif ch == "o":
            pass
        else:
            out.append(_SINGLE.get(ch, ch))
        i += 1
    return "".join(out)


_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")


def transliterate_word(word: str) -> str:
    return lexicon().get(_fold(word)) or _by_rules(word)


def transliterate(text: str) -> str:
    """Latin-letter words become Persian script; everything else is kept as it is.

    >>> transliterate("kheili bad bood")
    'خیلی بد بود'
    """
    table = lexicon()

    def two_words(m: re.Match) -> str:
        joined = table.get(_fold(f"{m.group(1)} {m.group(2)}"))
        return joined if joined else f"{transliterate_word(m.group(1))} {transliterate_word(m.group(2))}"

    text = re.sub(r"\b([A-Za-z]+) ([A-Za-z]+)\b", lambda m: two_words(m) if _fold(f"{m.group(1)} {m.group(2)}")
                  in table else m.group(0), text)
    return _WORD.sub(lambda m: transliterate_word(m.group(0)), text)
