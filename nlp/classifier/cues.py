"""Hand-written cue patterns for the intent tags, matched on the folded text.

They do two jobs: a small binary feature vector the trained heads weigh
(so a rare phrasing seen once in the hand labels still counts), and the
evidence span quoted for a tag. Patterns are written for the fold of
textprep (half-space → space, ی/ک unified), with colloquial spellings.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import numpy as np

from shenava.nlp.classifier.competitors import PHRASING_SIGNATURE
from shenava.nlp.classifier.textprep import Folded

MI = r"(?:می ?|م)"          # می‌کنم / میکنم / مکنم-style contractions
B = r"(?<![\w])"            # word start (\b is unreliable next to Persian letters)
E = r"(?![\w])"             # word end
BUY = r"(?:بخر(?:ید|ین|ی|یدش|ینش|یش)?|تهیه کن(?:ید|ین)|خرید کن(?:ید|ین)|امتحان کن(?:ید|ین)|سفارش بد(?:ید|ین)|استفاده کن(?:ید|ین))"

_PATTERNS: dict[str, list[str]] = {
    "question": [
        r"[؟?]",
        rf"{B}کسی {MI}?(?:دونه|دانه|دونید|دانید|اطلاع داره|خبر داره)",
        rf"{B}(?:آیا|ایا){E}",
        rf"{B}(?:چطوره|چطوریه|چجوریه|چجوری|چه جوری|چطور میشه|چیکار کنم|کجا میشه)",
        rf"{B}(?:سوال داشتم|سوالم اینه|یه سوال|میخواستم بدونم|می خواستم بدونم|بدونم که)",
        rf"{B}(?:کی|چه زمانی) (?:{MI}?رسه|ارسال {MI}?شه|موجود {MI}?شه)",
        rf"{B}(?:چه|چند|چندتا|چقدر|کدوم|کدام|کجا|کجاست|چطور|چگونه|چی|چیه|کی)(?:{E}| )[^.!؟?]{{0,60}}[؟?]",
        rf"{B}(?:دارید|دارین|دارن|داره|هست|هستش|میشه|می شه|موجوده|موجود هست|میاد|{MI}?رسه|امکانش هست|امکان داره|ممکنه) ?[؟?]",
        rf"{B}(?:kasi (?:midoone|midune|midone|mitoone)|aya|chand|cheghadr|koja|chetor|chejuri|dari[dn]|dare|hast|mishe) ?\?",
    ],
    "rhetorical": [  # «چرا …؟!» inside a complaint asks nothing; a feature only
        rf"{B}(?:چرا|مگه|مگر|آخه|اخه|یعنی چی|تا کی|کی جواب)[^.!؟?]{{0,80}}[؟?]",
        r"[؟?]{2,}|[!][؟?]|[؟?][!]",
    ],
    "suggestion": [
        rf"{B}(?:ای ?)?کاش{E}",
        rf"{B}بهتر(?:ه| است| بود| نیست) (?:[^.!؟?]{{0,40}}?)(?:کنید|کنین|بشه|باشه|بیاد|بدید|بدین|بذارید|بزارید|شود|باشد|بود)",
        rf"{B}لطفا (?:[^.!؟?]{{0,50}}?)(?:کنید|کنین|بذارید|بزارید|بدید|بدین|بیارید|باشید|بفرستید)",
        rf"{B}خواهشا{E}",
        rf"{B}پیشنهاد {MI}?(?:کنم|دم|دهم)(?! {BUY})(?: [^.!؟?]{{0,40}}?)?(?:عوض|اضافه|تغییر|بیشتر|کمتر|درست|بذارید|بزارید|کنید|کنین|بشه)",
        rf"{B}پیشنهاد(?:م)? (?:اینه|این است|دارم|من)",
        rf"{B}(?:اضافه|درست|عوض|تغییر|رسیدگی|توجه|بیشتر|کمتر) کن(?:ید|ین){E}",
        rf"{B}{MI}?تونست(?:ید|ین)? [^.!؟?]{{0,30}}?(?:باشه|باشد|بشه|کنه)",
        rf"{B}امیدوارم [^.!؟?]{{0,40}}?(?:کنید|کنین|بشه|بدید|بذارید)",
        rf"{B}اگه [^.!؟?]{{0,40}}?(?:بود|بشه|{MI}?شد|{MI}?کردید|{MI}?کردن) (?:بهتر|عالی|خیلی بهتر)",
        rf"{B}(?:جا داره|جای کار داره|انتظار {MI}?ره)",
        rf"{B}پیشنهاد {MI}?(?:شه|شود)(?! {BUY})",
        rf"{B}(?:لازم است|لازمه|نیاز به [^.!؟?]{{0,30}}?(?:داره|دارد)|رسیدگی بیشتری)",
        rf"{B}(?:بهتر {MI}?شد|بهتر میشه|عالی میشه|عالی {MI}?شد)(?:{E}| )",
        rf"{B}حداقل [^.!؟?]{{0,40}}?(?:بنویسید|بذارید|بزارید|بدید|بدین|کنید|کنین|بفرستید)",
        rf"{B}(?:سلیقه من این|کاش ?کی|کاشکی)",
        rf"{B}(?:kash|lotfan [^.!?]{{0,40}}?(?:konid|konin|bezarid|bedid)|behtar bood|pishnahad mikonam [^.!?]{{0,30}}?(?:konid|konin|bezarid))",
    ],
    "request": [  # second-person requests; a feature only (a plea is not always a suggestion)
        rf"{B}(?:ب|ن)\w{{2,}}(?:ید|ین|یدش|ینش)(?!\w)",
        rf"{B}\w{{2,}} (?:کنید|کنین|بکنید|نکنید|بدید|ندید|بذارید|بزارید|نذارید)(?!\w)",
        rf"{B}(?:باید|بایست) ",
    ],
    "regret": [  # «کاش نمی‌خریدم» is regret, «کاش همیشه همینجوری بمونه» a wish: not suggestions
        rf"{B}کاش (?:ن|نمی ?)\w+(?:م|یم)(?!\w)",
        rf"{B}کاش [^.!؟?]{{0,30}}?(?:خریده بودم|نخریده بودم|سفارش نداده بودم)",
        rf"{B}کاش (?:همیشه|همینجوری|همین طوری)",
    ],
    "recommends": [
        rf"{B}حتما {BUY}",
        rf"{B}پیشنهاد {MI}?(?:کنم|دم|شه|شود)(?: [^.!؟?]{{0,25}}?)? (?:{BUY}|حتما)",
        rf"{B}(?:به همه |به دوستان |به شما |اکیدا )?توصیه {MI}?(?:کنم|شه|شود){E}",
        rf"{B}ارزش (?:خرید|خریدن|امتحان|داره|دارد)(?! ن)(?! ندار)",
        rf"{B}{BUY} پشیمون (?:نمیشید|نمی شید|نمیشین|نمی شوید)",
        rf"{B}از دستش ند(?:ید|ین){E}",
        rf"{B}(?:بخرید|بخرین){E}",
        rf"{B}(?:پیشنهادی|توصیه ای) (?:است|ه){E}",
    ],
    "discourages": [
        rf"{B}(?:اصلا|هرگز|به هیچ وجه|هیچوقت|هیچ وقت)?\s?(?:نخر(?:ید|ین|ی)|خرید نکن(?:ید|ین)|سفارش ند(?:ید|ین)|استفاده نکن(?:ید|ین)|تهیه نکن(?:ید|ین)){E}",
        rf"{B}پول(?:تون|تونو|تون رو|تان را)? (?:رو |را )?(?:دور |هدر )?(?:نریز(?:ید|ین)|ندید)",
        rf"{B}(?:توصیه|پیشنهاد) {MI}?(?:کنم|دم) (?:[^.!؟?]{{0,20}}?)?(?:نخر|سفارش ند|خرید نکن|سراغ)",
        rf"{B}(?:توصیه|پیشنهاد) نمی ?(?:کنم|دم)",
        rf"{B}ارزش (?:خرید|خریدن)? ?ندار(?:ه|د)",
        rf"{B}سراغش نر(?:ید|ین)",
        rf"{B}گول [^.!؟?]{{0,20}}?نخور(?:ید|ین)",
        rf"{B}(?:دوری کنید|فرار کنید)",
    ],
    "comparison": [
        rf"{B}(?:نسبت به|در مقایسه با|در مقایسه|مقایسه با|در قیاس با|قیاس با){E}",
        rf"{B}از [^.!؟?،,]{{1,40}}? \w*(?:تر|تره|ترن|تر است|تری)(?:{E}| )",
        rf"{B}\w+تر از{E}",
        rf"{B}مثل [^.!؟?،,]{{1,30}}? نیست",
        rf"{B}(?:مدل|نسخه|ورژن|سری|نسل) (?:های )?(?:قبلی|قبل|قدیمی|جدید|پیشین)",
        rf"{B}(?:برند|مارک|مدل|شرکت|فروشگاه|رستوران|جاهای|کافه|گوشی|محصول)(?: ?ها| ?های)? (?:دیگه|دیگر|مشابه){E}",
        rf"{B}(?:بقیه|سایر|رقبا|رقیب|هم ?رده|همرده|مشابهش|مشابه){E}",
        rf"{B}(?:هم ?قیمت|قیمتش)[^.!؟?]{{0,15}}?(?:بهتر|بدتر)",
        rf"{B}(?:برخلاف|بر خلاف) همیشه|مثل (?:همیشه|قبل|سابق) (?:نبود|نیست)|کیفیت (?:قبل|همیشه)(?:و| رو| را)",
        rf"{B}(?:دفعه|دفعات|سری|بار|سفارش) (?:قبل|قبلی|پیش)[^.!؟?]{{0,30}}?(?:بهتر|بیشتر|خوب بود|عالی بود)",
        rf"{B}قبلا [^.!؟?]{{0,40}}?(?:بهتر|بیشتر|خوب بود|عالی بود|نبود)",
        rf"{B}(?:افت کرده|افت کیفیت|تغییر کرده|قابل مقایسه نیست|هیچ فرقی|فرقی با|فرقی نداره|کم نداره)",
        rf"{B}\w+ (?:بهتریه|بهتره|بدتره|بهترن)(?:{E})",
        # the subject against its own past or a preferred alternative: «کیفیتش اومده پایین»، «بار اول … این بار»
        rf"{B}(?:ترجیح {MI}?د(?:م|یم|ین|ید)|(?:اومده|آمده) پایین|پایین (?:اومده|آمده)|(?:بدتر|بهتر|کمتر|بیشتر|کوچکتر|کوچیکتر|گرونتر|گرانتر) شده|(?:بار|دفعه) (?:اول|قبل)[^.!؟?]{{0,50}}?(?:این (?:بار|دفعه)|ولی|اما)|قدیم(?:ا| ها)|سابقا|مثل قبل{E}|دیگه مثل)",
        rf"{B}(?:behtar az|az [^.!?]{{1,30}}? \w*tar(?:e)?|nesbat be|moghayese|farghi nadare|kam nadare)",
        # a habit broken this time: «همیشه از اینجا سفارش میدادم ولی اینبار …»
        rf"{B}(?:همیشه|معمولا|هر بار|هربار|قبلا|بارها|چند ?بار|مشتری (?:ثابت|همیشگی)?)[^.!؟?]{{0,80}}?(?:ولی|اما|ولیکن) ?(?:این ?(?:بار|سری|دفعه|دفه)|امروز|دیروز|اخیرا)",
        rf"{B}(?:ماه|هفته|سال|چند وقت) (?:پیش|قبل|گذشته)[^.!؟?]{{0,50}}?(?:الان|حالا|الآن)",
        # another place or product held up to the reader: «جای دیگه برید»، «با همین پول میشه …»، «کاش سامسونگ میگرفتم»
        rf"{B}(?:جای|جاهای|جا) (?:دیگه|دیگر) ?(?:ای|ی)? ?(?:برید|برین|بخرید|بخرین|سفارش|انتخاب کن|{MI}?برم|{MI}?رم|نمی ?برم|نمی ?رم)",
        rf"{B}با (?:همین|این|همون) (?:پول|قیمت|هزینه|مبلغ)[^.!؟?]{{0,40}}?(?:{MI}?شه|{MI}?تونید|{MI}?تونین|{MI}?شد|بهتر)",
        rf"{B}(?:به جای|بجای|در مقابل|رقیب (?:خوبی |مناسبی )?(?:برای|واسه)|به پای)(?:{E}| )",
        rf"{B}(?:کاش|بهتر بود|ای کاش) [^.!؟?ن]\S*(?: \S+){{0,3}} {MI}?(?:گرفتم|خریدم|رفتم|سفارش {MI}?دادم)",
    ],
    "value_ratio": [  # «نسبت به قیمتش عالیه» rates value for money, compares with nothing
        rf"{B}(?:نسبت به|در مقایسه با|به نسبت) (?:قیمت|پول|هزینه|مبلغ|کیفیت|حجم|مشخصات|امکانات|اندازه|وزن)\w*",
        rf"{B}nesbat be (?:gheymat|pool|hazine|keyfiat|hajm|moshakhasat)\w*",
    ],
    "complaint:delivery": [
        rf"{B}(?:دیر|دیرتر|تاخیر|تأخیر|با تاخیر)(?:{E}| )",
        rf"{B}(?:سرد|یخ|یخ کرده) (?:رسید|بود|بودن|اومد|شده|{MI}?رسه|{MI}?رسن)",
        rf"{B}(?:نرسید|نیومد|نیاوردن|نیاورد|ارسال نشد|کم فرستاده|کم بود|اشتباه (?:ارسال|فرستاد|آورد|اورد|بود))",
        rf"{B}(?:پیک|ارسال|تحویل)[^.!؟?]{{0,25}}?(?:دیر|بد|افتضاح|تاخیر|بی ادب)",
        rf"{B}(?:ساعت|دقیقه) (?:بعد|طول|دیر|معطل)",
    ],
    "complaint:packaging": [
        rf"{B}(?:بسته ?بندی|جعبه|کارتن|ظرف)[^.!؟?]{{0,25}}?(?:بد|افتضاح|ضعیف|پاره|له|شکسته|باز|داغون|ریخته|نامناسب)",
        rf"{B}(?:ریخته بود|له شده|نشتی|پاره بود|له {MI}?رس(?:ه|ید|ن))",
    ],
    "complaint:price": [
        rf"{B}(?:گرون|گران|گرونه|گرانه|گرونتر|گرانتر|گرون تر|گران تر)(?:{E}| )",
        rf"{B}(?:قیمت|هزینه)[^.!؟?]{{0,25}}?(?:بالا|زیاد|زیادی|نجومی|گرون|گران|رفته|اضافه|بیشتر)",
        rf"{B}(?:ارزش (?:این )?(?:قیمت|پول)(?:و|ش|شو)? ?ندار|گرون ?فروش|کلاهبردار)",
    ],
    "complaint:support": [
        rf"{B}(?:پشتیبانی|پشتیبان|پاسخگو|جواب|پیگیری|مرجوع|بازگشت وجه|برگشت پول|گارانتی)[^.!؟?]{{0,30}}?(?:نمید|نمی د|نیستن|نیستند|نکرد|نشد|ندادن|ندادند|نمیکن|نمی کن|بی فایده|افتضاح|بد)",
        rf"{B}(?:بی ادب|بی احترامی|برخورد بد|برخورد زشت|بد برخورد)",
    ],
    "complaint:authenticity": [
        rf"{B}(?:تقلبی|فیک|اصل نبود|اصل نیست|غیر ?اصل|کپی|دست دوم|استفاده شده|کارکرده|کلاهبرداری)",
    ],
    "complaint:app": [
        rf"{B}(?:اپ|اپلیکیشن|برنامه|سایت|اپلیکیشنش|درگاه|پرداخت)[^.!؟?]{{0,30}}?(?:باگ|خطا|ارور|کار نمیکنه|کار نمی کنه|بالا نمیاد|قطع|مشکل|کنده|کند)",
    ],
    "complaint:quality": [
        rf"{B}(?:خراب|معیوب|شکسته|شکست|ترک|پاره|سوخت|سوخته|خام|بی ?کیفیت|کیفیت پایین|کیفیتش پایین|کیفیتش بد|بی ?مزه|بدمزه|بد مزه|بو می ?داد|بو میداد|فاسد|مونده|بیات|کثیف|مو داشت|سفت بود|شور بود|چرب بود|کم ?نمک|آبکی)",
        rf"{B}(?:کار نمی ?کنه|کار نمی ?کرد|از کار افتاد|قطع و وصل|داغ می ?کنه|هنگ می ?کنه|خاموش می ?شه|شارژ نگه نمی ?داره|کم ?دوام|دوام نداره|زود خراب)",
        rf"{B}(?:با عکس|با توضیحات|با تصویر)[^.!؟?]{{0,15}}?(?:فرق|مغایرت|متفاوت|یکی نبود)",
        rf"{B}(?:ضعیف|ضعیفه|افتضاح|افتضاحه|داغون|بدترین|اشغال|آشغال|مزخرف)(?:{E}| )",
    ],
    "complaint:other": [
        rf"{B}(?:مشکل|ایراد|عیب|ایرادش|مشکلش|عیبش)(?:{E}| )",
    ],
    "positive": [
        rf"{B}(?:عالی|عالیه|خوب|خوبه|خوشمزه|خوش ?طعم|راضی|راضیم|ممنون|مرسی|دمتون گرم|دست ?تون درد نکنه|بی ?نظیر|فوق ?العاده|محشر|بهترین|عاشقشم|پیشنهاد {MI}?کنم|ارزش خرید)",
    ],
    "negative": [
        rf"{B}(?:بد|بده|افتضاح|ناراضی|ضعیف|بدترین|بی ?کیفیت|اشغال|آشغال|مزخرف|پشیمون|پشیمان|متاسفانه|اصلا خوب نبود|خوب نبود|راضی نبودم|راضی نیستم)",
    ],
}

CATEGORIES = ["quality", "delivery", "packaging", "price", "support", "authenticity", "app", "other"]


@dataclass(frozen=True)
class Cue:
    tag: str
    start: int
    end: int


_COMPILED = {tag: [re.compile(p) for p in pats] for tag, pats in _PATTERNS.items()}
FEATURE_NAMES = [f"{tag}#{i}" for tag, pats in _PATTERNS.items() for i in range(len(pats))] + \
                [f"{tag}#any" for tag in _PATTERNS]
# A model's cue columns mean these patterns (and the competitor phrasing whose name count is
# the last column): trained heads record the digest, and refuse another set.
PATTERNS_DIGEST = hashlib.sha256(("\n".join(f"{t}\t{p}" for t, pats in _PATTERNS.items() for p in pats)
                                  + "\n" + PHRASING_SIGNATURE).encode("utf-8")).hexdigest()[:12]


def find_cues(folded: Folded, tags: set[str] | None = None) -> list[Cue]:
    """Every cue in the text; with `tags`, only those of these tags ("complaint" takes every category).

    Each pattern is a scan of the whole text, so the classifier asks only for the
    tags it quotes evidence for: a few patterns of the 70.
    """
    found = []
    for tag, patterns in _COMPILED.items():
        if tags is not None and tag not in tags and tag.split(":", 1)[0] not in tags:
            continue
        for pattern in patterns:
            found += [Cue(tag, m.start(), m.end()) for m in pattern.finditer(folded.text)]
    return found


def cue_features(folded: Folded) -> np.ndarray:
    """One 0/1 per pattern plus one per tag (any pattern of the tag matched)."""
    row = []
    anys = []
    for tag, patterns in _COMPILED.items():
        hits = [1.0 if p.search(folded.text) else 0.0 for p in patterns]
        row += hits
        anys.append(max(hits))
    return np.array(row + anys, dtype=np.float32)


def evidence(folded: Folded, cues: list[Cue], tag: str, limit: int = 3) -> list[str]:
    """Original-text spans of the cues for `tag` (prefix match: "complaint" takes every category)."""
    spans: list[str] = []
    for cue in sorted(cues, key=lambda c: c.start):
        if cue.tag == tag or cue.tag.startswith(tag + ":"):
            span = folded.span(cue.start, cue.end)
            if span and span not in spans:
                spans.append(span)
    return spans[:limit]
