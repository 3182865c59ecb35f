"""Crash points: a test can SIGKILL shenava at a chosen step of collect or analyze.

The reliability tests prove a killed run loses and duplicates nothing by
setting ``SHENAVA_CRASH_AT="collect.batch_stored:2"``: the process kills
itself (no cleanup, no atexit, like ``kill -9``) the 2nd time it passes that
point. Without the variable a point costs one environment lookup.
"""
from __future__ import annotations

import os
import signal
from collections import Counter

ENV = "SHENAVA_CRASH_AT"
_passed: Counter[str] = Counter()


def crash_point(name: str) -> None:
    spec = os.environ.get(ENV)
    if not spec:
        return
    target, _, nth = spec.partition(":")
    if target != name:
        return
    _passed[name] += 1
    if _passed[name] >= int(nth or 1):
        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))
