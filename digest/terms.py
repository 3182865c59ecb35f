"""Words that stand out, and suggestions grouped by what they ask for.

Both run on bounded samples of normalized text (a spike day's most engaged
mentions, the period's suggestions), never on the whole store.
"""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from typing import Any, Iterable, Sequence

import numpy as np

_WORD = re.compile(r"[\w\u200c]+", re.UNICODE)
# Function words and chat filler in formal and colloquial Persian (plus a little Finglish):
# they are frequent on every day and in every suggestion, so they never explain anything.
STOPWORDS = frozenset("""
و در به از که این آن را با برای تا هم یا اما ولی اگر چون چه چی چرا کی کجا نه هیچ همه هر یه یک دو
است هست نیست بود بودن شد شده شود میشه می‌شه میشد کرد کردم کردن کنید کنین کنه کنم کند کردند کردید
داره دارد دارن دارند داشت داشتم دارم ندارم نداره ندارن باشه باشد بشه بده بدید بدین دادن داد دادم
من تو او ما شما اونا آنها ایشون اون این‌ها اینا خودم خودش خود خیلی خیلیی بسیار کمی بیشتر کمتر فقط حتی
الان امروز دیروز دیگه دیگر باز هنوز همین همون اینجا اونجا واقعا واقعاً اصلا اصلاً حتما حتماً
رو هستش هستن هستند بودم بودیم شدم شدیم شدن میکنم می‌کنم میکنه می‌کنه میخوام می‌خوام
کاش ای لطفا لطفاً خواهشا خواهشاً پیشنهاد میکنم بهتر بهتره اضافه بذارید بزارید بگذارید
ممنون مرسی سلام درود دوستان عزیز آقا خانم جان
va ham ke ba az be ro in oon kheili kash lotfan
""".split())


def tokens(text: str, exclude: frozenset[str] = frozenset()) -> list[str]:
    out = []
    for word in _WORD.findall(text.casefold()):
        word = word.strip("\u200c_")
        if len(word) < 2 or word.isdigit() or word in STOPWORDS or word in exclude:
            continue
        out.append(word)
    return out


def as_written(terms: Sequence[str], display_texts: Iterable[str]) -> list[str]:
    """Each term in the spelling people wrote it in, where that differs only by a half-space.

    Terms are counted on the analysis form, which joins half-spaced words so that
    «بسته‌بندی» and «بسته بندی» match: shown as such («بستهبندی») they read as
    misspellings. The commonest written form whose analysis form is the term wins.
    """
    wanted = set(terms)
    written: dict[str, Counter] = {}
    for text in display_texts:
        for word in _WORD.findall(text or ""):
            word = word.strip("\u200c_")
            if "\u200c" in word and (form := _analysis_word(word)) in wanted:
                written.setdefault(form, Counter())[word] += 1
    return [written[t].most_common(1)[0][0] if t in written else t for t in terms]


# The analysis form's letter steps for the few letters that differ in written Persian: the full
# normalizer loads hazm and its lexicons (about 3 s), a cost a digest built alone would pay for a
# handful of words.
_ARABIC_LETTERS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ە": "ه", "\u200c": None})


@lru_cache(maxsize=20000)
def _analysis_word(word: str) -> str:
    from shenava.nlp.text.normalize import ascii_digits, remove_diacritics

    return ascii_digits(remove_diacritics(word.translate(_ARABIC_LETTERS))).casefold()


def brand_words(names: Iterable[str]) -> frozenset[str]:
    """Words of the brand's and competitors' names: every mention has them, so they explain nothing."""
    return frozenset(w for n in names for w in _WORD.findall(n.casefold()) + [n.casefold()])


def top_terms(texts: Sequence[str], baseline: Sequence[str], k: int = 8,
              exclude: frozenset[str] = frozenset()) -> list[str]:
    """Terms in more of `texts` than usual: share of texts containing the term minus its share
    in `baseline`, among terms found in at least two texts."""
    if not texts:
        return []
    df = Counter(w for t in texts for w in set(tokens(t, exclude)))
    base = Counter(w for t in baseline for w in set(tokens(t, exclude)))
    n, nb = len(texts), max(len(baseline), 1)
    scored = [(df[w] / n - base[w] / nb, df[w], w) for w in df if df[w] >= 2]
    scored.sort(key=lambda s: (-s[0], -s[1], s[2]))
    return [w for score, _, w in scored if score > 0][:k]


# Two suggestions ask for the same thing when the cosine similarity of their
# character 3-5-gram TF-IDF vectors (cue words removed) is at least this.
SIMILARITY = 0.3


def char_tfidf(texts: Sequence[str], sizes: tuple[int, ...] = (3, 4, 5)) -> "Any":
    """Rows of l2-normalized TF-IDF over character n-grams of space-padded words (sublinear tf,
    smoothed idf), as a scipy CSR matrix."""
    from scipy.sparse import csr_matrix

    vocab: dict[str, int] = {}
    rows, cols, vals = [], [], []
    for r, text in enumerate(texts):
        counts = Counter(w[i:i + n] for word in text.split() for w in [f" {word} "] for n in sizes
                         for i in range(max(1, len(w) - n + 1)))
        for gram, c in counts.items():
            rows.append(r)
            cols.append(vocab.setdefault(gram, len(vocab)))
            vals.append(1.0 + np.log(c))
    matrix = csr_matrix((vals, (rows, cols)), shape=(len(texts), len(vocab)))
    df = np.bincount(matrix.indices, minlength=len(vocab))
    matrix = matrix.multiply(np.log((1 + len(texts)) / (1 + df)) + 1.0).tocsr()
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return csr_matrix(matrix.multiply(1.0 / norms[:, None]))


def group_similar(texts: Sequence[str], similarity: float = SIMILARITY,
                  exclude: frozenset[str] = frozenset()) -> list[list[int]]:
    """Indexes of `texts` grouped by average-linkage clustering of cosine distance, cut where the
    average similarity drops below `similarity`; groups largest first, members in input order
    (so the caller's most engaged text leads its group)."""
    cleaned = [" ".join(tokens(t, exclude)) for t in texts]
    keep = [i for i, t in enumerate(cleaned) if t]
    groups: list[list[int]] = [[i] for i, t in enumerate(cleaned) if not t]
    if len(keep) == 1:
        groups.append(keep)
    elif keep:
        from scipy.cluster.hierarchy import fcluster, linkage

        matrix = char_tfidf([cleaned[i] for i in keep])
        distance = np.clip(1.0 - (matrix @ matrix.T).toarray(), 0.0, None)
        condensed = distance[np.triu_indices(len(keep), 1)]
        labels = fcluster(linkage(condensed, method="average"), t=1.0 - similarity, criterion="distance")
        by_label: dict[int, list[int]] = {}
        for i, label in zip(keep, labels):
            by_label.setdefault(int(label), []).append(i)
        groups += by_label.values()
    groups = [sorted(g) for g in groups]
    groups.sort(key=lambda g: (-len(g), g[0]))
    return groups


def group_terms(texts: Sequence[str], k: int = 3, exclude: frozenset[str] = frozenset()) -> list[str]:
    """The words most of a group's texts share, for its title."""
    df = Counter(w for t in texts for w in set(tokens(t, exclude)))
    return [w for w, _ in sorted(df.items(), key=lambda kv: (-kv[1], kv[0]))[:k]]
