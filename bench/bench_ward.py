"""The ward replica at scale (issue #19): the list on 200,000 replicas, a pull of 10,000 changes.

    .venv/bin/python bench/bench_ward.py [--replicas 200000] [--counters 10] [--pull 10000] [--runs 30]

1. **Replica of N dossiers from C counters.** Built with the real replica code
   (:func:`counter_app.sync.replica.apply_replica`, pages of 200 in one transaction each, exactly
   what the pull does with each page the client returns) from province-format dossiers — no HTTP
   for this part, it only fills the database. Cached in ``/tmp/counter-bench-ward-N`` (rebuilt when
   missing); every run works on a copy.
2. **Dossier list** on that database: the list's real query function
   (:func:`counter_app.db.dossiers.list_dossiers`, what ``services.dossiers.list_page`` runs for
   the «Hồ sơ» page): first page, a status filter, a name search, a code search. Target < 50 ms.
3. **Pull of M changed dossiers over real HTTP**: a simulator process holds M dossiers of the ward
   (created through ``DongBoHoSoMC`` by the other counters); the real engine (``sync_once``:
   push, then ``TraCuuHoSo`` by agency page by page, each page applied in one transaction) runs on
   its own thread as in the app, while this (the "UI") thread runs the list's first page on its
   own connection every 20 ms — the heartbeat shows whether the UI would wait. Target < 60 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from _common import ROOT, timed

from counter_app.db import dossiers as repo
from counter_app.db.catalogue import store_procedures
from counter_app.db.database import CounterDB, open_database
from counter_app.db.dossiers import ListFilter
from counter_app.db.setup import SetupInput, run_setup
from counter_app.sync import protocol as p
from counter_app.sync import replica
from counter_app.sync.client import ClientConfig, ProvincialClient
from counter_app.sync.worker import SyncConfig, sync_once

AGENCY = "H01.37.09"
# The PC measured is the supervisor's (another unit, H01.37.99, watching AGENCY): every one of the
# ward's 10 counters (slots 0–9) is then a counter of which it holds replicas.
SUPERVISOR = "H01.37.99"
BIRTH = {
    "code": "1.001193", "name": "Đăng ký khai sinh", "field_code": "HT", "field_name": "Hộ tịch",
    "processing_days": 1, "processing_hours": None, "cutoff_time": None, "processing_text": "Trong ngày",
    "online_level": "toan_trinh", "online_only": False, "result_name": "Giấy khai sinh", "legal_basis": "",
    "source": "bench", "components": [{"code": "TK", "name": "Tờ khai", "originals": 1, "copies": 0,
                                       "required": True, "show_only": False}],
    "fees": [],
}
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Ngọc", "Minh", "Thu", "Quang"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hương", "Khánh", "Lan", "Long", "Mai", "Nam",
         "Nga", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trung", "Tuấn", "Vy", "Yến"]
STATUSES = [10] * 60 + [9] * 8 + [4] * 20 + [2] * 8 + [5] * 3 + [3]


def wire(moment: datetime) -> str:
    return p.format_timestamp(moment)


def province_item(i: int, counters: int, start: datetime, prefix: str, counter_base: int = 0) -> dict[str, Any]:
    """One dossier as ``TraCuuHoSo`` returns it (the fields the replica keeps)."""
    counter = counter_base + i % counters
    received = start + timedelta(minutes=3 * i // counters)
    status = STATUSES[(i * 7919) % len(STATUSES)]
    name = f"{FAMILY[i % 12]} {MIDDLE[(i // 12) % 8]} {GIVEN[(i // 96) % 23]}"
    steps = [{"MaHoSo": "", "NguoiXuLy": "Chuyên viên", "ThoiDiemXuLy": wire(received + timedelta(hours=2)),
              "NoiDungXuLy": "Chuyển phòng chuyên môn xử lý", "TrangThai": 4}] if status not in (2, 3) else []
    return {
        "MaHoSo": f"{AGENCY}-{prefix}{received:%y%m%d}-{i:07d}", "MaTTHC": "1.001193", "TenTTHC": "Đăng ký khai sinh",
        "KenhThucHien": 1, "SoGiayToChuHoSo": f"0{i:011d}", "ChuHoSo": name, "LoaiDoiTuong": 1,
        "SoDienThoai": f"09{i:08d}", "Email": "", "TrichYeuHoSo": "Đăng ký khai sinh",
        "NgayTiepNhan": wire(received), "NgayHenTra": wire(received + timedelta(days=1)),
        "TrangThaiHoSo": status, "NgayTra": wire(received + timedelta(days=1)) if status == 10 else "",
        "HinhThuc": 0, "NgayKetThucXuLy": wire(received + timedelta(hours=20)) if status in (9, 10) else "",
        "DonViXuLy": AGENCY, "GhiChu": "", "DanhSachLePhi": [], "DanhSachGiayToKetQua": [],
        "QuaTrinhXuLy": steps, p.RECEIVING_COUNTER_FIELD: f"{AGENCY}-{counter}",
        p.RECEIVING_AGENCY_FIELD: AGENCY, p.VERSION_FIELD: 1,
    }


def new_counter(root: Path) -> CounterDB:
    """The supervisor's PC whose replica it is (it watches the ward AGENCY)."""
    from counter_app.sync.worker import WARD_UNITS_KEY

    root.mkdir(parents=True, exist_ok=True)
    cdb = open_database(root / "counter.sqlite3")
    run_setup(cdb, SetupInput(agency_code=SUPERVISOR, agency_name="Giám sát Bench", admin_password="x"))
    store_procedures(cdb, [BIRTH], version="bench")
    cdb.set_setting(WARD_UNITS_KEY, [AGENCY])
    return cdb


