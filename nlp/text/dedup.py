"""Exact and near-duplicate clusters over analysis texts (forwards, copy-paste
across channels), incremental and seedable so clusters stay stable across runs.

* exact: texts equal once punctuation and spacing are ignored share a cluster;
* near: MinHash over character 4-gram shingles (64 hash functions), indexed by
  LSH in 16 bands of 4, so only texts sharing a whole band are compared; a
  candidate joins when the estimated Jaccard similarity is >= `threshold`
  (a forward with a header or an emoji added scores about 0.8; two different
  complaints about the same thing about 0.1-0.3).

Texts shorter than `min_length` characters are never clustered: fifty people
writing «عالی» are fifty opinions, not one forwarded post.

    dedup = Deduplicator()
    for key, text, cluster in stored_rows:   # earlier runs
        dedup.seed(key, text, cluster)
    cluster = dedup.add(new_key, prepare(raw).analysis)

`fingerprints(texts)` hashes a whole batch in a few numpy passes (what
`nlp.text.batch.Preparer` does, in worker processes too); `add(key, text, fp)`
then only looks up.
"""
from __future__ import annotations

import hashlib
import re
from typing import Hashable, Iterable, NamedTuple

import numpy as np

NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS
SHINGLE = 4
MIN_LENGTH = 32
THRESHOLD = 0.7

_NON_WORD = re.compile(r"[\W_]+")
_rng = np.random.default_rng(20261123)  # fixed: signatures must not change between runs
# Multiply-shift hashing: h_k(x) = (a_k * x + b_k) mod 2^64, top 32 bits.
_A = (_rng.integers(1, 2**63, NUM_PERM, dtype=np.uint64) << np.uint64(1)) | np.uint64(1)
_B = _rng.integers(0, 2**63, NUM_PERM, dtype=np.uint64)


def canonical(text: str) -> str:
    """What duplicates are judged on: the words, without punctuation or spacing."""
    return _NON_WORD.sub(" ", text).strip()


_S30, _S27, _S31, _S32 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(32)
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_S42, _S28, _S14 = np.uint64(42), np.uint64(28), np.uint64(14)
_A_COL, _B_COL = _A[:, None], _B[:, None]
# Folds each band's ROWS values into one 64-bit key; the band number is mixed
# in, so one dict serves all bands.
_BAND_MULT = (_rng.integers(1, 2**63, ROWS, dtype=np.uint64) << np.uint64(1)) | np.uint64(1)
_BAND_SALT = _rng.integers(0, 2**63, BANDS, dtype=np.uint64)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finalizer: spreads each 4-gram's code into 64 well-mixed bits."""
    x = (x ^ (x >> _S30)) * _M1
    x = (x ^ (x >> _S27)) * _M2
    return x ^ (x >> _S31)


def minhash(text: str) -> np.ndarray:
    """The MinHash signature (NUM_PERM uint32) of a canonical text's 4-gram set."""
    return minhash_many([text])[0]


# Grams hashed per numpy pass in `minhash_many`: the (NUM_PERM x grams) uint64
# block stays at 8 MB instead of growing with the batch (16k measured fastest
# of 1k-64k on the bench's comments).
_GRAMS_PER_PASS = 16384


def minhash_many(texts: list[str]) -> np.ndarray:
    """`minhash` of each text, one row each, in a few numpy passes for the whole
    batch: per text, numpy's call overhead cost more than the hashing itself."""
    out = np.empty((len(texts), NUM_PERM), dtype=np.uint32)
    start = 0
    while start < len(texts):
        end, grams = start, 0
        while end < len(texts) and (end == start or grams + max(len(texts[end]), SHINGLE) <= _GRAMS_PER_PASS):
            grams += max(len(texts[end]), SHINGLE)
            end += 1
        out[start:end] = _minhash_block(texts[start:end])
        start = end
    return out


