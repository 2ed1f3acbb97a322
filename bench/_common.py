"""Shared helpers for benchmarks: a cached demo database of a given size."""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from counter_app.db.database import CounterDB, open_database  # noqa: E402
from counter_app.demo import generate  # noqa: E402


def demo_db(n: int, cache: Path | None = None, passphrase: str | None = None) -> tuple[Path, float | None]:
    """Path to a demo database with ``n`` dossiers (built once, then reused); and build seconds if built.

    With ``passphrase`` the data directory is encrypted the way the app does it (keys first, then
    the data, so personal fields are sealed) and its keys are opened for this process.
    """
    from counter_app import vault

    cache = cache or Path("/tmp") / (f"counter-bench-encrypted-{n}" if passphrase else f"counter-bench-{n}")
    db = cache / "counter.sqlite3"
    if passphrase and not vault.encryption_on(cache):
        db.unlink(missing_ok=True)  # a plain database in the encrypted slot: rebuild
    if passphrase and vault.encryption_on(cache):
        vault.open_with_passphrase(cache, passphrase)
    if db.exists():
        cdb = open_database(db)
        have = int(cdb.scalar("SELECT count(*) FROM dossiers"))
        cdb.close()
        if have == n:
            return db, None
        db.unlink()
    cache.mkdir(parents=True, exist_ok=True)
    if passphrase and not vault.encryption_on(cache):
        vault.setup_encryption(cache, passphrase)
    cdb = open_database(db)
    t0 = time.perf_counter()
    generate(cdb, cache, n, with_files=False,
             progress=lambda d, t: print(f"\r  building {d}/{t}", end="", file=sys.stderr, flush=True))
    secs = time.perf_counter() - t0
    print(file=sys.stderr)
    cdb.close()
    return db, secs


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median and p95 in ms of ``runs`` calls."""
    xs = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        xs.append((time.perf_counter() - t0) * 1000)
    xs.sort()
    return statistics.median(xs), xs[max(0, round(0.95 * len(xs)) - 1)]


__all__ = ["CounterDB", "demo_db", "open_database", "timed"]
