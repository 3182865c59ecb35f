"""Publish a digest to the Prefect UI: the Markdown digest and the headline figures.

Keys are stable per brand and period (`digest-<brand-slug>-<period>` and
`...-figures`), so the Artifacts page keeps one history per digest and each
run adds a version. Call from inside a flow or task run so the artifacts are
linked to it; outside a run they are still created, unlinked.
"""
from __future__ import annotations

import re
from typing import Any

from shenava.digest.model import Digest, DigestError
from shenava.digest.narrative import change_text, previous_text, value_text
from shenava.digest.render_md import render_markdown

_KEY = re.compile(r"^[a-z0-9-]+$")


def figures_table(digest: Digest) -> list[dict[str, Any]]:
    """The headline figures as table rows: Persian display columns plus the raw numbers."""
    return [{"شاخص": f.label, "این دوره": value_text(f), "دوره‌ی قبل": previous_text(f), "تغییر": change_text(f),
             "key": f.key, "value": f.value, "previous": f.previous, "change": f.change}
            for f in digest.headline]


def artifact_keys(digest: Digest) -> tuple[str, str]:
    key = digest.key
    if not _KEY.match(key):
        raise DigestError(f"artifact key {key!r} has characters Prefect does not allow (a-z, 0-9, -)")
    return key, f"{key}-figures"


def publish_artifacts(digest: Digest) -> dict[str, str]:
    """Create the Markdown and table artifacts; returns their ids by key."""
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    md_key, table_key = artifact_keys(digest)
    what = f"{digest.brand} — {digest.period} ending {digest.date}"
    md_id = create_markdown_artifact(markdown=render_markdown(digest), key=md_key,
                                     description=f"Digest: {what}")
    table_id = create_table_artifact(table=figures_table(digest), key=table_key,
                                     description=f"Headline figures: {what}")
    return {md_key: str(md_id), table_key: str(table_id)}
