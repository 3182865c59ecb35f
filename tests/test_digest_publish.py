"""The digest in the Prefect UI: a Markdown artifact and a table artifact with stable keys."""
from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "digest"))
import handmade  # noqa: E402

from shenava.digest import DigestError, build_digest, render_markdown  # noqa: E402
from shenava.digest.publish import artifact_keys, figures_table, publish_artifacts  # noqa: E402


@pytest.fixture(scope="module")
def digest(tmp_path_factory):
    config, store, _ = handmade.build(tmp_path_factory.mktemp("publish"))
    with store:
        return build_digest(store, config, handmade.BRAND, "day", "2026-11-20")


def test_keys_are_stable_per_brand_and_period(digest):
    assert artifact_keys(digest) == ("digest-tazh-rs-day", "digest-tazh-rs-day-figures")
    with pytest.raises(DigestError, match="characters Prefect does not allow"):
        artifact_keys(replace(digest, slug="Taze_Res"))


def test_figures_table_has_display_text_and_raw_numbers(digest):
    rows = figures_table(digest)
    assert [r["key"] for r in rows] == ["volume", "net_sentiment", "complaint_rate", "word_of_mouth",
                                        "unanswered_questions"]
    assert rows[0] == {"شاخص": "حجم گفت‌وگو", "این دوره": "۱۴", "دوره‌ی قبل": "۶",
                       "تغییر": "\u2066+۸\u2069 (\u2066+۱۳۳\u2069٪)", "key": "volume", "value": 14,
                       "previous": 6, "change": 8}
    assert (rows[2]["value"], rows[2]["previous"], rows[2]["change"]) == (38.46, 50.0, -11.54)
    json.dumps(rows, ensure_ascii=False)


@pytest.mark.prefect
@pytest.mark.slow
def test_artifacts_are_created_inside_a_flow_run(digest, monkeypatch):
    from prefect import flow
    from prefect.artifacts import Artifact
    from prefect.context import get_run_context
    from prefect.testing.utilities import prefect_test_harness

    monkeypatch.setenv("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    monkeypatch.delenv("PREFECT_API_URL", raising=False)

    @flow
    def publish_flow() -> tuple[dict, str]:
        return publish_artifacts(digest), str(get_run_context().flow_run.id)

    with prefect_test_harness(server_startup_timeout=90):
        ids, run_id = publish_flow()
        markdown = Artifact.get("digest-tazh-rs-day")
        table = Artifact.get("digest-tazh-rs-day-figures")
    assert set(ids) == {"digest-tazh-rs-day", "digest-tazh-rs-day-figures"}
    assert markdown.type == "markdown" and markdown.data == render_markdown(digest)
    assert str(markdown.flow_run_id) == run_id and str(table.flow_run_id) == run_id
    assert table.type == "table" and json.loads(table.data) == figures_table(digest)
