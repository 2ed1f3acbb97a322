"""Orientation, session 8 (issue #13): Tesseract's budget on its own CPU clock, and the cases
rebuilt in gen3_text for the report sets' camera and receipt failures."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pytest

from counter_app.scanning import _osd

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_CPU via prlimit is Linux's")


def _fake_tesseract(tmp_path: Path, body: str) -> str:
    """An executable standing in for `tesseract` (its arguments are ignored)."""
    exe = tmp_path / "tesseract"
    exe.write_text("#!/bin/sh\n" + body + "\n")
    exe.chmod(0o755)
    return str(exe)


def _page() -> np.ndarray:
    return np.full((64, 64), 255, np.uint8)


@linux_only
def test_waiting_does_not_count_against_the_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Tesseract that answers after 2 s of wall clock but almost no CPU (a busy machine) is
    heard with a 1-s budget: the budget is CPU time, so the answer does not depend on load."""
    exe = _fake_tesseract(tmp_path, "cat > /dev/null; sleep 2; printf 'Rotate: 180\\nOrientation confidence: 5.5\\n'")
    monkeypatch.setattr(_osd, "_program", lambda: exe)
    assert _osd.tesseract_orientation(_page(), timeout_s=1.0) == (180, 5.5)


@linux_only
def test_a_program_that_spins_is_stopped_by_its_cpu_budget(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A Tesseract that burns CPU without end is stopped after its CPU budget (1 s), long before
    the wall-clock backstop (30 s), and gives no opinion."""
    exe = _fake_tesseract(tmp_path, "cat > /dev/null; exec " + sys.executable + " -c 'while 1: pass'")
    monkeypatch.setattr(_osd, "_program", lambda: exe)
    t0 = time.monotonic()
    assert _osd.tesseract_orientation(_page(), timeout_s=1.0, wall_s=30.0) is None
    assert time.monotonic() - t0 < 25.0


@linux_only
def test_a_slow_program_still_working_is_waited_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Tesseract busy for 2.5 s of wall clock (a slow or loaded machine) with 1-s wall windows is
    waited for, because it keeps using CPU; its 5-s CPU budget is not reached."""
    spin = "import time\nt = time.time()\nwhile time.time() - t < 2.5: pass\nprint('Rotate: 90\\nOrientation confidence: 3.0')"
    exe = _fake_tesseract(tmp_path, f"cat > /dev/null; exec {sys.executable} -c \"{spin}\"")
    monkeypatch.setattr(_osd, "_program", lambda: exe)
    assert _osd.tesseract_orientation(_page(), timeout_s=5.0, wall_s=1.0) == (90, 3.0)


def test_a_program_that_hangs_is_stopped_by_the_wall_clock(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A Tesseract that never answers and uses no CPU is given up after a wall-clock window
    (two: the first is grace for a process not yet scheduled)."""
    exe = _fake_tesseract(tmp_path, "cat > /dev/null; exec sleep 30")
    monkeypatch.setattr(_osd, "_program", lambda: exe)
    t0 = time.monotonic()
    assert _osd.tesseract_orientation(_page(), timeout_s=1.0, wall_s=1.0) is None
    assert time.monotonic() - t0 < 10.0
