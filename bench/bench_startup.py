"""App start to window shown (target < 1.5 s), measured from process start, several runs.

    .venv/bin/python bench/bench_startup.py [--runs 5]
Uses the offscreen platform unless DISPLAY/QT_QPA_PLATFORM say otherwise.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    times = []
    with tempfile.TemporaryDirectory() as d:
        for _ in range(args.runs):
            t0 = time.perf_counter()
            p = subprocess.Popen([sys.executable, "-m", "counter_app.app", "--data-dir", d, "--quit-after-shown"],
                                 cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
            assert p.stdout is not None
            for line in p.stdout:
                if line.startswith("window shown"):
                    times.append((time.perf_counter() - t0) * 1000)
                    break
            p.wait(timeout=60)
    print(f"start to window shown: median {statistics.median(times):.0f} ms, max {max(times):.0f} ms "
          f"over {len(times)} runs (target < 1500 ms)")


if __name__ == "__main__":
    main()
