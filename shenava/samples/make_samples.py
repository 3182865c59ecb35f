"""Render texts.py into each sample source's own format (run once; outputs are committed).

    python -m shenava.samples.make_samples
"""
from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from shenava.samples.texts import GROUP, REVIEWS

HERE = Path(__file__).parent
TEHRAN = ZoneInfo("Asia/Tehran")


def when(day: int, hhmm: str) -> datetime:
    h, m = map(int, hhmm.split(":"))
    return datetime(2026, 11, day, h, m, tzinfo=TEHRAN)


def group_export() -> dict:
    """Telegram Desktop's `result.json` for a public group (dates in the exporter's local time)."""
    messages = [{"id": 1, "type": "service", "date": "2026-11-01T09:00:00", "date_unixtime": "1761973200",
                 "actor": "Group", "actor_id": "channel1900000001", "action": "create_group", "title":
                 "خرید آنلاین مواد غذایی", "text": "", "text_entities": []}]
    for n, (day, hhmm, author, text, reply, fwd) in enumerate(GROUP):
        t = when(day, hhmm)
        msg = {"id": 100 + n, "type": "message", "date": t.strftime("%Y-%m-%dT%H:%M:%S"),
               "date_unixtime": str(int(t.timestamp())), "from": author, "from_id": f"user{700000 + n * 37}"}
        if reply is not None:
            msg["reply_to_message_id"] = 100 + reply
        if fwd:
            msg["forwarded_from"] = fwd
        # Exports split text into entities; a hashtag or link becomes its own piece.
        if "تازه‌رس" in text and n % 3 == 0:
            head, _, tail = text.partition("تازه‌رس")
            msg["text"] = [head, {"type": "bold", "text": "تازه‌رس"}, tail]
            msg["text_entities"] = [{"type": "plain", "text": head}, {"type": "bold", "text": "تازه‌رس"},
                                    {"type": "plain", "text": tail}]
        else:
            msg["text"] = text
            msg["text_entities"] = [{"type": "plain", "text": text}]
        messages.append(msg)
    return {"name": "خرید آنلاین مواد غذایی", "type": "public_supergroup", "id": 1900000001, "messages": messages}


def reviews_csv(path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["review_id", "created", "user", "stars", "body", "would_recommend", "seller_reply", "url"])
        for n, (day, hhmm, author, stars, text, rec, reply) in enumerate(REVIEWS):
            rid = f"r{5000 + n}"
            w.writerow([rid, when(day, hhmm).isoformat(), author, stars, text,
                        "" if rec is None else ("yes" if rec else "no"), reply or "",
                        f"https://reviews.example/tazeres#{rid}"])


def main() -> None:
    (HERE / "group-export").mkdir(exist_ok=True)
    (HERE / "group-export" / "result.json").write_text(
        json.dumps(group_export(), ensure_ascii=False, indent=1), encoding="utf-8")
    reviews_csv(HERE / "reviews.csv")
    from shenava.samples.make_telegram import write

    write(HERE / "telegram")


if __name__ == "__main__":
    main()
