"""CSV / JSON Lines import with a column map, for data the team already has."""
from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Literal
from zoneinfo import ZoneInfo

from pydantic import Field

from shenava.connectors.base import Connector, ConnectorOptions
from shenava.connectors.registry import register
from shenava.errors import ConnectorError, LayoutChanged
from shenava.mention import Mention

_FIELDS = ("id", "text", "published_at", "author", "permalink", "channel", "parent_id", "views",
           "reactions", "forwards", "replies", "brand")


class FileOptions(ConnectorOptions):
    path: str = Field(description="file or glob, relative to the config file's folder")
    format: Literal["auto", "csv", "jsonl"] = "auto"
    encoding: str = "utf-8"
    # Maps shenava's field names to the file's column names; id and text are required.
    columns: dict[str, str] = {"id": "id", "text": "text", "published_at": "published_at"}
    timezone: str = "Asia/Tehran"  # for timestamps written without an offset


@register
class FileConnector(Connector):
    kind = "file"
    Options = FileOptions
    options: FileOptions

    def files(self) -> list[Path]:
        return resolve_files(self.base_dir, self.options.path, self.source.name)

    def collect(self, cursor: dict[str, Any]) -> Iterator[Mention]:
        unknown = set(self.options.columns) - set(_FIELDS)
        if unknown:
            raise ConnectorError(f"source {self.source.name}: columns has unknown field(s) "
                                 f"{sorted(unknown)}; known: {', '.join(_FIELDS)}")
        for field in ("id", "text"):
            if field not in self.options.columns:
                raise ConnectorError(f"source {self.source.name}: columns must map {field!r}")
        done: dict[str, str] = dict(cursor.get("files", {}))
        self.cursor = {"files": dict(done)}
        for path in self.files():
            data = path.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            if done.get(str(path)) == digest:
                continue
            try:
                text = data.decode(self.options.encoding)
            except UnicodeDecodeError as exc:
                raise ConnectorError(f"{path}: not {self.options.encoding} text ({exc.reason} at byte "
                                     f"{exc.start}); set encoding in the source") from None
            yield from self._rows(path, text)
            self.cursor["files"][str(path)] = digest

    def _rows(self, path: Path, text: str) -> Iterator[Mention]:
        fmt = self.options.format
        if fmt == "auto":
            fmt = "jsonl" if path.suffix.lower() in (".jsonl", ".ndjson", ".json") else "csv"
        if fmt == "csv":
            reader = csv.DictReader(io.StringIO(text))
            header = reader.fieldnames or []
            missing = [c for f, c in self.options.columns.items() if c not in header]
            if missing:
                raise LayoutChanged(f"{path}: column(s) {missing} from the column map are not in the "
                                    f"header {header}")
            for n, row in enumerate(reader, start=2):
                yield self._mention(path, n, row)
        else:
            for n, line in enumerate(text.splitlines(), start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ConnectorError(f"{path}:{n}: not valid JSON: {exc.msg}") from None
                if not isinstance(row, dict):
                    raise ConnectorError(f"{path}:{n}: expected a JSON object per line")
                yield self._mention(path, n, row)

    def _mention(self, path: Path, line: int, row: dict[str, Any]) -> Mention:
        cols = self.options.columns

        def get(field: str) -> Any:
            return row.get(cols[field]) if field in cols else None

        ext_id, text = get("id"), get("text")
        if ext_id in (None, "") or not isinstance(text, str) or not text.strip():
            raise ConnectorError(f"{path}:{line}: row has no {cols['id']!r} or no text in {cols['text']!r}")
        return Mention(
            external_id=str(ext_id), text=text, published_at=self._when(path, line, get("published_at")),
            author=_str(get("author")), permalink=_str(get("permalink")), channel=_str(get("channel")),
            parent_external_id=_str(get("parent_id")), views=_int(get("views")),
            reactions=_int(get("reactions")), forwards=_int(get("forwards")), replies=_int(get("replies")),
            brand=_str(get("brand")),
        )

    def _when(self, path: Path, line: int, value: Any) -> datetime:
        if value in (None, ""):
            raise ConnectorError(f"{path}:{line}: no date in column {self.options.columns.get('published_at')!r}")
        try:
            # Epoch seconds are UTC by definition; only written-out times take the source's timezone.
            when = (datetime.fromtimestamp(value, timezone.utc) if isinstance(value, (int, float))
                    else datetime.fromisoformat(str(value)))
        except ValueError:
            raise ConnectorError(f"{path}:{line}: date {value!r} is not ISO 8601") from None
        return when if when.tzinfo else when.replace(tzinfo=ZoneInfo(self.options.timezone))


def resolve_files(base_dir: Path, pattern: str, source_name: str, *, folders: bool = False) -> list[Path]:
    """Files (or folders too) matching `pattern`, a path or a glob, below `base_dir`; nothing outside it."""
    root = base_dir.resolve()
    try:
        if "\0" in pattern:
            raise ValueError("embedded null byte")
        matches = sorted(root.glob(pattern)) if any(c in pattern for c in "*?[") else [root / pattern]
    except (ValueError, NotImplementedError) as exc:  # NotImplementedError: an absolute glob
        raise ConnectorError(f"source {source_name}: path {pattern!r} cannot be read as a file or glob below "
                             f"{root} ({exc})") from None
    found = []
    for p in matches:
        p = p.resolve()
        if not p.is_relative_to(root):
            raise ConnectorError(f"source {source_name}: {p} is outside {root}; "
                                 "file imports only read below the config's folder")
        if not (p.is_file() or (folders and p.is_dir())):
            raise ConnectorError(f"source {source_name}: file not found: {p}")
        found.append(p)
    if not found:
        raise ConnectorError(f"source {source_name}: no file matches {pattern!r} in {root}")
    return found


def _str(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def _int(value: Any) -> int | None:
    try:
        return None if value in (None, "") else int(value)
    except (TypeError, ValueError):
        return None