def build_replica(n: int, counters: int) -> tuple[Path, float | None]:
    """The cached counter directory with an ``n``-dossier replica; build seconds when built now."""
    cache = Path("/tmp") / f"counter-bench-ward2-{n}-{counters}"
    if (cache / "counter.sqlite3").exists() and (cache / "complete").exists():
        return cache, None
    shutil.rmtree(cache, ignore_errors=True)
    cdb = new_counter(cache)
    start = datetime(2025, 1, 2, 7, 30)
    now = datetime.now().replace(microsecond=0)
    t0 = time.perf_counter()
    for first in range(0, n, 200):
        with cdb.write():
            for i in range(first, min(first + 200, n)):
                replica.apply_replica(cdb, province_item(i, counters, start, "R"), now, local=None)
        if first and first % 20000 == 0:
            print(f"  … {first:,} replicas ({first / (time.perf_counter() - t0):,.0f}/s)", flush=True)
    built = time.perf_counter() - t0
    cdb.conn.execute("ANALYZE")
    cdb.close()
    (cache / "complete").write_text("ok")
    return cache, built


def start_simulator(data: Path) -> tuple[subprocess.Popen[str], str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "counter_dev.simulator", "--port", "0", "--data", str(data),
                             "--log-level", "ERROR", "--no-progress"],
                            stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env)
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("READY "):
            return proc, dict(x.split("=", 1) for x in line.split()[1:])["url"]
    raise RuntimeError("simulator did not start")


def load_province(url: str, m: int, counters: int) -> None:
    """``m`` new dossiers of the other counters, sent the way counters send them (batches of 500)."""
    start = datetime(2026, 11, 2, 7, 30)
    with ProvincialClient(ClientConfig(url, "demo", "demo")) as client:
        for counter in range(counters):
            mine = [province_item(i, counters, start, "P") for i in range(m) if i % counters == counter]
            for item in mine:
                for key in ("QuaTrinhXuLy", p.RECEIVING_COUNTER_FIELD, p.RECEIVING_AGENCY_FIELD, p.VERSION_FIELD):
                    item.pop(key)
            for k in range(0, len(mine), 500):
                reply = client.call(p.Service.SYNC_DOSSIER, mine[k:k + 500],
                                    **{p.AGENCY_FIELD: AGENCY, p.COUNTER_FIELD: f"{AGENCY}-{counter}"})
                assert reply.ok, reply.message


