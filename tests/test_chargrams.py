"""The numpy char n-gram transform gives the rows scikit-learn's char_wb TF-IDF gives."""
import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from shenava.nlp.classifier.chargrams import CharGrams
from shenava.nlp.classifier.heads import Ngrams

TRAIN = [
    "غذا سرد رسید و پیک هم یک ساعت دیر اومد، خیلی بد بود",
    "کیفیتش عالیه واقعا راضیم 👌 حتما بخرید",
    "نسبت به مدل قبلی باتریش ضعیف تره",
    "kheili khoob bood mersi 🙏 ersal sari bood",
    "پشتیبانی جواب نمیده، دیگه خرید نمیکنم",
    "قيمتش از باسلام گرونتره ولی ارسالش سريعتره",
    "بسته بندی داغون بود همش له شده بود",
    "عالی عالی عالی",
] * 3
UNSEEN = [
    "غذا دیر رسید 😡😡",
    "Kheili GRAN bood, ارسال هم دیر",                # capitals, as sklearn lowercases them
    "",                                               # nothing at all
    "   \t\n ",                                       # only white space
    "ب",                                              # a one-letter word, shorter than most n-grams
    "می‌خواهم قیمت‌ها را ببینم",                         # half-spaces inside words
    "x\x00y پیک",                                     # the separator character inside a text
    "وای   چقدر\u00a0خوب",                             # runs of spaces and a no-break space
    "ꙮꙮꙮ 𓀀 characters never seen in training",
]


@pytest.fixture(scope="module")
def fitted():
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=1, sublinear_tf=True, dtype=np.float32)
    return vec.fit(TRAIN)


def test_rows_equal_scikit_learn(fitted):
    fast = CharGrams(fitted.vocabulary_, fitted.idf_, fitted.ngram_range)
    texts = UNSEEN + TRAIN[:8]
    want = fitted.transform(texts).tocsr()
    got = fast.transform(texts)
    assert got.shape == want.shape
    assert np.array_equal(got.indptr, want.indptr)
    assert np.array_equal(got.indices, want.indices)
    assert np.abs(got.data - want.data).max() < 1e-6
    assert got.nnz > 100                             # not a comparison of two empty matrices
    assert got[2].nnz == got[3].nnz == 0             # no words, no n-grams


def test_only_the_settings_it_reproduces():
    assert CharGrams.usable(TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True).fit(TRAIN))
    for other in (dict(analyzer="char", ngram_range=(2, 5), sublinear_tf=True),
                  dict(analyzer="char_wb", ngram_range=(2, 6), sublinear_tf=True),
                  dict(analyzer="char_wb", ngram_range=(1, 5), sublinear_tf=True),
                  dict(analyzer="char_wb", ngram_range=(4, 5), sublinear_tf=True),
                  dict(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=False)):
        assert not CharGrams.usable(TfidfVectorizer(**other).fit(TRAIN)), other


def test_ngrams_use_it_and_match_the_plain_vectorizers():
    ngrams = Ngrams(max_features=5000).fit(TRAIN)
    got = ngrams.transform(UNSEEN)
    assert set(ngrams._fast) == {"char"}             # the word part stays with scikit-learn
    want = np.hstack([vec.transform(UNSEEN).toarray() for vec in ngrams.parts.values()])
    assert np.abs(got.toarray() - want).max() < 1e-6
