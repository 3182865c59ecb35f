"""The store on a full disk and on a read-only one: a clear error naming the store, no corruption.

A real full disk is a 1 MB tmpfs mounted for the test (root only); where
mounting is not allowed the same test runs with SQLite's `max_page_count`
capping the file, which fails writes with the same SQLITE_FULL. Read-only is
tried three ways: a read-only bind mount, an immutable file (chattr +i; root
ignores chmod) and `Store.open(readonly=True)`. Every case ends with
`PRAGMA integrity_check` = ok and the next run, with room again, completing.
"""
from __future__ import annotations

import hashlib
import subprocess
from contextlib import contextmanager

import pytest

from shenava.config import load_config
from shenava.errors import StoreError
from shenava.pipeline import collect
from shenava.storage import Store
from test_reliability_kit import (assert_store_sound, cli, file_source, mention_keys, rows, write_config,
                                  write_reviews)

REVIEWS = 6000  # about 2 MB of store: twice what the small disk holds


def _mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


def _can_mount(tmp_path) -> bool:
    probe = tmp_path / "probe"
    probe.mkdir()
    if not _mount("-t", "tmpfs", "-o", "size=64k", "tmpfs", str(probe)):
        return False
    subprocess.run(["umount", str(probe)], check=True)
    return True


@contextmanager
def small_disk(folder, size: str = "1m"):
    folder.mkdir()
    assert _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder))
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


def workspace(tmp_path, store_dir: str = "disk") -> "Path":  # noqa: F821
    write_reviews(tmp_path / "reviews.csv", REVIEWS)
    config = write_config(tmp_path, file_source())
    config.write_text(config.read_text(encoding="utf-8").replace('path = "shenava.db"',
                                                                 f'path = "{store_dir}/shenava.db"'), encoding="utf-8")
    return config


def assert_whole_batches_and_no_cursor(db) -> None:
    [(stored,)] = rows(db, "SELECT count(*) FROM mentions")
    assert 0 < stored < REVIEWS and stored % 200 == 0, f"{stored} stored: not whole batches"
    assert rows(db, "SELECT count(*) FROM cursors") == [(0,)]


@pytest.mark.slow
def test_full_disk_fails_clearly_keeps_whole_batches_and_recovers(tmp_path):
    if not _can_mount(tmp_path):
        pytest.skip("mounting is not permitted here; test_full_store_file_* covers SQLITE_FULL")
    config = workspace(tmp_path)
    with small_disk(tmp_path / "disk") as disk:
        full = cli(config, "collect")
        db = disk / "shenava.db"
        assert full.returncode == 2
        assert full.stderr.strip() == (f"shenava: error: {db}: cannot write the store (disk full or failing): "
                                       "database or disk is full")
        assert_store_sound(db)
        assert_whole_batches_and_no_cursor(db)
        assert _mount("-o", "remount,size=64m", str(disk))  # room again
        again = cli(config, "collect")
        assert again.returncode == 0, again.stderr
        assert_store_sound(db)
        assert len(mention_keys(db)) == REVIEWS


def test_full_store_file_fails_clearly_and_recovers(tmp_path):
    """The same through SQLite's page cap, for machines where mounting is not allowed."""
    config = load_config(workspace(tmp_path, "store"))
    with Store.open(config.store_path) as store:
        pages = store.db.execute("PRAGMA page_count").fetchone()[0]
        store.db.execute(f"PRAGMA max_page_count = {pages + 150}")  # room for about 600 reviews
        with pytest.raises(StoreError) as err:
            collect(config, store)
    assert str(err.value) == f"{config.store_path}: cannot write the store (disk full or failing): database or disk is full"
    assert_store_sound(config.store_path)
    assert_whole_batches_and_no_cursor(config.store_path)
    with Store.open(config.store_path) as store:
        [report] = collect(config, store)
    assert report.error is None and len(mention_keys(config.store_path)) == REVIEWS
    assert_store_sound(config.store_path)


def _digest(db) -> tuple[str, bytes]:
    """The store file's hash and its write-ahead log's content (none: b"")."""
    wal = db.with_name(db.name + "-wal")
    return hashlib.sha256(db.read_bytes()).hexdigest(), wal.read_bytes() if wal.exists() else b""


def _collect(config) -> None:
    with Store.open(load_config(config).store_path) as store:
        assert [r.error for r in collect(load_config(config), store)] == [None]


@pytest.mark.parametrize("how", [pytest.param("read-only mount", marks=pytest.mark.slow),
                                 pytest.param("immutable file", marks=pytest.mark.slow), "readonly=True"])
def test_read_only_store_fails_clearly_and_is_left_as_it_was(tmp_path, how):
    config = workspace(tmp_path, "store")
    write_reviews(tmp_path / "reviews.csv", 300)
    _collect(config)
    store_dir = tmp_path / "store"
    db = store_dir / "shenava.db"
    before = _digest(db)
    write_reviews(tmp_path / "reviews.csv", 400)  # 100 new rows to write
    if how == "readonly=True":
        with Store.open(db, readonly=True) as store, pytest.raises(StoreError) as err:
            collect(load_config(config), store)
        message = str(err.value)
    else:
        protect, release = {
            "read-only mount": (["mount", "--bind", "-o", "ro", str(store_dir), str(store_dir)],
                                ["umount", str(store_dir)]),
            "immutable file": (["chattr", "+i", str(db)], ["chattr", "-i", str(db)]),
        }[how]
        if subprocess.run(protect, capture_output=True).returncode != 0:
            pytest.skip(f"{protect[0]} is not permitted here")
        try:
            result = cli(config, "collect")
            stats = cli(config, "stats")  # reading still works
        finally:
            subprocess.run(release, check=True)
        assert result.returncode == 2
        message = result.stderr.strip()
        assert stats.returncode == 0 and "mentions 300" in stats.stdout, stats.stderr
    print(how, "->", message)
    assert str(db) in message and "read-only" in message, message
    assert _digest(db) == before, "a refused write changed the store"
    assert_store_sound(db)
    _collect(config)
    assert rows(db, "SELECT count(*) FROM mentions") == [(400,)]
