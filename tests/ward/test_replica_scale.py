"""The ward replica at a small scale inside the suite (issue #19; the full figures: bench/bench_ward.py).

1,000 replicas from 10 counters applied in pages of 200 exactly as the pull does; the list's first
page and its filters are answered from an index (no sort of the whole table), pulling the same
pages again changes no row count, and the list rows carry the receiving counter.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

from counter_app.db import dossiers as repo
from counter_app.db.dossiers import ListFilter
from counter_app.sync import replica
from tests.sync.conftest import build_counter

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from bench_ward import AGENCY, SUPERVISOR, province_item  # the benchmark's own dossier generator


def _plan(cdb: object, f: ListFilter | None) -> str:
    where, params = repo._where(f or ListFilter(), None)
    order = repo.ORDERS[repo.list_order(f)][0]
    rows = cdb.query(f"EXPLAIN QUERY PLAN SELECT {repo.LIST_COLUMNS} FROM dossiers{where} "  # type: ignore[attr-defined]
                     f"ORDER BY {order} LIMIT 200", params)
    return " | ".join(r["detail"] for r in rows)


def test_a_thousand_replicas_list_from_an_index_and_a_second_pull_adds_nothing(tmp_path: Path) -> None:
    counter = build_counter(tmp_path / "giam-sat", agency=SUPERVISOR)
    cdb = counter.cdb
    items = [province_item(i, 10, datetime(2026, 1, 5, 7, 30), "S") for i in range(1000)]
    now = datetime(2026, 12, 7, 9, 0)
    for again in (False, True):
        for k in range(0, len(items), 200):
            with cdb.write():
                rows = cdb.query("SELECT id, code, owner_counter FROM dossiers") if again else []
                held = {r["code"]: r for r in rows}
                for item in items[k:k + 200]:
                    replica.apply_replica(cdb, item, now, local=held.get(item["MaHoSo"]))
        assert cdb.scalar("SELECT COUNT(*) FROM dossiers") == 1000
        assert cdb.scalar("SELECT COUNT(DISTINCT owner_counter) FROM dossiers") == 10
    cdb.conn.execute("ANALYZE")
    first = repo.list_dossiers(cdb, limit=200)
    assert len(first) == 200 and all(r["owner_counter"].startswith(AGENCY + "-") for r in first)
    assert [r["received_at"] for r in first] == sorted((r["received_at"] for r in first), reverse=True)
    for f in (None, ListFilter(statuses=[4]), ListFilter(text="Nguyễn")):
        assert "TEMP B-TREE" not in _plan(cdb, f), f
    # Steps are kept once each, even after the second pull of the same pages.
    assert cdb.scalar("SELECT COUNT(*) FROM dossier_events WHERE kind = ?", (replica.STEP_EVENT,)) == sum(
        len(i["QuaTrinhXuLy"]) for i in items)
    cdb.close()
