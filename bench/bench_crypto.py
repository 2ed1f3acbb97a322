"""Cost of encryption at rest on the scan pipeline and on the dossier list (target: < 10 %).

    .venv/bin/python bench/bench_crypto.py [--dossiers N] [--runs R] [--write-runs W] [--only-write]

1. **Scan save**: build the PDF of a 2-page A4 component at 300 dpi (the real reportlab/pypdf
   builder), then store it plain (``atomic_write_bytes``: temp + fsync + rename) or encrypted
   (AES-256-GCM envelope, then the same write). Overhead is reported against the whole save the
   officer waits for (build + store), and against the store step alone.
1b. **The real save** (:func:`counter_app.services.digitise.store_component`: build, encrypt and stage,
   then move into ``scans/`` and register in one transaction) in a plain and in an encrypted data
   directory, called alternately (round robin, the order flipped every round) ``W`` times each.
2. **Dossier list**: the app's own functions (``list_dossiers`` first page, search by a full ID
   number, search by name prefix, ``dossier_detail``) on two demo data directories of N dossiers
   built the way the app builds them: one plain, one encrypted (keys first, then the data, so the
   personal columns are sealed, with blind indexes and masked copies). Round robin, order flipped.
   Both directories are cached under /tmp (building 100,000 encrypted dossiers takes ~80 s once).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import cv2
import numpy as np
from _common import demo_db, open_database

from counter_app import crypto, vault
from counter_app.atomicio import atomic_write_bytes
from counter_app.db import dossiers as repo
from counter_app.db.catalogue import store_procedures
from counter_app.db.setup import SetupInput, run_setup
from counter_app.domain.calendar import WorkCalendar
from counter_app.scanning import output as out
from counter_app.services.digitise import store_component

BENCH_PASSPHRASE = "bench passphrase"


def _page(seed: int) -> out.PageImage:
    """A4 at 300 dpi with text lines and noise (JPEG size like a real office scan)."""
    rng = np.random.default_rng(seed)
    img = np.full((3508, 2480, 3), 245, np.uint8)
    for k, y in enumerate(range(400, 2600, 70)):
        cv2.putText(img, f"Dong {k} van ban hanh chinh 0123456789", (220, y), cv2.FONT_HERSHEY_SIMPLEX, 1.5,
                    (25, 25, 25), 3)
    cv2.circle(img, (1780, 2950), 250, (40, 40, 205), 20)
    return out.PageImage(cv2.add(img, rng.integers(0, 6, img.shape, dtype=np.uint8)), 300)


def _median(fn: object, runs: int) -> float:
    xs = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        xs.append((time.perf_counter() - t0) * 1000)
    return statistics.median(xs)


def bench_scan(ring: crypto.KeyRing, root: Path, runs: int) -> None:
    pages = [_page(0), _page(1)]
    meta = out.ScanMeta(dossier_code="H01.37.01-261005-0001", component_code="TK", officer_name="Trần Thị Bình",
                        scanned_at=datetime(2026, 10, 5, 9))
    build = _median(lambda: out.build_component_pdf(pages, meta), runs)
    pdf = out.build_component_pdf(pages, meta)
    rel = "scans/2026/10/H01.37.01-261005-0001/TK-20261005-090000.pdf"
    target = root / rel
    # Plain and encrypted stores alternate, so both see the same disk (fsync time varies a lot
    # on a shared machine; measured one after the other they would compare two moods of the disk).
    plains, encs = [], []
    for _ in range(runs * 2):
        t0 = time.perf_counter()
        atomic_write_bytes(target, pdf)
        t1 = time.perf_counter()
        atomic_write_bytes(target, crypto.encrypt_bytes(ring, pdf, rel))
        t2 = time.perf_counter()
        plains.append((t1 - t0) * 1000)
        encs.append((t2 - t1) * 1000)
    plain, enc = statistics.median(plains), statistics.median(encs)
    enc_only = _median(lambda: crypto.encrypt_bytes(ring, pdf, rel), runs * 4)
    blob = target.read_bytes()
    dec = _median(lambda: crypto.decrypt_bytes(ring, blob, rel), runs)
    print(f"\nScan save: 2 pages A4 300 dpi, PDF {len(pdf) / 1e6:.2f} MB, median of {runs}")
    print(f"  build PDF                         {build:8.1f} ms")
    print(f"  store plain   (fsync+rename)      {plain:8.1f} ms")
    print(f"  encrypt only  (AES-256-GCM)       {enc_only:8.1f} ms")
    print(f"  store encrypted                   {enc:8.1f} ms")
    print(f"  decrypt (to view/print/upload)    {dec:8.1f} ms")
    total_plain, total_enc = build + plain, build + enc
    print(f"  whole save: {total_plain:.1f} → {total_enc:.1f} ms = "
          f"{(total_enc - total_plain) / total_plain * 100:+.1f} % (encrypt step alone: "
          f"{enc_only / total_plain * 100:.1f} % of the save)")


def _data_dir(root: Path, encrypted: bool) -> tuple[object, int]:
    """A configured data directory with one accepted dossier; returns its database and the TK component id."""
    from bench_sync import BIRTH  # the same one-procedure catalogue as the sync benchmark

    root.mkdir(parents=True)
    if encrypted:  # keys first, as at first-run setup: everything after is written encrypted
        vault.setup_encryption(root, "bench passphrase")
    cdb = open_database(root / "counter.sqlite3")
    run_setup(cdb, SetupInput(agency_code="H01.37.01", agency_name="Phường Bench", admin_password="x"))
    store_procedures(cdb, [BIRTH], version="bench")
    r = repo.receive(cdb, repo.ReceptionInput(
        procedure_code="1.001193", applicant=repo.ApplicantInput(full_name="Trần Thị Bench", id_number="001190000001"),
        components=[repo.ComponentInput("TK"), repo.ComponentInput("GCS")], officer_id=1),
        WorkCalendar.default(), now=datetime(2026, 10, 5, 9))
    return cdb, int(cdb.scalar("SELECT id FROM dossier_components WHERE dossier_id = ? AND component_code = 'TK'",
                               (r.dossier_id,)))


def bench_write_component(base: Path, runs: int) -> None:
    """The real ``write_component_pdf`` on a plain and on an encrypted data directory, round robin."""
    pages = [_page(0), _page(1)]
    meta = out.ScanMeta(dossier_code="", component_code="", officer_name="Trần Thị Bình",
                        scanned_at=datetime(2026, 10, 5, 9, 30), officer_id=1)
    dirs = {kind: (base / kind, *_data_dir(base / kind, kind == "encrypted")) for kind in ("plain", "encrypted")}
    totals: dict[str, list[float]] = {"plain": [], "encrypted": []}
    stores: dict[str, list[float]] = {"plain": [], "encrypted": []}
    sizes: dict[str, int] = {}
    for _ in range(2):  # warm-up: fonts, JPEG encoder, first SQLite pages
        for root, cdb, comp in dirs.values():
            store_component(cdb, root, comp, pages, meta, None, 2)
    for i in range(runs):
        # Alternate and flip the order every round: both kinds see the same disk and the same load.
        order = ("plain", "encrypted") if i % 2 == 0 else ("encrypted", "plain")
        for kind in order:
            root, cdb, comp = dirs[kind]
            t0 = time.perf_counter()
            res = store_component(cdb, root, comp, pages, meta, None, 2)
            totals[kind].append((time.perf_counter() - t0) * 1000)
            stores[kind].append(res.timings_ms["write"])
            sizes[kind] = res.size
            assert res.encrypted == (kind == "encrypted")
    for _root, cdb, _comp in dirs.values():
        cdb.close()  # type: ignore[attr-defined]
    vault.lock(base / "encrypted")
    med = {k: statistics.median(v) for k, v in totals.items()}
    med_store = {k: statistics.median(v) for k, v in stores.items()}
    print(f"\nReal write_component_pdf (build + store + register), 2 pages A4 300 dpi, unsigned, "
          f"{runs} runs each, round robin, medians")
    for kind in ("plain", "encrypted"):
        xs = sorted(totals[kind])
        print(f"  {kind:<10} whole save {med[kind]:7.1f} ms (min {xs[0]:.1f}, max {xs[-1]:.1f}); "
              f"store step {med_store[kind]:6.1f} ms; {sizes[kind] / 1e6:.3f} MB on disk")
    print(f"  overhead of encryption: {med['encrypted'] - med['plain']:+.1f} ms = "
          f"{(med['encrypted'] - med['plain']) / med['plain'] * 100:+.1f} % of the whole save")


def bench_list(n: int, runs: int) -> None:
    """The real list/search/detail functions on a plain and an encrypted directory, round-robin."""
    plain_path, built = demo_db(n)
    if built:
        print(f"(plain demo data: {n:,} dossiers generated in {built:.0f} s)")
    enc_path, built_enc = demo_db(n, passphrase=BENCH_PASSPHRASE)
    if built_enc:
        print(f"(encrypted demo data: {n:,} dossiers generated in {built_enc:.0f} s)")
    dbs = {"plain": open_database(plain_path), "encrypted": open_database(enc_path)}
    probe: dict[str, dict[str, object]] = {}
    for kind, cdb in dbs.items():
        row = cdb.query_one("SELECT id, applicant_name_folded FROM dossiers ORDER BY id DESC LIMIT 1 OFFSET 77")
        assert row is not None
        detail = repo.dossier_detail(cdb, int(row["id"]))
        full_id = str(detail["applicant_id_number"])
        assert full_id.isdigit(), "dossier_detail must give the plaintext ID"
        probe[kind] = {"id": int(row["id"]), "idn": full_id, "name": str(row["applicant_name_folded"])[:6]}
        found = repo.list_dossiers(cdb, repo.ListFilter(text=full_id), limit=200)
        assert any(r["id"] == row["id"] for r in found), f"{kind}: search by full ID must find the dossier"

    def ops(kind: str) -> dict[str, Callable[[], object]]:
        cdb, p = dbs[kind], probe[kind]
        return {
            "first page (200 rows)": lambda: repo.list_dossiers(cdb, limit=200),
            "search by full ID number": lambda: repo.list_dossiers(cdb, repo.ListFilter(text=str(p["idn"])), limit=200),
            "search by name prefix": lambda: repo.list_dossiers(cdb, repo.ListFilter(text=str(p["name"])), limit=200),
            "open one dossier (detail)": lambda: repo.dossier_detail(cdb, int(str(p["id"]))),
        }

    table = {kind: ops(kind) for kind in dbs}
    samples: dict[tuple[str, str], list[float]] = {}
    for kind in dbs:
        for fn in table[kind].values():
            fn()  # warm the page cache
    for i in range(runs):
        # Round-robin, order flipped every round: both kinds see the same machine load.
        for kind in (("plain", "encrypted") if i % 2 == 0 else ("encrypted", "plain")):
            for name, fn in table[kind].items():
                t0 = time.perf_counter()
                fn()
                samples.setdefault((kind, name), []).append((time.perf_counter() - t0) * 1000)
    print(f"\nDossier list on {n:,} dossiers, real functions, median of {runs} round-robin runs")
    print(f"  {'':28} {'plain':>9} {'encrypted':>10}  overhead")
    for name in table["plain"]:
        a = statistics.median(samples[("plain", name)])
        b = statistics.median(samples[("encrypted", name)])
        print(f"  {name:28} {a:7.2f} ms {b:8.2f} ms  {(b - a) / a * 100:+5.0f} % ({b - a:+.2f} ms)")
    for cdb in dbs.values():
        cdb.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dossiers", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--write-runs", type=int, default=21, help="calls of write_component_pdf per kind of directory")
    ap.add_argument("--only-write", action="store_true", help="only the real write_component_pdf comparison")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bench_write_component(Path(tmp) / "write", args.write_runs)
        if args.only_write:
            return
        ring, _ = crypto.create_key_file(Path(tmp) / "keys.json", "bench passphrase")
        bench_scan(ring, Path(tmp), max(5, args.runs // 3))
        bench_list(args.dossiers, args.runs)


if __name__ == "__main__":
    main()
