"""Supervisor's dashboard refresh on N demo dossiers (default 1,000,000).

    .venv/bin/python bench/bench_dashboard.py [--dossiers N] [--runs R] [--changes K]

A refresh is what page «Giám sát» runs on the database worker: bring the indicator facts up to
date, the month's figures and the 12-month series, the backlog by age / officer / procedure, the
overdue and due-soon lists, the quality-review queue, sync health and the report reminder
(:func:`counter_app.reports.indicators.dashboard`). Target (issue): < 300 ms.

Measured three ways:
- cold: the first build of the facts (once; saved in the data directory), and the next session's
  start from the saved facts;
- refresh, nothing changed since the last one;
- refresh after K changed dossiers (default 50: a busy counter between two-minute auto-refreshes),
  simulated by moving the event watermark back so exactly those dossiers are re-read — the same
  work as real changes, without writing to the shared benchmark database.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import datetime
from pathlib import Path

from _common import demo_db, open_database, timed

from counter_app.db.calendar_store import load_calendar
from counter_app.reports import indicators as ind


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dossiers", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--changes", type=int, default=50)
    args = ap.parse_args()
    path, built = demo_db(args.dossiers)
    if built:
        print(f"demo data: {args.dossiers:,} dossiers generated in {built:.1f} s")
    cdb = open_database(path)
    n = cdb.scalar("SELECT count(*) FROM dossiers")
    print(f"database: {path} — {n:,} dossiers, {path.stat().st_size / 1e6:.0f} MB; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    now = datetime.now().replace(microsecond=0)
    cal = load_calendar(cdb)
    cache = ind.FactsCache()
    t0 = time.perf_counter()
    cache.rebuild(cdb)
    print(f"cold: first build of the facts {time.perf_counter() - t0:.1f} s (once, then saved in the data dir)")
    with tempfile.TemporaryDirectory() as tmp:
        cache.path = Path(tmp) / "facts.npz"
        t0 = time.perf_counter()
        cache._save(cdb)
        saved = time.perf_counter() - t0
        t0 = time.perf_counter()
        ind.FactsCache(cache.path).update(cdb)
        print(f"next session: saving the facts {saved * 1000:.0f} ms ({cache.path.stat().st_size / 1e6:.0f} MB), "
              f"starting from them {(time.perf_counter() - t0) * 1000:.0f} ms")
        cache.path = None
    ind.dashboard(cdb, now.year, now.month, now=now, cal=cal, cache=cache)  # warm numpy and the page cache

    def refresh() -> ind.Dashboard:
        return ind.dashboard(cdb, now.year, now.month, now=now, cal=cal, cache=cache)

    med, p95 = timed(refresh, args.runs)
    print(f"{'full dashboard refresh, nothing changed':52s} median {med:7.1f} ms   p95 {p95:7.1f} ms")
    # K changed dossiers: the newest events' dossiers are re-read on each refresh.
    top = int(cdb.scalar("SELECT max(id) FROM dossier_events"))
    back = int(cdb.scalar(
        "SELECT min(id) FROM (SELECT id FROM dossier_events ORDER BY id DESC LIMIT ?)", (args.changes,)))

    def refresh_changed() -> ind.Dashboard:
        cache.marks["events"] = back - 1
        d = refresh()
        assert cache.marks["events"] == top
        return d

    med, p95 = timed(refresh_changed, args.runs)
    print(f"{f'full dashboard refresh after {cache.last_changed} changed dossiers':52s} "
          f"median {med:7.1f} ms   p95 {p95:7.1f} ms")
    d = refresh()
    parts = ", ".join(f"{k} {v:.1f} ms" for k, v in d.timings_ms.items())
    print(f"last refresh by part: {parts}")
    f = d.figures
    print(f"month {f.label}: received {f.received:,}, online {f.rate('online') or 0:.1f}%, "
          f"on time {f.rate('on_time') or 0:.1f}%, backlog {d.backlog.total:,}, "
          f"overdue {d.deadlines['overdue_count']:,}, due soon {d.deadlines['soon_count']:,}")
    cdb.close()


if __name__ == "__main__":
    main()
