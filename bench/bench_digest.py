"""Digest time over a store of 1M mentions (target: <= 10 s for a brand's week).

    .venv/bin/python bench/bench_digest.py [--size 1000000] [--repeat 3]
    (or: make bench / python -m bench digest)

The store is bench_store's synthetic one (30 days ending 2026-11-22, the brand
with 60% of mentions and two competitors 20% each, 3% exact forwards, one
analysis per mention), built once and cached in .cache/bench/. For the last
day and the last week it prints: the rows the digest reads, the time to load
them into temp tables (the one pass over the store), the whole build_digest
(every figure, spikes and wish list included), and write_digest (figures, HTML
with the inlined font, Markdown, JSON), each the median of --repeat runs on a
read-only connection, as wall time and as this process's CPU time (the two
differ when other work shares the machine's cores).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_store import BRANDS_TOML, END, cached_store, load_average  # noqa: E402
from bench.synthetic import BRAND  # noqa: E402
from shenava.config import parse_config  # noqa: E402
from shenava.digest import build_digest, write_digest  # noqa: E402
from shenava.digest.period import make_window  # noqa: E402
from shenava.digest.queries import DigestData  # noqa: E402
from shenava.storage import Store  # noqa: E402


def median_time(fn, repeat: int) -> tuple[float, float, object]:
    """Median wall and CPU seconds; on a busy machine CPU time is what an idle one would take."""
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    path, built = cached_store(args.size, [])
    if built is not None:
        print(f"built the {args.size:,}-mention store in {built:.0f} s: {path}")
    work = Path(tempfile.mkdtemp(prefix="bench-digest-"))
    config = parse_config(f'[digest]\ndir = "reports"\n{BRANDS_TOML}', work / "shenava.toml")
    day = END.date()
    with Store.open(path, readonly=True) as store:
        total = store.count()
        print(f"store: {total:,} mentions, {path.stat().st_size / 1e6:.0f} MB; load average {load_average()}")
        brand = config.brand(BRAND)
        for period in ("day", "week"):
            window = make_window(period, day, config.digest.timezone)

            def load() -> int:
                with DigestData(store.db.conn, window, brand) as data:
                    return data.q(f"SELECT count(*) FROM {data.m_t}")[0][0]

            t_load, c_load, rows = median_time(load, args.repeat)
            t_build, c_build, digest = median_time(lambda: build_digest(store, config, BRAND, period, day),
                                                   args.repeat)
            t_write, c_write, _ = median_time(lambda: write_digest(store, config, BRAND, period, day), args.repeat)
            t = digest.totals  # type: ignore[attr-defined]
            print(f"{period:>4}: reads {rows:,} rows ({len(window.days)} days, brand + competitors); "
                  f"period has {t['mentions']:,} brand mentions in {t['clusters']:,} clusters")
            print(f"      wall: load {t_load:.2f} s   build_digest {t_build:.2f} s   write_digest {t_write:.2f} s"
                  f"   (target <= 10 s)")
            print(f"      cpu:  load {c_load:.2f} s   build_digest {c_build:.2f} s   write_digest {c_write:.2f} s"
                  f"   load average now {load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
