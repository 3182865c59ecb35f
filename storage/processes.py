"""Who is running: a process named by host and pid, and whether it still exists."""
from __future__ import annotations

import os
import socket


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def process_is_gone(owner: str) -> bool:
    """True when `owner` ran on this machine and its process no longer exists (killed, crashed).

    Processes on other machines cannot be checked; callers bound them by time instead.
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
