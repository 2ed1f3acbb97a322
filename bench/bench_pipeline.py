"""Speed and memory of ``process_page`` on A4 300-dpi pages, against the JPEG floor (issue part 5).

The floor is what any scan path pays anyway: decoding the scanner's JPEG and encoding the
result (``cv2.imdecode`` + ``cv2.imencode`` quality 85) of the same page. Targets:
``process_page`` ≤ 2.0 × the floor, ≥ 4 pages/s on a 2-core machine, peak memory < 800 MB
while a 100-page batch streams through (decode → process → encode, nothing kept).

Test pages are generated in a child process so the generator's own memory does not count;
peak memory is this process's ``ru_maxrss`` (everything: Python, NumPy, OpenCV buffers).
Usage: ``python bench/bench_pipeline.py [--pages 100] [--distinct 8]``.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

A4_300 = (2480, 3508)


def _make_jpegs(distinct: int, seed: int) -> list[tuple[str, bytes]]:
    """A4 300-dpi pages of several kinds as scanner JPEGs (quality 90)."""
    import cv2

    from counter_dev.testpages import generate_page

    kinds = ["feeder", "flatbed", "rotated", "feeder", "near_blank", "blank", "feeder", "rotated"]
    out = []
    for i in range(distinct):
        page = generate_page(seed, i, 300, kinds[i % len(kinds)])
        ok, buf = cv2.imencode(".jpg", page.image, [cv2.IMWRITE_JPEG_QUALITY, 90])
        assert ok
        out.append((f"{page.kind} {page.image.shape[1]}×{page.image.shape[0]}", buf.tobytes()))
    return out


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def main() -> None:
    """Generate, warm up, stream the batch, print the figures."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=100)
    ap.add_argument("--distinct", type=int, default=8)
    ap.add_argument("--seed", type=int, default=300)
    args = ap.parse_args()

    with mp.get_context("spawn").Pool(1) as pool:
        jpegs = pool.apply(_make_jpegs, (args.distinct, args.seed))
    import cv2

    from counter_app.scanning.pipeline import process_page

    print(f"OpenCV {cv2.__version__}, threads {cv2.getNumThreads()}; {len(jpegs)} distinct pages:")
    for name, b in jpegs:
        print(f"  {name}  jpeg {len(b) / 1e6:.1f} MB")
    rss_start = _rss_mb()
    enc = [cv2.IMWRITE_JPEG_QUALITY, 85]
    for _, b in jpegs[:2]:  # warm-up: first calls allocate pools and load code
        process_page(cv2.imdecode(np.frombuffer(b, np.uint8), cv2.IMREAD_COLOR), 300)

    floor_ms, proc_ms, total_ms = [], [], []
    floor_cpu, proc_cpu = [], []  # CPU time (all threads): insensitive to other load
    dropped = 0
    t_batch = time.perf_counter()
    for i in range(args.pages):
        _, b = jpegs[i % len(jpegs)]
        c0, t0 = time.process_time(), time.perf_counter()
        img = cv2.imdecode(np.frombuffer(b, np.uint8), cv2.IMREAD_COLOR)
        t1 = time.perf_counter()
        cv2.imencode(".jpg", img, enc)  # floor: re-encode the same page
        c2, t2 = time.process_time(), time.perf_counter()
        res = process_page(img, 300)
        c3, t3 = time.process_time(), time.perf_counter()
        floor_cpu.append(1e3 * (c2 - c0))
        proc_cpu.append(1e3 * (c3 - c2))
        if not res.blank:
            cv2.imencode(".jpg", res.image, enc)
        else:
            dropped += 1
        t4 = time.perf_counter()
        floor_ms.append(1e3 * (t2 - t0))
        proc_ms.append(1e3 * (t3 - t2))
        total_ms.append(1e3 * ((t1 - t0) + (t4 - t2)))
        del img, res
    batch_s = time.perf_counter() - t_batch

    med = float(np.median(proc_ms))
    fmed = float(np.median(floor_ms))
    print(f"\nprocess_page      median {med:7.1f} ms   p95 {np.percentile(proc_ms, 95):7.1f} ms")
    print(f"JPEG floor        median {fmed:7.1f} ms   p95 {np.percentile(floor_ms, 95):7.1f} ms "
          "(imdecode + imencode q85 of the same page)")
    print(f"ratio             {med / fmed:.2f} × floor (wall, median/median; target ≤ 2.0)")
    cpu_ratio = float(np.median(proc_cpu)) / float(np.median(floor_cpu))
    print(f"CPU time          process_page {np.median(proc_cpu):.1f} ms, floor {np.median(floor_cpu):.1f} ms "
          f"→ {cpu_ratio:.2f} × (all threads; an upper bound for wall time on an idle 2-core machine, "
          "where OpenCV's warp and resize run on both cores and JPEG on one)")
    print(f"load average      {' '.join(f'{x:.1f}' for x in os.getloadavg())} (other processes skew wall times)")
    print(f"throughput        {1000 / med:.1f} pages/s process_page alone; "
          f"{1000 / float(np.median(total_ms)):.1f} pages/s decode+process+encode; "
          f"batch of {args.pages} in {batch_s:.1f} s ({dropped} blank pages dropped)")
    print(f"peak memory       {_rss_mb():.0f} MB max RSS (was {rss_start:.0f} MB before the batch; "
          "target < 800 MB)")


if __name__ == "__main__":
    main()
