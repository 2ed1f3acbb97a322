"""The supervisor's page on a ward (issue #19): 200,000 replicas from 10 counters. Target < 300 ms.

    .venv/bin/python bench/bench_ward_dashboard.py [--replicas 200000] [--counters 10] [--own 20000] [--runs 20]

The data directory is generated in a temporary directory with plain SQL inserts (a few seconds):
this counter's own dossiers (paper and online, with components, some scanned), and the replicas
of the other counters as :mod:`counter_app.sync.replica` stores them (``owner_counter`` set, two
province steps each, no components), spread over 13 months, one counter's pull 20 hours old.

What page «Giám sát» runs on the database worker when it opens
(:meth:`counter_app.ui.supervision.page.SupervisionPage.refresh`):

- the first build of the indicator facts, slice by slice (``FactsCache.build_step``, 20,000
  dossiers per worker job — the figure that matters for the UI is the longest slice);
- the next session's start from the saved facts;
- :func:`counter_app.reports.indicators.dashboard` — cards, 12-month trend, backlog, deadline
  lists, review queue, sync health and the ward table with each counter's freshness — for this
  counter, the whole ward and one other counter, with nothing changed and after 50 changes.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from _common import open_database, timed

from counter_app.db.calendar_store import load_calendar
from counter_app.db.database import CounterDB
from counter_app.db.dossiers import ts
from counter_app.db.setup import SetupInput, run_setup
from counter_app.reports import indicators as ind

AGENCY = "H01.37.09"
PROCEDURES = [("1.001193", "Đăng ký khai sinh"), ("2.000635", "Chứng thực bản sao từ bản chính"),
              ("1.004227", "Đăng ký kết hôn"), ("1.000894", "Đăng ký thường trú")]
# Finished most of the time, as in a ward's real year (bench_ward.py uses the same mix).
STATUSES = [10] * 60 + [9] * 8 + [4] * 20 + [2] * 8 + [5] * 3 + [6]


def _dossier_rows(rng: random.Random, n: int, owner: str, now: datetime, code_prefix: str, start_id: int,
                  ) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """``n`` dossier rows and their events (two per dossier), ids from ``start_id``."""
    rows, events = [], []
    for i in range(n):
        did = start_id + i
        received = now - timedelta(days=rng.random() * 395, hours=rng.random() * 8)
        status = rng.choice(STATUSES)
        due = received + timedelta(days=rng.choice((1, 3, 5, 15)))
        finished = None
        if status >= 9:
            finished = min(due + timedelta(days=rng.choice((-2, -1, -1, 0, 0, 1))), now)
            finished = max(finished, received)
        proc, _name = PROCEDURES[i % len(PROCEDURES)]
        channel = rng.choice((1, 1, 2, 3)) if owner else rng.choice((1, 1, 1, 2, 3))
        name = f"Nguyễn Văn {i}"
        rows.append((did, str(uuid.uuid4()), f"{code_prefix}{i:07d}", proc, name, name.lower(), channel, status,
                     ts(received), ts(due), ts(finished) if finished else None, AGENCY, AGENCY, "2025",
                     owner, ts(now) if owner else None, ts(received), ts(now)))
        events.append((did, ts(received), "province_step" if owner else "received", None, 2))
        events.append((did, ts(finished or received), "province_step" if owner else "status", 2, status))
    return rows, events


def build(root: Path, replicas: int, counters: int, own: int, now: datetime) -> CounterDB:
    """A data directory: this counter (slot 1) with ``own`` dossiers, ``counters`` others with the replicas."""
    rng = random.Random(19)
    cdb = open_database(root / "counter.sqlite3")
    run_setup(cdb, SetupInput(agency_code=AGENCY, agency_name="Phường Bench", admin_password="x"))
    cdb.set_setting("workstation_slot", 1)
    with cdb.write():
        for code, name in PROCEDURES:
            cdb.conn.execute(
                "INSERT OR IGNORE INTO procedures(code, name, name_folded, field_code, field_name, online_level, "
                "active, source, data) VALUES (?, ?, ?, '', '', 'khong', 1, 'bench', '{}')",
                (code, name, name.lower()))
    cols = ("id, uid, code, procedure_code, applicant_name, applicant_name_folded, channel, status, received_at, "
            "due_at, finished_at, receiving_unit, deciding_unit, regulation_profile, owner_counter, replica_as_of, "
            "created_at, updated_at")
    ins = f"INSERT INTO dossiers({cols}) VALUES ({','.join('?' * 18)})"
    ev = "INSERT INTO dossier_events(dossier_id, at, kind, from_status, to_status) VALUES (?, ?, ?, ?, ?)"
    next_id = 1
    rows, events = _dossier_rows(rng, own, "", now, "OWN-", next_id)
    with cdb.write():
        cdb.conn.executemany(ins, rows)
        cdb.conn.executemany(ev, events)
        # Two components per own paper dossier; three in four scanned (the rest is the backlog).
        comps, files = [], []
        for r in rows:
            if r[6] == 2:
                continue
            for pos, code in enumerate(("TK", "GCS")):
                cid = len(comps) + 1
                comps.append((cid, r[0], code, pos, code, "received"))
                if rng.random() < 0.75:
                    files.append((str(uuid.uuid4()), r[0], cid, "scan", f"scans/{cid}.pdf", "s.pdf", 1, "x", 1, r[8]))
        cdb.conn.executemany("INSERT INTO dossier_components(id, dossier_id, component_code, position, name, state) "
                             "VALUES (?, ?, ?, ?, ?, ?)", comps)
        cdb.conn.executemany("INSERT INTO files(uid, dossier_id, dossier_component_id, kind, path, name, size, "
                             "sha256, page_count, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", files)
    next_id += own
    per = replicas // counters
    for k in range(counters):
        counter = f"{AGENCY}-{k + 2}"
        rows, events = _dossier_rows(rng, per, counter, now, f"Q{k + 2}-", next_id)
        next_id += per
        # One counter's last pull is 20 hours old (the province unreachable from it since yesterday).
        pulled = now - (timedelta(hours=20) if k == counters - 1 else timedelta(minutes=1))
        with cdb.write():
            cdb.conn.executemany(ins, rows)
            cdb.conn.executemany(ev, events)
            cdb.conn.execute("INSERT INTO ward_counters(counter_id, name, agency_code, is_self, last_push_at, "
                             "pulled_at) VALUES (?, ?, ?, 0, ?, ?)",
                             (counter, f"Quầy {k + 2}", AGENCY, ts(pulled - timedelta(minutes=3)), ts(pulled)))
    cdb.conn.execute("ANALYZE")
    return cdb


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--replicas", type=int, default=200_000)
    ap.add_argument("--counters", type=int, default=10)
    ap.add_argument("--own", type=int, default=20_000)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--changes", type=int, default=50)
    ap.add_argument("--keep", type=Path, default=None,
                    help="generate the data directory here once and reuse it on the next runs")
    args = ap.parse_args()
    now = datetime.now().replace(microsecond=0)
    with tempfile.TemporaryDirectory(prefix="bench-ward-dash-") as tmp:
        root = args.keep or Path(tmp)
        t0 = time.perf_counter()
        if (root / "counter.sqlite3").exists():
            cdb = open_database(root / "counter.sqlite3")
            with cdb.write():  # the stale counter stays 20 hours behind "now", the others a minute
                cdb.conn.execute("UPDATE ward_counters SET pulled_at = ?, last_push_at = ? WHERE is_self = 0",
                                 (ts(now - timedelta(minutes=1)), ts(now - timedelta(minutes=4))))
                cdb.conn.execute("UPDATE ward_counters SET pulled_at = ?, last_push_at = ? WHERE counter_id = "
                                 "(SELECT counter_id FROM ward_counters "
                                 "ORDER BY length(counter_id) DESC, counter_id DESC LIMIT 1)",
                                 (ts(now - timedelta(hours=20)), ts(now - timedelta(hours=20, minutes=3))))
            what = "reused"
        else:
            root.mkdir(parents=True, exist_ok=True)
            cdb = build(root, args.replicas, args.counters, args.own, now)
            what = "generated"
        (root / "cache" / "indicator-facts.npz").unlink(missing_ok=True)
        n = cdb.scalar("SELECT count(*) FROM dossiers")
        print(f"data: {n:,} dossiers ({args.replicas:,} replicas from {args.counters} counters + {args.own:,} own) "
              f"{what} in {time.perf_counter() - t0:.1f} s; load average {os.getloadavg()[0]:.1f} "
              f"on {os.cpu_count()} CPUs")
        cal = load_calendar(cdb)
        cache = ind.FactsCache(root / "cache" / "indicator-facts.npz")
        slices = []
        t0 = time.perf_counter()
        while True:
            s0 = time.perf_counter()
            step = cache.build_step(cdb)
            slices.append((time.perf_counter() - s0) * 1000)
            if step is None:
                break
        print(f"cold: first build of the facts {time.perf_counter() - t0:.2f} s in {len(slices)} worker jobs, "
              f"longest {max(slices):.0f} ms (the other pages' jobs run between two)")
        t0 = time.perf_counter()
        ind.FactsCache(cache.path).update(cdb)
        print(f"next session: start from the saved facts {(time.perf_counter() - t0) * 1000:.0f} ms")
        ind.dashboard(cdb, now.year, now.month, now=now, cal=cal, cache=cache)  # warm numpy and the page cache
        other = f"{AGENCY}-2"
        worst = 0.0
        for label, scope in (("this counter", ""), ("whole ward", None), ("one other counter", other)):
            med, p95 = timed(lambda s=scope: ind.dashboard(cdb, now.year, now.month, now=now, cal=cal, cache=cache,
                                                           scope=s), args.runs)
            worst = max(worst, p95)
            print(f"{'dashboard refresh, nothing changed — ' + label:58s} median {med:6.1f} ms   p95 {p95:6.1f} ms")
        d = ind.dashboard(cdb, now.year, now.month, now=now, cal=cal, cache=cache, scope=None)
        print("  parts (ms): " + ", ".join(f"{k} {v:.1f}" for k, v in d.timings_ms.items()))
        assert d.ward is not None and len(d.ward.rows) == args.counters + 1
        print(f"  ward table: {len(d.ward.rows)} counters, received this month {d.ward.total.figures.received:,}; "
              f"stale: {'; '.join(d.ward.notices) or 'none'}")
        top = int(cdb.scalar("SELECT max(id) FROM dossier_events"))
        back = int(cdb.scalar("SELECT min(id) FROM (SELECT id FROM dossier_events ORDER BY id DESC LIMIT ?)",
                              (args.changes,)))

        def changed() -> object:
            cache.marks["events"] = back - 1  # the newest events' dossiers are re-read, as after real changes
            out = ind.dashboard(cdb, now.year, now.month, now=now, cal=cal, cache=cache, scope=None)
            assert cache.marks["events"] == top
            return out

        med, p95 = timed(changed, args.runs)
        worst = max(worst, p95)
        print(f"{f'dashboard refresh after {args.changes} changed dossiers — whole ward':58s} "
              f"median {med:6.1f} ms   p95 {p95:6.1f} ms")
        print(f"target < 300 ms: {'met' if worst < 300 else 'NOT met'} (worst p95 {worst:.1f} ms)")
        cdb.close()


if __name__ == "__main__":
    main()
