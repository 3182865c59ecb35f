"""Prepare many mentions at once, for the analyze stage and the benchmark.

Two things make a batch cheaper per mention than `prepare` one by one: the
duplicate fingerprints (MinHash) are hashed in a few numpy passes for the whole
batch, and a large batch is split over worker processes. The results are the
same as the sequential path, in the same order; only the time differs.

    with Preparer(workers=2) as preparer:
        for prepared, fp in preparer(texts):
            cluster = dedup.add(key, prepared.analysis, fp)
"""
from __future__ import annotations

import gc
import multiprocessing
import os
import sys
from dataclasses import fields
from typing import Sequence

import numpy as np

from shenava.nlp.text import Prepared, warm_up
from shenava.nlp.text.dedup import Fingerprint, fingerprints

# Below this many texts a batch is prepared in-process: starting workers and
# shipping results back costs more than the second core saves.
MIN_PARALLEL = 2048
# Texts per task sent to a worker: large enough that pickling is a small share,
# small enough that both workers finish together.
CHUNK = 512


# Worker processes when the caller does not say. One: on the shared 2-core
# machine the two-worker path measured slower than one process every time (the
# other core was always busy, and workers add ~30% CPU for pickling and
# copy-on-write); pass workers=2 where a core is known to be free.
DEFAULT_WORKERS = 1


def default_workers() -> int:
    return min(DEFAULT_WORKERS, os.cpu_count() or 1)


def prepare_chunk(texts: Sequence[str]) -> list[tuple[Prepared, Fingerprint | None]]:
    """Each text prepared, with the duplicate fingerprint of its analysis text."""
    from shenava.nlp.text import prepare  # looked up per batch: tests swap it to stage a race

    prepared = [prepare(t) for t in texts]
    return list(zip(prepared, fingerprints([p.analysis for p in prepared])))


# What a worker sends back, as plain tuples and one signature array: unpickling
# a dataclass and a small numpy array per mention cost the parent more than
# preparing it had cost the worker.
_Packed = tuple[list[tuple], list[tuple[int, str, bytes, list[int]]], np.ndarray]


def _prepare_packed(texts: Sequence[str]) -> _Packed:
    results = prepare_chunk(texts)
    rows = [tuple(getattr(p, f.name) for f in fields(Prepared)) for p, _ in results]
    fps = [(i, fp.norm, fp.digest, fp.band_keys) for i, (_, fp) in enumerate(results) if fp is not None]
    signatures = np.array([fp.signature for _, fp in results if fp is not None], dtype=np.uint32)
    return rows, fps, signatures


def _unpack(packed: _Packed) -> list[tuple[Prepared, Fingerprint | None]]:
    rows, fps, signatures = packed
    found: list[Fingerprint | None] = [None] * len(rows)
    for k, (i, norm, digest, band_keys) in enumerate(fps):
        found[i] = Fingerprint(norm, digest, signatures[k], band_keys)
    return [(Prepared(*row), fp) for row, fp in zip(rows, found)]


def _can_fork() -> bool:
    # Workers are forked so they start with hazm and the word lists already
    # loaded (a spawned worker would spend seconds importing them). They run
    # only pure text functions: no locks, files or threads of the parent.
    return sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods()


class Preparer:
    """`prepare` and `fingerprint` over batches; large ones over `workers` processes.

    The pool is started on the first large batch and kept until `close()`, so
    a run of many batches forks once.
    """

    def __init__(self, workers: int | None = None):
        self.workers = default_workers() if workers is None else max(1, workers)
        self._pool = None

    def __call__(self, texts: Sequence[str]) -> list[tuple[Prepared, Fingerprint | None]]:
        if self.workers < 2 or len(texts) < MIN_PARALLEL or not _can_fork():
            return prepare_chunk(texts)
        if self._pool is None:
            warm_up()  # in the parent, once: every forked worker inherits it
            # Frozen objects are skipped by the workers' garbage collector, so it
            # does not write to (and copy) every inherited page of word lists.
            gc.freeze()
            try:
                self._pool = multiprocessing.get_context("fork").Pool(self.workers)
            finally:
                gc.unfreeze()
        chunks = [texts[i:i + CHUNK] for i in range(0, len(texts), CHUNK)]
        return [item for part in self._pool.imap(_prepare_packed, chunks) for item in _unpack(part)]

    def close(self, abort: bool = False) -> None:
        if self._pool is not None:
            if abort:  # an error or ^C mid-run: stop the workers, don't wait for their chunks
                self._pool.terminate()
            else:
                self._pool.close()
            self._pool.join()
            self._pool = None

    def __enter__(self) -> "Preparer":
        return self

    def __exit__(self, exc_type, *exc) -> None:
        self.close(abort=exc_type is not None)


def prepare_many(texts: Sequence[str], workers: int | None = None) -> list[Prepared]:
    """`[prepare(t) for t in texts]`, over `workers` processes when the batch is large."""
    with Preparer(workers) as preparer:
        return [p for p, _ in preparer(texts)]
