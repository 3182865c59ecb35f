"""scikit-learn's `char_wb` TF-IDF transform, done with numpy arrays instead of Python strings.

scikit-learn builds every n-gram of every word as a Python string and looks it up
in a dict: about 0.12 ms a mention, a fifth of the classifier's own Python time.
Here each character becomes a small integer, each n-gram a 64-bit key
(n, then 12 bits per character), and the lookup is one `searchsorted` over the
whole chunk. The rows are the ones scikit-learn makes (tests/test_chargrams.py
compares them on mixed Persian, Finglish and emoji text).

Only the transform is replaced: `fit` still learns the vocabulary and idf.
"""
from __future__ import annotations

import numpy as np
from scipy import sparse

_BITS = 12          # per character: 4,095 distinct characters in the vocabulary at most
_MAX_N = 5          # 5 x 12 bits and n itself fit in a signed 64-bit key
_GAP = "\x00"       # between words and texts; never in a vocabulary, so no n-gram spans it


class CharGrams:
    def __init__(self, vocabulary: dict[str, int], idf: np.ndarray, ngram_range: tuple[int, int]):
        self.min_n, self.max_n = ngram_range
        self.width = len(idf)
        self.idf = np.asarray(idf, dtype=np.float32)
        chars = sorted({c for gram in vocabulary for c in gram} - {_GAP})
        self.codes = np.array([ord(c) for c in chars], dtype=np.int64)
        index = {c: i + 1 for i, c in enumerate(chars)}  # 0 stands for "not in the vocabulary"
        keys = np.array([_key(gram, index) for gram in vocabulary], dtype=np.int64)
        order = np.argsort(keys)
        self.keys = keys[order]
        self.columns = np.fromiter(vocabulary.values(), dtype=np.int64, count=len(vocabulary))[order]

    @classmethod
    def usable(cls, vectorizer) -> bool:
        """Whether this vectorizer's settings are the ones reproduced here.

        From n = 2 every n-gram lies inside one padded word; scikit-learn's rule for
        words shorter than the smallest n (the whole word, once) never applies.
        """
        p = vectorizer.get_params()
        chars = {c for gram in vectorizer.vocabulary_ for c in gram}
        return (p["analyzer"] == "char_wb" and p["lowercase"] and p["strip_accents"] is None
                and p["preprocessor"] is None and p["binary"] is False and p["norm"] == "l2"
                and p["use_idf"] and p["sublinear_tf"] and p["ngram_range"][0] == 2 and p["ngram_range"][1] <= _MAX_N
                and len(chars) < 2 ** _BITS and _GAP not in chars)

    def transform(self, texts: list[str]) -> sparse.csr_matrix:
        segments = []
        for text in texts:
            words = text.lower().split()
            segments.append(" " + f" {_GAP} ".join(words) + " " if words else "")
        joined = _GAP.join(segments)
        codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)
        text_of = np.repeat(np.arange(len(texts)), [len(s) + 1 for s in segments])[:len(codes)]
        slot = np.minimum(np.searchsorted(self.codes, codes), max(len(self.codes) - 1, 0))
        known = self.codes[slot] == codes if len(self.codes) else np.zeros(len(codes), bool)
        ids = np.where(known, slot + 1, 0)

        rows, cols = [], []
        packed, whole = ids.copy(), known.copy()
        for n in range(2, self.max_n + 1):
            # n-grams starting at 0 .. len-n: extend the (n-1)-grams by the next character
            packed = (packed[:-1] << _BITS) | ids[n - 1:]
            whole = whole[:-1] & known[n - 1:]
            if n < self.min_n:
                continue
            start = np.flatnonzero(whole)
            key = (n << (_BITS * _MAX_N)) | packed[start]
            at = np.minimum(np.searchsorted(self.keys, key), len(self.keys) - 1)
            hit = self.keys[at] == key
            rows.append(text_of[start[hit]])
            cols.append(self.columns[at[hit]])
        row = np.concatenate(rows) if rows else np.zeros(0, np.int64)
        col = np.concatenate(cols) if cols else np.zeros(0, np.int64)
        counts = sparse.csr_matrix((np.ones(len(row), np.float32), (row, col)),
                                   shape=(len(texts), self.width), dtype=np.float32)
        counts.sum_duplicates()
        counts.sort_indices()
        row_of = np.repeat(np.arange(len(texts)), np.diff(counts.indptr))
        data = (np.log(counts.data) + 1) * self.idf[counts.indices]
        norms = np.sqrt(np.bincount(row_of, weights=data.astype(np.float64) ** 2, minlength=len(texts)))
        data = (data / norms[row_of]).astype(np.float32)
        return sparse.csr_matrix((data, counts.indices, counts.indptr), shape=counts.shape)


def _key(gram: str, index: dict[str, int]) -> int:
    key = 0
    for c in gram:
        key = (key << _BITS) | index[c]
    return (len(gram) << (_BITS * _MAX_N)) | key
