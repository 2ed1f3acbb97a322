"""Sync throughput against the provincial-system simulator on loopback.

    .venv/bin/python bench/bench_sync.py [--dossiers 1000] [--drain 10000] [--file-size 20000] [--workers 4]

Measures, with the real client and worker (``sync_once`` passes until the queue is empty):

1. dossiers/s synced, each with one digitised file, no faults;
2. the same under a 30% fault rate (10% HTTP 500, 10% connection reset, 10% lost reply);
3. the time for 10,000 queued dossiers (small files) to drain.

Each scenario uses a fresh counter database and a fresh simulator (``--no-progress``). The
counter database keeps ``synchronous=FULL`` as in production: every commit costs a disk flush,
which is why the worker groups outcomes into few transactions.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from _common import ROOT

from counter_app.db import dossiers as repo
from counter_app.db.catalogue import store_procedures
from counter_app.db.database import CounterDB, open_database
from counter_app.db.setup import SetupInput, run_setup
from counter_app.domain.calendar import WorkCalendar
from counter_app.sync import protocol as p
from counter_app.sync.client import ClientConfig, ProvincialClient
from counter_app.sync.worker import SyncConfig, sync_once

BIRTH = {
    "code": "1.001193", "name": "Đăng ký khai sinh", "field_code": "HT", "field_name": "Hộ tịch",
    "processing_days": 1, "processing_hours": None, "cutoff_time": None, "processing_text": "Trong ngày",
    "online_level": "toan_trinh", "online_only": False, "result_name": "Giấy khai sinh", "legal_basis": "",
    "source": "bench",
    "components": [{"code": "TK", "name": "Tờ khai", "originals": 1, "copies": 0, "required": True,
                    "show_only": False},
                   {"code": "GCS", "name": "Giấy chứng sinh", "originals": 1, "copies": 0, "required": True,
                    "show_only": False}],
    "fees": [{"code": "LP", "name": "Lệ phí", "kind": "le_phi", "amount": 8000, "online_amount": 0,
              "set_by_province": True}],
}


def start_simulator(data: Path, *args: str) -> tuple[subprocess.Popen[str], str]:
    """The simulator in its own process; returns it and its base URL."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "counter_dev.simulator", "--port", "0", "--data", str(data),
                             "--log-level", "ERROR", "--no-progress", *args],
                            stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env)
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("READY "):
            return proc, dict(x.split("=", 1) for x in line.split()[1:])["url"]
    raise RuntimeError("simulator did not start")


def build(root: Path, n: int, file_size: int) -> CounterDB:
    """A counter with ``n`` accepted dossiers, each with one scanned file and its outbox entries."""
    root.mkdir(parents=True, exist_ok=True)
    cdb = open_database(root / "counter.sqlite3")
    run_setup(cdb, SetupInput(agency_code="H01.37.01", agency_name="Phường Bench", admin_password="x"))
    store_procedures(cdb, [BIRTH], version="bench")
    rng = random.Random(1)
    cal = WorkCalendar.default()
    (root / "scans").mkdir(exist_ok=True)
    start = datetime(2026, 10, 5, 8, 0)
    with cdb.write():
        for i in range(n):
            when = start + timedelta(days=i // 900, seconds=30 * (i % 900))
            r = repo.receive(cdb, repo.ReceptionInput(
                procedure_code="1.001193",
                applicant=repo.ApplicantInput(full_name=f"Trần Thị Bench {i}", id_number=f"0011900{i:05d}"),
                components=[repo.ComponentInput("TK"), repo.ComponentInput("GCS")], received_at=when),
                cal, now=when)
            comp = cdb.scalar("SELECT id FROM dossier_components WHERE dossier_id = ? AND component_code = 'TK'",
                              (r.dossier_id,))
            data = b"%PDF-1.4\n" + rng.randbytes(file_size)
            uid = str(uuid.UUID(int=rng.getrandbits(128)))
            rel = f"scans/{uid}.pdf"
            (root / rel).write_bytes(data)
            sha = hashlib.sha256(data).hexdigest()
            cdb.conn.execute("INSERT INTO files(uid, dossier_id, dossier_component_id, kind, path, name, size, "
                             "sha256, created_at) VALUES (?, ?, ?, 'scan', ?, ?, ?, ?, ?)",
                             (uid, r.dossier_id, comp, rel, f"{r.code}-TK.pdf", len(data), sha, repo.ts(when)))
            repo.enqueue(cdb, r.dossier_id, "file", {"file_uid": uid, "dossier_code": r.code, "component_code": "TK",
                                                     "sha256": sha, "size": len(data), "name": rel}, when)
    return cdb


def drain(cdb: CounterDB, root: Path, url: str, workers: int) -> tuple[float, int]:
    """Seconds until nothing is pending, and the number of passes."""
    config = SyncConfig(workers=workers, backoff_base=0.2, backoff_cap=2.0, catalogue_interval=None)
    t0 = time.perf_counter()
    passes = 0
    with ProvincialClient(ClientConfig(url, "demo", "demo")) as client:
        while True:
            sync_once(cdb, root, client, config=config)
            passes += 1
            if not cdb.scalar("SELECT count(*) FROM outbox WHERE state IN ('pending', 'uploading')"):
                break
            time.sleep(0.05)
    secs = time.perf_counter() - t0
    bad = cdb.scalar("SELECT count(*) FROM outbox WHERE state <> 'synced'")
    assert bad == 0, f"{bad} entries not synced"
    return secs, passes


def scenario(name: str, base: Path, n: int, file_size: int, workers: int, *sim_args: str) -> None:
    """Build, start a simulator, drain, check the simulator holds every dossier once, report."""
    work = base / name
    t0 = time.perf_counter()
    cdb = build(work / "counter", n, file_size)
    built = time.perf_counter() - t0
    proc, url = start_simulator(work / "province", *sim_args)
    try:
        secs, passes = drain(cdb, work / "counter", url, workers)
        import httpx

        stats = httpx.get(url + p.ADMIN_STATS_PATH, timeout=30).json()
        assert stats["dossiers"] == n == stats["counters"]["dossiers_created"], stats
        assert stats["files_complete"] == n, stats
        print(f"{name:34s} {n:>6,} dossiers  {secs:7.1f} s  {n / secs:7.1f} dossiers/s  "
              f"({passes} passes, faults {json.dumps(stats['faults'])}; build {built:.1f} s)", flush=True)
    finally:
        proc.terminate()
        proc.wait(15)
        cdb.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dossiers", type=int, default=1000)
    ap.add_argument("--drain", type=int, default=10_000)
    ap.add_argument("--file-size", type=int, default=20_000)
    ap.add_argument("--small-file-size", type=int, default=2_000)
    ap.add_argument("--workers", type=int, default=4)
    args = ap.parse_args()
    base = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    print(f"sync benchmark: {os.cpu_count()} CPU(s), load {os.getloadavg()[0]:.1f}, workers {args.workers}")
    try:
        scenario("no faults (1 file of 20 KB each)", base, args.dossiers, args.file_size, args.workers)
        scenario("30% faults (500 / reset / lost)", base, args.dossiers, args.file_size, args.workers,
                 "--fail-rate", "0.1", "--reset-rate", "0.1", "--lost-reply-rate", "0.1", "--fault-seed", "1")
        scenario(f"drain {args.drain:,} queued (2 KB files)", base, args.drain, args.small_file_size, args.workers)
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
