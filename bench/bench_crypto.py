"""Cost of encryption at rest on the scan pipeline and on the dossier list (target: < 10 %).

    .venv/bin/python bench/bench_crypto.py [--dossiers N] [--runs R]

1. **Scan save**: build the PDF of a 2-page A4 component at 300 dpi (the real reportlab/pypdf
   builder), then store it plain (``atomic_write_bytes``: temp + fsync + rename) or encrypted
   (AES-256-GCM envelope, then the same write). Overhead is reported against the whole save the
   officer waits for (build + store), and against the store step alone.
2. **Dossier list**: the first page (200 rows) of the list on N dossiers, plain, and with the
   personal columns (ID number, phone, address) sealed in the database and opened for the page;
   plus looking a citizen up by ID number — plain prefix range vs the keyed blind index.

The encrypted list is measured on a copy of the demo database whose columns were sealed in place
(the app's schema does not have them sealed yet; see docs/security.md).
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

import cv2
import numpy as np
from _common import demo_db, open_database, timed

from counter_app import crypto
from counter_app.atomicio import atomic_write_bytes
from counter_app.db import dossiers as repo
from counter_app.domain.citizen_id import mask_id
from counter_app.scanning import output as out

SEALED = ("applicant_id_number", "phone", "applicant_address")


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


def _sealed_copy(src: Path, ring: crypto.KeyRing) -> Path:
    dst_dir = Path(tempfile.mkdtemp(prefix="counter-bench-crypto-"))
    dst = dst_dir / "counter.sqlite3"
    conn = sqlite3.connect(src)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    shutil.copy2(src, dst)
    conn = sqlite3.connect(dst)
    conn.execute("ALTER TABLE dossiers ADD COLUMN applicant_id_bidx TEXT")
    conn.execute("ALTER TABLE dossiers ADD COLUMN applicant_id_masked TEXT")
    conn.execute("ALTER TABLE dossiers ADD COLUMN phone_masked TEXT")
    rows = conn.execute(f"SELECT id, {', '.join(SEALED)} FROM dossiers").fetchall()
    conn.execute("BEGIN")
    conn.executemany(
        f"UPDATE dossiers SET {', '.join(f'{c} = ?' for c in SEALED)}, applicant_id_bidx = ?, "
        "applicant_id_masked = ?, phone_masked = ? WHERE id = ?",
        [(*(crypto.seal_field(ring, v or "", c) for c, v in zip(SEALED, r[1:], strict=True)),
          crypto.blind_index(ring, r[1] or ""), mask_id(r[1] or ""), mask_id(r[2] or ""), r[0]) for r in rows],
    )
    conn.execute("COMMIT")
    conn.execute("CREATE INDEX dossiers_idbidx ON dossiers(applicant_id_bidx)")
    conn.close()
    return dst


def bench_list(ring: crypto.KeyRing, n: int, runs: int) -> None:
    path, built = demo_db(n)
    if built:
        print(f"(demo data: {n:,} dossiers generated in {built:.0f} s)")
    plain_db = open_database(path)
    some = plain_db.query("SELECT applicant_id_number FROM dossiers ORDER BY id DESC LIMIT 1")[0]["applicant_id_number"]
    t0 = time.perf_counter()
    sealed_path = _sealed_copy(path, ring)
    seal_s = time.perf_counter() - t0
    sealed_db = open_database(sealed_path)

    def page_plain() -> None:
        repo.list_dossiers(plain_db, limit=200)

    def page_sealed() -> None:
        rows = repo.list_dossiers(sealed_db, limit=200)
        crypto.open_fields(ring, rows, ("applicant_id_number", "phone"))

    def page_sealed_detail() -> None:  # worst case: also the address of every row on the page
        rows = sealed_db.query(f"SELECT {repo.LIST_COLUMNS}, applicant_address FROM dossiers "
                               "ORDER BY received_at DESC, id DESC LIMIT 200")
        crypto.open_fields(ring, rows, SEALED)

    masked_cols = repo.LIST_COLUMNS.replace("applicant_id_number", "applicant_id_masked AS applicant_id_number")
    masked_cols = masked_cols.replace(" phone,", " phone_masked AS phone,")
    assert masked_cols != repo.LIST_COLUMNS

    def page_masked() -> None:  # the design: the list shows masked copies, nothing to decrypt
        sealed_db.query(f"SELECT {masked_cols} FROM dossiers ORDER BY received_at DESC, id DESC LIMIT 200")

    def open_one() -> None:  # opening one dossier's detail: its sealed fields are decrypted
        row = sealed_db.query_one(f"SELECT {', '.join(SEALED)} FROM dossiers WHERE id = ?", (n // 2,))
        crypto.open_fields(ring, [row or {}], SEALED)

    bidx = crypto.blind_index(ring, some)
    for fn in (page_plain, page_sealed, page_sealed_detail, page_masked):
        fn()  # warm the page cache
    # Round-robin, so every variant sees the same machine load (a shared 2-core box is noisy).
    samples: dict[str, list[float]] = {"plain": [], "sealed": [], "detail": [], "masked": []}
    fns = {"plain": page_plain, "sealed": page_sealed, "detail": page_sealed_detail, "masked": page_masked}
    for _ in range(runs):
        for key, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            samples[key].append((time.perf_counter() - t0) * 1000)
    p_plain, p_sealed, p_detail, p_masked = (statistics.median(samples[k]) for k in fns)
    one, _ = timed(open_one, runs)
    s_plain, _ = timed(lambda: repo.list_dossiers(plain_db, repo.ListFilter(text=some), limit=200), runs)
    s_sealed, _ = timed(lambda: crypto.open_fields(ring, sealed_db.query(
        f"SELECT {repo.LIST_COLUMNS} FROM dossiers WHERE applicant_id_bidx = ? LIMIT 200", (bidx,)),
        ("applicant_id_number", "phone")), runs)
    print(f"\nDossier list on {n:,} dossiers (sealing {len(SEALED)} columns of every row took {seal_s:.1f} s), "
          f"median of {runs}")
    print(f"  first page 200 rows, plain                     {p_plain:7.2f} ms")
    print(f"  first page 200 rows, ID + phone sealed/opened  {p_sealed:7.2f} ms  "
          f"(+{(p_sealed - p_plain) / p_plain * 100:.0f} %, +{p_sealed - p_plain:.2f} ms)")
    print(f"  same with address too                          {p_detail:7.2f} ms")
    print(f"  first page, masked copies shown (the design)   {p_masked:7.2f} ms  "
          f"({(p_masked - p_plain) / p_plain * 100:+.0f} %)")
    print(f"  open one dossier: decrypt its 3 sealed fields  {one:7.2f} ms")
    print(f"  search by full ID number, plain prefix         {s_plain:7.2f} ms")
    print(f"  search by full ID number, blind index          {s_sealed:7.2f} ms")
    plain_db.close()
    sealed_db.close()
    shutil.rmtree(sealed_path.parent, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dossiers", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ring, _ = crypto.create_key_file(Path(tmp) / "keys.json", "bench passphrase")
        bench_scan(ring, Path(tmp), max(5, args.runs // 3))
        bench_list(ring, args.dossiers, args.runs)


if __name__ == "__main__":
    main()