def heartbeat_during(work: Any, db_path: Path, period: float = 0.02) -> tuple[Any, list[float], list[float]]:
    """Run ``work`` on a thread; meanwhile time the list's first page here every ``period`` seconds."""
    ui = open_database(db_path)
    result: dict[str, Any] = {}

    def run() -> None:
        result["value"] = work()

    thread = threading.Thread(target=run, name="sync")
    latencies: list[float] = []
    gaps: list[float] = []
    thread.start()
    last = time.perf_counter()
    while thread.is_alive():
        t = time.perf_counter()
        repo.list_dossiers(ui, limit=200)
        done = time.perf_counter()
        latencies.append((done - t) * 1000)
        gaps.append((done - last) * 1000)
        last = done
        time.sleep(period)
    thread.join()
    ui.close()
    return result.get("value"), latencies, gaps


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--replicas", type=int, default=200_000)
    ap.add_argument("--counters", type=int, default=10)
    ap.add_argument("--pull", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=30)
    args = ap.parse_args()

    cache, built = build_replica(args.replicas, args.counters)
    if built:
        print(f"replica built with replica.apply_replica: {args.replicas:,} dossiers in {built:.1f} s "
              f"({args.replicas / built:,.0f}/s)")
    work = Path(tempfile.mkdtemp(prefix="bench-ward-"))
    try:
        shutil.copytree(cache, work / "counter")
        db_path = work / "counter" / "counter.sqlite3"
        cdb = open_database(db_path)
        per_counter = cdb.query("SELECT owner_counter, COUNT(*) AS n FROM dossiers GROUP BY owner_counter")
        print(f"database: {cdb.scalar('SELECT COUNT(*) FROM dossiers'):,} dossiers from {len(per_counter)} "
              f"counters, {db_path.stat().st_size / 1e6:.0f} MB")
        some = cdb.query_one("SELECT applicant_name, code FROM dossiers ORDER BY id DESC LIMIT 1") or {}
        cases = {
            "first page (200 rows, newest first)": lambda: repo.list_dossiers(cdb, limit=200),
            "filter: status = Đang xử lý": lambda: repo.list_dossiers(cdb, ListFilter(statuses=[4]), limit=200),
            "filter: overdue": lambda: repo.list_dossiers(cdb, ListFilter(overdue_at=datetime.now()), limit=200),
            "search: name prefix": lambda: repo.list_dossiers(
                cdb, ListFilter(text=str(some["applicant_name"]).split()[0]), limit=200),
            "search: dossier code": lambda: repo.list_dossiers(cdb, ListFilter(text=some["code"]), limit=200),
        }
        print(f"{'dossier list on the replica':44s} {'median ms':>10s} {'p95 ms':>10s}")
        for name, fn in cases.items():
            fn()
            med, p95 = timed(fn, args.runs)
            print(f"{name:44s} {med:10.2f} {p95:10.2f}")
        cdb.set_setting("provincial_endpoint", "")
        cdb.close()

        proc, url = start_simulator(work / "province")
        try:
            t0 = time.perf_counter()
            load_province(url, args.pull, args.counters)
            print(f"province loaded with {args.pull:,} new dossiers of the ward's {args.counters} counters "
                  f"in {time.perf_counter() - t0:.1f} s")

            def pull() -> Any:
                sync_cdb = open_database(db_path)   # the sync thread's own connection, as in the app
                try:
                    with ProvincialClient(ClientConfig(url, "demo", "demo")) as client:
                        t = time.perf_counter()
                        report = sync_once(sync_cdb, work / "counter", client,
                                           config=SyncConfig(catalogue_interval=None))
                        return report, time.perf_counter() - t
                finally:
                    sync_cdb.close()

            # The same heartbeat with nothing else running in this process: what the machine itself
            # costs (the development machine is shared; its load shows in both figures).
            _, base_lat, base_gaps = heartbeat_during(lambda: time.sleep(5), db_path)
            base_lat.sort()
            print(f"UI-thread heartbeat, no pull (baseline, {len(base_lat)} beats): median "
                  f"{statistics.median(base_lat):.1f} ms, p99 {base_lat[int(len(base_lat) * 0.99) - 1]:.1f} ms, "
                  f"max {base_lat[-1]:.1f} ms; longest gap {max(base_gaps):.0f} ms")
            (report, secs), lat, gaps = heartbeat_during(pull, db_path)
            assert report.error is None, report.error
            print(f"pull over HTTP: {report.replicas:,} changed dossiers applied in {secs:.1f} s "
                  f"({report.replicas / secs:,.0f}/s), pages of {SyncConfig().pull_page}")
            lat.sort()
            print(f"UI-thread heartbeat during the pull ({len(lat)} first-page queries on its own connection): "
                  f"median {statistics.median(lat):.1f} ms, p99 {lat[int(len(lat) * 0.99) - 1]:.1f} ms, "
                  f"max {lat[-1]:.1f} ms; longest gap between beats {max(gaps):.0f} ms (period 20 ms)")
            check = open_database(db_path)
            total = check.scalar("SELECT COUNT(*) FROM dossiers")
            check.close()
            assert total == args.replicas + args.pull, total
        finally:
            proc.terminate()
            proc.wait(15)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
