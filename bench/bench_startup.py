"""App start to window shown (target < 1.5 s), measured from process start, several runs — on an empty
data directory and on one with 2,000 dossiers and their scans, where the start-up integrity check has
a real archive to look at.

    .venv/bin/python bench/bench_startup.py [--runs 5] [--dossiers 2000]
Uses the offscreen platform unless DISPLAY/QT_QPA_PLATFORM say otherwise. The filled directory is
built once with ``counter-app demo-data`` (encrypted, as a ward's would be) and cached under /tmp.
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


def _times(data_dir: Path, runs: int, env: dict[str, str]) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        p = subprocess.Popen([sys.executable, "-m", "counter_app.app", "--data-dir", str(data_dir),
                              "--quit-after-shown"], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        assert p.stdout is not None
        for line in p.stdout:
            if line.startswith("window shown"):
                times.append((time.perf_counter() - t0) * 1000)
                break
        p.wait(timeout=120)
        if p.returncode != 0:
            raise SystemExit(f"the app exited with {p.returncode} on {data_dir}")
    return times


def _filled(n: int) -> Path:
    d = Path(tempfile.gettempdir()) / f"counter-bench-startup-{n}"
    if not (d / "counter.sqlite3").exists():
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "counter_app.cli", "demo-data", "--dossiers", str(n),
                        "--data-dir", str(d)], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        print(f"built {d} in {time.perf_counter() - t0:.0f} s")
    return d


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--dossiers", type=int, default=2000)
    args = ap.parse_args()
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    filled = _filled(args.dossiers)
    scans = sum(1 for p in (filled / "scans").rglob("*") if p.is_file())
    with tempfile.TemporaryDirectory() as empty:
        # Interleaved, so a noisy machine weighs on both alike.
        t_empty: list[float] = []
        t_full: list[float] = []
        for _ in range(args.runs):
            t_empty += _times(Path(empty), 1, env)
            t_full += _times(filled, 1, env)
    me, mf = statistics.median(t_empty), statistics.median(t_full)
    print(f"empty data directory:  median {me:.0f} ms, max {max(t_empty):.0f} ms over {len(t_empty)} runs")
    print(f"{args.dossiers} dossiers, {scans} scan files: median {mf:.0f} ms, max {max(t_full):.0f} ms "
          f"over {len(t_full)} runs")
    print(f"filled / empty: {mf / me:.2f}× (target < 1500 ms to the window in both)")


if __name__ == "__main__":
    main()
