"""Leases: at most one holder of a named job at a time, across processes and machines sharing the store."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Iterator

from shenava.errors import ShenavaError
from shenava.storage.processes import process_is_gone, this_process
from shenava.storage.store import Store


class LeaseHeld(ShenavaError):
    """Another run holds the lease (e.g. the same source is being collected right now)."""


@contextmanager
def lease(store: Store, name: str, ttl: timedelta = timedelta(hours=2)) -> Iterator[str]:
    """Hold `name` for the duration of the block; raise LeaseHeld if a live holder has it.

    A holder killed on this machine is taken over at once; the TTL bounds how
    long one killed elsewhere blocks the next run.
    """
    owner = this_process()
    now = datetime.now(timezone.utc)
    with store.transaction() as db:
        row = db.execute("SELECT owner, acquired_at, expires_at FROM leases WHERE name = ?", [name]).fetchone()
        if row and datetime.fromisoformat(row[2]) > now and row[0] != owner and not process_is_gone(row[0]):
            raise LeaseHeld(f"{name} is already running (held by {row[0]} since {row[1]}, "
                            f"lease expires {row[2]})")
        db["leases"].upsert({"name": name, "owner": owner, "acquired_at": now.isoformat(timespec="seconds"),
                             "expires_at": (now + ttl).isoformat(timespec="seconds")}, pk="name")
    try:
        yield owner
    finally:
        with store.transaction() as db:
            db.execute("DELETE FROM leases WHERE name = ? AND owner = ?", [name, owner])
