"""Printed forms: receipt (Mẫu 01) PDF generation time (target < 150 ms), plus the other forms.

    .venv/bin/python bench/bench_forms.py [--runs 50]

Reports wall time and this process's CPU time (on a shared, loaded machine the wall time mostly
measures waiting for a core); the first call in a fresh process (font registration, imports of
the QR encoder and reportlab internals) separately from the steady state (median and p95 after a
warm-up). Every run uses a new issue time, so the QR symbol is encoded afresh as in real use.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET_MS = 150.0


def _stats(xs: list[float]) -> tuple[float, float]:
    xs = sorted(xs)
    return statistics.median(xs), xs[max(0, round(0.95 * len(xs)) - 1)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=5)
    args = ap.parse_args()

    t0 = time.perf_counter()
    from counter_app.documents import (
        render_apology,
        render_control_slip,
        render_receipt,
        render_refusal,
        render_register,
        render_stop_notice,
        render_supplement_request,
    )
    from counter_dev.samples import sample_agency, sample_dossier, sample_register_rows

    import_ms = (time.perf_counter() - t0) * 1000
    d, agency = sample_dossier(), sample_agency()
    base = dt.datetime(2026, 10, 8, 14, 35)

    t0 = time.perf_counter()
    pdf = render_receipt(d, agency, issued_at=base)
    first_ms = (time.perf_counter() - t0) * 1000

    for i in range(args.warmup):
        render_receipt(d, agency, issued_at=base + dt.timedelta(seconds=i + 1))
    xs, cpu = [], []
    for i in range(args.runs):
        issued = base + dt.timedelta(minutes=1, seconds=i)
        t0, c0 = time.perf_counter(), time.process_time()
        render_receipt(d, agency, issued_at=issued)
        xs.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    median, p95 = _stats(xs)
    cpu_median, cpu_p95 = _stats(cpu)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average (1 min): {load:.1f} on {os.cpu_count()} CPUs")
    print(f"import counter_app.documents: {import_ms:.0f} ms")
    print(f"render_receipt first call: {first_ms:.0f} ms ({len(pdf) // 1024} KiB, 2 pages)")
    verdict = "OK" if median < TARGET_MS else "SLOW"
    print(f"render_receipt: median {median:.1f} ms, p95 {p95:.1f} ms, min {min(xs):.1f} ms over {args.runs} runs "
          f"(target < {TARGET_MS:.0f} ms: {verdict})")
    # CPU time of this process: what the render costs when the machine is not shared.
    print(f"render_receipt CPU time: median {cpu_median:.1f} ms, p95 {cpu_p95:.1f} ms")

    others = {
        "02 supplement request": lambda i: render_supplement_request(
            d, agency, issued_at=base + dt.timedelta(seconds=i)
        ),
        "03 refusal": lambda i: render_refusal(d, agency, issued_at=base + dt.timedelta(seconds=i)),
        "04 apology": lambda i: render_apology(d, agency, issued_at=base + dt.timedelta(seconds=i)),
        "05 control slip": lambda i: render_control_slip(d, agency, issued_at=base + dt.timedelta(seconds=i)),
        "TB stop notice": lambda i: render_stop_notice(d, agency, issued_at=base + dt.timedelta(seconds=i)),
    }
    runs = max(5, args.runs // 5)
    for name, fn in others.items():
        ys = []
        for i in range(runs):
            t0 = time.perf_counter()
            fn(i)
            ys.append((time.perf_counter() - t0) * 1000)
        m, p = _stats(ys)
        print(f"{name}: median {m:.1f} ms, p95 {p:.1f} ms over {runs} runs")
    rows = sample_register_rows(500)
    t0 = time.perf_counter()
    reg = render_register(rows, agency, dt.date(2026, 10, 1), dt.date(2026, 10, 31), issued_at=base)
    print(f"06 register, 500 rows: {(time.perf_counter() - t0) * 1000:.0f} ms ({len(reg) // 1024} KiB)")


if __name__ == "__main__":
    main()
