"""`counter-app sync --once` as a separate process against the real simulator."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.sync.conftest import SimulatorFactory, add_dossiers, build_counter

ROOT = Path(__file__).resolve().parents[1]


def test_sync_once_command(tmp_path: Path) -> None:
    factory = SimulatorFactory(tmp_path)
    try:
        sim = factory.start("--no-progress")
        counter = build_counter(tmp_path / "c", endpoint=sim.url)
        add_dossiers(counter, 3)
        counter.cdb.close()
        out = subprocess.run([sys.executable, str(ROOT / "main.py"), "sync", "--once", "--data-dir",
                              str(tmp_path / "c")], capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr[-2000:]
        held = sim.admin("/admin/dossiers")
        rows = held["dossiers"] if isinstance(held, dict) else held
        assert len(rows) == 3
        # Wrong password: a distinct, plain-Vietnamese failure and a non-zero exit code.
        secret = "Mk-khong-dung-7731"
        bad = build_counter(tmp_path / "bad", endpoint=sim.url, password=secret)
        add_dossiers(bad, 1)
        bad.cdb.close()
        out = subprocess.run([sys.executable, str(ROOT / "main.py"), "sync", "--once", "--data-dir",
                              str(tmp_path / "bad")], capture_output=True, text=True, timeout=120)
        assert out.returncode != 0
        assert secret not in out.stderr and secret not in out.stdout  # credentials never printed or logged
        log_text = "".join(p.read_text(errors="replace") for p in (tmp_path / "bad").rglob("*.log"))
        assert secret not in log_text
    finally:
        factory.close()
