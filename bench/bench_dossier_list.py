"""Dossier list at scale: first page, filter changes and per-status counts on N dossiers (default 1,000,000).

    .venv/bin/python bench/bench_dossier_list.py [--dossiers N]

Targets (issue 2/3): first page < 50 ms, per-status counts < 100 ms, filter change < 100 ms.
"""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta

from _common import demo_db, open_database, timed

from counter_app.db import dossiers as repo
from counter_app.db.dossiers import ListFilter


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dossiers", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=30)
    args = ap.parse_args()
    path, built = demo_db(args.dossiers)
    if built:
        print(f"demo data: {args.dossiers:,} dossiers generated in {built:.1f} s "
              f"({args.dossiers / built:,.0f}/s)")
    cdb = open_database(path)
    n = cdb.scalar("SELECT count(*) FROM dossiers")
    print(f"database: {path} — {n:,} dossiers, {path.stat().st_size / 1e6:.0f} MB")
    some = cdb.query("SELECT applicant_name, applicant_id_number, code FROM dossiers ORDER BY id DESC LIMIT 1")[0]
    now = datetime.now()
    cases = {
        "first page (200 rows, newest first)": lambda: repo.list_dossiers(cdb, limit=200),
        "per-status counts (trigger table)": lambda: repo.status_counts(cdb),
        "per-status counts (GROUP BY, for comparison)": lambda: cdb.query(
            "SELECT status, count(*) FROM dossiers GROUP BY status"),
        "filter: status = Đang xử lý": lambda: repo.list_dossiers(cdb, ListFilter(statuses=[4]), limit=200),
        "filter: overdue (open, due before now)": lambda: repo.list_dossiers(
            cdb, ListFilter(overdue_at=now), limit=200),
        "filter: due within 2 working days": lambda: repo.list_dossiers(
            cdb, ListFilter(due_before=now + timedelta(days=2)), limit=200),
        "filter: last 7 days": lambda: repo.list_dossiers(
            cdb, ListFilter(received_from=(now - timedelta(days=7)).date()), limit=200),
        "search: name prefix (no diacritics)": lambda: repo.list_dossiers(
            cdb, ListFilter(text=some["applicant_name"].split()[0][:3]), limit=200),
        "search: ID number": lambda: repo.list_dossiers(cdb, ListFilter(text=some["applicant_id_number"]), limit=200),
        "search: dossier code": lambda: repo.list_dossiers(cdb, ListFilter(text=some["code"]), limit=200),
        "page 50 by keyset": None,
    }

    def page50() -> None:
        before = None
        for _ in range(50):
            rows = repo.list_dossiers(cdb, limit=200, before=before)
            before = repo.cursor_of(rows[-1], None)

    print(f"{'query':48s} {'median ms':>10s} {'p95 ms':>10s}")
    for name, fn in cases.items():
        if fn is None:
            med, p95 = timed(page50, 3)
            med, p95 = med / 50, p95 / 50
            name = "next page (keyset; mean of pages 1–50)"
        else:
            fn()  # warm the page cache once: the app's worker keeps its connection open
            med, p95 = timed(fn, args.runs)
        print(f"{name:48s} {med:10.2f} {p95:10.2f}")
    cdb.close()


if __name__ == "__main__":
    main()
