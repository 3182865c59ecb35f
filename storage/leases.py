"""Leases: at most one holder of a named job at a time, across processes and machines sharing the store."""
from __future__ import annotations

import os
import socket
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Iterator

from shenava.errors import ShenavaError
from shenava.storage.store import Store


class LeaseHeld(ShenavaError):
    """Another run holds the lease (e.g. the same source is being collected right now)."""


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _holder_is_gone(owner: str) -> bool:
    """True when the holder ran on this machine and its process no longer exists (killed, crashed).

    Holders on other machines cannot be checked; their lease runs out with its TTL.
    """
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError):
        return False
    return False


@contextmanager
def lease(store: Store, name: str, ttl: timedelta = timedelta(hours=2)) -> Iterator[str]:
    """Hold `name` for the duration of the block; raise LeaseHeld if a live holder has it.

    A holder killed on this machine is taken over at once; the TTL bounds how
    long one killed elsewhere blocks the next run.
    """
    owner = _owner()
    now = datetime.now(timezone.utc)
    with store.transaction() as db:
        row = db.execute("SELECT owner, acquired_at, expires_at FROM leases WHERE name = ?", [name]).fetchone()
        if row and datetime.fromisoformat(row[2]) > now and row[0] != owner and not _holder_is_gone(row[0]):
            raise LeaseHeld(f"{name} is already running (held by {row[0]} since {row[1]}, "
                            f"lease expires {row[2]})")
        db["leases"].upsert({"name": name, "owner": owner, "acquired_at": now.isoformat(timespec="seconds"),
                             "expires_at": (now + ttl).isoformat(timespec="seconds")}, pk="name")
    try:
        yield owner
    finally:
        with store.transaction() as db:
            db.execute("DELETE FROM leases WHERE name = ? AND owner = ?", [name, owner])
