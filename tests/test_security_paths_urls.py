"""File imports read only below the config's folder; URLs in the config are http(s) with a host.

tests/test_connectors_files.py checks a plain `../outside.csv`; here every
way out is tried (absolute paths, `..` inside the path, globs, symlinks to
files and folders, an export folder whose result.json is a link) for both
file-reading kinds, and every URL key of every kind gets hostile values.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from shenava.config import parse_config
from shenava.connectors.base import build_connector
from shenava.connectors.replay import replay_config
from shenava.errors import ConfigError, ConnectorError
from test_reliability_kit import FIXTURES

SECRET = "این فایل بیرون از پوشه است و نباید خوانده شود"


@pytest.fixture
def tree(tmp_path):
    """root/ (the config's folder) with legitimate files, and outside/ next to it with files it must not read."""
    root, outside = tmp_path / "root", tmp_path / "outside"
    for folder in (root / "exports" / "chat", outside / "chat"):
        folder.mkdir(parents=True)
    export = json.loads((FIXTURES / "telegram_export" / "group_v1" / "result.json").read_text(encoding="utf-8"))
    (root / "exports" / "chat" / "result.json").write_text(json.dumps(export), encoding="utf-8")
    export["messages"][1]["text"] = SECRET
    (outside / "chat" / "result.json").write_text(json.dumps(export), encoding="utf-8")
    (root / "ok.csv").write_text("id,text,published_at\n1,سلام,2026-11-20T10:00:00+03:30\n", encoding="utf-8")
    (outside / "secret.csv").write_text(f"id,text,published_at\n1,{SECRET},2026-11-20T10:00:00+03:30\n",
                                        encoding="utf-8")
    os.symlink(outside / "secret.csv", root / "link-to-secret.csv")
    os.symlink(outside, root / "linked-folder")
    os.symlink(root / "ok.csv", root / "link-inside.csv")
    (root / "exports" / "linked-export").mkdir()
    os.symlink(outside / "chat" / "result.json", root / "exports" / "linked-export" / "result.json")
    return root


def read(root: Path, kind: str, path: str) -> list[str]:
    config = replay_config({"name": "imp", "kind": kind, "path": path}, base_dir=root)
    return [m.text for m in build_connector(config, config.sources[0]).collect({})]


ESCAPES = [
    ("file", "../outside/secret.csv", "is outside"),
    ("file", "exports/../../outside/secret.csv", "is outside"),
    ("file", "{abs}/outside/secret.csv", "is outside"),
    ("file", "/etc/passwd", "is outside"),
    ("file", "link-to-secret.csv", "is outside"),
    ("file", "linked-folder/secret.csv", "is outside"),
    ("file", "linked-folder/*.csv", "is outside"),
    ("file", "**/secret.csv", "no file matches"),  # ** does not walk into the linked folder
    ("file", "/etc/*", "cannot be read as a file or glob"),
    ("file", "ok.csv\x00.txt", "cannot be read as a file or glob"),
    ("telegram_export", "../outside/chat", "is outside"),
    ("telegram_export", "linked-folder/chat/result.json", "is outside"),
    ("telegram_export", "exports/linked-export", "is outside"),
    ("telegram_export", "exports/*", "is outside"),
]


@pytest.mark.parametrize("kind, path, error", ESCAPES, ids=[f"{k}:{p}" for k, p, _ in ESCAPES])
def test_imports_cannot_read_outside_the_config_folder(tree, kind, path, error):
    path = path.format(abs=tree.parent)
    with pytest.raises(ConnectorError, match=error) as err:
        read(tree, kind, path)
    assert SECRET not in str(err.value)


@pytest.mark.parametrize("kind, path, texts", [
    ("file", "ok.csv", 1), ("file", "link-inside.csv", 1), ("file", "./exports/../ok.csv", 1),
    ("telegram_export", "exports/chat", 7), ("telegram_export", "exports/chat/result.json", 7),
])
def test_paths_that_stay_inside_are_read(tree, kind, path, texts):
    assert len(read(tree, kind, path)) == texts


URL_KEYS = [
    ("telegram", "base_url", {"channel": "tazeres_news"}),
    ("telegram_comments", "base_url", {"channel": "tazeres_news"}),
    ("digikala", "base_url", {"product_ids": [1]}),
    ("digikala", "site_url", {"product_ids": [1]}),
    ("snappfood", "base_url", {"vendor_codes": ["r-1"]}),
    ("website", "start_urls", {"item": ".c", "text": ".t"}),
    ("feed", "urls", {}),
]
BAD_URLS = [
    ("file:///etc/passwd", "not an http(s) URL with a host"),
    ("javascript:alert(1)", "not an http(s) URL with a host"),
    ("ftp://example.org/x", "not an http(s) URL with a host"),
    ("http://", "not an http(s) URL with a host"),
    ("https:///path-only", "not an http(s) URL with a host"),
    ("t.me/s/tazeres_news", "not an http(s) URL with a host"),
    ("http://[::1", "not a valid URL"),
    ("http://example.org:port/", "not a valid URL"),
    ("https://user:hunter2@example.org/", "credentials do not belong in a URL"),
    ("https://example.org/a b", "spaces or control characters"),
    ("https://example.org/\r\nX-Injected: 1", "spaces or control characters"),
]


def _toml_source(kind: str, key: str, value: str, others: dict) -> str:
    url = json.dumps([value] if key in ("start_urls", "urls") else value)
    lines = [f'name = "s"', f'kind = "{kind}"', f"{key} = {url}"] + [f"{k} = {json.dumps(v)}" for k, v in others.items()]
    return "[[sources]]\n" + "\n".join(lines) + "\n"


@pytest.mark.parametrize("kind, key, others", URL_KEYS, ids=[f"{k}.{key}" for k, key, _ in URL_KEYS])
@pytest.mark.parametrize("url, message", BAD_URLS, ids=[u for u, _ in BAD_URLS])
def test_urls_in_the_config_are_validated(kind, key, others, url, message):
    with pytest.raises(ConfigError, match=rf"shenava\.toml:4: sources\[0\]\.{key}: .*{re.escape(message)}") as err:
        parse_config(_toml_source(kind, key, url, others), "shenava.toml")
    assert "hunter2" not in str(err.value)


@pytest.mark.parametrize("kind, key, others", URL_KEYS, ids=[f"{k}.{key}" for k, key, _ in URL_KEYS])
def test_good_urls_still_load(kind, key, others):
    for url in ("https://t.me", "http://127.0.0.1:8080/s/", "https://www.digikala.com/product/dkp-1/?a=b#c"):
        parse_config(_toml_source(kind, key, url, others), "shenava.toml")