def _minhash_block(texts: list[str]) -> np.ndarray:
    # Texts shorter than a shingle are padded with NUL, one 4-gram each.
    padded = [t if len(t) >= SHINGLE else t + "\0" * (SHINGLE - len(t)) for t in texts]
    lengths = np.fromiter(map(len, padded), dtype=np.int64, count=len(padded))
    codes = np.frombuffer("".join(padded).encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
    # A 4-gram packed from its code points (21 bits each, folded into 64 by the mix).
    # Repeated 4-grams are left in: they cannot change a minimum.
    grams = (codes[:-3] << _S42) ^ (codes[1:-2] << _S28) ^ (codes[2:-1] << _S14) ^ codes[3:]
    if len(texts) == 1:
        firsts = np.zeros(1, dtype=np.int64)
    else:  # keep only the grams that lie inside one text, not across two
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        counts = lengths - (SHINGLE - 1)
        firsts = np.concatenate(([0], np.cumsum(counts)[:-1]))
        grams = grams[np.arange(counts.sum()) + np.repeat(starts - firsts, counts)]
    permuted = _A_COL * _mix(grams)[None, :]
    permuted += _B_COL
    # The top 32 bits of the minimum are the minimum of the top 32 bits.
    return (np.minimum.reduceat(permuted, firsts, axis=1) >> _S32).T.astype(np.uint32)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of the two shingle sets."""
    return float(np.count_nonzero(a == b)) / NUM_PERM


class Fingerprint(NamedTuple):
    """What `Deduplicator.add` needs of a text: the costly part, computable in a worker."""
    norm: str
    digest: bytes
    signature: np.ndarray
    band_keys: list[int]


def fingerprint(text: str, min_length: int = MIN_LENGTH) -> Fingerprint | None:
    """What `Deduplicator.add` needs of a text; None when it is too short to cluster."""
    return fingerprints([text], min_length)[0]


def fingerprints(texts: list[str], min_length: int = MIN_LENGTH) -> list[Fingerprint | None]:
    """`fingerprint` of each text, hashed as one batch (several times faster per text)."""
    norms = [canonical(t or "") for t in texts]
    long = [i for i, norm in enumerate(norms) if len(norm) >= min_length]
    out: list[Fingerprint | None] = [None] * len(texts)
    if not long:
        return out
    # Exact copies (forwards) are hashed once.
    rows = {norm: row for row, norm in enumerate(dict.fromkeys(norms[i] for i in long))}
    signatures = minhash_many(list(rows))
    band_keys = _band_keys(signatures)
    for i in long:
        row = rows[norms[i]]
        out[i] = Fingerprint(norms[i], _digest(norms[i]), signatures[row], band_keys[row])
    return out


class Deduplicator:
    def __init__(self, threshold: float = THRESHOLD, min_length: int = MIN_LENGTH):
        self.threshold = threshold
        self.min_length = min_length
        self._exact: dict[bytes, Hashable] = {}
        self._signatures = np.zeros((1024, NUM_PERM), dtype=np.uint32)
        self._clusters: list[Hashable] = []
        self._bands: dict[int, int | list[int]] = {}  # band key -> row(s)

    def __len__(self) -> int:
        return len(self._clusters)

    def seed(self, key: Hashable, text: str, cluster: Hashable | None) -> None:
        """Index a text clustered in an earlier run, keeping its cluster."""
        self.seed_many([(key, text, cluster)])

    def seed_many(self, rows: Iterable[tuple[Hashable, str, Hashable | None]]) -> None:
        rows = list(rows)
        for (key, _, cluster), fp in zip(rows, fingerprints([text for _, text, _ in rows], self.min_length)):
            if fp is not None:
                self._index(fp, key if cluster is None else cluster)

    def add(self, key: Hashable, text: str, fp: Fingerprint | None = None) -> Hashable:
        """The cluster of `text`: an earlier (near-)identical text's cluster, else `key`.

        `fp` is `fingerprint(text)` computed elsewhere (in a batch, or a worker
        process): the costly part, so the index owner only looks up.
        """
        fp = fp if fp is not None else fingerprint(text, self.min_length)
        if fp is None:
            return key
        if fp.digest in self._exact:
            return self._exact[fp.digest]
        cluster = self._nearest(fp.signature, fp.band_keys)
        if cluster is None:
            cluster = key
        self._index(fp, cluster)
        return cluster

    def _nearest(self, signature: np.ndarray, band_keys: list[int]) -> Hashable | None:
        candidates: set[int] = set()
        bands = self._bands
        for key in band_keys:
            found = bands.get(key)
            if found is None:
                continue
            if found.__class__ is int:
                candidates.add(found)
            else:
                candidates.update(found)
        if not candidates:
            return None
        rows = np.fromiter(sorted(candidates), dtype=np.int64, count=len(candidates))
        scores = np.count_nonzero(self._signatures[rows] == signature, axis=1)
        best = int(np.argmax(scores))  # the first of equals: the earliest text keeps the cluster
        if scores[best] < self.threshold * NUM_PERM:
            return None
        return self._clusters[int(rows[best])]

    def _index(self, fp: Fingerprint, cluster: Hashable) -> None:
        self._exact.setdefault(fp.digest, cluster)
        i = len(self._clusters)
        if i == len(self._signatures):
            self._signatures = np.concatenate([self._signatures, np.zeros_like(self._signatures)])
        self._signatures[i] = fp.signature
        self._clusters.append(cluster)
        # Nearly every band key is seen once: its bucket is the bare row number,
        # a list only from the second row on. A list per key made the cyclic
        # garbage collector walk hundreds of thousands of them (most of add's time).
        bands = self._bands
        for key in fp.band_keys:
            bucket = bands.get(key)
            if bucket is None:
                bands[key] = i
            elif bucket.__class__ is int:
                bands[key] = [bucket, i]
            else:
                bucket.append(i)


def _band_keys(signatures: np.ndarray) -> list[list[int]]:
    """Each signature's BANDS keys, one list per row of `signatures`."""
    bands = signatures.reshape(len(signatures), BANDS, ROWS).astype(np.uint64)
    return ((bands * _BAND_MULT).sum(axis=2) ^ _BAND_SALT).tolist()


def _digest(norm: str) -> bytes:
    return hashlib.blake2b(norm.encode("utf-8", "surrogatepass"), digest_size=16).digest()
