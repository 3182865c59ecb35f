"""Which days a digest covers, as local calendar days turned into UTC bounds.

A period ends on `date` (inclusive): `day` is that one day, `week` the seven
days ending on it (so a Friday gives the Iranian week Saturday-Friday). The
previous period is the same length just before. Days are calendar days in the
digest's time zone; each day's UTC bounds come from zoneinfo, so an old
daylight-saving day is still exactly its 23 or 25 hours.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shenava.digest.model import DigestError

PERIOD_DAYS = {"day": 1, "week": 7}
# Days before the period loaded for the spike baseline and the sentiment chart.
HISTORY_DAYS = 14


@dataclass(frozen=True)
class Window:
    period: str
    tz: ZoneInfo
    days: tuple[date, ...]  # every loaded day, oldest first
    period_days: int

    @property
    def cur0(self) -> int:
        """Index in `days` of the period's first day."""
        return len(self.days) - self.period_days

    @property
    def prev0(self) -> int:
        return self.cur0 - self.period_days

    @property
    def end_date(self) -> date:
        return self.days[-1]

    def local_midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(), tzinfo=self.tz)

    def bounds_utc(self) -> list[str]:
        """len(days)+1 UTC instants as 'YYYY-MM-DDTHH:MM:SS'.

        The store writes published_at as UTC ISO strings, and such a string
        compares with a bound without its offset exactly as the instants do.
        """
        edges = [*self.days, self.days[-1] + timedelta(days=1)]
        return [self.local_midnight(d).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") for d in edges]

    def start(self, index: int) -> str:
        return self.local_midnight(self.days[index]).isoformat()

    def end(self) -> str:
        return self.local_midnight(self.days[-1] + timedelta(days=1)).isoformat()


def make_window(period: str, end: date | str, tz_name: str, history: int = HISTORY_DAYS) -> Window:
    if period not in PERIOD_DAYS:
        raise DigestError(f"digest period {period!r} is not one of: {', '.join(PERIOD_DAYS)}")
    if isinstance(end, str):
        try:
            end = date.fromisoformat(end)
        except ValueError:
            raise DigestError(f"digest date {end!r} is not YYYY-MM-DD") from None
    if isinstance(end, datetime):
        end = end.date()
    if not isinstance(end, date):
        raise DigestError(f"digest date {end!r} is not a date")
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise DigestError(f"digest.timezone {tz_name!r} is not a known time zone (e.g. Asia/Tehran)") from None
    n = PERIOD_DAYS[period]
    total = n + max(history, n)
    days = tuple(end - timedelta(days=total - 1 - i) for i in range(total))
    return Window(period=period, tz=tz, days=days, period_days=n)
