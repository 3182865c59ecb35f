"""Exact and near-duplicate clusters over analysis texts (forwards, copy-paste across channels).

Exact duplicates share a content hash. Near duplicates are found with SimHash
over character 4-gram shingles: 64-bit fingerprints split into 8 bands of 8
bits index the candidates, and two texts are one cluster when their
fingerprints differ in at most `max_distance` bits (a forward with a short
header or an emoji added differs in about 8; unrelated texts in about 32).
Each bucket keeps only its newest entries, so adding a text costs the same
however many texts are indexed.
"""
from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from typing import Hashable

import numpy as np

_BITS = 64
_BANDS = 8
BUCKET_LIMIT = 64
_BAND_BITS = _BITS // _BANDS
_MASK = (1 << _BAND_BITS) - 1
_NON_WORD = re.compile(r"[^\w]+")
# Texts shorter than this are not near-matched (a short «عالی» is not a copy of another «عالی!»);
# exact matches still cluster.
MIN_NEAR_LENGTH = 24


def _hash64(shingle: str) -> int:
    return int.from_bytes(hashlib.blake2b(shingle.encode("utf-8", "replace"), digest_size=8).digest(), "big")


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finalizer: spreads each 4-gram's code into 64 well-mixed bits."""
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def simhash(text: str) -> int:
    text = _NON_WORD.sub(" ", text).strip()
    if len(text) < 4:
        return _hash64(text)
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    # Each 4-gram packed from its code points (16 bits each suffice after the mix).
    grams = (codes[:-3] << np.uint64(48)) ^ (codes[1:-2] << np.uint64(32)) ^ (codes[2:-1] << np.uint64(16)) ^ codes[3:]
    hashes = _mix(np.unique(grams)).astype(">u8")
    bits = np.unpackbits(hashes.view(np.uint8).reshape(-1, 8), axis=1)  # most significant bit first
    votes = bits.sum(axis=0) * 2 > len(hashes)
    return int.from_bytes(np.packbits(votes).tobytes(), "big")


class Deduplicator:
    def __init__(self, max_distance: int = 10):
        self.max_distance = max_distance
        self._exact: dict[str, Hashable] = {}
        self._bands: list[dict[int, list[tuple[int, Hashable]]]] = [defaultdict(list) for _ in range(_BANDS)]

    def seed(self, key: Hashable, text: str, cluster: Hashable | None) -> None:
        """Index a text that already has a cluster (from an earlier run) without changing it."""
        norm = _NON_WORD.sub(" ", text).strip()
        self._index(norm, simhash(norm) if len(norm) >= MIN_NEAR_LENGTH else None,
                    cluster if cluster is not None else key)

    def add(self, key: Hashable, text: str) -> Hashable:
        """Cluster of `text`: an earlier identical or near-identical text's cluster, else `key`."""
        norm = _NON_WORD.sub(" ", text).strip()
        if norm in self._exact:
            return self._exact[norm]
        cluster = key
        fp = simhash(norm) if len(norm) >= MIN_NEAR_LENGTH else None
        if fp is not None:
            best = None
            for band in range(_BANDS):
                for other_fp, other_cluster in self._bands[band].get(fp >> band * _BAND_BITS & _MASK, ()):
                    distance = (fp ^ other_fp).bit_count()
                    if distance <= self.max_distance and (best is None or distance < best[0]):
                        best = (distance, other_cluster)
            if best is not None:
                cluster = best[1]
        self._index(norm, fp, cluster)
        return cluster

    def _index(self, norm: str, fp: int | None, cluster: Hashable) -> None:
        self._exact.setdefault(norm, cluster)
        if fp is not None:
            for band in range(_BANDS):
                bucket = self._bands[band][fp >> band * _BAND_BITS & _MASK]
                bucket.append((fp, cluster))
                if len(bucket) > BUCKET_LIMIT:
                    del bucket[0]
