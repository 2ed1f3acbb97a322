"""The test run fails on an unexpected Qt warning (qutebrowser's habit; issue #17 item 8).

``pyproject.toml`` sets pytest-qt's ``qt_log_level_fail = "WARNING"`` and lists in ``qt_log_ignore``
the few messages that are not ours to fix. This runs a two-test file under that configuration in a
child pytest: the test whose widget code emits an unknown warning fails, the ignored one passes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_PROBE = '''
from PySide6.QtCore import qWarning


def test_unexpected(qapp):
    qWarning("QWidget::setLayout: Attempting to set a layout on a widget that already has one")


def test_ignored(qapp):
    qWarning("This plugin does not support propagateSizeHints()")
'''


def test_configuration_fails_on_warnings_and_names_each_ignore() -> None:
    options = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]
    assert options["qt_log_level_fail"] == "WARNING"
    assert options["qt_log_ignore"], "the known-harmless messages are listed (each with its reason beside it)"


def test_an_unexpected_qt_warning_fails_its_test(tmp_path: Path) -> None:
    probe = tmp_path / "test_probe.py"
    probe.write_text(_PROBE, encoding="utf-8")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    run = subprocess.run([sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml"), "--rootdir",
                          str(tmp_path), "-p", "no:cacheprovider", "-q", str(probe)],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    summary = run.stdout.strip().splitlines()[-1]
    assert run.returncode == 1, run.stdout[-3000:]
    assert "1 failed, 1 passed" in summary, run.stdout[-3000:]
    assert "test_probe.py::test_unexpected" in run.stdout and "Qt messages with level WARNING" in run.stdout
