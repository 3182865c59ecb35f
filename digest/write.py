"""write_digest: build one digest and write its HTML and Markdown files."""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from shenava.config import Config
from shenava.digest.figures import build_digest
from shenava.digest.model import Digest, DigestError
from shenava.digest.render_html import render_html
from shenava.digest.render_md import render_markdown


@dataclass
class DigestFiles:
    html: Path
    markdown: Path
    digest: Digest


def write_digest(store: Any, config: Config, brand: str, period: str, date: date | str,
                 **options: Any) -> DigestFiles:
    """Write `<brand-slug>-<period>-<YYYY-MM-DD>.html` and `.md` (plus the figures as `.json`)
    under config.reports_dir; `options` go to build_digest (model_version, spike_rule, now)."""
    digest = build_digest(store, config, brand, period, date, **options)
    folder = config.reports_dir
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DigestError(f"{folder}: cannot create the reports folder (digest.dir): {exc}") from None
    stem = folder / digest.file_stem
    html, markdown = stem.with_suffix(".html"), stem.with_suffix(".md")
    _write(html, render_html(digest))
    _write(markdown, render_markdown(digest))
    _write(stem.with_suffix(".json"), json.dumps(digest.to_dict(), ensure_ascii=False, indent=1))
    return DigestFiles(html=html, markdown=markdown, digest=digest)


def _write(path: Path, text: str) -> None:
    # Written aside and renamed, so a reader never sees half a digest.
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        # mkstemp makes the file private; a digest is for the team (and a web server) to read.
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        raise DigestError(f"{path}: cannot write the digest: {exc}") from None
